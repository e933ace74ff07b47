// Field schemas shared by the parts of vip.yaml. Each carries its own message so that an error reads as
// the rule the user broke ("must be an integer from 1 to 255"), not as zod's internals.
import { z } from 'zod';
import { MAX_DURATION_MS, formatDuration, parseDuration } from './duration.js';
import { isIpv4 } from '../net/address.js';
import { canonicalIpv6 } from '../net/ipv6-bytes.js';
import { parseInterfaceCidr } from '../net/interface-cidr.js';
import { unusableVip } from '../net/vip-scope.js';
import { parseHostPort, type HostPortRules } from '../net/host-port.js';

export function intRange(min: number, max: number): z.ZodInt {
  const error = `must be an integer from ${min} to ${max}`;
  return z.int({ error }).min(min, { error }).max(max, { error });
}

export function bool(): z.ZodBoolean {
  return z.boolean({ error: 'must be true or false' });
}

export function nonEmptyString(what = 'a non-empty string'): z.ZodString {
  return z.string({ error: `must be ${what}` }).min(1, { error: `must be ${what}` });
}

/** Names that end up in metrics labels and log lines: instances and load balancers. */
export function objectName(): z.ZodString {
  const error = "must be 1 to 64 letters, digits, '_', '.' or '-'";
  return z.string({ error }).regex(/^[A-Za-z0-9_.-]{1,64}$/, { error });
}

export function interfaceName(): z.ZodString {
  const error = "must be a network interface name: 1 to 15 characters, without '/', ':' or spaces";
  return z.string({ error }).regex(/^[^\s/:]{1,15}$/, { error });
}

export interface DurationBounds {
  minMs: number;
  maxMs: number;
}

/** A duration (string with units or integer ms) parsed to integer milliseconds and checked against bounds. */
export function duration(bounds: DurationBounds = { minMs: 0, maxMs: MAX_DURATION_MS }) {
  const rangeText = bounds.maxMs === MAX_DURATION_MS ? `at least ${formatDuration(bounds.minMs)}` : `from ${formatDuration(bounds.minMs)} to ${formatDuration(bounds.maxMs)}`;
  return z
    .union([z.string(), z.number()], { error: 'must be a duration such as 500ms, 1s or 2m, or an integer number of milliseconds' })
    .meta({ description: `a duration ${rangeText}: 500ms, 1s, 2m, 1m30s, or an integer number of milliseconds` })
    .transform((input, ctx) => {
        const parsed = parseDuration(input);
        if (!parsed.ok) {
          ctx.addIssue({ code: 'custom', message: parsed.reason, input });
          return z.NEVER;
        }
        if (parsed.ms < bounds.minMs || parsed.ms > bounds.maxMs) {
          ctx.addIssue({ code: 'custom', message: `must be ${rangeText}`, input });
          return z.NEVER;
        }
        return parsed.ms;
      });
  }

  /**
   * A unicast address of either family: IPv4 as written, IPv6 turned into its canonical text (RFC 5952) so
   * that one address compares equal however vip.yaml spells it.
   */
  export function ipAddress() {
    const error = 'must be an IPv4 or IPv6 address such as 10.0.0.51 or 2001:db8::51';
    return z.string({ error }).meta({ description: 'an IPv4 or IPv6 address of the VIPs\' family: 10.0.0.51 or 2001:db8::51' }).transform((input, ctx) => {
      if (isIpv4(input)) return input;
      const canonical = canonicalIpv6(input);
      if (canonical === null) {
        ctx.addIssue({ code: 'custom', message: error, input });
        return z.NEVER;
      }
      return canonical;
    });
}

/**
 * A VIP as `address/prefix` in either family; a bare address gets /32 or /128, as keepalived's
 * virtual_ipaddress. IPv6 comes back canonical. Addresses no host can serve as a VIP are refused here.
 */
export function vipCidr() {
  return z
    .string({ error: 'must be an IPv4 or IPv6 address with an optional /prefix, such as 10.0.0.50/24 or 2001:db8::50' })
    .meta({ description: 'a VIP: 10.0.0.50/24 (/32 by default) or 2001:db8::50 (/128 by default; IPv6 needs version: 3); one family per instance' })
    .transform((input, ctx) => {
      const parsed = parseInterfaceCidr(input);
      const refused = parsed.ok ? unusableVip(parsed.value) : parsed.reason;
      if (refused !== null || !parsed.ok) {
        ctx.addIssue({ code: 'custom', message: refused ?? 'not an address', input });
        return z.NEVER;
      }
      return `${parsed.value.address}/${parsed.value.prefix}`;
    });
}

export function hostPort(rules: HostPortRules) {
  const error = parseHostPort('', rules);
  const shapeMessage = error.ok ? '' : error.reason;
  const hosts = ['10.0.0.51:6443', '[2001:db8::51]:6443', ...(rules.allowHostname ? ['master1.example:6443'] : []), ...rules.keywords.map((k) => `${k}:6443`)];
  return z
    .string({ error: shapeMessage })
    .meta({ description: `HOST:PORT, an IPv6 host in brackets: ${hosts.join(', ')}` })
    .superRefine((input, ctx) => {
      const parsed = parseHostPort(input, rules);
      if (!parsed.ok) ctx.addIssue({ code: 'custom', message: parsed.reason, input });
    });
}
