import { randomBytes } from 'node:crypto';
import type { Redis as RedisClient } from 'ioredis';
import { UsageError } from '../errors.js';
import type { Logger } from '../log.js';
import { type CacheEntry, type CacheStore, cacheKeyHash, MemoryStore, validEntry } from './cache.js';

/** Everything Tidemark keeps in Redis is under this prefix: `tidemark:http:<sha256 of key>`, `tidemark:lock:…`, `tidemark:ratelimit:<host>`. */
const REDIS_PREFIX = 'tidemark:';

export interface RedisStoreOptions {
  /** `redis://[:password@]host:port[/db]`, or `rediss://` for TLS. A secret when it holds a password. */
  url: string;
  logger: Logger;
  /**
   * How long a fetch may hold a key before others stop waiting for it: at least the HTTP request budget, so a live
   * owner is never overtaken, and a dead one holds the others up at most this long.
   */
  lockMs?: number;
  /** Between looks at a lock another process holds. */
  pollMs?: number;
  connectTimeoutMs?: number;
  commandTimeoutMs?: number;
  /** How long an entry stays in Redis at all (it is revalidated long before): bounds the shared store's size. */
  entryTtlMs?: number;
}

/** Registry rate-limit state shared by every process, so shards back off together (see `HttpClient`). */
export interface SharedRateLimits {
  isExhausted(host: string): Promise<boolean>;
  markExhausted(host: string, forMs: number): Promise<void>;
}

const RELEASE = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end return 0";

/**
 * `redis://:s3cret@redis.tidemark.svc:6379/0` → `redis://***@redis.tidemark.svc:6379/0`: the URL as logs and errors
 * may show it. Anything unparsable shows as `(invalid Redis URL)`, never as written.
 */
export function describeRedisUrl(url: string): string {
  try {
    const u = new URL(url);
    const auth = u.username || u.password ? '***@' : '';
    return `${u.protocol}//${auth}${u.host}${u.pathname === '/' ? '' : u.pathname}`;
  } catch {
    return '(invalid Redis URL)';
  }
}

/** The password in a Redis URL, for the logger's secret list; null without one. */
export function redisUrlSecrets(url: string | undefined): string[] {
  if (!url) return [];
  try {
    const u = new URL(url);
    return [u.password, decodeURIComponent(u.password), u.username && u.password ? u.username : ''].filter((s) => s.length >= 3);
  } catch {
    return [];
  }
}

/** Checks the URL's shape before anything connects; a mistake is a usage error (exit 2) that does not quote it. */
export function checkRedisUrl(url: string): void {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new UsageError('--redis-url: not a URL; expected redis://[:password@]host:port[/db] or rediss:// for TLS');
  }
  if (u.protocol !== 'redis:' && u.protocol !== 'rediss:') throw new UsageError(`--redis-url: expected redis:// or rediss://, not ${u.protocol}//`);
  if (!u.hostname) throw new UsageError('--redis-url: no host');
  if (!/^(\/\d{0,2})?$/.test(u.pathname)) throw new UsageError('--redis-url: the path must be a database number (/0)');
}

/**
 * The lookup cache in Redis, shared by every process (the shards of an Indexed Job): entries, single-flight locks
 * and rate-limit state. Redis is never a reason for a run to fail: the first error (down, unreachable, wrong password)
 * is logged once, and from then on this process caches in memory.
 */
export class RedisStore implements CacheStore, SharedRateLimits {
  private down = false;
  private lastEvent: string | null = null;
  private readonly local = new MemoryStore();
  private readonly lockMs: number;
  private readonly pollMs: number;
  private readonly entryTtlMs: number;

  private constructor(
    private readonly client: RedisClient | null,
    private readonly opts: RedisStoreOptions,
  ) {
    this.lockMs = opts.lockMs ?? 90_000;
    this.pollMs = opts.pollMs ?? 50;
    this.entryTtlMs = opts.entryTtlMs ?? 7 * 24 * 3_600_000;
    if (!client) this.down = true;
  }

  /** Connects (ioredis is loaded only here); a Redis that cannot be reached gives a store that is already degraded. */
  static async connect(opts: RedisStoreOptions): Promise<RedisStore> {
    checkRedisUrl(opts.url);
    const { Redis } = await import('ioredis');
    const client = new Redis(opts.url, {
      lazyConnect: true,
      // Fail fast instead of queueing: a command while Redis is away is an error, and the store degrades.
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      retryStrategy: () => null,
      connectTimeout: opts.connectTimeoutMs ?? 5_000,
      commandTimeout: opts.commandTimeoutMs ?? 3_000,
      keyPrefix: REDIS_PREFIX,
    });
    const store = new RedisStore(client, opts);
    // ioredis emits `error` on its own (without a listener Node would crash the process); it says why better than
    // the `Connection is closed.` a command then fails with (`WRONGPASS …`, `connect ECONNREFUSED …`).
    client.on('error', (err: unknown) => (store.lastEvent = err instanceof Error ? err.message : String(err)));
    try {
      await client.connect();
      await client.ping();
    } catch (err) {
      store.degrade(err);
    }
    return store;
  }

  /** Whether Redis still serves this process (false after the first failure). */
  get shared(): boolean {
    return !this.down;
  }

  async get(key: string): Promise<CacheEntry | null> {
    if (this.down || !this.client) return this.local.get(key);
    try {
      const raw = await this.client.get(`http:${cacheKeyHash(key)}`);
      return raw === null ? null : validEntry(JSON.parse(raw));
    } catch (err) {
      this.degrade(err);
      return this.local.get(key);
    }
  }

  async set(key: string, entry: CacheEntry): Promise<void> {
    if (this.down || !this.client) return this.local.set(key, entry);
    try {
      await this.client.set(`http:${cacheKeyHash(key)}`, JSON.stringify(entry), 'PX', this.entryTtlMs);
    } catch (err) {
      this.degrade(err);
      await this.local.set(key, entry);
    }
  }

  async claim(key: string, signal?: AbortSignal): Promise<{ release(): Promise<void> } | null> {
    const free = { release: async () => {} };
    if (this.down || !this.client) return free;
    const client = this.client;
    const lock = `lock:${cacheKeyHash(key)}`;
    const token = randomBytes(12).toString('hex');
    try {
      if ((await client.set(lock, token, 'PX', this.lockMs, 'NX')) === 'OK') {
        return { release: () => client.eval(RELEASE, 1, lock, token).then(() => undefined, (err: unknown) => this.degrade(err)) };
      }
      // Another process is fetching: wait until it lets go (or its lock expires with it), never past our own lock time.
      const deadline = Date.now() + this.lockMs;
      while (!signal?.aborted && Date.now() < deadline && (await client.exists(lock)) === 1) await delay(this.pollMs);
      return null;
    } catch (err) {
      this.degrade(err);
      return free;
    }
  }

  async isExhausted(host: string): Promise<boolean> {
    if (this.down || !this.client) return false;
    try {
      return (await this.client.exists(`ratelimit:${host}`)) === 1;
    } catch (err) {
      this.degrade(err);
      return false;
    }
  }

  async markExhausted(host: string, forMs: number): Promise<void> {
    if (this.down || !this.client) return;
    try {
      await this.client.set(`ratelimit:${host}`, '0', 'PX', Math.max(1, Math.round(forMs)));
    } catch (err) {
      this.degrade(err);
    }
  }

  async close(): Promise<void> {
    if (!this.client) return;
    this.down = true;
    this.client.disconnect();
  }

  private degrade(err: unknown): void {
    if (this.down) return;
    this.down = true;
    this.client?.disconnect();
    const said = err instanceof Error ? err.message : String(err);
    const why = this.lastEvent && /connection is closed/i.test(said) ? this.lastEvent : said;
    this.opts.logger.warn('shared cache unavailable: Redis failed, so this process caches for itself from now on', {
      redis: describeRedisUrl(this.opts.url),
      error: why.replaceAll(this.opts.url, describeRedisUrl(this.opts.url)),
    });
  }
}

function delay(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
