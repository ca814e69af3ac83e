import { retry } from '@octokit/plugin-retry';
import { throttling } from '@octokit/plugin-throttling';
import { Octokit } from '@octokit/rest';
import { PlatformError } from '../../errors.js';
import type { Logger } from '../../log.js';
import { connectionFailure, hostOf } from '../connection.js';

/**
 * Octokit answers a request that never reached GitHub as status 500, which the retry plugin retries 3 times over
 * ~15 s. Nothing listening or a name that does not resolve will not change in 15 s: this hook, registered before the
 * retry plugin's (so it sees the error first), sets that request's retries to 0. A reset connection is still retried.
 */
function failFast(octokit: { hook: Octokit['hook'] }): void {
  octokit.hook.error('request', (error, options) => {
    if (connectionFailure(error)?.permanent) (options.request as { retries?: number }).retries = 0;
    throw error;
  });
}

/** Octokit with retry (5xx, network) and throttling (primary and secondary rate limits) plugins. */
const TidemarkOctokit = Octokit.plugin(failFast, retry, throttling);
export type GitHubClient = InstanceType<typeof TidemarkOctokit>;

/** Waits, made injectable so tests do not sleep for real. */
export interface GitHubTiming {
  /** Milliseconds per second of `retry-after` and of the retry backoff (default 1000; tests pass 1). */
  retryAfterUnitMs?: number;
  /** GitHub asks integrators to space mutating requests ~1 s apart (default true; tests turn it off). */
  spaceWrites?: boolean;
  /** How many times a rate-limited request is retried (default 3). */
  rateLimitRetries?: number;
}

export interface GitHubClientOptions {
  token: string;
  /** GitHub Enterprise: `https://ghe.example.com/api/v3`; null for api.github.com. */
  baseUrl?: string | null;
  logger: Logger;
  fetch?: typeof fetch;
  timing?: GitHubTiming;
}

export const GITHUB_API = 'https://api.github.com';

/** A limiter group that runs every job at once: replaces the 1 s write spacing in tests. */
const unspaced = { key: () => ({ schedule: (_opts: unknown, job: () => unknown) => job() }) };

export function createGitHubClient(opts: GitHubClientOptions): GitHubClient {
  const unit = opts.timing?.retryAfterUnitMs ?? 1000;
  const maxRetries = opts.timing?.rateLimitRetries ?? 3;
  const { logger } = opts;
  const onLimit =
    (kind: string) =>
    (retryAfter: number, options: { method: string; url: string }, _octokit: unknown, retryCount: number): boolean => {
      const willRetry = retryCount < maxRetries;
      logger.warn(`GitHub ${kind} rate limit hit`, { method: options.method, url: options.url, retryAfter, willRetry });
      return willRetry;
    };
  const spacing = opts.timing?.spaceWrites === false ? { write: unspaced, notifications: unspaced } : {};
  return new TidemarkOctokit({
    auth: opts.token,
    baseUrl: (opts.baseUrl ?? GITHUB_API).replace(/\/+$/, ''),
    userAgent: 'tidemark',
    request: opts.fetch ? { fetch: opts.fetch } : {},
    // 409 (conflict, empty repo) will not change by asking again; 429 and 5xx are retried.
    retry: { retryAfterBaseValue: unit, doNotRetry: [400, 401, 403, 404, 409, 410, 422, 451] },
    throttle: {
      retryAfterBaseValue: unit,
      onRateLimit: onLimit('primary'),
      onSecondaryRateLimit: onLimit('secondary'),
      ...(spacing as object),
    },
    log: {
      debug: () => {},
      info: () => {},
      warn: (msg: string) => logger.warn('GitHub client warning', { detail: msg }),
      error: logFailedRequest(logger),
    },
  });
}

/**
 * Octokit logs every failed request, `GET /repos/o/r/git/ref/heads%2Fx - 404 with id AB12 in 80ms`. Most are
 * answers the platform code expects and reads (branch not there yet, ref to create, PR that exists), and a real
 * failure reaches the caller as a PlatformError that gets logged there: debug, so Actions logs stay clean.
 * A server error is worth a warning, since it is retried and explains a slow run.
 */
function logFailedRequest(logger: Logger): (msg: string) => void {
  return (msg) => {
    const m = / - (?<status>\d{3}) with id (?<id>\S+)/.exec(msg)?.groups;
    const status = Number(m?.status ?? NaN);
    // Octokit's 500 without GitHub's request id: the request got no answer at all (refused, reset, no DNS).
    if (status === 500 && m?.id === 'UNKNOWN') logger.warn('GitHub request got no answer', { detail: msg.replace(/ - 500 with id UNKNOWN/, ' - no answer') });
    else if (status >= 500) logger.warn('GitHub server error', { detail: msg });
    else logger.debug('GitHub request failed', { detail: msg });
  };
}

interface OctokitErrorLike {
  status: number;
  message: string;
  response?: { data?: unknown; headers?: Record<string, string | undefined> };
}

function isOctokitError(err: unknown): err is OctokitErrorLike {
  return err instanceof Error && typeof (err as { status?: unknown }).status === 'number';
}

/** `{"message":"Validation Failed","errors":[{"message":"A pull request already exists for o:b."}]}` → both texts. */
export function githubErrorText(err: unknown): string {
  if (!isOctokitError(err)) return err instanceof Error ? err.message : String(err);
  const data = err.response?.data as { message?: string; errors?: unknown[] } | undefined;
  const parts = [data?.message ?? err.message];
  for (const e of data?.errors ?? []) {
    if (typeof e === 'string') parts.push(e);
    else if (e && typeof e === 'object') {
      const o = e as { message?: string; code?: string; field?: string; resource?: string };
      parts.push(o.message ?? [o.resource, o.field, o.code].filter(Boolean).join(' '));
    }
  }
  return parts.filter((p) => p !== '').join(': ');
}

/** The HTTP status GitHub answered with; null when no answer came (Octokit's 500 for a failed connection is not one). */
export function githubStatus(err: unknown): number | null {
  if (!isOctokitError(err) || connectionFailure(err) !== null) return null;
  return err.status;
}

const HINTS: Record<number, string> = {
  401: 'bad credentials: check the token',
  403: 'forbidden: the token lacks a permission or scope',
  404: 'not found, or the token cannot see it',
  409: 'conflict: the repository is empty or the ref moved',
  410: 'gone: issues are disabled for this repository',
  422: 'rejected as invalid',
};

/** Any failure of `what` as a PlatformError with the HTTP status and the API's own words. */
export function toPlatformError(what: string, err: unknown): PlatformError {
  if (err instanceof PlatformError) return err;
  const failure = connectionFailure(err);
  if (failure) {
    const url = (err as { request?: { url?: string } }).request?.url ?? GITHUB_API;
    return new PlatformError(`GitHub: ${what}: could not connect to ${hostOf(url)}: ${failure.code}`, { platform: 'github', status: null, cause: err });
  }
  const status = githubStatus(err);
  const hint = status !== null ? HINTS[status] : undefined;
  const head = status !== null ? `${status}${hint ? ` ${hint}` : ''}` : 'request failed';
  return new PlatformError(`GitHub: ${what}: ${head} (${githubErrorText(err)})`, {
    platform: 'github',
    status,
    cause: err,
  });
}

/** Runs one API call and turns its failure into a PlatformError. */
export async function gh<T>(what: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (err) {
    throw toPlatformError(what, err);
  }
}
