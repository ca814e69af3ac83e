import { type Command, Option } from 'commander';
import { UsageError } from '../errors.js';
import { createLogger, type Logger, type LogLevel } from '../log.js';
import { hostRuleSecrets, loadHostRules, type HostRule } from '../lookup/host-rules.js';
import { resolveToken } from '../publish/token.js';
import type { PlatformKind } from '../publish/types.js';
import { createProgress, type Progress, type ProgressStream } from './progress.js';

/**
 * `plan`, `versions` and `report` have no platform: the token a `platformToken: true` host rule binds is read as for
 * GitHub (publish/token.ts: `TIDEMARK_TOKEN`, `GITHUB_TOKEN`, `GH_TOKEN`). Without such a rule it goes nowhere.
 */
export function lookupPlatformToken(env: NodeJS.ProcessEnv): string | null {
  return resolveToken(env, 'github')?.value ?? null;
}

/**
 * The host rules of a lookup-only command (`plan`, `versions`, `report`) and a logger, as `--log-level`/`--log-format`
 * ask, that masks every secret they or the token hold.
 */
export async function lookupCommandIo(
  hostRulesFlag: string | undefined,
  env: NodeJS.ProcessEnv,
  log: LogFlags = {},
): Promise<{ logger: Logger; hostRules: HostRule[]; secrets: string[] }> {
  const hostRules = await loadHostRules(hostRulesFlag, env);
  const token = lookupPlatformToken(env);
  const secrets = [...(token ? [token] : []), ...hostRuleSecrets(hostRules, env)];
  return { logger: commandLogger(log, { secrets }), hostRules, secrets };
}

/** `--log-level` and `--log-format`, as every command takes them. */
export interface LogFlags {
  logLevel?: string;
  logFormat?: string;
}

/**
 * Adds `--log-level` and `--log-format` to a command, each read from `TIDEMARK_LOG_LEVEL`/`TIDEMARK_LOG_FORMAT` when
 * not given. `defaultLevel`: `warn` for the commands people read the output of (`scan`, `plan`, `versions`, `report`),
 * `info` for the ones that act (`run`, `run-all`).
 */
export function addLogOptions(command: Command, defaultLevel: LogLevel): Command {
  return command
    .addOption(new Option('--log-level <level>', 'debug, info, warn or error').env('TIDEMARK_LOG_LEVEL').default(defaultLevel))
    .addOption(new Option('--log-format <format>', 'auto (JSON unless stderr is a terminal), text or json').env('TIDEMARK_LOG_FORMAT').default('auto'));
}

/** The logger a command's log flags ask for, on stderr unless `write` is given; `auto` is JSON off a terminal. */
export function commandLogger(
  flags: LogFlags,
  opts: { secrets?: readonly string[]; isTTY?: boolean; write?: (line: string) => void; defaultLevel?: LogLevel } = {},
): Logger {
  const isTTY = opts.isTTY ?? Boolean(process.stderr.isTTY);
  return createLogger({
    level: logLevel(flags.logLevel ?? opts.defaultLevel ?? 'warn'),
    format: logFormat(flags.logFormat ?? 'auto', isTTY),
    secrets: opts.secrets ?? [],
    ...(opts.write && { write: opts.write }),
  });
}

export function parsePlatform(text: string): PlatformKind {
  if (text === 'github' || text === 'gitlab' || text === 'git') return text;
  throw new UsageError(`--platform "${text}": expected github, gitlab or git`);
}

/** `auto`: JSON when stderr is not a terminal (a container's log collector), text for a human. */
export function logFormat(text: string, isTTY: boolean): 'text' | 'json' {
  if (text === 'auto') return isTTY ? 'text' : 'json';
  if (text === 'text' || text === 'json') return text;
  throw new UsageError(`--log-format "${text}": expected auto, text or json`);
}

export function logLevel(text: string): LogLevel {
  if (text === 'debug' || text === 'info' || text === 'warn' || text === 'error') return text;
  throw new UsageError(`--log-level "${text}": expected debug, info, warn or error`);
}

export function positiveInt(text: string, flag: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1) throw new UsageError(`${flag} "${text}": expected a whole number of at least 1`);
  return n;
}

/**
 * The progress display of `plan` and `run` on stderr: only on a terminal, and only when what is written is for people
 * (no `--json`, text logs); otherwise nothing, so output off a terminal is unchanged.
 */
export function terminalProgress(flags: LogFlags & { json?: boolean }, secrets: readonly string[], stream: ProgressStream = process.stderr): Progress {
  const isTTY = Boolean(stream.isTTY);
  return createProgress({ stream, forPeople: !flags.json && logFormat(flags.logFormat ?? 'auto', isTTY) === 'text', secrets });
}
