// Test-only helpers for writing small vip.yaml texts line by line, so a case's LINE:COL can be read off
// the test itself.

export function yamlLines(...lines: string[]): string {
  return `${lines.join('\n')}\n`;
}

/** A valid instance head (lines 1-5); cases append keys at column 5 from line 6 on. */
export const INSTANCE_HEAD = ['vrrp:', '  - name: VI_1', '    interface: eth0', '    vrid: 51', '    vips: [10.0.0.50/24]'] as const;

export function instanceWith(...extraLines: string[]): string {
  return yamlLines(...INSTANCE_HEAD, ...extraLines);
}

/** A valid load balancer head (lines 1-5); cases append keys at column 5 from line 6 on. */
export const LOAD_BALANCER_HEAD = [
  'loadBalancers:',
  '  - name: apiserver',
  '    bind: 0.0.0.0:8443',
  '    backends:',
  '      - { name: master1, address: 198.18.0.1:6443 }',
] as const;

export function loadBalancerWith(...extraLines: string[]): string {
  return yamlLines(...LOAD_BALANCER_HEAD, ...extraLines);
}
