// Every broken vip.yaml gets every one of its problems reported, each as
// `FILE:LINE:COL key.path: message` pointing at the offending value.
import { describe, expect, test } from 'vitest';
import { loadConfigText } from '../../src/config/load.js';
import { ConfigError, formatProblem } from '../../src/errors.js';
import { invalidCases as cases } from './invalid-cases.js';

function problemsOf(yaml: string): string[] {
  try {
    loadConfigText(yaml, 'vip.yaml');
  } catch (error) {
    if (error instanceof ConfigError) return error.problems.map(formatProblem);
    throw error;
  }
  return [];
}

describe('invalid vip.yaml: every problem, located', () => {
  test('the table is large enough to mean something', () => {
    expect(cases.length).toBeGreaterThanOrEqual(40);
  });

  test.each(cases)('$name', ({ yaml, errors }) => {
    expect(problemsOf(yaml)).toEqual(errors.map((line) => `vip.yaml:${line}`));
  });
});
