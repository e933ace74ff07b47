// /metrics in Prometheus's text format (prom-client). Every value is read from one StatusSnapshot taken
// at scrape time, so a scrape is consistent with itself and nothing is kept twice: the instances and
// load balancers own their counters, the metrics only copy them. A counter that goes back to zero
// (an instance restarted by a reload) is a counter reset, which Prometheus's rate() handles. The VRRP
// instance's label is `vrrp_instance`: `instance` is the label Prometheus gives every scrape target.
import { Counter, Gauge, Registry } from 'prom-client';
import type { StatusSnapshot } from './snapshot.js';
import type { AuthResult } from './basic-auth.js';

const VRRP_STATES = ['initialize', 'backup', 'master', 'fault'] as const;
const TRACKER_STATES = ['init', 'up', 'down'] as const;

type Labels = Record<string, string>;
type Sample = [Labels, number];

export interface StatusMetrics {
  readonly contentType: string;
  render(snapshot: StatusSnapshot): Promise<string>;
  countAuthFailure(result: Exclude<AuthResult, 'ok'>): void;
}

export function createStatusMetrics(): StatusMetrics {
  const registry = new Registry();
  let current: StatusSnapshot | null = null;

  // A metric whose samples are computed from the snapshot being rendered. Counters are set the same
  // way (reset, then the owner's running total added once): the owner keeps the count, not prom-client.
  const computed = (Kind: typeof Gauge | typeof Counter) => (name: string, help: string, labelNames: string[], samples: (s: StatusSnapshot) => Sample[]): void => {
    const metric: Gauge | Counter = new Kind({
      name,
      help,
      labelNames,
      registers: [registry],
      collect() {
        metric.reset();
        if (current === null) return;
        for (const [labels, value] of samples(current)) {
          if (metric instanceof Gauge) metric.set(labels, value);
          else metric.inc(labels, value);
        }
      },
    });
  };
  const gauge = computed(Gauge);
  const counter = computed(Counter);
  const perInstance = (value: (i: StatusSnapshot['instances'][number]) => number) => (s: StatusSnapshot): Sample[] => s.instances.map((i) => [{ vrrp_instance: i.name }, value(i)]);
  const perBalancer = (value: (lb: StatusSnapshot['loadBalancers'][number]) => number) => (s: StatusSnapshot): Sample[] => s.loadBalancers.map((lb) => [{ load_balancer: lb.name }, value(lb)]);
  const perBackend =
    (value: (b: StatusSnapshot['loadBalancers'][number]['backends'][number]) => number) =>
    (s: StatusSnapshot): Sample[] =>
      s.loadBalancers.flatMap((lb) => lb.backends.map((b): Sample => [{ load_balancer: lb.name, backend: b.name }, value(b)]));

  gauge('tsvip_build_info', 'Always 1; the version of tsvip that runs.', ['version'], (s) => [[{ version: s.version }, 1]]);
  gauge('tsvip_ready', '1 once the config is applied and the sockets are open, 0 before and while stopping.', [], (s) => [[{}, s.ready ? 1 : 0]]);

  gauge('tsvip_event_loop_delay_p99_seconds', 'Event-loop delay, 99th percentile over the last report period (10 s): how late an advert could be sent.', [], (s) => [[{}, s.eventLoop.p99Ms / 1000]]);
  gauge('tsvip_event_loop_delay_max_seconds', 'Event-loop delay, maximum over the last report period (10 s).', [], (s) => [[{}, s.eventLoop.maxMs / 1000]]);

  gauge('tsvip_vrrp_instance_state', 'VRRP state of an instance: 1 for the state it is in, 0 for the others.', ['vrrp_instance', 'state'], (s) =>
    s.instances.flatMap((i) => VRRP_STATES.map((state): Sample => [{ vrrp_instance: i.name, state }, i.state === state ? 1 : 0])),
  );
  gauge('tsvip_vrrp_instance_priority', 'Effective VRRP priority: the configured one with tracker weights applied.', ['vrrp_instance'], perInstance((i) => i.priority));
  counter('tsvip_vrrp_transitions_total', 'VRRP state changes of an instance.', ['vrrp_instance'], perInstance((i) => i.counters.transitions));
  counter('tsvip_vrrp_adverts_sent_total', 'VRRP adverts sent.', ['vrrp_instance'], perInstance((i) => i.counters.advertsSent));
  counter('tsvip_vrrp_adverts_received_total', 'VRRP adverts received and accepted.', ['vrrp_instance'], perInstance((i) => i.counters.advertsReceived));
  counter('tsvip_vrrp_adverts_dropped_total', 'VRRP packets dropped, by reason (auth, checksum, vrid mismatch, ...).', ['vrrp_instance', 'reason'], (s) =>
    s.instances.flatMap((i) => Object.entries(i.counters.drops).map(([reason, count]): Sample => [{ vrrp_instance: i.name, reason }, count ?? 0])),
  );
  counter('tsvip_vrrp_garp_sent_total', 'Gratuitous ARP packets sent for the VIPs.', ['vrrp_instance'], perInstance((i) => i.counters.garpSent));

  gauge('tsvip_tracker_state', 'State of a tracker of an instance: 1 for the state it is in, 0 for the others.', ['vrrp_instance', 'tracker', 'type', 'state'], (s) =>
    s.instances.flatMap((i) => i.trackers.flatMap((t) => TRACKER_STATES.map((state): Sample => [{ vrrp_instance: i.name, tracker: t.name, type: t.type, state }, t.state === state ? 1 : 0]))),
  );
  gauge('tsvip_tracker_up', '1 while a tracker passes, 0 otherwise.', ['vrrp_instance', 'tracker', 'type'], (s) =>
    s.instances.flatMap((i) => i.trackers.map((t): Sample => [{ vrrp_instance: i.name, tracker: t.name, type: t.type }, t.up ? 1 : 0])),
  );

  gauge('tsvip_lb_up', '1 while a load balancer has a backend up.', ['load_balancer'], perBalancer((lb) => (lb.pool.up ? 1 : 0)));
  gauge('tsvip_lb_listening', 'Addresses a load balancer accepts clients on now.', ['load_balancer'], perBalancer((lb) => lb.listening.length));
  gauge('tsvip_lb_connections_active', 'Client connections being served.', ['load_balancer'], perBalancer((lb) => lb.counters.active));
  counter('tsvip_lb_connections_total', 'Client connections accepted.', ['load_balancer'], perBalancer((lb) => lb.counters.total));
  counter('tsvip_lb_connections_rejected_total', 'Clients closed because no backend could take them.', ['load_balancer'], perBalancer((lb) => lb.counters.rejected));
  counter('tsvip_lb_failed_connects_total', 'Connects to a backend that failed or timed out.', ['load_balancer'], perBalancer((lb) => lb.counters.failedConnects));
  counter('tsvip_lb_retries_total', 'Connections moved to another backend after a failed connect or a silent backend.', ['load_balancer'], perBalancer((lb) => lb.counters.retries));
  counter('tsvip_lb_bytes_in_total', 'Bytes received from clients.', ['load_balancer'], perBalancer((lb) => lb.counters.bytesIn));
  counter('tsvip_lb_bytes_out_total', 'Bytes sent to clients.', ['load_balancer'], perBalancer((lb) => lb.counters.bytesOut));

  gauge('tsvip_lb_backend_up', '1 while a backend takes new connections (up, or not checked yet), 0 when down.', ['load_balancer', 'backend'], perBackend((b) => (b.up ? 1 : 0)));
  gauge('tsvip_lb_backend_connections_active', 'Connections open to a backend.', ['load_balancer', 'backend'], perBackend((b) => b.counters.active));
  counter('tsvip_lb_backend_connections_total', 'Connections made to a backend.', ['load_balancer', 'backend'], perBackend((b) => b.counters.total));
  counter('tsvip_lb_backend_failed_connects_total', 'Connects to a backend that failed or timed out.', ['load_balancer', 'backend'], perBackend((b) => b.counters.failedConnects));
  counter('tsvip_lb_backend_retries_total', 'Connections a backend took after another backend failed them.', ['load_balancer', 'backend'], perBackend((b) => b.counters.retries));
  counter('tsvip_lb_backend_bytes_in_total', 'Bytes sent to a backend (from clients).', ['load_balancer', 'backend'], perBackend((b) => b.counters.bytesIn));
  counter('tsvip_lb_backend_bytes_out_total', 'Bytes received from a backend (for clients).', ['load_balancer', 'backend'], perBackend((b) => b.counters.bytesOut));
  counter('tsvip_lb_backend_check_failures_total', 'Failed active health checks of a backend.', ['load_balancer', 'backend'], perBackend((b) => b.failedChecks));

  // The process's own: what an operator compares with keepalived's and haproxy's footprint. (Not
  // prom-client's default set: three of its gauges end in _total, which promtool rejects.)
  gauge('process_resident_memory_bytes', 'Resident memory size in bytes.', [], () => [[{}, process.memoryUsage.rss()]]);
  gauge('nodejs_heap_used_bytes', 'V8 heap in use, in bytes.', [], () => [[{}, process.memoryUsage().heapUsed]]);
  counter('process_cpu_seconds_total', 'User and system CPU time spent, in seconds.', [], () => {
    const { user, system } = process.cpuUsage();
    return [[{}, (user + system) / 1e6]];
  });
  gauge('process_start_time_seconds', 'Start time of the process since the Unix epoch, in seconds.', [], () => [[{}, Math.round(Date.now() / 1000 - process.uptime())]]);

  const authFailures = new Counter({ name: 'tsvip_status_auth_failures_total', help: 'Requests to / or /status answered 401: credentials missing or wrong.', labelNames: ['reason'], registers: [registry] });
  for (const reason of ['missing', 'wrong']) authFailures.inc({ reason }, 0);

  // registry.metrics() awaits between metrics: two scrapes at once must not see each other's snapshot.
  let queue: Promise<unknown> = Promise.resolve();
  return {
    contentType: registry.contentType,
    render(snapshot) {
      const rendered = queue.then(async () => {
        current = snapshot;
        try {
          return await registry.metrics();
        } finally {
          current = null;
        }
      });
      queue = rendered.catch(() => undefined);
      return rendered;
    },
    countAuthFailure(result) {
      authFailures.inc({ reason: result });
    },
  };
}
