// The test lab's public surface; see lab.ts for what a lab is.
export { createLab } from '../../src/lab/lab.js';
export type { InterfaceOptions, Lab, LabHost, LabOptions } from '../../src/lab/lab.js';
export { useLab } from './use-lab.js';
export type { CommandResult, RunOptions } from '../../src/lab/command.js';
export type { SpawnedProcess, SpawnOptions, ProcessExit } from '../../src/lab/spawned-process.js';
export type { Ipv4Address, Ipv6Address, LinkState, Neighbour } from '../../src/lab/ip-json.js';
export { preflightProblems } from '../../src/lab/preflight.js';
export type { PreflightProbe, ProbeStep } from '../../src/lab/preflight.js';
export { LabCommandError, LabPreflightError, LabTimeoutError, LabUsageError } from '../../src/lab/errors.js';
export { runPrefixEnvVar } from '../../src/lab/run-prefix.js';
