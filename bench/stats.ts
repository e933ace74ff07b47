// Small, exact statistics for a handful of runs: min / median / max, nothing that needs more samples.

export interface Spread {
  readonly n: number;
  readonly min: number;
  readonly median: number;
  readonly max: number;
}

/** Null for no values; the median of an even count is the mean of the middle two. */
export function spread(values: readonly number[]): Spread | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  const median = sorted.length % 2 === 1 ? (sorted[middle] ?? 0) : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
  return { n: sorted.length, min: sorted[0] ?? 0, median, max: sorted.at(-1) ?? 0 };
}

/** 3200 -> "3.20 s", 340 -> "340 ms": the unit a reader expects for the magnitude. */
export function formatMs(ms: number): string {
  return ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${Math.round(ms)} ms`;
}

/** Infinity stands for a run that did not get there within its wait, shown as `beyond` ("> 60 s"). */
export function formatSpread(value: Spread | null, beyond = 'never'): string {
  if (value === null) return 'n/a';
  const format = (ms: number) => (Number.isFinite(ms) ? formatMs(ms) : beyond);
  return `${format(value.min)} / **${format(value.median)}** / ${format(value.max)}`;
}

/** tsvip's median over keepalived's, as "0.85×"; ratios hold across machines where absolute numbers do not. */
export function ratio(tsvip: Spread | null, keepalived: Spread | null): string {
  if (tsvip === null || keepalived === null || keepalived.median === 0 || !Number.isFinite(tsvip.median) || !Number.isFinite(keepalived.median)) return '–';
  return `${(tsvip.median / keepalived.median).toFixed(2)}×`;
}
