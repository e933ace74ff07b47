// Converts fixture files the way the CLI does and loads the result with the loader `tsvip check` uses.
import { expect } from 'vitest';
import { loadConfigText } from '../../src/config/load.js';
import { convertFiles, type ConvertInputs } from '../../src/convert/convert.js';
import { formatFinding } from '../../src/convert/findings.js';
import type { Config } from '../../src/config/schema.js';

export const FIXTURES = 'test/fixtures/convert';

export interface Converted {
  yaml: string;
  config: Config;
  /** Findings formatted as on stderr: `FILE:LINE: message`. */
  stderr: string[];
}

export function convertFixture(inputs: ConvertInputs): Converted {
  const outcome = convertFiles(inputs);
  if (!outcome.ok) throw new Error(`convert failed (${outcome.reason}): ${outcome.errors.join('\n')}`);
  const { config, warnings } = loadConfigText(outcome.yaml, 'vip.yaml');
  expect(warnings).toEqual([]);
  return { yaml: outcome.yaml, config, stderr: outcome.findings.map(formatFinding) };
}

/** The one finding reported at FILE:LINE; fails when there is none or several. */
export function findingAt(stderr: readonly string[], fileLine: string): string {
  const hits = stderr.filter((line) => line.startsWith(`${fileLine}: `));
  expect(hits, `findings at ${fileLine} in:\n${stderr.join('\n')}`).toHaveLength(1);
  return hits[0] ?? '';
}
