import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { cachedGet, type CacheEntry, isCachedBody, ResponseCache } from '../../src/lookup/cache.js';
import { HttpClient, type HttpResponse } from '../../src/lookup/http.js';
import { describeRedisUrl, RedisStore, redisUrlSecrets } from '../../src/lookup/redis-store.js';
import { UsageError } from '../../src/errors.js';
import { createLogger, silentLogger } from '../../src/log.js';
import { startRedis, type TestRedis } from '../helpers/redis.js';
import { startRegistry } from '../helpers/registry.js';
import { DEFAULT_CONFIG } from '../../src/config/types.js';
import { createReleaseSource } from '../../src/lookup/index.js';
import { parseHostRules } from '../../src/lookup/host-rules.js';

const servers: TestRedis[] = [];
const stores: RedisStore[] = [];
afterEach(async () => {
  for (const s of stores.splice(0)) await s.close();
  for (const r of servers.splice(0)) await r.stop();
});

async function redis(opts: { password?: string } = {}): Promise<TestRedis> {
  const r = await startRedis(opts);
  servers.push(r);
  return r;
}

/** A store as one process would open it, with its log lines collected as text (secrets masked as the CLI masks them). */
async function store(url: string, extra: { lockMs?: number } = {}): Promise<{ store: RedisStore; logs: string[] }> {
  const logs: string[] = [];
  const logger = createLogger({ level: 'debug', format: 'text', secrets: redisUrlSecrets(url), write: (l) => logs.push(l) });
  const s = await RedisStore.connect({ url, logger, pollMs: 10, ...extra });
  stores.push(s);
  return { store: s, logs };
}

const entry = (body: string, storedAt = 1_000): CacheEntry => ({ storedAt, body, etag: '"v1"', lastModified: null, link: null, url: 'https://ghcr.io/v2/acme/web/tags/list' });

function response(body: string, status = 200): HttpResponse {
  return { status, headers: new Headers({ etag: '"v2"' }), url: 'https://ghcr.io/v2/acme/web/tags/list?n=1000', body };
}

describe('RedisStore', () => {
  it('keeps entries under the tidemark: prefix, hashed, and reads them back in another process', async () => {
    const r = await redis();
    const a = await store(r.url);
    const b = await store(r.url);
    await a.store.set('tags https://ghcr.io/v2/acme/web/tags/list?n=1000 anonymous', entry('{"tags":["1.0"]}'));
    expect(await b.store.get('tags https://ghcr.io/v2/acme/web/tags/list?n=1000 anonymous')).toEqual(entry('{"tags":["1.0"]}'));
    expect(await b.store.get('tags https://ghcr.io/v2/acme/api/tags/list?n=1000 anonymous')).toEqual(null);
    const raw = new Redis(r.url);
    const keys = await raw.keys('*');
    await raw.quit();
    expect(keys).toEqual([expect.stringMatching(/^tidemark:http:[0-9a-f]{64}$/)]);
  });

  it('fetches a key once across processes: the others wait for the fetch and use what it stored', async () => {
    const r = await redis();
    const processes = await Promise.all([store(r.url), store(r.url), store(r.url)]);
    let sends = 0;
    const get = (s: RedisStore) =>
      cachedGet({
        cache: new ResponseCache(s), key: 'tags https://ghcr.io/v2/acme/web/tags/list?n=1000 anonymous', ttlMs: 60_000, now: Date.now(),
        send: async () => {
          sends++;
          await new Promise((done) => setTimeout(done, 150));
          return response('{"tags":["1.0","1.1"]}');
        },
      });
    const got = await Promise.all(processes.map((p) => get(p.store)));
    expect(sends).toEqual(1);
    expect(got.map((g) => (isCachedBody(g) ? g.body : g.status))).toEqual(['{"tags":["1.0","1.1"]}', '{"tags":["1.0","1.1"]}', '{"tags":["1.0","1.1"]}']);
  });

  it('lets a waiting process fetch for itself when the fetch it waited for failed and stored nothing', async () => {
    const r = await redis();
    const [a, b] = await Promise.all([store(r.url), store(r.url)]);
    const statuses: number[] = [];
    const get = (s: RedisStore, status: number, delayMs: number) =>
      cachedGet({
        cache: new ResponseCache(s), key: 'helm-index https://charts.example.com/index.yaml anonymous', ttlMs: 60_000, now: Date.now(),
        send: async () => {
          statuses.push(status);
          await new Promise((done) => setTimeout(done, delayMs));
          return response(status === 200 ? 'entries: {}' : 'busy', status);
        },
      });
    const first = get(a.store, 503, 100);
    await new Promise((done) => setTimeout(done, 20));
    const second = await get(b.store, 200, 0);
    expect(((await first) as HttpResponse).status).toEqual(503);
    expect(isCachedBody(second) && second.body).toEqual('entries: {}');
    expect(statuses).toEqual([503, 200]);
  });

  it('stops waiting for a lock whose owner died once the lock expires, then fetches itself', async () => {
    const r = await redis();
    const dead = await store(r.url, { lockMs: 200 });
    const alive = await store(r.url, { lockMs: 200 });
    expect(await dead.store.claim('tags https://quay.io/v2/acme/web/tags/list?n=1000 anonymous')).not.toEqual(null);
    // The owner never releases: it died. The other waits out the lock, finds nothing stored, and asks itself.
    const got = await cachedGet({
      cache: new ResponseCache(alive.store), key: 'tags https://quay.io/v2/acme/web/tags/list?n=1000 anonymous', ttlMs: 60_000, now: Date.now(),
      send: async () => response('{"tags":["2.0"]}'),
    });
    expect(isCachedBody(got) && got.body).toEqual('{"tags":["2.0"]}');
  });

  it('shares rate-limit state: a host one process found exhausted is exhausted for the others until the window ends', async () => {
    const r = await redis();
    const [a, b] = await Promise.all([store(r.url), store(r.url)]);
    await a.store.markExhausted('registry-1.docker.io', 60_000);
    expect(await b.store.isExhausted('registry-1.docker.io')).toEqual(true);
    expect(await b.store.isExhausted('ghcr.io')).toEqual(false);
  });

  it('degrades to a cache of its own with one warning when Redis is killed mid-run, and never throws', async () => {
    const r = await redis();
    const { store: s, logs } = await store(r.url);
    await s.set('digest a', entry('sha256:aaa'));
    expect(await s.get('digest a')).toEqual(entry('sha256:aaa'));
    await r.kill();
    await s.set('digest b', entry('sha256:bbb'));
    expect(await s.get('digest b')).toEqual(entry('sha256:bbb'));
    expect(await s.get('digest a')).toEqual(null);
    expect(await s.claim('digest c')).not.toEqual(null);
    expect(await s.isExhausted('ghcr.io')).toEqual(false);
    expect(s.shared).toEqual(false);
    expect(logs.filter((l) => l.includes('shared cache unavailable'))).toEqual([expect.stringContaining(`redis=redis://127.0.0.1:${r.port}/0`)]);
  });

  it('starts degraded, with one warning, when Redis cannot be reached at all', async () => {
    const r = await redis();
    await r.stop();
    const { store: s, logs } = await store(r.url);
    await s.set('k', entry('body'));
    expect(await s.get('k')).toEqual(entry('body'));
    expect(logs.filter((l) => l.includes('shared cache unavailable'))).toEqual([expect.stringContaining(`error=connect ECONNREFUSED 127.0.0.1:${r.port}`)]);
  });

  it('works with a password-protected Redis and never logs the password, even when it is wrong', async () => {
    const r = await redis({ password: 'Tr0ub4dor&3-redis' });
    const good = await store(r.url);
    await good.store.set('k', entry('body'));
    expect(await good.store.get('k')).toEqual(entry('body'));
    expect(good.store.shared).toEqual(true);
    const wrongUrl = `redis://:not-the-Tr0ub4dor@127.0.0.1:${r.port}/0`;
    const wrong = await store(wrongUrl);
    expect(await wrong.store.get('k')).toEqual(null);
    expect(wrong.store.shared).toEqual(false);
    const text = [...good.logs, ...wrong.logs].join('\n');
    expect(text).toContain('shared cache unavailable');
    expect(text).toContain(`redis://***@127.0.0.1:${r.port}/0 error=WRONGPASS`);
    expect(text).not.toContain('Tr0ub4dor');
  });
});

describe('Redis URLs', () => {
  it('shows a URL without its password', () => {
    expect(describeRedisUrl('redis://:s3cret@redis.tidemark.svc:6379/2')).toEqual('redis://***@redis.tidemark.svc:6379/2');
    expect(describeRedisUrl('rediss://default:s3cret@cache.example.com:6380')).toEqual('rediss://***@cache.example.com:6380');
    expect(describeRedisUrl('redis://127.0.0.1:6379')).toEqual('redis://127.0.0.1:6379');
    expect(describeRedisUrl('::s3cret::')).toEqual('(invalid Redis URL)');
  });

  it('rejects a URL that is not redis:// or rediss:// as a usage error that does not quote it', async () => {
    const logger = createLogger({ write: () => {} });
    for (const url of ['http://:s3cret@cache:6379', 'nonsense s3cret', 'redis://:s3cret@cache:6379/a/b']) {
      const connecting = RedisStore.connect({ url, logger });
      await expect(connecting).rejects.toThrow(UsageError);
      await expect(connecting).rejects.not.toThrow(/s3cret/);
    }
  });
});

describe('rate limits shared through Redis', () => {
  it('skips manifest reads on a host another process found exhausted, and tells the others when it finds one', async () => {
    const r = await redis();
    const [a, b] = await Promise.all([store(r.url), store(r.url)]);
    const seen: string[] = [];
    const fetchFake: typeof fetch = async (input, init) => {
      seen.push(`${init?.method ?? 'GET'} ${String(input)}`);
      return new Response('{}', { status: 200, headers: { 'ratelimit-remaining': '0;w=21600', 'docker-content-digest': 'sha256:' + 'a'.repeat(64) } });
    };
    const first = new HttpClient({ logger: createLogger({ write: () => {} }), fetch: fetchFake, sharedRateLimits: a.store });
    const second = new HttpClient({ logger: createLogger({ write: () => {} }), fetch: fetchFake, sharedRateLimits: b.store });
    // A HEAD is not metered, but its answer says the pulls are spent: the first process tells Redis.
    expect((await first.request({ url: 'https://registry-1.docker.io/v2/library/nginx/manifests/1.27', method: 'HEAD' })).status).toEqual(200);
    await new Promise((done) => setTimeout(done, 50));
    await expect(second.request({ url: 'https://registry-1.docker.io/v2/library/nginx/manifests/1.27' })).rejects.toThrow(
      'registry-1.docker.io: pull rate limit exhausted, not reading more manifests this run',
    );
    expect((await second.request({ url: 'https://registry-1.docker.io/v2/library/nginx/tags/list' })).status).toEqual(200);
    expect(seen).toEqual(['HEAD https://registry-1.docker.io/v2/library/nginx/manifests/1.27', 'GET https://registry-1.docker.io/v2/library/nginx/tags/list']);
    const raw = new Redis(r.url);
    const ttl = await raw.pttl('tidemark:ratelimit:registry-1.docker.io');
    await raw.quit();
    // The 6-hour window, capped at an hour.
    expect(ttl > 3_500_000 && ttl <= 3_600_000).toEqual(true);
  });
});

describe('credentialed lookups through Redis', () => {
  it('stores no credential or token, and never serves one identity what another read', async () => {
    const r = await redis();
    const reg = await startRegistry({ auth: 'basic' });
    try {
      await reg.pushImage('private/app', '1.0.0', { created: '2026-01-01T00:00:00Z' });
      const pkg = { datasource: 'docker' as const, name: `${reg.host}/private/app`, registryUrl: null };
      const withCredentials = createReleaseSource({
        config: DEFAULT_CONFIG, cacheDir: null, logger: silentLogger, sharedCache: (await store(r.url)).store,
        hostRules: parseHostRules(JSON.stringify([{ matchHost: reg.host, usernameEnv: 'U', passwordEnv: 'P' }]), 'test'),
        env: { U: reg.credentials!.username, P: reg.credentials!.password, DOCKER_CONFIG: '/nonexistent' },
      });
      expect((await withCredentials.releases(pkg)).releases).toEqual([{ version: '1.0.0' }]);
      expect(await withCredentials.digest(pkg, '1.0.0')).toMatch(/^sha256:[0-9a-f]{64}$/);
      expect(await withCredentials.releaseTime(pkg, '1.0.0')).toEqual(new Date('2026-01-01T00:00:00Z'));

      const raw = new Redis(r.url);
      const keys = await raw.keys('tidemark:*');
      const values = (await Promise.all(keys.map((k) => raw.get(k)))).join('\n');
      await raw.quit();
      expect(keys.length).toEqual(3);
      expect(values).not.toContain(reg.credentials!.password);
      expect(values).not.toContain(Buffer.from(`${reg.credentials!.username}:${reg.credentials!.password}`).toString('base64'));
      expect(values.toLowerCase()).not.toMatch(/authorization|bearer|basic /);

      // Another process without the credential asks the registry itself, and is refused: nothing cached leaks to it.
      const anonymous = createReleaseSource({ config: DEFAULT_CONFIG, cacheDir: null, logger: silentLogger, sharedCache: (await store(r.url)).store, env: { DOCKER_CONFIG: '/nonexistent' } });
      await expect(anonymous.releases(pkg)).rejects.toThrow(/unauthorized while listing tags/);
      await expect(anonymous.digest(pkg, '1.0.0')).rejects.toThrow(/unauthorized while reading a digest/);
    } finally {
      await reg.stop();
    }
  });
});
