// Durations in vip.yaml are strings with units (`500ms`, `1s`, `2m`, `1m30s`, as Go and Kubernetes write
// them) or integers in milliseconds. Everything inside tsvip works in integer milliseconds.

const UNIT_MS = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 } as const;
const DURATION_PATTERN = /^(?:\d+(?:\.\d+)?(?:ms|s|m|h))+$/;
const DURATION_PART = /(\d+(?:\.\d+)?)(ms|s|m|h)/g;

/** Longest duration a Node timer can wait (2^31-1 ms, about 24.8 days). */
export const MAX_DURATION_MS = 2_147_483_647;

export type DurationResult = { ok: true; ms: number } | { ok: false; reason: string };

export function parseDuration(input: string | number): DurationResult {
  if (typeof input === 'number') {
    if (!Number.isInteger(input) || input < 0) {
      return { ok: false, reason: 'a number is taken as milliseconds and must be a whole number >= 0' };
    }
    return { ok: true, ms: input };
  }
  const text = input.trim();
  if (!DURATION_PATTERN.test(text)) {
    return { ok: false, reason: 'must be a duration such as 500ms, 1s, 2m or 1m30s, or an integer number of milliseconds' };
  }
  let ms = 0;
  for (const [, amount, unit] of text.matchAll(DURATION_PART)) {
    ms += Number(amount) * UNIT_MS[unit as keyof typeof UNIT_MS];
  }
  // Floating point: 0.3s is 300.00000000000006 ms before rounding.
  const rounded = Math.round(ms * 1000) / 1000;
  if (!Number.isInteger(rounded)) return { ok: false, reason: 'must be a whole number of milliseconds' };
  return { ok: true, ms: rounded };
}

/** The shortest exact way to write `ms` with units, for summaries and error messages. */
export function formatDuration(ms: number): string {
  if (ms === 0) return '0s';
  if (ms % UNIT_MS.h === 0) return `${ms / UNIT_MS.h}h`;
  if (ms % UNIT_MS.m === 0) return `${ms / UNIT_MS.m}m`;
  if (ms % UNIT_MS.s === 0) return `${ms / UNIT_MS.s}s`;
  return `${ms}ms`;
}
