// kube-vip words: why the env vars (static pod manifest) and config.yaml keys tsvip has no use for are
// left out. Names follow kube-vip's pkg/kubevip (config_envvar.go, config_types.go).

const WHY = {
  lease: 'not needed: tsvip elects with VRRP on the LAN, without a Lease object in Kubernetes',
  kubeApi: 'not needed: tsvip does not talk to the Kubernetes API',
  services: 'Services of type LoadBalancer are not supported: tsvip serves the control-plane VIP only',
  bgp: 'BGP is not supported: tsvip announces the VIP with VRRP and gratuitous ARP on one LAN',
  metrics: 'not translated: tsvip serves /metrics at status.listen (default 127.0.0.1:9901); set status.listen to scrape it from elsewhere',
  logLevel: 'not translated: tsvip takes its log level from tsvip start --log-level',
  nodeName: 'not needed: VRRP tells hosts apart by their addresses',
  ipvs:
    "not translated: kube-vip's control-plane load balancer of the static-pod era (lb_enable; 0.1.x's config.yaml load balancer was a user-space proxy, converted from that file) is IPVS in the kernel with its backends (the control-plane nodes) taken from Kubernetes; tsvip needs them listed: add a loadBalancers entry (bind: vip:PORT, one backend per apiserver), or convert haproxy.cfg or nginx.conf in the same run",
  dns: 'not needed: the VIP is converted as the address itself',
  egress: 'egress (SNAT for Service pods) is not supported',
  routing: 'routing-table and WireGuard modes are not supported: tsvip puts the VIP on the interface and announces it with ARP',
  metal: 'Equinix Metal (Packet) elastic IPs are not supported',
  raft: 'not needed: VRRP needs only the peers\u2019 addresses (no raft id or port)',
} as const;

const ENV_REASONS: Readonly<Record<string, string>> = {
  cp_namespace: WHY.lease,
  vip_leasename: WHY.lease,
  vip_leaseannotations: WHY.lease,
  vip_nodename: WHY.nodeName,
  prometheus_server: WHY.metrics,
  vip_loglevel: WHY.logLevel,
  dns_mode: WHY.dns,
  vip_ddns: 'a DNS name for the VIP (dynamic DNS) is not supported: tsvip needs the address itself',
  vip_skipdad: 'not needed: tsvip adds IPv6 VIPs without duplicate address detection (nodad) always',
  KUBECONFIG: WHY.kubeApi,
  k8s_config_file: WHY.kubeApi,
  kubernetes_addr: WHY.kubeApi,
  cp_detect: WHY.kubeApi,
  annotation: WHY.kubeApi,
  vip_servicesinterface: WHY.services,
  enable_node_labeling: 'not translated: tsvip does not label nodes; /status and /metrics say which host is MASTER',
  enable_service_security: WHY.services,
  enable_endpoints: WHY.services,
  disable_service_updates: WHY.services,
  mirror_dest_interface: WHY.services,
  iptables_backend: WHY.services,
  backend_health_check_interval: WHY.ipvs,
  health_check_port: 'not translated: tsvip serves /healthz and /readyz at status.listen',
  vip_interfaceloglobal: 'not translated: tsvip puts the VIP on the named interface with the scope the kernel gives it',
  enable_upnp: 'UPnP is not supported',
  config_file: 'not translated: convert that file itself (--kube-vip FILE)',
  vip_packet: WHY.metal,
  vip_packetproject: WHY.metal,
  PACKET_AUTH_TOKEN: WHY.metal,
  provider_config: WHY.metal,
};

const ENV_PREFIX_REASONS: readonly [string, string][] = [
  ['bgp_', WHY.bgp],
  ['zebra_', WHY.bgp],
  ['mpbgp_', WHY.bgp],
  ['svc_', WHY.services],
  ['lb_', WHY.ipvs],
  ['egress_', WHY.egress],
  ['vip_routing', WHY.routing],
  ['vip_cleanrouting', WHY.routing],
  ['vip_wireguard', WHY.routing],
  ['vip_wg', WHY.routing],
];

/** Features kube-vip has and tsvip does not: set to false they mean what tsvip does, so they are only named in a comment. */
export const OFF_FEATURE_ENV = new Set([
  'svc_enable', 'svc_election', 'vip_ddns', 'bgp_enable', 'lb_enable', 'enable_node_labeling', 'vip_wireguard', 'vip_routingtable',
  'enable_service_security', 'enable_upnp', 'egress_clean', 'egress_withnftables', 'zebra_enable', 'lb_class_only', 'cp_detect',
]);

export function envReason(name: string): string {
  const exact = ENV_REASONS[name];
  if (exact !== undefined) return exact;
  const prefixed = ENV_PREFIX_REASONS.find(([prefix]) => name.startsWith(prefix));
  return prefixed?.[1] ?? 'not translated: tsvip convert does not know this kube-vip variable';
}

const CONFIG_REASONS: Readonly<Record<string, string>> = {
  namespace: WHY.lease,
  ddns: ENV_REASONS['vip_ddns'] ?? WHY.dns,
  enableServices: WHY.services,
  servicesInterface: WHY.services,
  enableBGP: WHY.bgp,
  bgpConfig: WHY.bgp,
  bgpPeerConfig: WHY.bgp,
  bgpPeers: WHY.bgp,
  BGPConfig: WHY.bgp,
  BGPPeerConfig: WHY.bgp,
  BGPPeers: WHY.bgp,
  enableMetal: WHY.metal,
  enablePacket: WHY.metal,
  metalAPIKey: WHY.metal,
  metalProject: WHY.metal,
  metalProjectID: WHY.metal,
  providerConfig: WHY.metal,
  annotations: WHY.kubeApi,
  prometheusHTTPServer: WHY.metrics,
};

export const OFF_FEATURE_CONFIG = new Set(['enableServices', 'enableBGP', 'ddns', 'enableMetal', 'enablePacket']);

export function configReason(key: string): string {
  return CONFIG_REASONS[key] ?? 'not translated: tsvip convert does not know this kube-vip key';
}

export const RAFT_REASON = WHY.raft;
