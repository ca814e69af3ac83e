import type { Command } from 'commander';
import { registerRunAll } from './run-all.js';

/** Registers one subcommand. `setExit` raises the process exit code (never lowers it). */
export type RegisterCommand = (program: Command, setExit: (code: number) => void) => void;

/** Every subcommand, in help order. Each lives in its own file beside this one. */
export const commands: RegisterCommand[] = [registerRunAll];
