// Broken vip.yaml files and every error `tsvip check` must report for each, as `LINE:COL key.path:
// message` after the file name: the table invalid-configs.test.ts checks through the loader and
// test/cli/check.test.ts through `check` and `check --json`.
import { LOAD_BALANCER_HEAD, instanceWith, loadBalancerWith, yamlLines } from './yaml-text.js';

export interface InvalidCase {
  name: string;
  yaml: string;
  errors: string[];
}

const ANY_TYPE = 'must have a type: one of backends, http, https, script, tcp, interface';

export const invalidCases: InvalidCase[] = [
  // --- the document itself
  { name: 'empty file', yaml: '', errors: ['1:1 (document): nothing to run: define vrrp instances, loadBalancers, or both'] },
  { name: 'only comments', yaml: yamlLines('# nothing here', '# at all'), errors: ['1:1 (document): nothing to run: define vrrp instances, loadBalancers, or both'] },
  { name: 'a list instead of a mapping', yaml: yamlLines('- vrrp'), errors: ['1:1 (document): must be a mapping of keys to values'] },
  { name: 'YAML syntax error', yaml: yamlLines('vrrp: [1, 2'), errors: ['2:1 yaml: syntax error: Flow sequence in block collection must be sufficiently indented and end with a ]'] },
  { name: 'a list as a key', yaml: yamlLines('vrrp:', '  ? [a]', '  : 1'), errors: ['2:5 yaml: a key must be a plain word, not a list or a mapping'] },
  { name: 'duplicate key', yaml: yamlLines('vrrp: []', 'vrrp: []'), errors: ['2:1 yaml: syntax error: Map keys must be unique'] },
  { name: 'unknown top-level key with a keepalived name', yaml: yamlLines('vrrp_instance: []'), errors: ['1:1 vrrp_instance: unknown key "vrrp_instance" (keepalived/haproxy name; tsvip uses "vrrp")', '1:1 (document): nothing to run: define vrrp instances, loadBalancers, or both'] },
  { name: 'vrrp is not a list', yaml: yamlLines('vrrp: yes'), errors: ['1:7 vrrp: must be a list of VRRP instances (got "yes")'] },

  // --- one instance key at a time
  { name: 'vrid 0', yaml: instanceWith().replace('vrid: 51', 'vrid: 0'), errors: ['4:11 vrrp[0].vrid: must be an integer from 1 to 255 (got 0)'] },
  { name: 'vrid 256', yaml: instanceWith().replace('vrid: 51', 'vrid: 256'), errors: ['4:11 vrrp[0].vrid: must be an integer from 1 to 255 (got 256)'] },
  { name: 'vrid empty', yaml: instanceWith().replace('vrid: 51', 'vrid:'), errors: ['4:10 vrrp[0].vrid: must be an integer from 1 to 255 (got nothing)'] },
  { name: 'priority 0', yaml: instanceWith('    priority: 0'), errors: ['6:15 vrrp[0].priority: must be an integer from 1 to 255 (got 0)'] },
  { name: 'priority not whole', yaml: instanceWith('    priority: 1.5'), errors: ['6:15 vrrp[0].priority: must be an integer from 1 to 255 (got 1.5)'] },
  { name: 'priority 255 without owning a VIP', yaml: instanceWith('    priority: 255'), errors: ["6:15 vrrp[0].priority: 255 is reserved for the address owner: one of vips must be this host's own address (unicast.source); otherwise use 1 to 254"] },
  { name: 'version 4', yaml: instanceWith('    version: 4'), errors: ['6:14 vrrp[0].version: must be 2 or 3 (got 4)'] },
  { name: 'v3Checksum unknown', yaml: instanceWith('    v3Checksum: rfc'), errors: ['6:17 vrrp[0].v3Checksum: must be pseudoHeader or vrrpOnly (got "rfc")'] },
  { name: 'v2 interval not in whole seconds', yaml: instanceWith('    advertInterval: 1500ms'), errors: ['6:21 vrrp[0].advertInterval: VRRPv2 carries the interval in whole seconds: must be 1s to 255s (got 1500ms)'] },
  { name: 'v2 interval below a second', yaml: instanceWith('    advertInterval: 100ms'), errors: ['6:21 vrrp[0].advertInterval: VRRPv2 carries the interval in whole seconds: must be 1s to 255s (got 100ms)'] },
  { name: 'interval over 255 s', yaml: instanceWith('    advertInterval: 300s'), errors: ['6:21 vrrp[0].advertInterval: must be from 10ms to 255s (got "300s")'] },
  { name: 'v3 interval not in 10 ms steps', yaml: instanceWith('    version: 3', '    advertInterval: 15ms'), errors: ['7:21 vrrp[0].advertInterval: VRRPv3 carries the interval in centiseconds: must be a multiple of 10ms from 10ms to 40950ms (got 15ms)'] },
  { name: 'v3 interval over 40950 ms', yaml: instanceWith('    version: 3', '    advertInterval: 41s'), errors: ['7:21 vrrp[0].advertInterval: VRRPv3 carries the interval in centiseconds: must be a multiple of 10ms from 10ms to 40950ms (got 41s)'] },
  { name: 'interval without a unit', yaml: instanceWith('    advertInterval: fast'), errors: ['6:21 vrrp[0].advertInterval: must be a duration such as 500ms, 1s, 2m or 1m30s, or an integer number of milliseconds (got "fast")'] },
  { name: 'negative milliseconds', yaml: instanceWith('    preemptDelay: -5'), errors: ['6:19 vrrp[0].preemptDelay: a number is taken as milliseconds and must be a whole number >= 0 (got -5)'] },
  { name: 'preemptDelay too long', yaml: instanceWith('    preemptDelay: 20m'), errors: ['6:19 vrrp[0].preemptDelay: must be from 0s to 1000s (got "20m")'] },
  { name: 'script command with an unterminated quote', yaml: instanceWith('    track:', '      - { type: script, command: "/bin/check \'a b" }'), errors: ["7:34 vrrp[0].track[0].command: cannot be split into words: unterminated single quote at offset 11"] },
  { name: 'notify command ending in a lone backslash', yaml: instanceWith('    notify:', '      master: /bin/notify \\'), errors: ['7:15 vrrp[0].notify.master: cannot be split into words: ends with a lone backslash'] },
  { name: 'authPass with VRRPv3', yaml: instanceWith('    version: 3', '    authPass: secret'), errors: ['7:15 vrrp[0].authPass: authentication exists only in VRRPv2 (RFC 5798 removed it): remove authPass or use version: 2'] },
  { name: 'initialState in keepalived capitals', yaml: instanceWith('    initialState: MASTER'), errors: ['6:19 vrrp[0].initialState: must be backup or master (got "MASTER")'] },
  { name: 'preempt as YAML 1.1 "no"', yaml: instanceWith('    preempt: no'), errors: ['6:14 vrrp[0].preempt: must be true or false (got "no")'] },
  { name: 'interface name too long', yaml: instanceWith().replace('interface: eth0', 'interface: enp0s31f6-bond0-vlan'), errors: ["3:16 vrrp[0].interface: must be a network interface name: 1 to 15 characters, without '/', ':' or spaces (got \"enp0s31f6-bond0-vlan\")"] },
  { name: 'instance name with a space', yaml: instanceWith().replace('name: VI_1', 'name: VI 1'), errors: ["2:11 vrrp[0].name: must be 1 to 64 letters, digits, '_', '.' or '-' (got \"VI 1\")"] },
  { name: 'keepalived key names', yaml: instanceWith('    advert_int: 1', '    nopreempt: true'), errors: ['6:5 vrrp[0].advert_int: unknown key "advert_int" (keepalived/haproxy name; tsvip uses "advertInterval")', '7:5 vrrp[0].nopreempt: unknown key "nopreempt" (keepalived/haproxy name; tsvip uses "preempt: false")'] },
  { name: 'misspelled key', yaml: instanceWith('    priorty: 100'), errors: ['6:5 vrrp[0].priorty: unknown key "priorty" (did you mean "priority"?)'] },
  {
    name: 'an instance with only a priority: every required key named',
    yaml: yamlLines('vrrp:', '  - priority: 100'),
    errors: ['2:5 vrrp[0].name: is required', '2:5 vrrp[0].interface: is required', '2:5 vrrp[0].vrid: is required', '2:5 vrrp[0].vips: is required'],
  },

  // --- VIPs and unicast
  { name: 'no VIPs', yaml: instanceWith().replace('vips: [10.0.0.50/24]', 'vips: []'), errors: ['5:11 vrrp[0].vips: must list at least one VIP'] },
  { name: 'VIP prefix /33', yaml: instanceWith().replace('10.0.0.50/24', '10.0.0.50/33'), errors: ['5:12 vrrp[0].vips[0]: the prefix length must be 1 to 32 (got "10.0.0.50/33")'] },
  { name: 'VIP octet 256', yaml: instanceWith().replace('10.0.0.50/24', '10.0.0.256'), errors: ['5:12 vrrp[0].vips[0]: must be an IPv4 or IPv6 address with an optional /prefix, such as 10.0.0.50/24 or 2001:db8::50/64 (got "10.0.0.256")'] },
  { name: 'VIP listed twice with different prefixes', yaml: instanceWith().replace('[10.0.0.50/24]', '[10.0.0.50/24, 10.0.0.50]'), errors: ['5:26 vrrp[0].vips[1]: 10.0.0.50 is listed twice (first at vips[0])'] },
  { name: 'unicast without peers', yaml: instanceWith('    unicast:', '      source: 10.0.0.51'), errors: ['7:7 vrrp[0].unicast.peers: is required'] },
  { name: 'unicast with an empty peer list', yaml: instanceWith('    unicast: { peers: [] }'), errors: ['6:23 vrrp[0].unicast.peers: must list at least one peer'] },
  { name: 'unicast peer not an address', yaml: instanceWith('    unicast: { peers: [10.0.0] }'), errors: ['6:24 vrrp[0].unicast.peers[0]: must be an IPv4 or IPv6 address such as 10.0.0.51 or 2001:db8::51 (got "10.0.0")'] },
  { name: 'peer with leading zeros', yaml: instanceWith('    unicast: { peers: [10.0.0.052] }'), errors: ['6:24 vrrp[0].unicast.peers[0]: must be an IPv4 or IPv6 address such as 10.0.0.51 or 2001:db8::51 (got "10.0.0.052")'] },
  {
    name: 'unicast source among its own peers, and a peer twice',
    yaml: instanceWith('    unicast:', '      source: 10.0.0.51', '      peers: [10.0.0.52, 10.0.0.51, 10.0.0.52]'),
    errors: ["8:26 vrrp[0].unicast.peers[1]: 10.0.0.51 is this instance's own unicast.source: list only the other routers", '8:37 vrrp[0].unicast.peers[2]: 10.0.0.52 is listed twice (first at unicast.peers[0])'],
  },
  { name: 'a peer that is also a VIP', yaml: instanceWith('    unicast: { peers: [10.0.0.50] }'), errors: ['6:24 vrrp[0].unicast.peers[0]: 10.0.0.50 is also a VIP of this instance: a peer needs an address of its own'] },

  // --- garp and trackers
  { name: 'garp burst 0 and a bad delay', yaml: instanceWith('    garp: { burst: 0, delay: soon }'), errors: ['6:20 vrrp[0].garp.burst: must be an integer from 1 to 100 (got 0)', '6:30 vrrp[0].garp.delay: must be a duration such as 500ms, 1s, 2m or 1m30s, or an integer number of milliseconds (got "soon")'] },
  { name: 'tracker of an unknown type', yaml: instanceWith('    track:', '      - { type: ping }'), errors: [`7:17 vrrp[0].track[0].type: ${ANY_TYPE} (got "ping")`] },
  { name: 'tracker without a type', yaml: instanceWith('    track:', '      - { weight: 10 }'), errors: ['7:9 vrrp[0].track[0].type: is required'] },
  { name: 'tracker weight out of range', yaml: instanceWith('    track:', '      - { type: interface, name: eth1, weight: 300 }'), errors: ['7:48 vrrp[0].track[0].weight: must be an integer from -254 to 254 (got 300)'] },
  { name: 'backends tracker naming a missing load balancer', yaml: instanceWith('    track:', '      - { type: backends, loadBalancer: api }'), errors: ['7:41 vrrp[0].track[0].loadBalancer: no load balancer is named "api"; no loadBalancers are defined'] },
  { name: 'http tracker with an ftp URL', yaml: instanceWith('    track:', '      - { type: http, url: "ftp://10.0.0.1/" }'), errors: ['7:28 vrrp[0].track[0].url: must be an http:// or https:// URL (got "ftp://10.0.0.1/")'] },
  { name: 'script tracker with an empty command list', yaml: instanceWith('    track:', '      - { type: script, command: [] }'), errors: ['7:34 vrrp[0].track[0].command: must name a program to run'] },
  { name: 'tcp tracker without a port', yaml: instanceWith('    track:', '      - { type: tcp, address: localhost, rise: 0 }'), errors: ['7:31 vrrp[0].track[0].address: must be HOST:PORT with HOST an IPv4 address, an [IPv6] address or a host name (got "localhost")', '7:48 vrrp[0].track[0].rise: must be an integer from 1 to 100 (got 0)'] },

  // --- several instances together
  {
    name: 'two instances with the same name, VRID on one interface, and VIP',
    yaml: yamlLines(
      'vrrp:',
      '  - { name: VI_1, interface: eth0, vrid: 51, vips: [10.0.0.50] }',
      '  - { name: VI_1, interface: eth0, vrid: 51, vips: [10.0.0.50] }',
      '  - { name: VI_2, interface: eth1, vrid: 51, vips: [10.0.1.50] }',
    ),
    errors: [
      '3:13 vrrp[1].name: instance name "VI_1" is already used by vrrp[0] (VI_1)',
      '3:42 vrrp[1].vrid: VRID 51 is already used on eth0 by vrrp[0] (VI_1)',
      '3:53 vrrp[1].vips[0]: 10.0.0.50 is already a VIP of vrrp[0] (VI_1)',
    ],
  },

  // --- load balancers
  { name: 'vip: bind without any VRRP instance', yaml: loadBalancerWith().replace('0.0.0.0:8443', 'vip:6443'), errors: ["3:11 loadBalancers[0].bind: vip:6443 listens on a VRRP instance's VIP, but no vrrp instance is defined"] },
  { name: 'bind without a port', yaml: loadBalancerWith().replace('0.0.0.0:8443', '0.0.0.0'), errors: ['3:11 loadBalancers[0].bind: must be HOST:PORT with HOST an IPv4 address, an [IPv6] address or "vip" (got "0.0.0.0")'] },
  { name: 'bind port 70000', yaml: loadBalancerWith().replace('0.0.0.0:8443', '0.0.0.0:70000'), errors: ['3:11 loadBalancers[0].bind: the port must be 1 to 65535 (got "0.0.0.0:70000")'] },
  { name: 'bind to a host name', yaml: loadBalancerWith().replace('0.0.0.0:8443', 'localhost:8443'), errors: ['3:11 loadBalancers[0].bind: must be HOST:PORT with HOST an IPv4 address, an [IPv6] address or "vip" (got "localhost:8443")'] },
  { name: 'unknown balance', yaml: loadBalancerWith('    balance: source'), errors: ['6:14 loadBalancers[0].balance: must be roundrobin or leastconn (got "source")'] },
  { name: 'no backends', yaml: loadBalancerWith().replace("    backends:\n      - { name: master1, address: 198.18.0.1:6443 }\n", '    backends: []\n'), errors: ['4:15 loadBalancers[0].backends: must list at least one backend'] },
  {
    name: 'backends with a bad address, a duplicate name and weight 300',
    yaml: loadBalancerWith('      - { name: master1, address: "198.18.0.2" }', '      - { name: master3, address: 198.18.0.3:6443, weight: 300 }'),
    errors: [
      '6:17 loadBalancers[0].backends[1].name: backend name "master1" is already used by backends[0]',
      '6:35 loadBalancers[0].backends[1].address: must be HOST:PORT with HOST an IPv4 address, an [IPv6] address or a host name (got "198.18.0.2")',
      '7:60 loadBalancers[0].backends[2].weight: must be an integer from 0 to 256 (got 300)',
    ],
  },
  { name: 'duplicate backend names', yaml: loadBalancerWith('      - { name: master1, address: 198.18.0.2:6443 }'), errors: ['6:17 loadBalancers[0].backends[1].name: backend name "master1" is already used by backends[0]'] },
  { name: 'health check of an unknown type and a relative path', yaml: loadBalancerWith('    healthCheck: { type: udp, path: readyz }'), errors: ['6:26 loadBalancers[0].healthCheck.type: must be tcp, http or https (got "udp")', "6:37 loadBalancers[0].healthCheck.path: must be a path starting with '/' (got \"readyz\")"] },
  {
    name: 'retries, maxConnections and idleTimeout out of range',
    yaml: loadBalancerWith('    retries: 11', '    maxConnections: 0', '    idleTimeout: 30d'),
    errors: [
      '6:14 loadBalancers[0].retries: must be an integer from 0 to 10 (got 11)',
      '7:21 loadBalancers[0].maxConnections: must be an integer from 1 to 1000000 (got 0)',
      '8:18 loadBalancers[0].idleTimeout: must be a duration such as 500ms, 1s, 2m or 1m30s, or an integer number of milliseconds (got "30d")',
    ],
  },
  {
    name: 'two load balancers with one name on one port, and the status page on it too',
    yaml: yamlLines(
      'loadBalancers:',
      '  - { name: api, bind: "0.0.0.0:9901", backends: [{ name: m1, address: "198.18.0.1:6443" }] }',
      '  - { name: api, bind: "127.0.0.1:9901", backends: [{ name: m1, address: "198.18.0.1:6443" }] }',
    ),
    errors: [
      '2:24 loadBalancers[0].bind: 0.0.0.0:9901 collides with status.listen (127.0.0.1:9901)',
      '3:13 loadBalancers[1].name: load balancer name "api" is already used by loadBalancers[0]',
      '3:24 loadBalancers[1].bind: 127.0.0.1:9901 collides with status.listen (127.0.0.1:9901)',
    ],
  },
  { name: 'status auth without a password file', yaml: loadBalancerWith('status:', '  auth: { user: admin }'), errors: ['7:9 status.auth.passwordFile: is required'] },

  // --- many problems in one file, across parts
  {
    name: 'a keepalived habit file: many problems reported at once, in file order',
    yaml: yamlLines(
      'vrrp:',
      '  - name: VI_1',
      '    interface: eth0',
      '    virtual_router_id: 51',
      '    priority: 300',
      '    version: 3',
      '    advertInterval: 5ms',
      '    authPass: k8s',
      '    vips: [10.0.0.50/24]',
      '    track:',
      '      - { type: backends, loadBalancer: apiserver, weight: -30 }',
      'loadBalancers:',
      '  - name: api',
      '    bind: vip:6443',
      '    backends:',
      '      - { name: m1, address: 10.0.0.51 }',
      '    retries: -1',
    ),
    errors: [
      '2:5 vrrp[0].vrid: is required',
      '4:5 vrrp[0].virtual_router_id: unknown key "virtual_router_id" (keepalived/haproxy name; tsvip uses "vrid")',
      '5:15 vrrp[0].priority: must be an integer from 1 to 255 (got 300)',
      '7:21 vrrp[0].advertInterval: must be from 10ms to 255s (got "5ms")',
      '8:15 vrrp[0].authPass: authentication exists only in VRRPv2 (RFC 5798 removed it): remove authPass or use version: 2',
      '11:41 vrrp[0].track[0].loadBalancer: no load balancer is named "apiserver"; defined: api',
      '16:30 loadBalancers[0].backends[0].address: must be HOST:PORT with HOST an IPv4 address, an [IPv6] address or a host name (got "10.0.0.51")',
      '17:14 loadBalancers[0].retries: must be an integer from 0 to 10 (got -1)',
    ],
  },

  // --- schema and meaning errors in one instance or load balancer: the fields that parsed are still checked
  {
    name: 'a bad vrid and an unknown key do not hide a v2 interval in milliseconds or a tracker naming no load balancer',
    yaml: yamlLines(
      'vrrp:',
      '  - name: VI_1',
      '    interface: eth0',
      '    vrid: 300',
      '    nopreempt: true',
      '    advertInterval: 1500ms',
      '    vips: [10.0.0.50/24, 10.0.0.50]',
      '    track:',
      '      - { type: backends, loadBalancer: apiserver, weight: -30 }',
      '      - { type: interface, name: eth1, weight: 300 }',
      '      - { type: script, command: "/bin/check \'a", weight: -300 }',
      'loadBalancers:',
      '  - { name: api, bind: "0.0.0.0:8443", backends: [{ name: m1, address: "10.0.0.51:6443" }] }',
    ),
    errors: [
      '4:11 vrrp[0].vrid: must be an integer from 1 to 255 (got 300)',
      '5:5 vrrp[0].nopreempt: unknown key "nopreempt" (keepalived/haproxy name; tsvip uses "preempt: false")',
      '6:21 vrrp[0].advertInterval: VRRPv2 carries the interval in whole seconds: must be 1s to 255s (got 1500ms)',
      '7:26 vrrp[0].vips[1]: 10.0.0.50 is listed twice (first at vips[0])',
      '9:41 vrrp[0].track[0].loadBalancer: no load balancer is named "apiserver"; defined: api',
      '10:48 vrrp[0].track[1].weight: must be an integer from -254 to 254 (got 300)',
      "11:34 vrrp[0].track[2].command: cannot be split into words: unterminated single quote at offset 11",
      '11:59 vrrp[0].track[2].weight: must be an integer from -254 to 254 (got -300)',
    ],
  },
  {
    name: 'a VIP that fails does not hide a duplicate VIP, a peer that is a VIP, or a VRID used twice',
    yaml: yamlLines(
      'vrrp:',
      '  - { name: VI_1, interface: eth0, vrid: 51, vips: [10.0.0.50] }',
      '  - name: VI_2',
      '    interface: eth0',
      '    vrid: 51',
      '    priority: 0',
      '    vips: [10.0.0.256, 10.0.0.50]',
      '    unicast: { peers: [10.0.0.50, 10.0.0] }',
    ),
    errors: [
      '5:11 vrrp[1].vrid: VRID 51 is already used on eth0 by vrrp[0] (VI_1)',
      '6:15 vrrp[1].priority: must be an integer from 1 to 255 (got 0)',
      '7:12 vrrp[1].vips[0]: must be an IPv4 or IPv6 address with an optional /prefix, such as 10.0.0.50/24 or 2001:db8::50/64 (got "10.0.0.256")',
      '7:24 vrrp[1].vips[1]: 10.0.0.50 is already a VIP of vrrp[0] (VI_1)',
      '8:24 vrrp[1].unicast.peers[0]: 10.0.0.50 is also a VIP of this instance: a peer needs an address of its own',
      '8:35 vrrp[1].unicast.peers[1]: must be an IPv4 or IPv6 address such as 10.0.0.51 or 2001:db8::51 (got "10.0.0")',
    ],
  },
  {
    name: 'a load balancer with an unknown key and a bad backend still has its name and bind checked',
    yaml: yamlLines(
      'loadBalancers:',
      '  - { name: api, bind: "0.0.0.0:8443", backends: [{ name: m1, address: "10.0.0.51:6443" }] }',
      '  - name: api',
      '    bind: 127.0.0.1:8443',
      '    mode: tcp',
      '    backends:',
      '      - { name: m1, address: 10.0.0.51 }',
      '      - { name: m1, address: 10.0.0.52:6443 }',
    ),
    errors: [
      '3:11 loadBalancers[1].name: load balancer name "api" is already used by loadBalancers[0]',
      '4:11 loadBalancers[1].bind: 127.0.0.1:8443 collides with loadBalancers[0] (api) (0.0.0.0:8443)',
      '5:5 loadBalancers[1].mode: unknown key "mode"',
      '7:30 loadBalancers[1].backends[0].address: must be HOST:PORT with HOST an IPv4 address, an [IPv6] address or a host name (got "10.0.0.51")',
      '8:17 loadBalancers[1].backends[1].name: backend name "m1" is already used by backends[0]',
    ],
  },

  // --- IPv6 (one family per instance, VRRPv3 only, brackets around addresses with ports)
  { name: 'IPv6 VIP in a v2 instance', yaml: instanceWith().replace('10.0.0.50/24', '2001:db8::50'), errors: ['5:12 vrrp[0].vips[0]: 2001:db8::50 is IPv6, which needs version: 3 (VRRPv2 is IPv4 only, RFC 3768; keepalived also switches to VRRPv3 for IPv6)'] },
  {
    name: 'families mixed in one instance',
    yaml: instanceWith('    version: 3').replace('[10.0.0.50/24]', '[10.0.0.50/24, "2001:DB8:0::50/64"]'),
    errors: ['5:26 vrrp[0].vips[1]: 2001:db8::50 is IPv6 but vips[0] (10.0.0.50) is IPv4: one family per instance (a VRRP router runs over one); put the IPv6 VIPs in an instance of their own'],
  },
  { name: 'link-local VIP', yaml: instanceWith('    version: 3').replace('10.0.0.50/24', 'fe80::50'), errors: ['5:12 vrrp[0].vips[0]: fe80::50 is link-local (fe80::/10): every host has its own there and clients off the link cannot reach it; use a global or unique-local address such as 2001:db8::50 or fd00::50 (got "fe80::50")'] },
  { name: 'multicast VIP', yaml: instanceWith('    version: 3').replace('10.0.0.50/24', 'ff02::12'), errors: ['5:12 vrrp[0].vips[0]: ff02::12 is a multicast address: a VIP must be a unicast address (got "ff02::12")'] },
  { name: 'IPv6 prefix /129', yaml: instanceWith('    version: 3').replace('10.0.0.50/24', '2001:db8::50/129'), errors: ['5:12 vrrp[0].vips[0]: the IPv6 prefix length must be 1 to 128 (got "2001:db8::50/129")'] },
  {
    name: 'IPv6 instance with vrrpOnly checksum and IPv4 unicast',
    yaml: instanceWith('    version: 3', '    v3Checksum: vrrpOnly', '    unicast: { source: 10.0.0.51, peers: ["2001:db8::52", 10.0.0.53] }').replace('10.0.0.50/24', '2001:db8::50'),
    errors: [
      '7:17 vrrp[0].v3Checksum: vrrpOnly exists only over IPv4: over IPv6 the checksum always covers the IPv6 pseudo-header (RFC 5798 5.2.8); remove v3Checksum',
      "8:24 vrrp[0].unicast.source: 10.0.0.51 is IPv4 but the VIPs are IPv6: unicast adverts travel in the VIPs' family",
      "8:59 vrrp[0].unicast.peers[1]: 10.0.0.53 is IPv4 but the VIPs are IPv6: unicast adverts travel in the VIPs' family",
    ],
  },
  {
    name: 'one VRID twice on one interface in one family, IPv6 spelled two ways',
    yaml: yamlLines(
      'vrrp:',
      '  - { name: VI_1, interface: eth0, vrid: 51, version: 3, vips: ["2001:db8::50"] }',
      '  - { name: VI_2, interface: eth0, vrid: 51, version: 3, vips: ["2001:db8:0:0::50/64"] }',
    ),
    errors: ['3:42 vrrp[1].vrid: VRID 51 is already used on eth0 by vrrp[0] (VI_1)', '3:65 vrrp[1].vips[0]: 2001:db8::50 is already a VIP of vrrp[0] (VI_1)'],
  },
  { name: 'IPv6 bind without brackets', yaml: loadBalancerWith().replace('0.0.0.0:8443', '"::1:8443"'), errors: ['3:11 loadBalancers[0].bind: an IPv6 address must be written in brackets, such as [::1]:8443 (got "::1:8443")'] },
  { name: 'bracketed bind that is not IPv6', yaml: loadBalancerWith().replace('0.0.0.0:8443', '"[10.0.0.1]:8443"'), errors: ['3:11 loadBalancers[0].bind: [10.0.0.1] is not an IPv6 address in brackets, such as [2001:db8::1] or [::] (got "[10.0.0.1]:8443")'] },
  {
    name: 'the dual-stack [::] bind collides with 0.0.0.0 on one port',
    yaml: yamlLines(...LOAD_BALANCER_HEAD, '  - name: api6', '    bind: "[::]:8443"', '    backends: [{ name: m1, address: "[2001:2::11]:6443" }]'),
    errors: ['7:11 loadBalancers[1].bind: [::]:8443 collides with loadBalancers[0] (apiserver) (0.0.0.0:8443)'],
  },
  {
    name: 'the dual-stack [::] bind collides with status.listen on [::1]',
    yaml: yamlLines('status:', '  listen: "[::1]:8443"', ...LOAD_BALANCER_HEAD.map((line) => line.replace('0.0.0.0:8443', '"[::]:8443"'))),
    errors: ['5:11 loadBalancers[0].bind: [::]:8443 collides with status.listen ([::1]:8443)'],
  },
];
