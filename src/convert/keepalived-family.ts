// The address family of a keepalived vrrp_instance, decided as keepalived 2.2 decides it (checked with
// `keepalived -t`): the first of unicast_src_ip, a unicast_peer, native_ipv6 or the first VIP sets it, and
// an address of the other family after that is refused ("address family must match VRRP instance -
// ignoring", "MUST be of the same family !!! Skipping..."). So a mixed virtual_ipaddress runs as one
// family under keepalived, and is converted so: the other family's VIPs are left out with that reason.
// The VIP lines are read here too: IPv6 canonical, /128 by default, `dev` kept for the caller's check.
import { addressFamily, type AddressFamily } from '../net/address.js';
import { parseInterfaceCidr } from '../net/interface-cidr.js';
import { unusableVip } from '../net/vip-scope.js';
import { canonicalAddress } from './listeners.js';
import type { SourceLine } from './findings.js';
import type { Statement } from './keepalived-syntax.js';

type Report = (at: SourceLine, message: string) => void;

export interface VipLine {
  vip: string;
  dev: string | undefined;
  s: Statement;
}

const FAMILY_NAME: Readonly<Record<AddressFamily, string>> = { ipv4: 'IPv4', ipv6: 'IPv6' };
// keepalived's address options that take a value (keepalived.conf(5), virtual_ipaddress); the others are single words.
const VALUED_OPTIONS = new Set(['brd', 'broadcast', 'dev', 'scope', 'label', 'peer', 'preferred_lft', 'track_group']);
// tsvip adds every IPv6 VIP without duplicate address detection, as these ask.
const NODAD = new Set(['-nodad', 'nodad']);

export class InstanceFamily {
  private decided: { family: AddressFamily; by: string } | undefined;

  constructor(
    private readonly report: Report,
    private readonly context: string,
  ) {}

  get family(): AddressFamily | undefined {
    return this.decided?.family;
  }

  /** `native_ipv6`: IPv6 unless an IPv4 address came first (keepalived: "Cannot specify native_ipv6 with IPv4 addresses"). */
  nativeIpv6(s: Statement): void {
    if (this.decided?.family === 'ipv4') {
      this.report(s, `native_ipv6${this.context}: after ${this.decided.by} keepalived refuses it ("Cannot specify native_ipv6 with IPv4 addresses") and runs the instance over IPv4: left out`);
      return;
    }
    this.decided ??= { family: 'ipv6', by: `native_ipv6 (line ${s.line})` };
  }

  /** A unicast_src_ip or unicast_peer address, canonical, or undefined (reported) when keepalived would skip it. */
  unicastAddress(text: string, s: Statement, what: string): string | undefined {
    const address = canonicalAddress(text);
    const family = addressFamily(text);
    if (address === undefined || family === null) {
      this.report(s, `${what} ${text}${this.context}: not an IPv4 or IPv6 address: skipped`);
      return undefined;
    }
    if (!this.fits(family, `${what} ${text} (line ${s.line})`)) {
      this.report(s, `${what} ${text}${this.context}: ${FAMILY_NAME[family]}, but ${this.decided?.by ?? ''} made the instance ${FAMILY_NAME[this.decided?.family ?? 'ipv4']}: keepalived skips it ("MUST be of the same family"), so it is left out`);
      return undefined;
    }
    return address;
  }

  /** One line of virtual_ipaddress: the VIP as vip.yaml writes it, or undefined (reported). */
  vipLine(v: Statement): VipLine | undefined {
    const [address = '', ...options] = v.words;
    const parsed = parseInterfaceCidr(address);
    if (!parsed.ok) {
      this.report(v, `${address}${this.context}: ${parsed.reason}: skipped`);
      return undefined;
    }
    const { family, prefix } = parsed.value;
    const vip = `${parsed.value.address}/${prefix}`;
    const dev = this.options(v, address, options, family);
    if (!this.fits(family, `${address} (line ${v.line})`)) {
      const other = FAMILY_NAME[family];
      this.report(
        v,
        `${address}${this.context}: ${other}, but ${this.decided?.by ?? ''} made the instance ${FAMILY_NAME[this.decided?.family ?? 'ipv4']}: keepalived ignores it ("address family must match VRRP instance - ignoring"), so it is left out; to serve it, give it a vrrp instance of its own${family === 'ipv6' ? ' (version: 3)' : ''} (the same vrid may serve both families on one interface)`,
      );
      return undefined;
    }
    const unusable = unusableVip(parsed.value);
    if (unusable !== null) {
      this.report(v, `${address}${this.context}: keepalived adds it, but tsvip refuses it as a VIP (${unusable}): left out`);
      return undefined;
    }
    return { vip, dev, s: v };
  }

  private fits(family: AddressFamily, by: string): boolean {
    this.decided ??= { family, by };
    return this.decided.family === family;
  }

  /** The `dev` of a VIP line; every other option is reported (nodad on IPv6 is what tsvip does anyway). */
  private options(v: Statement, address: string, options: readonly string[], family: AddressFamily): string | undefined {
    let dev: string | undefined;
    const ignored: string[] = [];
    for (let i = 0; i < options.length; i++) {
      const option = options[i] ?? '';
      if (VALUED_OPTIONS.has(option)) {
        const value = options[++i] ?? '';
        if (option === 'dev') dev = value;
        else ignored.push(`${option} ${value}`);
      } else if (!(family === 'ipv6' && NODAD.has(option))) ignored.push(option);
    }
    if (ignored.length > 0) this.report(v, `${address} ${options.join(' ')}${this.context}: address options other than dev are not supported (${ignored.join(', ')} left out)`);
    return dev;
  }
}
