import { UsageError } from '../errors.js';
import type { PlatformKind } from './types.js';

/** An environment variable a platform token is read from. */
export type TokenVariable = 'TIDEMARK_TOKEN' | 'GITHUB_TOKEN' | 'GH_TOKEN' | 'GITLAB_TOKEN' | 'CI_JOB_TOKEN';

/**
 * Where every command (`run`, `run-all`, the container, the Action's fallback) looks for the platform token, first
 * set wins. `TIDEMARK_TOKEN` first, so one variable works everywhere; then the names each platform's own tools use
 * (`gh` reads `GH_TOKEN`, GitLab CI sets `CI_JOB_TOKEN`). Plain git pushes with git's own credentials: only
 * `TIDEMARK_TOKEN`, and only for a `platformToken` host rule. `plan`, `versions` and `report` read GitHub's list.
 */
export const TOKEN_VARIABLES: Readonly<Record<PlatformKind, readonly TokenVariable[]>> = {
  github: ['TIDEMARK_TOKEN', 'GITHUB_TOKEN', 'GH_TOKEN'],
  gitlab: ['TIDEMARK_TOKEN', 'GITLAB_TOKEN', 'CI_JOB_TOKEN'],
  git: ['TIDEMARK_TOKEN'],
};

/** A token and the variable it came from. */
export interface PlatformToken {
  value: string;
  variable: TokenVariable;
}

/** The platform token from the environment, in the order of TOKEN_VARIABLES; null when none is set. */
export function resolveToken(env: NodeJS.ProcessEnv, platform: PlatformKind): PlatformToken | null {
  for (const variable of TOKEN_VARIABLES[platform]) {
    const value = env[variable]?.trim();
    if (value) return { value, variable };
  }
  return null;
}

/**
 * GitLab's CI job token is not a personal or project access token: the API takes it in a `JOB-TOKEN` header, git over
 * HTTPS as the password of user `gitlab-ci-token`, and it reaches only a few API endpoints (it can clone and read,
 * not commit or open merge requests).
 */
export function isJobToken(token: PlatformToken | null | undefined): boolean {
  return token?.variable === 'CI_JOB_TOKEN';
}

/** `--platform github needs a token: set TIDEMARK_TOKEN, GITHUB_TOKEN or GH_TOKEN (read in that order)`: every variable read. */
export function missingTokenMessage(platform: PlatformKind, who = `--platform ${platform}`): string {
  const names = TOKEN_VARIABLES[platform];
  const list = names.length === 1 ? names[0]! : `${names.slice(0, -1).join(', ')} or ${names.at(-1)!}`;
  return `${who} needs a token: set ${list} (read in that order)`;
}

export function requireToken(token: PlatformToken | null, platform: PlatformKind, who?: string): PlatformToken {
  if (!token) throw new UsageError(missingTokenMessage(platform, who));
  return token;
}
