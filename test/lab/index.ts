// The test lab's public surface; see lab.ts for what a lab is.
export { createLab } from './lab.js';
export type { InterfaceOptions, Lab, LabHost, LabOptions } from './lab.js';
export { useLab } from './use-lab.js';
export type { CommandResult, RunOptions } from './command.js';
export type { SpawnedProcess, SpawnOptions, ProcessExit } from './spawned-process.js';
export type { Ipv4Address, LinkState, Neighbour } from './ip-json.js';
export { preflightProblems } from './preflight.js';
export type { PreflightProbe, ProbeStep } from './preflight.js';
export { LabCommandError, LabPreflightError, LabUsageError } from './errors.js';
export { runPrefixEnvVar } from './run-prefix.js';
