import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG } from '../../src/config/types.js';
import { silentLogger } from '../../src/log.js';
import { createReleaseSource } from '../../src/lookup/index.js';
import { startHelmRepo, type TestHelmRepo } from '../helpers/helm-repo.js';
import { startRegistry, type TestRegistry } from '../helpers/registry.js';

const config = { ...DEFAULT_CONFIG, registries: {} };

describe('OCI Helm charts in a real registry', () => {
  let reg: TestRegistry;
  let digest: string;
  beforeAll(async () => {
    reg = await startRegistry();
    await reg.pushChart('charts/podinfo', '6.5.0', { created: '2026-02-01T00:00:00Z' });
    digest = (await reg.pushChart('charts/podinfo', '6.6.0+build.7')).digest;
  });
  afterAll(() => reg.stop());

  const chart = () => ({ datasource: 'helm' as const, name: 'podinfo', registryUrl: `oci://${reg.host}/charts` });

  it('lists chart versions, turning the `_` OCI tags need back into `+`', async () => {
    const source = createReleaseSource({ config, cacheDir: null, logger: silentLogger });
    const { releases } = await source.releases(chart());
    expect(releases.map((r) => r.version).sort()).toEqual(['6.5.0', '6.6.0+build.7']);
  });

  it('reads the digest of a version whose tag holds `_`', async () => {
    const source = createReleaseSource({ config, cacheDir: null, logger: silentLogger });
    expect(await source.digest(chart(), '6.6.0+build.7')).toEqual(digest);
  });

  it('reads the creation time from the manifest annotation, and none when Helm wrote none', async () => {
    const source = createReleaseSource({ config, cacheDir: null, logger: silentLogger });
    expect(await source.releaseTime(chart(), '6.5.0')).toEqual(new Date('2026-02-01T00:00:00Z'));
    expect(await source.releaseTime(chart(), '6.6.0+build.7')).toEqual(null);
  });
});

describe('HTTP Helm repositories', () => {
  let repo: TestHelmRepo;
  beforeAll(async () => {
    repo = await startHelmRepo({
      podinfo: [
        { version: '6.6.0', created: '2026-03-01T12:00:00.123456789+02:00' },
        { version: '6.5.0', created: '2026-01-01T00:00:00Z' },
      ],
      legacy: ['1.10', '1.9'],
    });
  });
  afterAll(() => repo.stop());

  const chart = (name: string) => ({ datasource: 'helm' as const, name, registryUrl: repo.url + '/' });

  it('reads versions with their created times, digests and links from index.yaml', async () => {
    const source = createReleaseSource({ config, cacheDir: null, logger: silentLogger });
    const got = await source.releases(chart('podinfo'));
    expect(got).toEqual({
      releases: [
        { version: '6.6.0', digest: expect.stringMatching(/^[0-9a-f]{64}$/), releaseTimestamp: '2026-03-01T10:00:00.123Z' },
        { version: '6.5.0', digest: expect.stringMatching(/^[0-9a-f]{64}$/), releaseTimestamp: '2026-01-01T00:00:00.000Z' },
      ],
      sourceUrl: 'https://github.com/example/podinfo',
      homepage: 'https://charts.example.test/podinfo',
    });
    expect(await source.releaseTime(chart('podinfo'), '6.5.0')).toEqual(new Date('2026-01-01T00:00:00Z'));
  });

  it('keeps versions as written: 1.10 is not 1.1', async () => {
    const source = createReleaseSource({ config, cacheDir: null, logger: silentLogger });
    expect((await source.releases(chart('legacy'))).releases.map((r) => r.version)).toEqual(['1.10', '1.9']);
  });

  it('fetches each index once per run however many charts come from it', async () => {
    const source = createReleaseSource({ config, cacheDir: null, logger: silentLogger });
    const before = repo.requestCount();
    await Promise.all([source.releases(chart('podinfo')), source.releases(chart('legacy')), source.digest(chart('podinfo'), '6.5.0')]);
    expect(repo.requestCount() - before).toEqual(1);
  });

  it('fails a chart the index does not list with a 404 RegistryError', async () => {
    const source = createReleaseSource({ config, cacheDir: null, logger: silentLogger });
    await expect(source.releases(chart('missing'))).rejects.toMatchObject({ status: 404 });
  });

  it('revalidates a stale cached index with its ETag, and downloads again once it changed', async () => {
    const cacheDir = await mkdtemp(join(tmpdir(), 'tidemark-cache-'));
    try {
      let now = 0;
      const opts = { config, cacheDir, logger: silentLogger, now: () => now, cacheTtlMs: 1000 };
      await createReleaseSource(opts).releases(chart('podinfo'));
      now = 5000;
      const unchanged = createReleaseSource(opts);
      await unchanged.releases(chart('podinfo'));
      expect(unchanged.cacheStats()).toEqual({ fresh: 0, revalidated: 1, downloaded: 0 });
      repo.setCharts({ podinfo: ['6.7.0', '6.6.0'] });
      now = 10_000;
      const changed = createReleaseSource(opts);
      expect((await changed.releases(chart('podinfo'))).releases.map((r) => r.version)).toEqual(['6.7.0', '6.6.0']);
      expect(changed.cacheStats()).toEqual({ fresh: 0, revalidated: 0, downloaded: 1 });
    } finally {
      await rm(cacheDir, { recursive: true, force: true });
    }
  });
});
