// Before building anything, check that this machine can host a lab, and say exactly what is
// missing when it cannot. The lab never skips: a test that needs a network and silently does not
// run is a test that passes without checking anything.
import { randomBytes } from 'node:crypto';
import { runCommand } from './command.js';
import { LabPreflightError } from './errors.js';

/** One step of the probe; later steps are skipped when an earlier one makes them meaningless. */
export type ProbeStep = { readonly outcome: 'ok' } | { readonly outcome: 'failed'; readonly stderr: string } | { readonly outcome: 'skipped' };

/** What the probe saw; plain data, so the message it leads to is tested without dropping root. */
export interface PreflightProbe {
  /** Null where the platform has no uids (Windows). */
  readonly uid: number | null;
  /** `ip -V`: fails with exit 127 when iproute2 is not installed. */
  readonly ipTool: ProbeStep;
  /**
   * `bridge -V`: iproute2's other tool, which Lab.bridgeGroups() runs; checked here so that a build
   * that ships `ip` alone fails before a lab is made, not in the middle of a test.
   */
  readonly bridgeTool: ProbeStep;
  /** `ip netns add` then `ip netns del` of a probe name. */
  readonly netns: ProbeStep;
  readonly bridge: ProbeStep;
  readonly veth: ProbeStep;
}

/** Every reason the probe gives not to build a lab; empty when the lab can be built. */
export function preflightProblems(probe: PreflightProbe): string[] {
  const problems: string[] = [];
  const asUid = probe.uid === null ? 'an unknown uid' : `uid ${probe.uid}`;
  if (probe.ipTool.outcome === 'failed') {
    problems.push(`lab: needs the \`ip\` command (Debian package iproute2) on PATH: ${firstLine(probe.ipTool.stderr)}`);
  }
  if (probe.bridgeTool.outcome === 'failed') {
    problems.push(`lab: needs the \`bridge\` command (Debian package iproute2) on PATH: ${firstLine(probe.bridgeTool.stderr)}`);
  }
  if (probe.netns.outcome === 'failed') {
    problems.push(
      probe.uid === 0
        ? `lab: needs network namespace support; \`ip netns add\` failed even as root (a container needs CAP_SYS_ADMIN, e.g. --privileged): ${firstLine(probe.netns.stderr)}`
        : `lab: needs root (CAP_SYS_ADMIN) to create network namespaces; running as ${asUid}: ${firstLine(probe.netns.stderr)}`,
    );
  }
  if (probe.bridge.outcome === 'failed') {
    problems.push(`lab: needs Linux bridge support (kernel module "bridge"); \`ip link add type bridge\` failed: ${firstLine(probe.bridge.stderr)}`);
  }
  if (probe.veth.outcome === 'failed') {
    problems.push(`lab: needs veth support (kernel module "veth"); \`ip link add type veth\` failed: ${firstLine(probe.veth.stderr)}`);
  }
  return problems;
}

/** Probes the machine, using a throwaway namespace named under `prefix` (so leftovers are found). */
export async function probeMachine(prefix: string): Promise<PreflightProbe> {
  const uid = typeof process.getuid === 'function' ? process.getuid() : null;
  const skipped: ProbeStep = { outcome: 'skipped' };
  const ipTool = await step(['ip', '-V']);
  const bridgeTool = await step(['bridge', '-V']);
  if (ipTool.outcome !== 'ok') return { uid, ipTool, bridgeTool, netns: skipped, bridge: skipped, veth: skipped };

  const probeNetns = `${prefix}-probe-${randomBytes(2).toString('hex')}`;
  const netns = await step(['ip', 'netns', 'add', probeNetns]);
  if (netns.outcome !== 'ok') return { uid, ipTool, bridgeTool, netns, bridge: skipped, veth: skipped };
  try {
    const bridge = await step(['ip', '-n', probeNetns, 'link', 'add', 'probe-br', 'type', 'bridge']);
    const veth = await step(['ip', '-n', probeNetns, 'link', 'add', 'probe-a', 'type', 'veth', 'peer', 'name', 'probe-b']);
    return { uid, ipTool, bridgeTool, netns, bridge, veth };
  } finally {
    await runCommand(['ip', 'netns', 'del', probeNetns]);
  }
}

/** Throws LabPreflightError listing every problem; resolves when a lab can be built. */
export async function assertMachineCanHostLab(prefix: string): Promise<void> {
  const problems = preflightProblems(await probeMachine(prefix));
  if (problems.length > 0) throw new LabPreflightError(problems);
}

async function step(argv: readonly string[]): Promise<ProbeStep> {
  const result = await runCommand(argv, { timeoutMs: 10_000 });
  return result.code === 0 ? { outcome: 'ok' } : { outcome: 'failed', stderr: result.stderr || `exit ${result.code ?? 'on a signal'}` };
}

function firstLine(text: string): string {
  return text.trim().split('\n')[0] ?? '';
}
