import { getMaxListeners, setMaxListeners } from 'node:events';
import pLimit, { type LimitFunction } from 'p-limit';
import { RegistryError } from '../errors.js';
import type { Logger } from '../log.js';
import { canonicalHost } from './host-rules.js';
import type { SharedRateLimits } from './redis-store.js';
import { ByteBudget, HostBreakers, linkedController, onThisMachine, readBody, readBodyBytes, untilAborted } from './http-guards.js';

export interface HttpRequest {
  url: string;
  method?: 'GET' | 'HEAD';
  headers?: Record<string, string>;
  /** `Authorization` value; sent to the request's own host only, never to a host a redirect leads to. */
  authorization?: string | null;
  /** Statuses handed back at once instead of retried: a 429 from Docker Hub's web API means read the manifest instead, not wait. */
  noRetryOn?: number[];
  /** A lower cap than the client's for this request: a manifest is KBs, so 64 MiB of one is hostile, not big. */
  maxBodyBytes?: number;
  /** Keep the body as bytes (`HttpResponse.bytes`, `body` empty): chart archives. */
  binary?: boolean;
}

export interface HttpResponse {
  status: number;
  headers: Headers;
  /** Final URL after redirects. */
  url: string;
  body: string;
  /** The body's bytes, for `binary` requests only. */
  bytes?: Buffer;
}

export interface HttpOptions {
  logger: Logger;
  fetch?: typeof fetch;
  /** The response headers must arrive within this, connecting included (per redirect hop). */
  headersTimeoutMs?: number;
  /** Per attempt, including reading the body. */
  timeoutMs?: number;
  /** One request in all: every attempt, backoff and `Retry-After` wait, from the moment its first attempt starts. */
  requestBudgetMs?: number;
  /** Consecutive connection failures or timeouts on one host after which its requests fail at once. */
  breakerThreshold?: number;
  /** Extra attempts for 429, 5xx, timeouts and network errors. */
  retries?: number;
  /** First backoff; doubles per attempt. */
  backoffMs?: number;
  /** A `Retry-After` longer than this fails the request instead of stalling the run. */
  maxRetryWaitMs?: number;
  concurrency?: number;
  perHostConcurrency?: number;
  /** A body larger than this fails the request: a hostile or broken registry cannot exhaust memory. */
  maxBodyBytes?: number;
  /** All bodies being read at once, together; one that would pass it fails its request. */
  maxBufferedBytes?: number;
  /** Aborted when the run must stop (a repository's deadline): every request fails at once. */
  signal?: AbortSignal;
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
  /** Rate-limit state shared with other processes (Redis): a host one shard found exhausted is exhausted for all. */
  sharedRateLimits?: SharedRateLimits | null;
  /** The operator's per-host request limits (`host[:port]` → requests in flight), over `perHostConcurrency`. */
  hostConcurrency?: ReadonlyMap<string, number>;
}

/** Requests in flight at once, in all. */
const DEFAULT_CONCURRENCY = 32;
/**
 * Requests in flight to one host when the operator names no limit for it. Registries serve tag lists and manifests
 * from CDNs and count requests per time window rather than in flight; 16 keeps a 20 ms registry busy without
 * looking like a flood, and `concurrency` in a host rule raises or lowers it per registry.
 */
export const DEFAULT_PER_HOST_CONCURRENCY = 16;

/** Requests in flight to a host until it first answers (see `HttpClient.limited`). */
const STARTING_HOST_CONCURRENCY = 4;

const REDIRECTS = new Set([301, 302, 303, 307, 308]);
const MAX_REDIRECTS = 5;
/** Real Helm indexes reach tens of MB (Bitnami's); nothing a registry sends us legitimately comes near this. */
const DEFAULT_MAX_BODY_BYTES = 64 * 1024 * 1024;
/** Four maximal bodies side by side: with the rest of a run this stays far inside a 1 GiB container. */
export const DEFAULT_MAX_BUFFERED_BYTES = 256 * 1024 * 1024;

/** Where one request stands against its budget: the deadline is set when its first attempt starts. */
interface Budget {
  deadline: number | null;
  attempts: number;
}

/** A timeout of our own; `detail` says which one when it is not the plain per-attempt one. */
class AttemptTimeout extends Error {
  override readonly name = 'TimeoutError';
  constructor(readonly detail: string | null) {
    super(detail ?? 'timed out');
  }
}

/**
 * Every registry request goes through here: a headers timeout and a timeout on each attempt, a time budget per
 * request, retries with backoff that honour `Retry-After`, a circuit breaker per host, concurrency limits overall and
 * per host, one memory budget for the bodies being read, and redirects followed by hand so credentials stay home.
 */
export class HttpClient {
  /** Requests sent (each attempt and each redirect hop counts), by host. */
  readonly requestsByHost = new Map<string, number>();
  private readonly opts: Required<Omit<HttpOptions, 'logger' | 'signal' | 'sharedRateLimits' | 'hostConcurrency'>> & { logger: Logger; signal: AbortSignal | undefined };
  private readonly shared: SharedRateLimits | null;
  private readonly hostConcurrency: ReadonlyMap<string, number>;
  private readonly overall: LimitFunction;
  private readonly perHost = new Map<string, LimitFunction>();
  /** Hosts that have answered and run at their full concurrency. */
  private readonly opened = new Set<string>();
  /** Hosts whose pull rate limit reported zero remaining: a manifest GET (the metered kind) would only earn a 429. */
  private readonly exhausted = new Set<string>();
  private readonly breakers: HostBreakers;
  private readonly buffered: ByteBudget;

  constructor(opts: HttpOptions) {
    this.opts = {
      fetch: opts.fetch ?? globalThis.fetch,
      headersTimeoutMs: opts.headersTimeoutMs ?? 10_000,
      timeoutMs: opts.timeoutMs ?? 30_000,
      requestBudgetMs: opts.requestBudgetMs ?? 60_000,
      breakerThreshold: opts.breakerThreshold ?? 3,
      retries: opts.retries ?? 3,
      backoffMs: opts.backoffMs ?? 500,
      maxRetryWaitMs: opts.maxRetryWaitMs ?? 60_000,
      concurrency: opts.concurrency ?? DEFAULT_CONCURRENCY,
      perHostConcurrency: opts.perHostConcurrency ?? DEFAULT_PER_HOST_CONCURRENCY,
      maxBodyBytes: opts.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES,
      maxBufferedBytes: opts.maxBufferedBytes ?? DEFAULT_MAX_BUFFERED_BYTES,
      sleep: opts.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms))),
      now: opts.now ?? Date.now,
      logger: opts.logger,
      signal: opts.signal,
    };
    this.shared = opts.sharedRateLimits ?? null;
    this.hostConcurrency = opts.hostConcurrency ?? new Map();
    this.overall = pLimit(this.opts.concurrency);
    // Each request in flight listens on the run's signal: up to `concurrency` of them, above Node's default warning at 10.
    if (opts.signal) setMaxListeners(Math.max(getMaxListeners(opts.signal), this.opts.concurrency + 16), opts.signal);
    this.breakers = new HostBreakers(this.opts.breakerThreshold);
    this.buffered = new ByteBudget(this.opts.maxBufferedBytes);
  }

  requestCount(): number {
    let n = 0;
    for (const v of this.requestsByHost.values()) n += v;
    return n;
  }

  /** The most response-body bytes this client ever held at once (bodies being read, before they become strings). */
  peakBufferedBytes(): number {
    return this.buffered.peak();
  }

  async request(req: HttpRequest): Promise<HttpResponse> {
    const origin = new URL(req.url);
    const host = origin.host;
    const metered = isMetered(req, origin);
    const budget: Budget = { deadline: null, attempts: 0 };
    for (let attempt = 0; ; attempt++) {
      if (metered && (this.exhausted.has(host) || (await this.sharedExhausted(host)))) {
        throw new RegistryError(`${host}: pull rate limit exhausted, not reading more manifests this run`, { host, status: 429 });
      }
      let res: HttpResponse;
      try {
        res = await this.limited(host, () => this.attempt(req, origin, budget));
      } catch (err) {
        const final = this.finalError(host, err);
        if (final) throw final;
        if (attempt >= this.opts.retries) throw transportError(host, err);
        const wait = this.backoff(attempt);
        this.opts.logger.debug('registry request failed, retrying', { host, attempt, wait, error: withCause(err) });
        await this.pause(host, wait, budget, transportError(host, err).message);
        continue;
      }
      this.breakers.success(host);
      this.openUp(host);
      this.noteRateLimit(host, res.headers);
      if (!isTransient(res.status) || req.noRetryOn?.includes(res.status)) return res;
      const wait = this.retryWait(res.headers, attempt);
      const answered = `${host} answered ${res.status} for ${pathOf(req.url)}`;
      if (attempt >= this.opts.retries || wait === null) throw new RegistryError(answered, { host, status: res.status });
      this.opts.logger.debug('registry busy, retrying', { host, status: res.status, attempt, wait });
      await this.pause(host, wait, budget, answered);
    }
  }

  /** Another process (a shard sharing Redis) found the host's pull limit spent: remember it here too. */
  private async sharedExhausted(host: string): Promise<boolean> {
    if (!this.shared || !(await this.shared.isExhausted(host))) return false;
    this.exhausted.add(host);
    return true;
  }

  /**
   * A host starts with a few requests in flight and gets its full share once it has answered: a host that never
   * answers costs a handful of connections before its breaker opens, not one per request its limit would allow.
   */
  private limited<T>(host: string, fn: () => Promise<T>): Promise<T> {
    let limit = this.perHost.get(host);
    if (!limit) {
      limit = pLimit(Math.min(STARTING_HOST_CONCURRENCY, this.fullConcurrency(host)));
      this.perHost.set(host, limit);
    }
    return limit(() => this.overall(fn));
  }

  private fullConcurrency(host: string): number {
    return this.hostConcurrency.get(canonicalHost(host)) ?? this.opts.perHostConcurrency;
  }

  /** Once per host: its first answer gives it its full share (every later answer finds it open, and costs a lookup). */
  private openUp(host: string): void {
    if (this.opened.has(host)) return;
    const limit = this.perHost.get(host);
    if (!limit) return;
    this.opened.add(host);
    if (limit.concurrency < this.fullConcurrency(host)) limit.concurrency = this.fullConcurrency(host);
  }

  /**
   * One attempt, redirects included, within the per-attempt timeout and what is left of the request's budget. It
   * ends early when the host's breaker opens or the run stops. A request that waited in the queue behind a host
   * that has since failed fails here, without asking.
   */
  private async attempt(req: HttpRequest, origin: URL, budget: Budget): Promise<HttpResponse> {
    const host = origin.host;
    const stop = this.stopError(host);
    if (stop) throw stop;
    const now = performance.now();
    budget.deadline ??= now + this.opts.requestBudgetMs;
    const left = budget.deadline - now;
    if (left <= 0) throw this.outOfBudget(host, budget, 'no time left');
    budget.attempts += 1;
    const { controller, dispose } = linkedController([this.breakers.signal(host), this.opts.signal]);
    const timer = setTimeout(() => controller.abort(new AttemptTimeout(null)), Math.min(this.opts.timeoutMs, left));
    try {
      return await this.follow(req, origin, controller);
    } catch (err) {
      throw controller.signal.aborted ? controller.signal.reason : err;
    } finally {
      clearTimeout(timer);
      dispose();
    }
  }

  private async follow(req: HttpRequest, origin: URL, attempt: AbortController): Promise<HttpResponse> {
    let url = origin;
    for (let hop = 0; hop <= MAX_REDIRECTS; hop++) {
      const headers: Record<string, string> = { ...req.headers };
      if (req.authorization && url.host === origin.host) headers['authorization'] = req.authorization;
      this.requestsByHost.set(url.host, (this.requestsByHost.get(url.host) ?? 0) + 1);
      const res = await this.fetchHeaders(url, { method: req.method ?? 'GET', headers, redirect: 'manual', signal: attempt.signal }, attempt);
      const location = res.headers.get('location');
      if (REDIRECTS.has(res.status) && location) {
        await res.body?.cancel();
        const next = new URL(location, url);
        if (origin.protocol === 'https:' && next.protocol !== 'https:') {
          throw new RegistryError(`${origin.host} redirected to insecure ${next.host}`, { host: origin.host, status: res.status });
        }
        if (onThisMachine(next) && !onThisMachine(origin)) {
          throw new RegistryError(`${origin.host} redirected to this machine (${next.host})`, { host: origin.host, status: res.status });
        }
        url = next;
        continue;
      }
      const limits = { maxBytes: Math.min(this.opts.maxBodyBytes, req.maxBodyBytes ?? Infinity), buffered: this.buffered };
      if (req.binary && req.method !== 'HEAD') {
        const bytes = await readBodyBytes(res, limits, url.host);
        return { status: res.status, headers: res.headers, url: url.toString(), body: '', bytes };
      }
      const body = req.method === 'HEAD' ? '' : await readBody(res, limits, url.host);
      return { status: res.status, headers: res.headers, url: url.toString(), body };
    }
    throw new RegistryError(`${origin.host}: too many redirects`, { host: origin.host });
  }

  /** A fetch whose response headers must arrive within the headers timeout; past it the whole attempt is aborted. */
  private async fetchHeaders(url: URL, init: RequestInit, attempt: AbortController): Promise<Response> {
    const timer = setTimeout(() => attempt.abort(new AttemptTimeout(`no response headers within ${seconds(this.opts.headersTimeoutMs)}`)), this.opts.headersTimeoutMs);
    try {
      return await this.opts.fetch(url, init);
    } finally {
      clearTimeout(timer);
    }
  }

  /**
   * The error a failed attempt ends the request with, or null when it may be retried. Connection failures and
   * timeouts count towards the host's breaker; our own refusals (too large, insecure redirect) end at once, uncounted.
   */
  private finalError(host: string, err: unknown): RegistryError | null {
    const stop = this.stopError(host);
    if (stop) return stop;
    if (err instanceof RegistryError) return err;
    // The failure that opens the breaker ends its own request with what happened to it; the others get the breaker's reason.
    return this.breakers.failure(host, err) ? transportError(host, err) : null;
  }

  /** Why no request to `host` may be sent now: the run stopped, or the host's breaker is open. */
  private stopError(host: string): RegistryError | null {
    const signal = this.opts.signal;
    if (signal?.aborted) {
      const why = signal.reason instanceof Error ? signal.reason.message : 'stopped';
      return new RegistryError(`${host}: request cancelled (${why})`, { host, cause: signal.reason });
    }
    return this.breakers.openError(host);
  }

  /** Waits before the next attempt, unless the wait would pass the request's budget, the host fails or the run stops. */
  private async pause(host: string, wait: number, budget: Budget, last: string): Promise<void> {
    if (budget.deadline !== null && performance.now() + wait >= budget.deadline) throw this.outOfBudget(host, budget, last);
    try {
      await untilAborted(this.opts.sleep(wait), [this.breakers.signal(host), this.opts.signal]);
    } catch (err) {
      throw this.stopError(host) ?? err;
    }
  }

  private outOfBudget(host: string, budget: Budget, last: string): RegistryError {
    const tries = `${budget.attempts} ${budget.attempts === 1 ? 'attempt' : 'attempts'}`;
    return new RegistryError(`${host}: gave up after ${tries} within the ${seconds(this.opts.requestBudgetMs)} request budget (${last})`, { host });
  }

  /** Docker Hub: `ratelimit-remaining: 0;w=21600` (the window in seconds; shared shards wait out at most an hour of it). */
  private noteRateLimit(host: string, headers: Headers): void {
    const m = /^(?<remaining>\d+)(?:;w=(?<window>\d+))?/.exec(headers.get('ratelimit-remaining') ?? '');
    if (!m?.groups) return;
    const remaining = Number(m.groups['remaining']);
    if (remaining === 0) {
      if (!this.exhausted.has(host)) void this.shared?.markExhausted(host, Math.min(Number(m.groups['window'] ?? 3600), 3600) * 1000);
      this.exhausted.add(host);
      this.opts.logger.warn('registry pull rate limit exhausted; manifest reads (release times) on this host are skipped, tag lists and digests go on', { host });
    } else if (remaining < 10) {
      this.opts.logger.warn('registry rate limit nearly exhausted', { host, remaining });
    }
  }

  /** Milliseconds to wait before the next attempt; null when `Retry-After` asks for longer than we will wait. */
  private retryWait(headers: Headers, attempt: number): number | null {
    const after = parseRetryAfter(headers.get('retry-after'), this.opts.now());
    if (after === null) return this.backoff(attempt);
    return after > this.opts.maxRetryWaitMs ? null : after;
  }

  private backoff(attempt: number): number {
    return this.opts.backoffMs * 2 ** attempt;
  }
}

/** `Retry-After: 3` or `Retry-After: Wed, 21 Oct 2026 07:28:00 GMT`. */
export function parseRetryAfter(value: string | null, now: number): number | null {
  if (!value) return null;
  if (/^\d+$/.test(value.trim())) return Number(value.trim()) * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? null : Math.max(0, at - now);
}

/**
 * Docker Hub counts pulls as GETs of manifests; HEADs (digests) and tag lists are free, and still answer when the
 * limit is spent. `GET /v2/library/nginx/manifests/1.27.3` is metered, `HEAD` of it and `…/tags/list` are not.
 */
function isMetered(req: HttpRequest, url: URL): boolean {
  return (req.method ?? 'GET') === 'GET' && /^\/v2\/.+\/manifests\/[^/]+$/.test(url.pathname);
}

function isTransient(status: number): boolean {
  return status === 429 || status === 408 || (status >= 500 && status !== 501);
}

function transportError(host: string, err: unknown): RegistryError {
  if (err instanceof RegistryError) return err;
  if (err instanceof AttemptTimeout && err.detail) return new RegistryError(`${host} timed out (${err.detail})`, { host, cause: err });
  const name = err instanceof Error ? err.name : '';
  const what = name === 'TimeoutError' || name === 'AbortError' ? 'timed out' : 'could not be reached';
  return new RegistryError(`${host} ${what}`, { host, cause: err });
}

/**
 * `TypeError: fetch failed: connect ECONNREFUSED 127.0.0.1:3128`: fetch's own message says nothing; its cause names
 * the connection that failed (a proxy that is down shows here as the proxy's address).
 */
function withCause(err: unknown): string {
  const cause = err instanceof Error && err.cause instanceof Error ? err.cause.message : null;
  return cause ? `${String(err)}: ${cause}` : String(err);
}

/** `60000` → `60 s`, `300` → `0.3 s`. */
function seconds(ms: number): string {
  return `${Number((ms / 1000).toFixed(1))} s`;
}

function pathOf(url: string): string {
  const u = new URL(url);
  return u.pathname;
}
