import { describe, expect, test } from 'vitest';
import { formatDuration, parseDuration } from '../../src/config/duration.js';

describe('durations in vip.yaml', () => {
  test.each([
    ['500ms', 500],
    ['1s', 1000],
    ['2m', 120_000],
    ['1h', 3_600_000],
    ['1m30s', 90_000],
    ['1.5s', 1500],
    ['0.3s', 300],
    [0, 0],
    [250, 250],
  ])('%s is %d ms', (input, ms) => {
    expect(parseDuration(input)).toEqual({ ok: true, ms });
  });

  test.each(['', '1', '1 s', '-1s', 's', '1d', '1.0005s', '1s2'])('"%s" is refused', (input) => {
    expect(parseDuration(input).ok).toBe(false);
  });

  test.each([-1, 1.5])('the number %d is refused: numbers are whole milliseconds', (input) => {
    expect(parseDuration(input).ok).toBe(false);
  });

  test.each([
    [0, '0s'],
    [1000, '1s'],
    [1500, '1500ms'],
    [120_000, '2m'],
    [7_200_000, '2h'],
  ])('%d ms is written %s', (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });
});
