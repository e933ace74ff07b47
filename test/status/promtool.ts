// `promtool check metrics`, Prometheus's own judge of the exposition format (Debian's prometheus
// package): it reads the metrics on stdin and prints every problem, exiting non-zero.
import { requireTool, runWithInput } from '../lab/system-tools.js';

export async function promtoolCheckMetrics(text: string): Promise<{ code: number | null; problems: string }> {
  const result = await runWithInput([requireTool('promtool', 'prometheus'), 'check', 'metrics'], text);
  return { code: result.code, problems: `${result.stdout}${result.stderr}` };
}
