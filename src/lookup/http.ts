import pLimit, { type LimitFunction } from 'p-limit';
import { RegistryError } from '../errors.js';
import type { Logger } from '../log.js';

export interface HttpRequest {
  url: string;
  method?: 'GET' | 'HEAD';
  headers?: Record<string, string>;
  /** `Authorization` value; sent to the request's own host only, never to a host a redirect leads to. */
  authorization?: string | null;
  /** Statuses handed back at once instead of retried: a 429 from Docker Hub's web API means read the manifest instead, not wait. */
  noRetryOn?: number[];
}

export interface HttpResponse {
  status: number;
  headers: Headers;
  /** Final URL after redirects. */
  url: string;
  body: string;
}

export interface HttpOptions {
  logger: Logger;
  fetch?: typeof fetch;
  /** Per attempt, including reading the body. */
  timeoutMs?: number;
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
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
}

const REDIRECTS = new Set([301, 302, 303, 307, 308]);
const MAX_REDIRECTS = 5;
/** Real Helm indexes reach tens of MB (Bitnami's); nothing a registry sends us legitimately comes near this. */
const DEFAULT_MAX_BODY_BYTES = 256 * 1024 * 1024;

/**
 * Every registry request goes through here: a timeout on each attempt, retries with backoff that honour
 * `Retry-After`, concurrency limits overall and per host, and redirects followed by hand so credentials stay home.
 */
export class HttpClient {
  /** Requests sent (each attempt and each redirect hop counts), by host. */
  readonly requestsByHost = new Map<string, number>();
  private readonly opts: Required<Omit<HttpOptions, 'logger'>> & { logger: Logger };
  private readonly overall: LimitFunction;
  private readonly perHost = new Map<string, LimitFunction>();
  /** Hosts whose pull rate limit reported zero remaining: a manifest GET (the metered kind) would only earn a 429. */
  private readonly exhausted = new Set<string>();

  constructor(opts: HttpOptions) {
    this.opts = {
      fetch: opts.fetch ?? globalThis.fetch,
      timeoutMs: opts.timeoutMs ?? 30_000,
      retries: opts.retries ?? 3,
      backoffMs: opts.backoffMs ?? 500,
      maxRetryWaitMs: opts.maxRetryWaitMs ?? 60_000,
      concurrency: opts.concurrency ?? 16,
      perHostConcurrency: opts.perHostConcurrency ?? 6,
      maxBodyBytes: opts.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES,
      sleep: opts.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms))),
      now: opts.now ?? Date.now,
      logger: opts.logger,
    };
    this.overall = pLimit(this.opts.concurrency);
  }

  requestCount(): number {
    let n = 0;
    for (const v of this.requestsByHost.values()) n += v;
    return n;
  }

  async request(req: HttpRequest): Promise<HttpResponse> {
    const host = new URL(req.url).host;
    const metered = isMetered(req);
    for (let attempt = 0; ; attempt++) {
      if (metered && this.exhausted.has(host)) {
        throw new RegistryError(`${host}: pull rate limit exhausted, not reading more manifests this run`, { host, status: 429 });
      }
      let res: HttpResponse;
      try {
        res = await this.limited(host, () => this.follow(req));
      } catch (err) {
        if (err instanceof RegistryError || attempt >= this.opts.retries) throw transportError(host, err);
        const wait = this.backoff(attempt);
        this.opts.logger.debug('registry request failed, retrying', { host, attempt, wait, error: String(err) });
        await this.opts.sleep(wait);
        continue;
      }
      this.noteRateLimit(host, res.headers);
      if (!isTransient(res.status) || req.noRetryOn?.includes(res.status)) return res;
      const wait = this.retryWait(res.headers, attempt);
      if (attempt >= this.opts.retries || wait === null) {
        throw new RegistryError(`${host} answered ${res.status} for ${pathOf(req.url)}`, { host, status: res.status });
      }
      this.opts.logger.debug('registry busy, retrying', { host, status: res.status, attempt, wait });
      await this.opts.sleep(wait);
    }
  }

  private limited<T>(host: string, fn: () => Promise<T>): Promise<T> {
    let limit = this.perHost.get(host);
    if (!limit) {
      limit = pLimit(this.opts.perHostConcurrency);
      this.perHost.set(host, limit);
    }
    return limit(() => this.overall(fn));
  }

  private async follow(req: HttpRequest): Promise<HttpResponse> {
    const origin = new URL(req.url);
    let url = origin;
    for (let hop = 0; hop <= MAX_REDIRECTS; hop++) {
      const headers: Record<string, string> = { ...req.headers };
      if (req.authorization && url.host === origin.host) headers['authorization'] = req.authorization;
      this.requestsByHost.set(url.host, (this.requestsByHost.get(url.host) ?? 0) + 1);
      const res = await this.opts.fetch(url, {
        method: req.method ?? 'GET',
        headers,
        redirect: 'manual',
        signal: AbortSignal.timeout(this.opts.timeoutMs),
      });
      const location = res.headers.get('location');
      if (REDIRECTS.has(res.status) && location) {
        await res.body?.cancel();
        const next = new URL(location, url);
        if (origin.protocol === 'https:' && next.protocol !== 'https:') {
          throw new RegistryError(`${origin.host} redirected to insecure ${next.host}`, { host: origin.host, status: res.status });
        }
        url = next;
        continue;
      }
      const body = req.method === 'HEAD' ? '' : await readBody(res, this.opts.maxBodyBytes, url.host);
      return { status: res.status, headers: res.headers, url: url.toString(), body };
    }
    throw new RegistryError(`${origin.host}: too many redirects`, { host: origin.host });
  }

  /** Docker Hub: `ratelimit-remaining: 0;w=21600`. */
  private noteRateLimit(host: string, headers: Headers): void {
    const m = /^(?<remaining>\d+)/.exec(headers.get('ratelimit-remaining') ?? '');
    if (!m?.groups) return;
    const remaining = Number(m.groups['remaining']);
    if (remaining === 0) {
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

/** Reads a body as UTF-8, giving up as soon as it passes `limit` bytes (whatever `Content-Length` claims). */
async function readBody(res: Response, limit: number, host: string): Promise<string> {
  const tooLarge = () => new RegistryError(`${host} sent a response larger than ${limit} bytes`, { host, status: res.status });
  const declared = Number(res.headers.get('content-length') ?? NaN);
  if (declared > limit) {
    await res.body?.cancel();
    throw tooLarge();
  }
  if (!res.body) return '';
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of res.body as AsyncIterable<Uint8Array>) {
    size += chunk.byteLength;
    if (size > limit) throw tooLarge();
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
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
function isMetered(req: HttpRequest): boolean {
  return (req.method ?? 'GET') === 'GET' && /^\/v2\/.+\/manifests\/[^/]+$/.test(new URL(req.url).pathname);
}

function isTransient(status: number): boolean {
  return status === 429 || status === 408 || (status >= 500 && status !== 501);
}

function transportError(host: string, err: unknown): RegistryError {
  if (err instanceof RegistryError) return err;
  const name = err instanceof Error ? err.name : '';
  const what = name === 'TimeoutError' || name === 'AbortError' ? 'timed out' : 'could not be reached';
  return new RegistryError(`${host} ${what}`, { host, cause: err });
}

function pathOf(url: string): string {
  const u = new URL(url);
  return u.pathname;
}
