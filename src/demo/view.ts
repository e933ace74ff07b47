// What `tsvip demo` shows: each host's VRRP state and priority, who holds the VIP, the client's success
// rate against the VIP, and the story so far. Pure: a snapshot in, text out; the caller redraws it
// in place on a terminal or prints new story lines when the output is not one.

export interface HostView {
  name: string;
  address: string;
  /** tsvip's state: initialize, backup, master, fault; 'stopped' when its process is gone. */
  state: string;
  priority: number | null;
  holdsVip: boolean;
}

export interface ClientView {
  /** Connections to the VIP that got an answer in the last second, and how many were tried. */
  okLastSecond: number;
  triedLastSecond: number;
  /** The host that answered the last successful connection. */
  lastServer: string | null;
  totalOk: number;
  totalFailed: number;
}

export interface DemoSnapshot {
  vip: string;
  hosts: readonly HostView[];
  client: ClientView;
  /** What happened, oldest first: "12.3 s  kill -9 tsvip on h1". */
  story: readonly string[];
  step: string;
}

const STATE_COLOURS: Record<string, string> = { master: '32', backup: '36', fault: '31', stopped: '90', initialize: '33' };

function paint(text: string, code: string | undefined, colour: boolean): string {
  return colour && code !== undefined ? `\u001b[${code}m${text}\u001b[0m` : text;
}

function bar(fraction: number, width: number): string {
  const filled = Math.round(Math.max(0, Math.min(1, fraction)) * width);
  return `${'#'.repeat(filled)}${'.'.repeat(width - filled)}`;
}

export function renderDemo(snapshot: DemoSnapshot, options: { colour: boolean }): string {
  const { colour } = options;
  const lines = [
    paint(`tsvip demo: three control-plane hosts and a client in network namespaces; VIP ${snapshot.vip}`, '1', colour),
    `now: ${snapshot.step}`,
    '',
    '  host  address        state       priority  VIP',
  ];
  for (const host of snapshot.hosts) {
    const state = paint(host.state.toUpperCase().padEnd(10), STATE_COLOURS[host.state], colour);
    lines.push(`  ${host.name.padEnd(4)}  ${host.address.padEnd(13)}  ${state}  ${String(host.priority ?? '-').padEnd(8)}  ${host.holdsVip ? paint('holds it', '1', colour) : ''}`);
  }
  const { client } = snapshot;
  const rate = client.triedLastSecond === 0 ? 0 : client.okLastSecond / client.triedLastSecond;
  lines.push(
    '',
    `  client -> ${snapshot.vip}: ${bar(rate, 30)} ${(rate * 100).toFixed(0).padStart(3)}% of connections answered in the last second` +
      (client.lastServer === null ? '' : `, the last by apiserver ${client.lastServer}`),
    `  total: ${client.totalOk} answered, ${client.totalFailed} failed`,
    '',
    ...snapshot.story.slice(-12).map((line) => `  ${line}`),
  );
  return `${lines.join('\n')}\n`;
}
