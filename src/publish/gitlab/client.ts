import { Gitlab } from '@gitbeaker/rest';
import { PlatformError } from '../../errors.js';
import type { Logger } from '../../log.js';
import { connectionFailure } from '../connection.js';

export type GitLabClient = InstanceType<typeof Gitlab<false>>;

/** Waits, made injectable so tests do not sleep for real. */
export interface GitLabTiming {
  /** Milliseconds per second of `Retry-After` and of the retry backoff (default 1000; tests pass 1). */
  retryAfterUnitMs?: number;
  /** Retries of a 5xx answer or of a rate limit Gitbeaker gave up on (default 3). */
  retries?: number;
  /** How often to look for a new MR's pipeline before setting automerge, 2 s, 4 s, … apart (default 5). */
  pipelineWaits?: number;
}

export const GITLAB_HOST = 'https://gitlab.com';

/**
 * A job token (`CI_JOB_TOKEN`) goes in GitLab's `JOB-TOKEN` header; any other token in `PRIVATE-TOKEN`; either only to
 * the GitLab host's own origin (tokenOnlyTo).
 */
export function createGitLabClient(token: string, host: string | null | undefined, jobToken = false): GitLabClient {
  const base = (host ?? GITLAB_HOST).replace(/\/+$/, '');
  const agent = tokenOnlyTo(new URL(base).origin);
  return jobToken ? new Gitlab({ host: base, jobToken: token, agent } as never) : new Gitlab({ host: base, token, agent } as never);
}

/** The part of an undici dispatcher fetch uses: one `dispatch` per request, redirects included. */
interface Dispatch {
  dispatch(opts: { origin?: string | URL; headers?: unknown }, handler: unknown): boolean;
}

const TOKEN_HEADERS = new Set(['private-token', 'job-token', 'authorization']);

/**
 * fetch follows a redirect to another origin with every header but `Authorization`, so GitLab's `PRIVATE-TOKEN` or
 * `JOB-TOKEN` would go wherever the API redirected (object storage, another host). Gitbeaker lets us pass the
 * dispatcher its fetch uses: this one drops the token headers on any request to another origin and hands every
 * request to the process's dispatcher (the operator's proxy, when one is set).
 */
export function tokenOnlyTo(origin: string): Dispatch {
  return {
    dispatch(opts, handler) {
      const inner = (globalThis as Record<symbol, Dispatch | undefined>)[Symbol.for('undici.globalDispatcher.1')];
      if (!inner) throw new Error('no HTTP dispatcher');
      const to = opts.origin ? new URL(String(opts.origin)).origin : null;
      return inner.dispatch(to === origin ? opts : { ...opts, headers: withoutTokens(opts.headers) }, handler);
    },
  };
}

/** Headers as undici passes them to a dispatcher: a flat `[name, value, …]` array or an object. */
function withoutTokens(headers: unknown): unknown {
  if (Array.isArray(headers)) {
    const out: unknown[] = [];
    for (let i = 0; i + 1 < headers.length; i += 2) if (!TOKEN_HEADERS.has(String(headers[i]).toLowerCase())) out.push(headers[i], headers[i + 1]);
    return out;
  }
  if (headers && typeof headers === 'object') {
    return Object.fromEntries(Object.entries(headers).filter(([k]) => !TOKEN_HEADERS.has(k.toLowerCase())));
  }
  return headers;
}

interface GitbeakerErrorLike {
  name: string;
  message: string;
  cause?: { description?: string; response?: { status?: number; headers?: Headers } };
}

function asGitbeakerError(err: unknown): GitbeakerErrorLike | null {
  return err instanceof Error && err.name.startsWith('Gitbeaker') ? (err as GitbeakerErrorLike) : null;
}

export function gitlabStatus(err: unknown): number | null {
  return asGitbeakerError(err)?.cause?.response?.status ?? null;
}

/** GitLab error bodies: `{"message":"404 Branch Not Found"}`, `{"message":["Another open merge request…"]}`, `{"error":"…"}`. */
export function gitlabErrorText(err: unknown): string {
  const e = asGitbeakerError(err);
  if (!e) return err instanceof Error ? err.message : String(err);
  const text = e.cause?.description ?? e.message;
  // `["Another open merge request already exists for this source branch: !5"]` → the sentence itself
  if (text.startsWith('[')) {
    try {
      const list = JSON.parse(text) as unknown;
      if (Array.isArray(list)) return list.map(String).join('; ');
    } catch {
      return text;
    }
  }
  return text;
}

const HINTS: Record<number, string> = {
  401: 'unauthorized: check the token',
  403: 'forbidden: the token lacks a scope or role',
  404: 'not found, or the token cannot see it',
  409: 'conflict',
  422: 'rejected as invalid',
};

/**
 * Any failure of `what` as a PlatformError. The cause keeps status and GitLab's words but not Gitbeaker's
 * request object, whose headers carry the PRIVATE-TOKEN.
 */
export function toPlatformError(what: string, err: unknown, host: string = new URL(GITLAB_HOST).host): PlatformError {
  if (err instanceof PlatformError) return err;
  const failure = connectionFailure(err);
  if (failure) {
    // Node's `TypeError: fetch failed` and its socket error, without Gitbeaker's request (its headers hold the token).
    const cause = new Error(`${failure.code}: ${describe(err)}`);
    return new PlatformError(`GitLab: ${what}: could not connect to ${host}: ${failure.code}`, { platform: 'gitlab', status: null, cause });
  }
  const status = gitlabStatus(err);
  const hint = status !== null ? HINTS[status] : undefined;
  const head = status !== null ? `${status}${hint ? ` ${hint}` : ''}` : 'request failed';
  const text = gitlabErrorText(err);
  const cause = new Error(text);
  cause.name = err instanceof Error ? err.name : 'Error';
  return new PlatformError(`GitLab: ${what}: ${head} (${text})`, { platform: 'gitlab', status, cause });
}

/** The innermost message of a cause chain: `connect ECONNREFUSED 127.0.0.1:443`. */
function describe(err: unknown): string {
  let at = err;
  for (let depth = 0; depth < 4 && at instanceof Error && at.cause instanceof Error; depth++) at = at.cause;
  return at instanceof Error ? at.message : String(at);
}

const TRANSIENT = new Set([500, 502, 503, 504]);

/** Seconds to wait: the server's `Retry-After` when it sent one, else 1, 4, 9… */
function waitSeconds(err: unknown, attempt: number): number {
  // GitLab.com's rate limits are per minute; Gitbeaker keeps no response for us to read Retry-After from.
  if (asGitbeakerError(err)?.name === 'GitbeakerRetryError') return 60;
  const header = asGitbeakerError(err)?.cause?.response?.headers?.get?.('retry-after');
  const told = header ? Number(header) : NaN;
  return Number.isFinite(told) && told >= 0 ? told : (attempt + 1) ** 2;
}

function isTransient(err: unknown): boolean {
  // A reset or timed-out connection may work a moment later; nothing listening or an unknown name will not.
  const failure = connectionFailure(err);
  if (failure) return !failure.permanent;
  const e = asGitbeakerError(err);
  if (!e) return false;
  // Gitbeaker itself retries 429 and 502 without honouring Retry-After, then gives up with this error.
  if (e.name === 'GitbeakerRetryError') return true;
  const status = gitlabStatus(err);
  return status !== null && TRANSIENT.has(status);
}

/** Runs one API call, retrying transient failures, and turns a final failure into a PlatformError. */
export async function callGitLab<T>(
  what: string,
  call: () => Promise<T>,
  ctx: { logger: Logger; timing?: GitLabTiming; host?: string },
): Promise<T> {
  const unit = ctx.timing?.retryAfterUnitMs ?? 1000;
  const retries = ctx.timing?.retries ?? 3;
  for (let attempt = 0; ; attempt++) {
    try {
      return await call();
    } catch (err) {
      if (attempt >= retries || !isTransient(err)) throw toPlatformError(what, err, ctx.host);
      const seconds = waitSeconds(err, attempt);
      ctx.logger.warn('GitLab request failed, retrying', { what, status: gitlabStatus(err), retryAfter: seconds });
      await new Promise((resolve) => setTimeout(resolve, seconds * unit));
    }
  }
}
