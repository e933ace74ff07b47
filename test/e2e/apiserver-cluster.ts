// The vip.yaml of a host in the e2e "control plane": VRRP instance VI_1 holding the group's VIP, with
// a `backends` tracker on a `vip:8443` load balancer that spreads clients over the apiserver
// stand-ins (HTTPS /readyz checks). Tests add what they are about through the overrides.
import type { LabHost } from '../lab/index.js';
import { VIP_CIDR, VRID } from './vrrp-group.js';

export const API_PORT = 6443;
export const LB_PORT = 8443;

export interface ApiserverHostOptions {
  priority: number;
  /** The load balancer's backends (default: every router's apiserver). */
  pool?: readonly LabHost[];
  /** Keys of the VRRP instance: version, advertInterval, authPass, initialState, ... */
  vrrp?: Record<string, unknown>;
  /** Keys of the load balancer: balance, timeouts, shutdownDrain, ... */
  loadBalancer?: Record<string, unknown>;
  /** The config's `status:` block. */
  status?: Record<string, unknown>;
}

export function apiserverHostConfig(host: LabHost, routers: readonly LabHost[], options: ApiserverHostOptions): Record<string, unknown> {
  return {
    vrrp: [
      {
        name: 'VI_1',
        interface: 'eth0',
        vrid: VRID,
        priority: options.priority,
        unicast: { source: host.address, peers: routers.filter((other) => other !== host).map((other) => other.address) },
        vips: [VIP_CIDR],
        garp: { burst: 2, delay: '0s', refresh: '0s' },
        track: [{ type: 'backends', loadBalancer: 'apiserver', weight: -60 }],
        ...options.vrrp,
      },
    ],
    loadBalancers: [
      {
        name: 'apiserver',
        bind: `vip:${LB_PORT}`,
        backends: (options.pool ?? routers).map((backend) => ({ name: backend.name, address: `${backend.address}:${API_PORT}` })),
        healthCheck: { type: 'https', path: '/readyz', insecureSkipVerify: true, interval: '300ms', timeout: '250ms', rise: 2, fall: 2 },
        ...options.loadBalancer,
      },
    ],
    ...(options.status === undefined ? {} : { status: options.status }),
  };
}
