// The readable form of a daemon's /status for `tsvip status`: who is master, the trackers, and a
// backend table like haproxy's stats page, in aligned columns for a terminal.
import type { StatusSnapshot } from '../status/snapshot.js';

function columns(header: string[], rows: string[][]): string[] {
  const widths = header.map((title, i) => Math.max(title.length, ...rows.map((row) => (row[i] ?? '').length)));
  const line = (cells: string[]): string => cells.map((cell, i) => (i === cells.length - 1 ? cell : cell.padEnd(widths[i] ?? 0))).join('  ').trimEnd();
  return [line(header), ...rows.map(line)];
}

/** '45 s', '3 min 20 s', '2 h 5 min', '3 d 4 h'. */
export function formatAge(fromIso: string, nowIso: string): string {
  const seconds = Math.max(0, Math.round((Date.parse(nowIso) - Date.parse(fromIso)) / 1000));
  if (seconds < 60) return `${seconds} s`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)} min ${seconds % 60} s`;
  if (seconds < 86_400) return `${Math.floor(seconds / 3600)} h ${Math.floor((seconds % 3600) / 60)} min`;
  return `${Math.floor(seconds / 86_400)} d ${Math.floor((seconds % 86_400) / 3600)} h`;
}

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 ** 2) return `${(bytes / 1024).toFixed(1)} KiB`;
  if (bytes < 1024 ** 3) return `${(bytes / 1024 ** 2).toFixed(1)} MiB`;
  return `${(bytes / 1024 ** 3).toFixed(2)} GiB`;
}

export function formatStatusTable(s: StatusSnapshot): string {
  const own = [...new Set(s.instances.map((i) => i.ownAddress))];
  const host = own.length > 0 ? `${s.hostname} (${own.join(', ')})` : s.hostname;
  const out: string[] = [`tsvip ${s.version} on ${host}, pid ${s.pid}, up ${formatAge(s.startedAt, s.now)}, ${s.ready ? 'ready' : 'NOT READY'}`, ''];
  if (s.instances.length === 0) {
    out.push('no VRRP instances (load balancer only)');
  } else {
    out.push(
      ...columns(
        ['INSTANCE', 'STATE', 'PRIORITY', 'MASTER', 'VIPS', 'SINCE', 'ADVERTS OUT/IN', 'DROPPED', 'TRANSITIONS'],
        s.instances.map((i) => [
          i.name,
          i.state.toUpperCase(),
          i.priority === i.configuredPriority ? String(i.priority) : `${i.priority} (${i.configuredPriority})`,
          i.masterAddress ?? '-',
          i.vips.join(','),
          formatAge(i.since, s.now),
          `${i.counters.advertsSent}/${i.counters.advertsReceived}`,
          String(Object.values(i.counters.drops).reduce((sum, n) => sum + (n ?? 0), 0)),
          String(i.counters.transitions),
        ]),
      ),
    );
    const trackers = s.instances.flatMap((i) => i.trackers.map((t) => [i.name, `${t.name} (${t.type})`, t.state, String(t.weight), t.detail]));
    if (trackers.length > 0) out.push('', ...columns(['INSTANCE', 'TRACKER', 'STATE', 'WEIGHT', 'DETAIL'], trackers));
  }
  for (const lb of s.loadBalancers) {
    const c = lb.counters;
    out.push(
      '',
      `load balancer ${lb.name}: ${lb.pool.state.toUpperCase()}, bind ${lb.bind}, listening on ${lb.listening.length > 0 ? lb.listening.join(', ') : 'nothing (not master)'}, ${lb.balance}, ${lb.pool.detail}`,
      `  ${c.active} active, ${c.total} total, ${c.failedConnects} failed connects, ${c.retries} retries, ${c.rejected} rejected, ${formatBytes(c.bytesIn)} in, ${formatBytes(c.bytesOut)} out`,
      ...columns(
        ['BACKEND', 'ADDRESS', 'STATE', 'WEIGHT', 'ACTIVE', 'TOTAL', 'FAILED', 'RETRIES', 'IN', 'OUT', 'SINCE', 'LAST CHECK'],
        lb.backends.map((b) => [
          b.name,
          b.address,
          b.state.toUpperCase(),
          String(b.weight),
          String(b.counters.active),
          String(b.counters.total),
          String(b.counters.failedConnects),
          String(b.counters.retries),
          formatBytes(b.counters.bytesIn),
          formatBytes(b.counters.bytesOut),
          formatAge(b.since, s.now),
          b.state === 'down' ? b.reason : b.lastCheck,
        ]),
      ).map((line) => `  ${line}`),
    );
  }
  if (s.transitions.length > 0) {
    out.push('', 'last state changes:');
    for (const t of s.transitions.slice(0, 5)) out.push(`  ${formatAge(t.at, s.now)} ago  ${t.instance}  ${t.from.toUpperCase()} -> ${t.to.toUpperCase()}  (${t.reason}, priority ${t.priority})`);
  }
  return `${out.join('\n')}\n`;
}
