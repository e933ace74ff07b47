// `tsvip demo`: three simulated control-plane hosts (network namespaces on this machine), each with an
// apiserver stand-in (HTTPS) and tsvip holding one VIP with a load balancer on VIP:8443 to the three
// apiservers; a fourth host is a client making a new HTTPS connection through the VIP every 10 ms.
// It kills one apiserver (the load balancer hides it: 0 failures), crashes the master with -9 (the
// takeover and the client's outage in ms), brings the old master back (preempt takes the VIP back),
// and removes everything on exit or Ctrl-C. With `ipv6`, the lab is dual-stack and each host also runs
// an IPv6 instance (multicast from its link-local address, the same VRID) holding an IPv6 VIP that
// moves with the IPv4 one; the load balancer listens on both VIPs and sends to the apiservers' IPv6
// addresses, the client connects to the IPv6 VIP, and the status server listens on [::1].
import { createLab, type Lab, type LabHost } from '../lab/lab.js';
import { ownTsvipProgram, startTsvip, type TsvipDaemon } from '../lab/tsvip-daemon.js';
import { startApiserver, type ApiserverHandle } from '../lab/apiserver.js';
import { longestOutage, startProber, whoHoldsVip, type ProbeAttempt, type ProberHandle } from '../lab/vip-client.js';
import { formatHostPort } from '../net/host-port.js';
import { renderDemo, type DemoSnapshot, type HostView } from './view.js';

export interface DemoOptions {
  /** Redraw one screen in place (a terminal) or print the story line by line (a log, a test). */
  live: boolean;
  colour: boolean;
  write: (text: string) => void;
  /** How long each calm phase is shown; shorter in tests. */
  holdMs: number;
  /** Dual-stack: an IPv6 instance beside the IPv4 one on each host, and the status server on [::1]. */
  ipv6: boolean;
}

const VIP = '198.18.0.100';
/** In the lab's IPv6 prefix (2001:2::n are the hosts), as VIP is in its IPv4 one. */
const VIP6 = '2001:2::100';
const IPV4_INSTANCE = 'VI_1';
const IPV6_INSTANCE = 'VI_6';
const STATUS_PORT = 9901;
const API_PORT = 6443;
const LB_PORT = 8443;
const PRIORITIES = [150, 100, 50];
const STEP_LIMIT_MS = 30_000;
/** A SIGKILL takes effect within a few ms; connections opened in that time may still reach the dying host. */
const KILL_SETTLE_MS = 20;

function vrrpConfig(host: LabHost, routers: readonly LabHost[], priority: number, ipv6: boolean): Record<string, unknown> {
  // The VIP leaves a host whose load balancer has no apiserver to send to.
  const common = { interface: host.iface, vrid: 51, priority, version: 3, advertInterval: '100ms', track: [{ type: 'backends', loadBalancer: 'apiserver', weight: -60 }] };
  const ipv4 = { name: IPV4_INSTANCE, ...common, unicast: { source: host.address, peers: routers.filter((other) => other !== host).map((other) => other.address) }, vips: [`${VIP}/24`] };
  // Multicast (ff02::12 from the link-local address, as keepalived sends IPv6 adverts), so that the
  // operator's view shows the link-local as this host's address in the group.
  const ipv6Instance = { name: IPV6_INSTANCE, ...common, vips: [VIP6] };
  return {
    vrrp: ipv6 ? [ipv4, ipv6Instance] : [ipv4],
    ...(ipv6 ? { status: { listen: `[::1]:${STATUS_PORT}` } } : {}),
    loadBalancers: [
      {
        name: 'apiserver',
        // Both VIPs of the host while its instances are master.
        bind: `vip:${LB_PORT}`,
        backends: routers.map((backend) => ({ name: backend.name, address: formatHostPort(ipv6 && backend.address6 !== null ? backend.address6 : backend.address, API_PORT) })),
        healthCheck: { type: 'https', path: '/readyz', insecureSkipVerify: true, interval: '500ms', timeout: '400ms', rise: 2, fall: 2 },
        connectTimeout: '500ms',
        firstByteTimeout: '1s',
        shutdownDrain: '1s',
      },
    ],
  };
}

class Demo {
  private readonly daemons = new Map<LabHost, TsvipDaemon>();
  private readonly apiservers = new Map<LabHost, ApiserverHandle>();
  private readonly holders = new Set<string>();
  private readonly holders6 = new Set<string>();
  private readonly story: string[] = [];
  private step = 'building the lab';
  private prober: ProberHandle | null = null;
  private readonly startedAt = Date.now();
  private printedStory = 0;

  constructor(
    private readonly lab: Lab,
    private readonly options: DemoOptions,
  ) {}

  get routers(): LabHost[] {
    return this.lab.hosts.slice(0, 3);
  }

  get client(): LabHost {
    const client = this.lab.hosts[3];
    if (client === undefined) throw new Error('the demo lab has four hosts');
    return client;
  }

  tell(line: string): void {
    this.story.push(`${((Date.now() - this.startedAt) / 1000).toFixed(1).padStart(5)} s  ${line}`);
  }

  at(step: string): void {
    this.step = step;
    this.tell(step);
  }

  startTsvip(host: LabHost, priority: number): void {
    this.daemons.set(host, startTsvip(this.lab, host, vrrpConfig(host, this.routers, priority, this.options.ipv6), { logLevel: 'info' }));
  }

  async refresh(): Promise<void> {
    const holders = await whoHoldsVip(this.lab, VIP, { hosts: this.routers });
    this.holders.clear();
    for (const host of holders) this.holders.add(host.name);
    if (!this.options.ipv6) return;
    const held6 = await Promise.all(this.routers.map(async (host) => (await this.lab.addresses6(host)).some((address) => address.address === VIP6)));
    this.holders6.clear();
    for (const [i, host] of this.routers.entries()) if (held6[i] === true) this.holders6.add(host.name);
  }

  /** The only host holding the VIP (and the IPv6 VIP in a dual-stack demo) is `host`. */
  soleHolder(host: LabHost): boolean {
    const sole = (holders: Set<string>): boolean => holders.size === 1 && holders.has(host.name);
    return sole(this.holders) && (!this.options.ipv6 || sole(this.holders6));
  }

  /** `host`'s daemon runs and its instances (both in a dual-stack demo) are in `state`. */
  isIn(host: LabHost, state: string): boolean {
    const daemon = this.daemons.get(host);
    if (daemon === undefined || daemon.process.child.exitCode !== null || daemon.process.child.signalCode !== null) return false;
    return daemon.state(IPV4_INSTANCE) === state && (!this.options.ipv6 || daemon.state(IPV6_INSTANCE) === state);
  }

  /** Where the client connects: the load balancer on the IPv6 VIP in a dual-stack demo. */
  private get entry(): string {
    return formatHostPort(this.options.ipv6 ? VIP6 : VIP, LB_PORT);
  }

  private get vips(): string {
    return this.options.ipv6 ? `${VIP} and ${VIP6}` : VIP;
  }

  snapshot(): DemoSnapshot {
    const hosts: HostView[] = this.routers.map((host) => {
      const daemon = this.daemons.get(host);
      const running = daemon !== undefined && daemon.process.child.exitCode === null && daemon.process.child.signalCode === null;
      const last = (instance: string) => daemon?.transitions().filter((transition) => transition.instance === instance).at(-1);
      const view: HostView = { name: host.name, address: host.address, state: running ? (last(IPV4_INSTANCE)?.to ?? 'initialize') : 'stopped', priority: running ? (last(IPV4_INSTANCE)?.priority ?? null) : null, holdsVip: this.holders.has(host.name) };
      if (host.address6 === null) return view;
      return { ...view, ipv6: { address: host.address6, state: running ? (last(IPV6_INSTANCE)?.to ?? 'initialize') : 'stopped', holdsVip: this.holders6.has(host.name) } };
    });
    const attempts = this.prober?.attempts() ?? [];
    const recent = attempts.filter((attempt) => attempt.t > Date.now() - 1100 && attempt.t <= Date.now() - 100);
    const lastOk = [...attempts].reverse().find((attempt) => attempt.ok);
    return {
      vip: VIP,
      vip6: this.options.ipv6 ? VIP6 : null,
      hosts,
      client: {
        vip: this.options.ipv6 ? VIP6 : VIP,
        okLastSecond: recent.filter((attempt) => attempt.ok).length,
        triedLastSecond: recent.length,
        lastServer: lastOk?.server ?? null,
        totalOk: attempts.filter((attempt) => attempt.ok).length,
        totalFailed: attempts.filter((attempt) => !attempt.ok).length,
      },
      story: this.story,
      step: this.step,
    };
  }

  draw(): void {
    if (this.options.live) {
      // Home and clear-to-end instead of clearing the screen: no flicker.
      this.options.write(`\u001b[H${renderDemo(this.snapshot(), { colour: this.options.colour }).replaceAll('\n', '\u001b[K\n')}\u001b[J`);
    } else {
      for (const line of this.story.slice(this.printedStory)) this.options.write(`${line}\n`);
      this.printedStory = this.story.length;
    }
  }

  /** Keeps the view fresh while waiting for `done`. */
  async waitFor(what: string, done: () => boolean | Promise<boolean>, limitMs = STEP_LIMIT_MS): Promise<void> {
    const deadline = Date.now() + limitMs;
    for (;;) {
      await this.refresh();
      this.draw();
      if (await done()) return;
      if (Date.now() > deadline) throw new Error(`demo: no ${what} within ${limitMs / 1000} s`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  async hold(ms: number): Promise<void> {
    const until = Date.now() + ms;
    await this.waitFor('pause', () => Date.now() >= until);
  }

  /** The host whose instances are master (both in a dual-stack demo: they move together). */
  master(): LabHost | undefined {
    return this.routers.find((host) => this.isIn(host, 'master'));
  }

  async run(): Promise<void> {
    this.at(`starting an apiserver stand-in (HTTPS :${API_PORT}) on each host`);
    for (const host of this.routers) this.apiservers.set(host, await startApiserver(this.lab, host, { port: API_PORT }));
    this.at(`starting tsvip on ${this.routers.map((host, i) => `${host.name} (priority ${PRIORITIES[i]})`).join(', ')}: VRRPv3, 100 ms adverts`);
    if (this.options.ipv6) this.tell(`each also runs ${IPV6_INSTANCE} for ${VIP6}: VRRPv3 over IPv6, multicast to ff02::12 from its link-local address, the same VRID 51 (a router of its own)`);
    const listensOn = this.options.ipv6 ? `${VIP}:${LB_PORT} and ${this.entry}` : this.entry;
    this.tell(`each load balancer listens on ${listensOn} while its host is master, and spreads connections over the three apiservers${this.options.ipv6 ? "' IPv6 addresses" : ''}`);
    this.routers.forEach((host, i) => this.startTsvip(host, PRIORITIES[i] ?? 50));
    // Whoever's Master_Down timer runs out first may be master for a moment (the processes start at
    // different times); the group settles when the highest priority, h1, has preempted.
    const first = this.routers[0];
    if (first === undefined) throw new Error('the demo lab has four hosts');
    await this.waitFor('master', () => this.master() === first && this.soleHolder(first) && this.routers.every((host) => host === first || this.isIn(host, 'backup')));
    this.tell(`${first.name} is master and holds ${this.vips}`);
    await this.waitFor('the load balancer', () => this.daemons.get(first)?.logs().some((record) => record.msg === 'listening' && record.address === this.entry) === true);
    this.prober = await startProber(this.lab, this.client, { address: this.options.ipv6 ? VIP6 : VIP, port: LB_PORT, protocol: 'https', timeoutMs: 3000 });
    this.at(`the client (${this.client.name}) opens a new HTTPS connection to ${this.entry} every 10 ms (3 s timeout)`);
    await this.hold(this.options.holdMs);

    const victim = this.routers[2];
    if (victim === undefined) throw new Error('the demo lab has four hosts');
    this.at(`kill -9 of the apiserver on ${victim.name}: the load balancer retries elsewhere and takes it out of the pool`);
    const apiserverKilledAt = Date.now();
    await this.apiservers.get(victim)?.stop('SIGKILL');
    await this.hold(this.options.holdMs);
    this.tell(`apiserver ${victim.name} is gone; ${this.outageSince(apiserverKilledAt)}`);

    this.at(`${first.name} crashes: kill -9 of its tsvip and its apiserver; no goodbye, its VIP stays behind on its interface`);
    const killedAt = Date.now();
    this.daemons.get(first)?.kill('SIGKILL');
    await this.apiservers.get(first)?.stop('SIGKILL');
    // The killed host's load balancer died with its tsvip: an answer after the kill came through the new
    // master. (The dead host's VIPs are still on its interface: the new master is a holder, not the only one.)
    await this.waitFor('takeover', () => {
      const next = this.master();
      return next !== undefined && next !== first && this.servedSince(killedAt + KILL_SETTLE_MS) && (!this.options.ipv6 || this.holders6.has(next.name));
    });
    const takeover = this.master();
    const announced = this.options.ipv6 ? 'gratuitous ARP and unsolicited neighbour advertisements' : 'gratuitous ARP';
    this.tell(`${takeover?.name ?? '?'} took over and announced itself with ${announced}; ${this.outageSince(killedAt)}`);
    await this.hold(this.options.holdMs);

    this.at(`${first.name} comes back: its apiserver, then tsvip, which removes the stale VIP; preempt gives it the VIP back`);
    this.apiservers.set(first, await startApiserver(this.lab, first, { port: API_PORT }));
    const restartedAt = Date.now();
    this.startTsvip(first, PRIORITIES[0] ?? 150);
    await this.waitFor('preempt', () => this.master() === first && this.soleHolder(first));
    const preemptedAt = Date.now();
    await this.waitFor('service through the returning master', () => this.servedSince(preemptedAt));
    this.tell(`${first.name} is master again; ${this.outageSince(restartedAt)}`);
    await this.hold(this.options.holdMs);
    const statusArgs = this.options.ipv6 ? ['status', '--url', `http://[::1]:${STATUS_PORT}`] : ['status'];
    this.at(`what an operator on ${first.name} sees: \`tsvip ${statusArgs.join(' ')}\` (also /metrics and a status page on status.listen)`);
    const status = await this.lab.run(first, [...ownTsvipProgram(), ...statusArgs]);
    this.at('done: removing the namespaces');
    this.draw();
    this.options.write(`\n${(status.code === 0 ? status.stdout : `tsvip status failed: ${status.stderr}`).replace(/^(?=.)/gm, '    ')}`);
  }

  /** The client got an answer to a connection it opened after `sinceMs`. */
  private servedSince(sinceMs: number): boolean {
    return (this.prober?.attempts() ?? []).some((attempt) => attempt.ok && attempt.t > sinceMs);
  }

  private outageSince(sinceMs: number): string {
    const attempts = this.prober?.attempts() ?? [];
    const before = attempts.filter((attempt) => attempt.t <= sinceMs && attempt.ok).at(-1);
    const window: ProbeAttempt[] = [...(before === undefined ? [] : [before]), ...attempts.filter((attempt) => attempt.t > sinceMs)];
    const outage = longestOutage(window);
    if (outage === null) return 'the client saw no failed connection';
    return `the client was cut off for ${outage.outageMs} ms (${outage.failedAttempts} ${outage.failedAttempts === 1 ? 'connection' : 'connections'} failed)`;
  }

  async stop(): Promise<void> {
    await this.prober?.stop();
    for (const daemon of this.daemons.values()) daemon.kill('SIGTERM');
    await Promise.all([...this.daemons.values()].map((daemon) => daemon.exited));
  }
}

export async function runDemo(options: DemoOptions): Promise<void> {
  const lab = await createLab({ hosts: 4, ipv6: options.ipv6 });
  const demo = new Demo(lab, options);
  if (options.live) options.write('\u001b[2J');
  try {
    await demo.run();
  } finally {
    await demo.stop().catch(() => undefined);
    await lab.destroy();
  }
}
