import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { HttpResponse } from './http.js';

/** What is kept of a response: the body and the validators. Never request headers, so never credentials. */
export interface CacheEntry {
  storedAt: number;
  body: string;
  etag?: string | null;
  lastModified?: string | null;
  /** Tag-list pagination: the `Link` header of this page. */
  link?: string | null;
  /** Where the body finally came from, after redirects: a relative `Link` is relative to it. */
  url?: string | null;
}

export interface CacheStats {
  /** Served from the cache without asking (within the TTL, or immutable). */
  fresh: number;
  /** Asked with `If-None-Match`/`If-Modified-Since` and answered 304: a full download avoided. */
  revalidated: number;
  /** Downloaded in full. */
  downloaded: number;
}

/**
 * Responses shared across runs, one JSON file per key under `<dir>/http/`. A null dir keeps nothing on disk
 * (per-run deduplication happens above, in the release source).
 */
export class ResponseCache {
  readonly stats: CacheStats = { fresh: 0, revalidated: 0, downloaded: 0 };

  constructor(private readonly dir: string | null) {}

  async get(key: string): Promise<CacheEntry | null> {
    if (!this.dir) return null;
    try {
      const parsed = JSON.parse(await readFile(this.file(key), 'utf8')) as CacheEntry;
      return typeof parsed.body === 'string' && typeof parsed.storedAt === 'number' ? parsed : null;
    } catch {
      return null;
    }
  }

  async set(key: string, entry: CacheEntry): Promise<void> {
    if (!this.dir) return;
    const file = this.file(key);
    await mkdir(join(this.dir, 'http'), { recursive: true });
    // Write then rename so a concurrent run never reads half a file.
    const tmp = `${file}.${randomBytes(4).toString('hex')}.tmp`;
    await writeFile(tmp, JSON.stringify(entry));
    await rename(tmp, file);
  }

  private file(key: string): string {
    return join(this.dir ?? '', 'http', createHash('sha256').update(key).digest('hex') + '.json');
  }
}

export interface CachedGetOptions {
  cache: ResponseCache;
  key: string;
  /** How long an entry is used without asking; Infinity for content-addressed data. */
  ttlMs: number;
  now: number;
  /** Sends the GET with the given extra (conditional) headers. */
  send: (headers: Record<string, string>) => Promise<HttpResponse>;
}

export interface CachedBody {
  body: string;
  link: string | null;
  /** Final URL after redirects; null for entries cached before it was kept. */
  url: string | null;
}

/**
 * A GET through the cache: fresh entries answer without a request; stale ones are revalidated with their
 * validators, so an unchanged resource costs a 304 instead of a full download. Non-2xx answers are returned
 * to the caller as the response itself.
 */
export async function cachedGet(opts: CachedGetOptions): Promise<CachedBody | HttpResponse> {
  const entry = await opts.cache.get(opts.key);
  if (entry && opts.now - entry.storedAt < opts.ttlMs) {
    opts.cache.stats.fresh++;
    return { body: entry.body, link: entry.link ?? null, url: entry.url ?? null };
  }
  const conditional: Record<string, string> = {};
  if (entry?.etag) conditional['if-none-match'] = entry.etag;
  if (entry?.lastModified) conditional['if-modified-since'] = entry.lastModified;
  const res = await opts.send(conditional);
  if (res.status === 304 && entry) {
    opts.cache.stats.revalidated++;
    await opts.cache.set(opts.key, { ...entry, storedAt: opts.now });
    return { body: entry.body, link: entry.link ?? null, url: entry.url ?? null };
  }
  if (res.status < 200 || res.status >= 300) return res;
  opts.cache.stats.downloaded++;
  const fresh: CacheEntry = {
    storedAt: opts.now,
    body: res.body,
    etag: res.headers.get('etag'),
    lastModified: res.headers.get('last-modified'),
    link: res.headers.get('link'),
    url: res.url,
  };
  await opts.cache.set(opts.key, fresh);
  return { body: fresh.body, link: fresh.link ?? null, url: res.url };
}

export function isCachedBody(v: CachedBody | HttpResponse): v is CachedBody {
  return !('status' in v);
}
