import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG } from '../../src/config/types.js';
import { silentLogger } from '../../src/log.js';
import { createReleaseSource } from '../../src/lookup/index.js';
import { parseHostRules } from '../../src/lookup/host-rules.js';
import { startRegistry, type TestRegistry } from '../helpers/registry.js';

const config = { ...DEFAULT_CONFIG, registries: {} };
const noDocker = { DOCKER_CONFIG: '/nonexistent' };
const image = (name: string) => ({ datasource: 'docker' as const, name, registryUrl: null });
/** The test token service listens on its own port: for credentials it is another host, trusted only through `authHosts`. */
const tokenHost = (reg: TestRegistry): string => new URL(reg.tokenServer?.realm ?? 'http://missing').host;

describe('lookup against a real registry with Bearer token auth', () => {
  let reg: TestRegistry;
  beforeAll(async () => {
    reg = await startRegistry({ auth: 'token', countRequests: true });
    for (const repo of ['team/api', 'team/worker', 'team/cron']) {
      await reg.pushImage(repo, '1.0.0');
      await reg.pushImage(repo, '1.0.1');
    }
  });
  afterAll(() => reg.stop());

  it('fetches an anonymous pull token on the challenge and reuses what it learned for the next repository', async () => {
    const source = createReleaseSource({ config, cacheDir: null, logger: silentLogger, env: noDocker });
    const tokensBefore = reg.tokenServer?.requestCount() ?? 0;
    const registryBefore = reg.requestCount();
    for (const repo of ['team/api', 'team/worker', 'team/cron']) {
      const { releases } = await source.releases(image(`${reg.host}/${repo}`));
      expect(releases.map((r) => r.version).sort()).toEqual(['1.0.0', '1.0.1']);
    }
    // One 401 to learn the realm, then one token and one tag list per repository.
    expect(reg.requestCount() - registryBefore).toEqual(4);
    expect((reg.tokenServer?.requestCount() ?? 0) - tokensBefore).toEqual(3);
  });

  it('reuses a token for the same repository until it expires', async () => {
    const source = createReleaseSource({ config, cacheDir: null, logger: silentLogger, env: noDocker });
    const pkg = image(`${reg.host}/team/api`);
    const tokensBefore = reg.tokenServer?.requestCount() ?? 0;
    await source.releases(pkg);
    await source.digest(pkg, '1.0.0');
    await source.digest(pkg, '1.0.1');
    expect((reg.tokenServer?.requestCount() ?? 0) - tokensBefore).toEqual(1);
  });

  it('gets its token with credentials from Docker config.json', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'tidemark-docker-'));
    try {
      const auth = Buffer.from(`${reg.credentials?.username}:${reg.credentials?.password}`).toString('base64');
      const { writeFile } = await import('node:fs/promises');
      await writeFile(join(dir, 'config.json'), JSON.stringify({ auths: { [reg.host]: { auth } } }));
      const hostRules = parseHostRules(JSON.stringify([{ matchHost: reg.host, authHosts: [tokenHost(reg)] }]), 'test');
      const source = createReleaseSource({ config, hostRules, cacheDir: null, logger: silentLogger, env: { DOCKER_CONFIG: dir } });
      expect(await source.digest(image(`${reg.host}/team/api`), '1.0.0')).toMatch(/^sha256:[0-9a-f]{64}$/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('fails with 401 when the token service refuses the credentials', async () => {
    const source = createReleaseSource({
      config,
      hostRules: parseHostRules(JSON.stringify([{ matchHost: reg.host, usernameEnv: 'U', passwordEnv: 'P', authHosts: [tokenHost(reg)] }]), 'test'),
      cacheDir: null,
      logger: silentLogger,
      env: { U: 'tidemark', P: 'wrong', ...noDocker },
    });
    await expect(source.releases(image(`${reg.host}/team/api`))).rejects.toMatchObject({ status: 401 });
  });

  it('asks a token service on another host anonymously, and says why, when no rule lists it in authHosts', async () => {
    const warnings: { msg: string; meta: unknown }[] = [];
    const logger = { ...silentLogger, warn: (msg: string, meta?: unknown) => void warnings.push({ msg, meta }) };
    const source = createReleaseSource({
      config,
      hostRules: parseHostRules(JSON.stringify([{ matchHost: reg.host, usernameEnv: 'U', passwordEnv: 'P' }]), 'test'),
      cacheDir: null,
      logger,
      env: { U: 'tidemark', P: 'wrong', ...noDocker },
    });
    // Wrong credentials would earn a 401; withheld, the anonymous pull token reads the public tags.
    expect((await source.releases(image(`${reg.host}/team/api`))).releases.map((r) => r.version).sort()).toEqual(['1.0.0', '1.0.1']);
    expect(warnings).toEqual([
      {
        msg: 'credentials withheld from a token service the registry named; asking it anonymously',
        meta: {
          registry: reg.host,
          realm: tokenHost(reg),
          reason: `realm host ${tokenHost(reg)} is not ${reg.host}, its parent domain, nor one of the host rule's authHosts`,
          hint: "a host rule's authHosts lists token services trusted with that registry's credentials",
        },
      },
    ]);
  });
});

describe('tag pagination through a paginating proxy', () => {
  let reg: TestRegistry;
  const tags = Array.from({ length: 23 }, (_, i) => `1.${String(i).padStart(2, '0')}.0`);
  beforeAll(async () => {
    reg = await startRegistry({ paginate: 5 });
    await reg.pushImage('big/app', 'seed');
    await reg.seedTags('big/app', { repo: 'big/app', tag: 'seed' }, tags);
  });
  afterAll(() => reg.stop());

  it('follows Link to the last page, however small the pages the registry allows', async () => {
    const source = createReleaseSource({ config, cacheDir: null, logger: silentLogger });
    const before = reg.requestCount();
    const { releases } = await source.releases(image(`${reg.host}/big/app`));
    expect(releases.map((r) => r.version)).toEqual([...tags, 'seed']);
    expect(reg.requestCount() - before).toEqual(5);
  });

  it('stops at the page cap and says so', async () => {
    const warnings: string[] = [];
    const logger = { ...silentLogger, warn: (m: string) => void warnings.push(m) };
    const source = createReleaseSource({ config, cacheDir: null, logger, maxTagPages: 2 });
    const { releases } = await source.releases(image(`${reg.host}/big/app`));
    expect(releases).toHaveLength(10);
    expect(warnings).toEqual(['tag list truncated: too many pages; newer tags may be missing']);
  });

  it('revalidates stale pages with ETags instead of downloading them again', async () => {
    const cacheDir = await mkdtemp(join(tmpdir(), 'tidemark-cache-'));
    try {
      let now = 1_000_000;
      const opts = { config, cacheDir, logger: silentLogger, now: () => now, cacheTtlMs: 60_000 };
      await createReleaseSource(opts).releases(image(`${reg.host}/big/app`));
      now += 120_000;
      const warm = createReleaseSource(opts);
      const { releases } = await warm.releases(image(`${reg.host}/big/app`));
      expect(releases).toHaveLength(24);
      expect(warm.cacheStats()).toEqual({ fresh: 0, revalidated: 5, downloaded: 0 });
    } finally {
      await rm(cacheDir, { recursive: true, force: true });
    }
  });
});
