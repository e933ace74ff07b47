// `tsvip convert [--keepalived F] [--haproxy F] [--nginx F] [--kube-vip F]`: the vip.yaml on stdout,
// every line that could not be translated on stderr as FILE:LINE: what and why. Exit 0 when something
// was converted, 1 when nothing could be or a file is unreadable (or, never expected, the result would
// not validate), 2 without input.
import { convertFiles, type ConvertInputs } from '../convert/convert.js';
import { formatFinding } from '../convert/findings.js';
import type { CliIo } from './io.js';

export const EXIT_USAGE = 2;

export function runConvert(options: ConvertInputs, io: CliIo): number {
  if (options.keepalived === undefined && options.haproxy === undefined && options.nginx === undefined && options.kubeVip === undefined) {
    io.stderr('tsvip convert: give at least one input: --keepalived FILE, --haproxy FILE, --nginx FILE and/or --kube-vip FILE\n');
    return EXIT_USAGE;
  }
  const outcome = convertFiles(options);
  for (const finding of outcome.findings) io.stderr(`${formatFinding(finding)}\n`);
  if (!outcome.ok) {
    const lead = outcome.reason === 'invalid' ? 'tsvip convert: the converted config does not validate, so it is not printed:\n' : '';
    io.stderr(`${lead}${outcome.errors.map((e) => (outcome.reason === 'invalid' ? `  ${e}` : `tsvip convert: ${e}`)).join('\n')}\n`);
    return 1;
  }
  for (const warning of outcome.warnings) io.stderr(`${warning}\n`);
  io.stdout(outcome.yaml);
  const skipped = outcome.findings.length === 0 ? 'everything was translated' : `${outcome.findings.length} line(s) not translated, listed above`;
  io.stderr(`tsvip convert: ${outcome.instances} VRRP instance(s), ${outcome.loadBalancers} load balancer(s); ${skipped}\n`);
  return 0;
}
