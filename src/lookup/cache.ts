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
 * Where cache entries live: a directory (one JSON file per key), Redis shared by many processes (redis-store.ts), or
 * memory. Entries hold bodies and validators only, never request headers, so never credentials; keys of credentialed
 * reads carry a hash of the identity, so one store never shows one identity what only another may see.
 */
export interface CacheStore {
  get(key: string): Promise<CacheEntry | null>;
  set(key: string, entry: CacheEntry): Promise<void>;
  /**
   * Cross-process single flight (Redis only): resolves to a lease when this process should fetch `key` (call
   * `release` when done, stored or not), or to null after another process held it and finished or died: read again.
   */
  claim?(key: string, signal?: AbortSignal): Promise<{ release(): Promise<void> } | null>;
}

/** One JSON file per key under `<dir>/http/`; written then renamed, so a concurrent run never reads half a file. */
export class DiskStore implements CacheStore {
  constructor(private readonly dir: string) {}

  async get(key: string): Promise<CacheEntry | null> {
    try {
      return validEntry(JSON.parse(await readFile(this.file(key), 'utf8')));
    } catch {
      return null;
    }
  }

  async set(key: string, entry: CacheEntry): Promise<void> {
    const file = this.file(key);
    await mkdir(join(this.dir, 'http'), { recursive: true });
    const tmp = `${file}.${randomBytes(4).toString('hex')}.tmp`;
    await writeFile(tmp, JSON.stringify(entry));
    await rename(tmp, file);
  }

  private file(key: string): string {
    return join(this.dir, 'http', cacheKeyHash(key) + '.json');
  }
}

/**
 * Entries kept in this process only (what a run falls back to when Redis is down), bounded by total body size: the
 * oldest-stored entries go first.
 */
export class MemoryStore implements CacheStore {
  private readonly entries = new Map<string, CacheEntry>();
  private bytes = 0;

  constructor(private readonly maxBytes = 128 * 1024 * 1024) {}

  async get(key: string): Promise<CacheEntry | null> {
    return this.entries.get(key) ?? null;
  }

  async set(key: string, entry: CacheEntry): Promise<void> {
    this.drop(key);
    if (entry.body.length > this.maxBytes) return;
    this.entries.set(key, entry);
    this.bytes += entry.body.length;
    for (const oldest of this.entries.keys()) {
      if (this.bytes <= this.maxBytes) break;
      this.drop(oldest);
    }
  }

  private drop(key: string): void {
    const old = this.entries.get(key);
    if (!old) return;
    this.bytes -= old.body.length;
    this.entries.delete(key);
  }
}

/** A stored value read back: anything but the entry's shape is no entry. */
export function validEntry(parsed: unknown): CacheEntry | null {
  const e = parsed as CacheEntry | null;
  return e && typeof e === 'object' && typeof e.body === 'string' && typeof e.storedAt === 'number' ? e : null;
}

export function cacheKeyHash(key: string): string {
  return createHash('sha256').update(key).digest('hex');
}

/**
 * Responses shared across runs through a `CacheStore`: a directory path for the disk store, a store (Redis shared by
 * every shard), or null for none (per-run deduplication happens above, in the release source). Stats are per instance.
 */
export class ResponseCache {
  readonly stats: CacheStats = { fresh: 0, revalidated: 0, downloaded: 0 };
  readonly store: CacheStore | null;

  constructor(where: string | CacheStore | null) {
    this.store = typeof where === 'string' ? new DiskStore(where) : where;
  }

  async get(key: string): Promise<CacheEntry | null> {
    return this.store ? this.store.get(key) : null;
  }

  async set(key: string, entry: CacheEntry): Promise<void> {
    if (this.store) await this.store.set(key, entry);
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
  /** Ends a wait for another process's fetch (the run's deadline). */
  signal?: AbortSignal;
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
  if (entry && opts.now - entry.storedAt < opts.ttlMs) return fresh(opts.cache, entry);
  const claim = opts.cache.store?.claim;
  if (!claim) return fetchAndStore(opts, entry);
  // Across processes each key is fetched once while fresh: wait for another's fetch, then use what it stored.
  const lease = await claim.call(opts.cache.store, opts.key, opts.signal);
  if (lease) {
    try {
      // Another process may have stored it between our read and our claim.
      const stored = await opts.cache.get(opts.key);
      if (stored && opts.now - stored.storedAt < opts.ttlMs && (!entry || stored.storedAt > entry.storedAt)) return fresh(opts.cache, stored);
      return await fetchAndStore(opts, stored ?? entry);
    } finally {
      await lease.release();
    }
  }
  const stored = await opts.cache.get(opts.key);
  if (stored && (!entry || stored.storedAt > entry.storedAt || opts.now - stored.storedAt < opts.ttlMs)) return fresh(opts.cache, stored);
  return fetchAndStore(opts, stored ?? entry);
}

function fresh(cache: ResponseCache, entry: CacheEntry): CachedBody {
  cache.stats.fresh++;
  return { body: entry.body, link: entry.link ?? null, url: entry.url ?? null };
}

async function fetchAndStore(opts: CachedGetOptions, entry: CacheEntry | null): Promise<CachedBody | HttpResponse> {
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
  const stored: CacheEntry = {
    storedAt: opts.now,
    body: res.body,
    etag: res.headers.get('etag'),
    lastModified: res.headers.get('last-modified'),
    link: res.headers.get('link'),
    url: res.url,
  };
  await opts.cache.set(opts.key, stored);
  return { body: stored.body, link: stored.link ?? null, url: res.url };
}

export function isCachedBody(v: CachedBody | HttpResponse): v is CachedBody {
  return !('status' in v);
}
