// The shape of vip.yaml (deploy/vip.yaml is an example): every key, its type, the ranges the RFCs
// give, and the defaults. Rules that relate several keys live in meaning.ts.
import { z } from 'zod';
import { MAX_DURATION_MS } from './duration.js';
import { bool, duration, hostPort, interfaceName, intRange, ipAddress, nonEmptyString, objectName, vipCidr } from './fields.js';

const SECOND = 1000;
const HOUR = 3600 * SECOND;

/** interval/timeout/rise/fall, shared by trackers and load balancer health checks. */
const checkTiming = {
  interval: duration({ minMs: 100, maxMs: HOUR }).prefault('2s'),
  timeout: duration({ minMs: 10, maxMs: HOUR }).prefault('1s'),
  rise: intRange(1, 100).default(2),
  fall: intRange(1, 100).default(3),
};

// keepalived's weight range: a tracker moves the priority by at most 254.
const weight = intRange(-254, 254).default(0);

const backendsTracker = z.strictObject({
  type: z.literal('backends'),
  loadBalancer: objectName(),
  weight,
});

const httpTracker = z.strictObject({
  type: z.literal(['http', 'https']),
  url: z.url({ protocol: /^https?$/, error: 'must be an http:// or https:// URL' }),
  insecureSkipVerify: bool().default(false),
  caFile: nonEmptyString('a file path').nullable().default(null),
  ...checkTiming,
  weight,
});

const scriptTracker = z.strictObject({
  type: z.literal('script'),
  // A string is split on spaces (quotes group words); a list is taken as argv. Never run through a shell.
  command: z.union([nonEmptyString(), z.array(nonEmptyString()).min(1, { error: 'must name a program to run' })], {
    error: 'must be a command line or a list of words (program first)',
  }),
  ...checkTiming,
  weight,
});

const tcpTracker = z.strictObject({
  type: z.literal('tcp'),
  address: hostPort({ allowHostname: true, keywords: [] }),
  ...checkTiming,
  weight,
});

const interfaceTracker = z.strictObject({
  type: z.literal('interface'),
  name: interfaceName(),
  weight,
});

export const TRACKER_TYPES = ['backends', 'http', 'https', 'script', 'tcp', 'interface'] as const;

const trackerSchema = z.discriminatedUnion('type', [backendsTracker, httpTracker, scriptTracker, tcpTracker, interfaceTracker], {
  error: `must have a type: one of ${TRACKER_TYPES.join(', ')}`,
});

const notifySchema = z.strictObject({
  master: nonEmptyString('a command').optional(),
  backup: nonEmptyString('a command').optional(),
  fault: nonEmptyString('a command').optional(),
  stop: nonEmptyString('a command').optional(),
});

const garpSchema = z.strictObject({
  burst: intRange(1, 100).default(5),
  delay: duration({ minMs: 0, maxMs: HOUR }).prefault('5s'),
  refresh: duration({ minMs: 0, maxMs: 24 * HOUR }).prefault('30s'),
});

const unicastSchema = z.strictObject({
  source: ipAddress().optional(),
  peers: z.array(ipAddress(), { error: 'must be a list of addresses of the VIPs\' family' }).min(1, { error: 'must list at least one peer' }),
});

export const instanceSchema = z.strictObject({
  name: objectName(),
  interface: interfaceName(),
  vrid: intRange(1, 255),
  priority: intRange(1, 255).default(100),
  version: z.literal([2, 3], { error: 'must be 2 or 3' }).default(2),
  v3Checksum: z.enum(['pseudoHeader', 'vrrpOnly'], { error: 'must be pseudoHeader or vrrpOnly' }).default('pseudoHeader'),
  // The exact bounds depend on the version (meaning.ts); these are the widest either allows.
  advertInterval: duration({ minMs: 10, maxMs: 255 * SECOND }).prefault('1s'),
  initialState: z.enum(['backup', 'master'], { error: 'must be backup or master' }).default('backup'),
  preempt: bool().default(true),
  preemptDelay: duration({ minMs: 0, maxMs: 1000 * SECOND }).prefault('0s'),
  // keepalived's vrrp_startup_delay: hosts restarted together let the highest priority win.
  startupDelay: duration({ minMs: 0, maxMs: 1000 * SECOND }).prefault('0s'),
  authPass: nonEmptyString().optional(),
  unicast: unicastSchema.optional(),
  vips: z
    .array(vipCidr(), { error: 'must be a list of addresses such as [10.0.0.50/24] or [2001:db8::50]' })
    .min(1, { error: 'must list at least one VIP' })
    .max(255, { error: 'can list at most 255 VIPs (the count field of an advertisement is one byte)' }),
  garp: garpSchema.prefault({}),
  track: z.array(trackerSchema, { error: 'must be a list of trackers' }).default([]),
  notify: notifySchema.prefault({}),
});

const backendSchema = z.strictObject({
  name: objectName(),
  address: hostPort({ allowHostname: true, keywords: [] }),
  // haproxy's server weight: 0 takes no new connections, up to 256.
  weight: intRange(0, 256).default(1),
});

const healthCheckSchema = z.strictObject({
  type: z.enum(['tcp', 'http', 'https'], { error: 'must be tcp, http or https' }).default('tcp'),
  path: z.string({ error: "must be a path starting with '/'" }).startsWith('/', { error: "must be a path starting with '/'" }).default('/readyz'),
  insecureSkipVerify: bool().default(false),
  caFile: nonEmptyString('a file path').nullable().default(null),
  ...checkTiming,
});

export const loadBalancerSchema = z.strictObject({
  name: objectName(),
  bind: hostPort({ allowHostname: false, keywords: ['vip'] }),
  balance: z.enum(['roundrobin', 'leastconn'], { error: 'must be roundrobin or leastconn' }).default('roundrobin'),
  backends: z
    .array(backendSchema, { error: 'must be a list of backends ({ name, address })' })
    .min(1, { error: 'must list at least one backend' }),
  healthCheck: healthCheckSchema.prefault({}),
  connectTimeout: duration({ minMs: 10, maxMs: HOUR }).prefault('1s'),
  retries: intRange(0, 10).default(2),
  firstByteTimeout: duration({ minMs: 0, maxMs: HOUR }).prefault('1s'),
  idleTimeout: duration({ minMs: 0, maxMs: MAX_DURATION_MS }).prefault('0s'),
  maxConnections: intRange(1, 1_000_000).default(20000),
  shutdownDrain: duration({ minMs: 0, maxMs: HOUR }).prefault('10s'),
});

// The status server's own paths: an alias of the page may not hide one of them.
const STATUS_PATHS = ['/', '/status', '/metrics', '/healthz', '/readyz'];

export const statusSchema = z.strictObject({
  listen: hostPort({ allowHostname: false, keywords: [] }).default('127.0.0.1:9901'),
  // A second path for the status page: the bookmarks of a haproxy stats page (`stats uri /stats`) keep working.
  pageAlias: z
    .string({ error: 'must be a path such as /stats' })
    .regex(/^\/[A-Za-z0-9._~!$&'()*+,;=:@%/-]*$/, { error: 'must be a path such as /stats (starting with /, no query or fragment)' })
    .refine((path) => !STATUS_PATHS.includes(path), { error: `must differ from the status server's own paths (${STATUS_PATHS.join(' ')})` })
    .optional(),
  auth: z
    .strictObject({
      user: nonEmptyString('a user name'),
      passwordFile: nonEmptyString('a file path'),
    })
    .optional(),
});

/** `vrrp:` with nothing after it is YAML null: the same as absent (load-balancer-only mode). */
function listOrNothing<T extends z.ZodType>(item: T, error: string) {
  return z
    .array(item, { error })
    .nullable()
    .default([])
    .transform((list) => list ?? []);
}

export const configSchema = z.strictObject({
  vrrp: listOrNothing(instanceSchema, 'must be a list of VRRP instances'),
  loadBalancers: listOrNothing(loadBalancerSchema, 'must be a list of load balancers'),
  status: statusSchema.prefault({}),
});

export type Config = z.output<typeof configSchema>;
export type VrrpInstanceConfig = z.output<typeof instanceSchema>;
export type TrackerConfig = VrrpInstanceConfig['track'][number];
export type LoadBalancerConfig = z.output<typeof loadBalancerSchema>;
export type BackendConfig = LoadBalancerConfig['backends'][number];
export type StatusConfig = Config['status'];
