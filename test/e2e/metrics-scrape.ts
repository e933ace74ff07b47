// /metrics of a real daemon, scraped from a lab host with curl as Prometheus would, and read by name
// and labels (docs/status.md lists them): the e2e tests assert that the counters an operator alerts
// on moved with the fault they caused.
import type { Lab, LabHost } from '../lab/index.js';
import { waitUntil } from '../../src/lab/tsvip-daemon.js';

/** The status port the e2e configs give `status.listen` on each host's own address. */
export const STATUS_PORT = 9901;

/** The `status:` block for a host's vip.yaml: the status server on its own address. */
export const statusOn = (host: LabHost): Record<string, unknown> => ({ listen: `${host.address}:${STATUS_PORT}` });

type Labels = Record<string, string>;

function parseLabels(text: string): Labels {
  const labels: Labels = {};
  for (const match of text.matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)) labels[match[1] ?? ''] = (match[2] ?? '').replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c));
  return labels;
}

const sameLabels = (a: Labels, b: Labels): boolean => Object.keys(a).length === Object.keys(b).length && Object.entries(a).every(([key, value]) => b[key] === value);

/** One scrape: the samples of Prometheus's text format. */
export class Metrics {
  private readonly samples: { name: string; labels: Labels; value: number }[] = [];

  constructor(readonly text: string) {
    for (const line of text.split('\n')) {
      const match = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
      if (match === null) continue;
      this.samples.push({ name: match[1] ?? '', labels: parseLabels(match[2] ?? ''), value: Number(match[3]) });
    }
  }

  /** The value of the sample with exactly these labels; undefined when there is none. */
  value(name: string, labels: Labels = {}): number | undefined {
    return this.samples.find((sample) => sample.name === name && sameLabels(sample.labels, labels))?.value;
  }

  /** As value(), for a sample that must be there (a counter starts at 0 when the daemon starts). */
  get(name: string, labels: Labels = {}): number {
    const value = this.value(name, labels);
    if (value === undefined) throw new Error(`no sample ${name}${JSON.stringify(labels)} in:\n${this.text}`);
    return value;
  }
}

/** GETs http://target:STATUS_PORT/metrics from `from`. */
export async function scrapeMetrics(lab: Lab, from: LabHost, target: LabHost): Promise<Metrics> {
  const result = await lab.runOk(from, ['curl', '-sS', '--fail', '--max-time', '5', `http://${target.address}:${STATUS_PORT}/metrics`]);
  return new Metrics(result.stdout);
}

/**
 * Scrapes until `holds` is true of a scrape, and returns that scrape. The counters of the load
 * balancer's data path reach the status server in reports a few times a second, so a count seen in
 * the logs can be a moment behind in /metrics.
 */
export async function waitForMetrics(lab: Lab, from: LabHost, target: LabHost, what: string, holds: (metrics: Metrics) => boolean, limitMs = 20_000): Promise<Metrics> {
  let last: Metrics | undefined;
  try {
    return await waitUntil(async () => {
      last = await scrapeMetrics(lab, from, target);
      return holds(last) ? last : undefined;
    }, `${target.name}'s /metrics to show ${what}`, limitMs);
  } catch (error) {
    throw new Error(`${(error as Error).message}\nlast scrape:\n${last?.text ?? '(none)'}`, { cause: error });
  }
}
