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
  /** The host's IPv6 instance in a dual-stack demo (`--ipv6`); absent otherwise. */
  ipv6?: { address: string; state: string; holdsVip: boolean };
}

export interface ClientView {
  /** The VIP the client connects to (the IPv6 one in a dual-stack demo). */
  vip: string;
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
  /** The IPv6 instances' VIP in a dual-stack demo; null otherwise. */
  vip6: string | null;
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
  const vips = snapshot.vip6 === null ? `VIP ${snapshot.vip}` : `VIPs ${snapshot.vip} and ${snapshot.vip6}`;
  const stateCell = (state: string): string => paint(state.toUpperCase().padEnd(10), STATE_COLOURS[state], colour);
  const holds = (held: boolean): string => (held ? paint('holds it', '1', colour) : '');
  const lines = [
    paint(`tsvip demo: three control-plane hosts and a client in network namespaces; ${vips}`, '1', colour),
    `now: ${snapshot.step}`,
    '',
    `  host  address        state       priority  VIP${snapshot.vip6 === null ? '' : '       IPv6 address  IPv6 state  IPv6 VIP'}`,
  ];
  for (const host of snapshot.hosts) {
    const ipv4 = `  ${host.name.padEnd(4)}  ${host.address.padEnd(13)}  ${stateCell(host.state)}  ${String(host.priority ?? '-').padEnd(8)}  `;
    // The IPv4 VIP cell is padded only when the IPv6 columns follow it.
    lines.push(host.ipv6 === undefined ? `${ipv4}${holds(host.holdsVip)}` : `${ipv4}${holds(host.holdsVip) || ' '.repeat(8)}  ${host.ipv6.address.padEnd(12)}  ${stateCell(host.ipv6.state)}  ${holds(host.ipv6.holdsVip)}`);
  }
  const { client } = snapshot;
  const rate = client.triedLastSecond === 0 ? 0 : client.okLastSecond / client.triedLastSecond;
  lines.push(
    '',
    `  client -> ${client.vip}: ${bar(rate, 30)} ${(rate * 100).toFixed(0).padStart(3)}% of connections answered in the last second` +
      (client.lastServer === null ? '' : `, the last by apiserver ${client.lastServer}`),
    `  total: ${client.totalOk} answered, ${client.totalFailed} failed`,
    '',
    ...snapshot.story.slice(-12).map((line) => `  ${line}`),
  );
  return `${lines.join('\n')}\n`;
}
