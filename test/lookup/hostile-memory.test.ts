import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG } from '../../src/config/types.js';
import { RegistryError } from '../../src/errors.js';
import { silentLogger } from '../../src/log.js';
import { DEFAULT_MAX_BUFFERED_BYTES } from '../../src/lookup/http.js';
import { createReleaseSource, type LookupSource } from '../../src/lookup/index.js';
import { type HostileServer, startFloodServer, startTagServer } from '../helpers/hostile-servers.js';

const MB = 1_000_000;
const GiB = 1024 ** 3;
const image = (name: string) => ({ datasource: 'docker' as const, name, registryUrl: null });
/** Default budgets throughout: these tests are about what the shipped settings hold. */
const source = (): LookupSource =>
  createReleaseSource({ config: { ...DEFAULT_CONFIG, registries: {} }, cacheDir: null, logger: silentLogger, env: { DOCKER_CONFIG: '/nonexistent' } });

/** Samples the process RSS while `fn` runs; resolves with how far it rose above where it started. */
async function rssGrowth<T>(fn: () => Promise<T>): Promise<{ result: T; growth: number }> {
  const start = process.memoryUsage.rss();
  let highest = start;
  const timer = setInterval(() => (highest = Math.max(highest, process.memoryUsage.rss())), 10);
  try {
    const result = await fn();
    return { result, growth: Math.max(highest, process.memoryUsage.rss()) - start };
  } finally {
    clearInterval(timer);
  }
}

const HEALTHY_TAGS = { 'acme/web': ['1.0.0', '1.1.0'] };
const manyTags = Array.from({ length: 150_000 }, (_, i) => `1.${Math.floor(i / 1000)}.${i % 1000}`);

describe('tag lists that try to exhaust memory, beside a healthy registry', () => {
  let healthy: HostileServer;
  let huge: HostileServer | null = null;
  beforeAll(async () => {
    healthy = await startTagServer({ ...HEALTHY_TAGS, 'acme/many': manyTags });
  });
  afterEach(async () => {
    await huge?.stop();
    huge = null;
  });
  afterAll(() => healthy.stop());

  it('fails six concurrent 200 MB tag lists, keeps the bodies in memory under the process budget, and still answers the healthy registry', { timeout: 120_000 }, async () => {
    const flood = await startFloodServer({ pageBytes: 200 * MB, pages: 1 });
    huge = flood;
    const lookups = source();
    const { result, growth } = await rssGrowth(() =>
      Promise.allSettled([
        ...Array.from({ length: 6 }, (_, i) => lookups.releases(image(`${flood.host}/big/app-${i}`))),
        lookups.releases(image(`${healthy.host}/acme/web`)),
      ]),
    );
    const floods = result.slice(0, 6);
    for (const r of floods) {
      expect(r.status).toEqual('rejected');
      const reason = (r as PromiseRejectedResult).reason as unknown;
      expect(reason).toBeInstanceOf(RegistryError);
      expect((reason as Error).message).toMatch(/sent a response larger than 67108864 bytes|would pass the 256 MiB memory budget/);
    }
    expect(result[6]).toEqual({ status: 'fulfilled', value: { releases: [{ version: '1.0.0' }, { version: '1.1.0' }] } });
    expect(lookups.peakBufferedBytes()).toBeLessThanOrEqual(DEFAULT_MAX_BUFFERED_BYTES);
    expect(flood.bytesSent()).toBeLessThan(6 * 200 * MB);
    expect(growth).toBeLessThan(GiB);
  });

  it('fails a tag list of 100 pages of 20 MB once it passes the per-lookup budget, without reading the rest', { timeout: 120_000 }, async () => {
    const flood = await startFloodServer({ pageBytes: 20 * MB, pages: 100 });
    huge = flood;
    const lookups = source();
    const { result, growth } = await rssGrowth(() =>
      Promise.allSettled([lookups.releases(image(`${flood.host}/paged/app`)), lookups.releases(image(`${healthy.host}/acme/web`))]),
    );
    expect(result[0]?.status).toEqual('rejected');
    expect(((result[0] as PromiseRejectedResult).reason as Error).message).toMatch(
      new RegExp(`^${flood.host}/paged/app: tag list too large \\(more than (250000 tags|250000 values|67108864 bytes) in \\d pages\\); not using a partial list$`),
    );
    expect(result[1]).toEqual({ status: 'fulfilled', value: { releases: [{ version: '1.0.0' }, { version: '1.1.0' }] } });
    expect(flood.hits()).toBeLessThanOrEqual(4);
    expect(lookups.peakBufferedBytes()).toBeLessThanOrEqual(DEFAULT_MAX_BUFFERED_BYTES);
    expect(growth).toBeLessThan(GiB);
  });

  it('fails the lookups past the run budget when many lists each stay within the per-lookup budget', { timeout: 120_000 }, async () => {
    const flood = await startFloodServer({ pageBytes: 20 * MB, pages: 1 });
    huge = flood;
    const lookups = source();
    const { result, growth } = await rssGrowth(async () => {
      const out: PromiseSettledResult<unknown>[] = [];
      // One after another, as a plan of many images on one registry ends up asking.
      for (let i = 0; i < 12; i++) out.push(...(await Promise.allSettled([lookups.releases(image(`${flood.host}/many/app-${i}`))])));
      return out;
    });
    const kept = result.filter((r) => r.status === 'fulfilled').length;
    const refused = result.filter((r) => r.status === 'rejected').map((r) => ((r as PromiseRejectedResult).reason as Error).message);
    // 64 MiB of tag lists per run: three lists of 20 MB fit, the fourth does not.
    expect([kept, refused.length]).toEqual([3, 9]);
    expect(refused[0]).toEqual(`${flood.host}/many/app-3: tag list too large (the run's tag lists passed 67108864 bytes in all); not using a partial list`);
    expect((await lookups.releases(image(`${healthy.host}/acme/web`))).releases).toEqual([{ version: '1.0.0' }, { version: '1.1.0' }]);
    expect(growth).toBeLessThan(GiB);
  });

  it('refuses a 60 MiB tag list of empty objects unparsed (parsed, it would take ten times that)', { timeout: 120_000 }, async () => {
    const flood = await startFloodServer({ pageBytes: 60 * 1024 * 1024, pages: 1, shape: 'objects' });
    huge = flood;
    const lookups = source();
    const { result, growth } = await rssGrowth(() =>
      Promise.allSettled([1, 2, 3, 4].map((i) => lookups.releases(image(`${flood.host}/bomb/app-${i}`)))),
    );
    for (const r of result) {
      expect(((r as PromiseRejectedResult).reason as Error).message).toMatch(/tag list too large \(more than 250000 values in 1 page\)|would pass the 256 MiB memory budget/);
    }
    expect(growth).toBeLessThan(GiB);
  });

  it('reads one page of 150,000 valid tags in full (distribution 2.8 sends every tag at once)', { timeout: 60_000 }, async () => {
    const lookups = source();
    const [many, web] = await Promise.all([lookups.releases(image(`${healthy.host}/acme/many`)), lookups.releases(image(`${healthy.host}/acme/web`))]);
    expect(many.releases.length).toEqual(150_000);
    expect([many.releases[0], many.releases[149_999]]).toEqual([{ version: '1.0.0' }, { version: '1.149.999' }]);
    expect(web.releases).toEqual([{ version: '1.0.0' }, { version: '1.1.0' }]);
  });
});
