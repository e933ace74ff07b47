// The single executable's main script (bundled as CommonJS by scripts/package.mjs, which has no
// top-level await). The lab (tsvip demo) runs its helper programs as this executable with PROBE_FLAG
// and a probe's name (src/lab/probe-program.ts): that probe runs instead of the command line, with the
// arguments after its name, as `node probe.js ARGS` would give them.
import { main } from '../cli/main.js';
import { PROBE_FLAG, type ProbeName } from '../lab/probe-program.js';

const probes: Readonly<Record<ProbeName, () => Promise<unknown>>> = {
  apiserver: () => import('../lab/probes/apiserver.js'),
  'tcp-listener': () => import('../lab/probes/tcp-listener.js'),
  'tcp-prober': () => import('../lab/probes/tcp-prober.js'),
  'https-prober': () => import('../lab/probes/https-prober.js'),
};

if (process.argv[2] === PROBE_FLAG) {
  const name = process.argv[3] as ProbeName;
  const probe = Object.hasOwn(probes, name) ? probes[name] : undefined;
  if (probe === undefined) {
    process.stderr.write(`tsvip: ${PROBE_FLAG} ${String(name)}: no such lab probe\n`);
    process.exitCode = 2;
  } else {
    process.argv.splice(2, 2);
    void probe();
  }
} else {
  void main(process.argv).then((code) => {
    process.exitCode = code;
  });
}
