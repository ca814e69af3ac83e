import type { Command } from 'commander';
import { registerPlan } from './plan.js';
import { registerReport } from './report.js';
import { registerRun } from './run.js';
import { registerRunAll } from './run-all.js';
import { registerScan } from './scan.js';
import { registerVersions } from './versions.js';

/** Registers one subcommand. `setExit` raises the process exit code (never lowers it). */
export type RegisterCommand = (program: Command, setExit: (code: number) => void) => void;

/** Every subcommand, in help order. Each lives in its own file beside this one. */
export const commands: RegisterCommand[] = [registerRun, registerRunAll, registerVersions, registerScan, registerPlan, registerReport];
