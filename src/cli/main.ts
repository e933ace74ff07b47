// The `tsvip` command line. Only commands that work are registered: no stubs.
// Exit codes: 0 ok, 1 invalid config or failed command, 2 usage error.
// Each command's code is imported when it runs: `tsvip version` loads no config parser, `check` no
// data path, metrics or lab (test/cli/lazy-commands.test.ts holds it to that).
import { Argument, Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import type { LevelWithSilent } from 'pino';
import { VERSION } from '../version.js';
import { DEFAULT_STATUS_URL, LOG_LEVELS, MANIFEST_KINDS } from './options.js';
import type { ManifestOptions } from './manifest.js';
import { processIo, type CliIo } from './io.js';

const EXIT_USAGE = 2;

function buildProgram(io: CliIo, setExitCode: (code: number) => void): Command {
  const program = new Command('tsvip')
    .description('One highly available address for a Kubernetes control plane: VRRP, VIP and TCP load balancer')
    .version(VERSION, '-V, --version')
    .exitOverride()
    .showHelpAfterError('(run tsvip --help for usage)')
    .configureOutput({ writeOut: io.stdout, writeErr: io.stderr });

  program
    .command('version')
    .description('print the version')
    .action(() => {
      io.stdout(`tsvip ${VERSION}\n`);
    });

  program
    .command('check')
    .description('validate a vip.yaml: a summary and exit 0, or every error as FILE:LINE:COL key.path: message and exit 1')
    .requiredOption('-c, --config <file>', 'the vip.yaml to check')
    .option('--json', 'print the normalized config, defaults applied, as JSON; when invalid, {"ok": false, "errors": [...]}', false)
    .action(async (options: { config: string; json: boolean }) => {
      const { runCheck } = await import('./check.js');
      setExitCode(await runCheck(options, io));
    });

  program
    .command('start')
    .description('run the daemon in the foreground (JSON logs on stdout); SIGTERM gives the VIP up, SIGHUP reloads')
    .requiredOption('-c, --config <file>', 'the vip.yaml to run')
    .addOption(new Option('--log-level <level>', 'log level').choices(LOG_LEVELS).default('info'))
    .option('--pretty', 'readable log lines instead of JSON', false)
    .action(async (options: { config: string; logLevel: LevelWithSilent; pretty: boolean }) => {
      const { runStart } = await import('./start.js');
      setExitCode(await runStart(options, io));
    });

  program
    .command('status')
    .description('ask a running tsvip for its instances and backends')
    .option('--url <url>', `its status.listen address (default ${DEFAULT_STATUS_URL}); credentials for status.auth go in it: http://USER:PASSWORD@HOST:PORT`)
    .option('-c, --config <file>', "instead of --url: the daemon's vip.yaml, for status.listen and status.auth")
    .option('--json', 'print /status as JSON', false)
    .action(async (options: { url?: string; config?: string; json: boolean }) => {
      const { runStatus } = await import('./status.js');
      setExitCode(await runStatus(options, io));
    });

  program
    .command('manifest')
    .description('print a static pod manifest (pod) or a systemd unit (systemd) that runs tsvip with this vip.yaml')
    .addArgument(new Argument('<kind>', 'what to print').choices(MANIFEST_KINDS))
    .requiredOption('-c, --config <file>', 'the vip.yaml to run (checked first)')
    .option('--image <image>', 'pod: the container image (default ghcr.io/tsvip/tsvip:VERSION)')
    .option('--host-config <path>', 'where vip.yaml is on the host that runs tsvip (default: the absolute path of -c)')
    .option('--exec <path>', "systemd: the tsvip program ExecStart runs (default: this installation's bin/tsvip)")
    .action(async (kind: ManifestOptions['kind'], options: Omit<ManifestOptions, 'kind'>) => {
      const { runManifest } = await import('./manifest.js');
      setExitCode(await runManifest({ kind, ...options }, io));
    });

  program
    .command('convert')
    .description('print a commented vip.yaml equivalent to keepalived.conf, haproxy.cfg, nginx.conf and/or kube-vip settings; what cannot be translated goes to stderr as FILE:LINE')
    .option('--keepalived <file>', 'a keepalived.conf (its includes are followed)')
    .option('--haproxy <file>', 'a haproxy.cfg')
    .option('--nginx <file>', 'an nginx.conf with a stream block (its includes are followed)')
    .option('--kube-vip <file>', "kube-vip's static pod manifest (or DaemonSet), or its older config.yaml")
    .action(async (options: { keepalived?: string; haproxy?: string; nginx?: string; kubeVip?: string }) => {
      const { runConvert } = await import('./convert.js');
      setExitCode(runConvert(options, io));
    });

  program
    .command('demo')
    .description('three simulated control-plane hosts in network namespaces on this machine: kill the master, watch the takeover (needs root)')
    .option('--plain', 'print the story line by line instead of a live screen', false)
    .option('--hold <ms>', 'how long each calm phase is shown', (value) => {
      const ms = Number(value);
      if (!Number.isInteger(ms) || ms < 0) throw new InvalidArgumentError('must be a whole number of milliseconds');
      return ms;
    }, 3000)
    .option('--ipv6', 'dual-stack: each host also runs an IPv6 instance with an IPv6 VIP beside the IPv4 one', false)
    .action(async (options: { plain: boolean; hold: number; ipv6: boolean }) => {
      const { runDemoCommand } = await import('./demo.js');
      setExitCode(await runDemoCommand({ plain: options.plain, holdMs: options.hold, ipv6: options.ipv6 }, io, process.stdout.isTTY));
    });

  for (const command of program.commands) command.exitOverride().configureOutput({ writeOut: io.stdout, writeErr: io.stderr });
  return program;
}

export async function main(argv: readonly string[], io: CliIo = processIo): Promise<number> {
  let exitCode = 0;
  const program = buildProgram(io, (code) => {
    exitCode = code;
  });
  try {
    await program.parseAsync([...argv]);
    return exitCode;
  } catch (error) {
    if (error instanceof CommanderError) {
      const informational = ['commander.helpDisplayed', 'commander.version'].includes(error.code);
      return informational ? 0 : EXIT_USAGE;
    }
    io.stderr(`tsvip: ${error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  }
}
