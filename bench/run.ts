// `npm run bench -- NAME [options]`: runs one benchmark and writes its section of docs/benchmarks.md.
//   failover   VRRP failover, keepalived vs tsvip (options in bench/failover.ts)
//   lb         the load balancer, haproxy vs tsvip (options in bench/lb.ts)
//   syscalls   system calls per proxied connection, haproxy vs tsvip (options in bench/syscalls.ts)
//   footprint  start time and memory, keepalived vs both tsvip install forms (options in bench/footprint.ts)
// Ctrl-C: the signal becomes process.exit(), whose 'exit' handlers kill the lab's processes, delete
// its namespaces (src/lab/teardown.ts) and remove the benchmark's temporary files.
import { runFailoverBenchmark } from './failover.js';
import { runFootprintBenchmark } from './footprint.js';
import { runLbBenchmark } from './lb.js';
import { runSyscallsBenchmark } from './syscalls.js';

const benchmarks: Readonly<Record<string, (args: readonly string[]) => Promise<number>>> = {
  failover: runFailoverBenchmark,
  lb: runLbBenchmark,
  footprint: runFootprintBenchmark,
  syscalls: runSyscallsBenchmark,
};

const usage = `usage: npm run bench -- NAME [options]\n  NAME: ${Object.keys(benchmarks).join(', ')}\n`;

for (const [signal, code] of [['SIGINT', 130], ['SIGTERM', 143]] as const) {
  process.on(signal, () => {
    process.stderr.write(`\nbench: ${signal}, tearing the lab down\n`);
    process.exit(code);
  });
}

const [name, ...args] = process.argv.slice(2);
const benchmark = name === undefined ? undefined : benchmarks[name];
if (benchmark === undefined) {
  process.stderr.write(name === undefined || name === '--help' ? usage : `bench: unknown benchmark "${name}"\n${usage}`);
  process.exitCode = name === '--help' ? 0 : 2;
} else {
  process.exitCode = await benchmark(args);
}
