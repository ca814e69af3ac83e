import { UsageError } from '../errors.js';
import { createLogger, type Logger, type LogLevel } from '../log.js';
import { hostRuleSecrets, loadHostRules, type HostRule } from '../lookup/host-rules.js';
import { resolveToken } from '../publish/token.js';
import type { PlatformKind } from '../publish/types.js';

/**
 * `plan`, `versions` and `report` have no platform: the token a `platformToken: true` host rule binds is read as for
 * GitHub (publish/token.ts: `TIDEMARK_TOKEN`, `GITHUB_TOKEN`, `GH_TOKEN`). Without such a rule it goes nowhere.
 */
export function lookupPlatformToken(env: NodeJS.ProcessEnv): string | null {
  return resolveToken(env, 'github')?.value ?? null;
}

/** The host rules of a lookup-only command (`plan`, `versions`, `report`) and a logger that masks every secret they or the token hold. */
export async function lookupCommandIo(hostRulesFlag: string | undefined, env: NodeJS.ProcessEnv): Promise<{ logger: Logger; hostRules: HostRule[] }> {
  const hostRules = await loadHostRules(hostRulesFlag, env);
  const token = lookupPlatformToken(env);
  const logger = createLogger({ level: 'warn', secrets: [...(token ? [token] : []), ...hostRuleSecrets(hostRules, env)] });
  return { logger, hostRules };
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
