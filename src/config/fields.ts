// Field schemas shared by the parts of vip.yaml. Each carries its own message so that an error reads as
// the rule the user broke ("must be an integer from 1 to 255"), not as zod's internals.
import { z } from 'zod';
import { MAX_DURATION_MS, formatDuration, parseDuration } from './duration.js';
import { isIpv4, parseCidr, parseHostPort, type HostPortRules } from '../net/address.js';

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

export function ipv4(): z.ZodString {
  const error = 'must be an IPv4 address such as 10.0.0.51';
  return z.string({ error }).refine(isIpv4, { error });
}

/** A VIP as `a.b.c.d/prefix`; a bare address gets /32. */
export function vipCidr() {
  return z.string({ error: 'must be an IPv4 address with an optional /prefix, such as 10.0.0.50/24' }).transform((input, ctx) => {
    const parsed = parseCidr(input);
    if (!parsed.ok) {
      ctx.addIssue({ code: 'custom', message: parsed.reason, input });
      return z.NEVER;
    }
    return `${parsed.value.address}/${parsed.value.prefix}`;
  });
}

export function hostPort(rules: HostPortRules) {
  const error = parseHostPort('', rules);
  const shapeMessage = error.ok ? '' : error.reason;
  return z.string({ error: shapeMessage }).superRefine((input, ctx) => {
    const parsed = parseHostPort(input, rules);
    if (!parsed.ok) ctx.addIssue({ code: 'custom', message: parsed.reason, input });
  });
}
