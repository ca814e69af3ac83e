import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG, type RegistryConfig } from '../../src/config/types.js';
import { RegistryError } from '../../src/errors.js';
import { silentLogger } from '../../src/log.js';
import { createReleaseSource } from '../../src/lookup/index.js';
import { parseHostRules } from '../../src/lookup/host-rules.js';
import { startRegistry, type TestRegistry } from '../helpers/registry.js';

const config = (registries: Record<string, RegistryConfig> = {}) => ({ ...DEFAULT_CONFIG, registries });
const image = (name: string) => ({ datasource: 'docker' as const, name, registryUrl: null });

describe('lookup against a real registry without auth', () => {
  let reg: TestRegistry;
  let digests: Record<string, string>;
  beforeAll(async () => {
    reg = await startRegistry();
    digests = {};
    for (const tag of ['1.0.0', '1.1.0', '2.0.0']) {
      digests[tag] = (await reg.pushImage('acme/web', tag, { created: `2026-0${tag[0]}-0${tag[2] === '1' ? 2 : 1}T10:00:00Z`, sourceLabel: 'https://github.com/acme/web' })).digest;
    }
    digests['multi'] = (await reg.pushImage('acme/multi', '3.0.0', { platforms: ['linux/amd64', 'linux/arm64/v8'], created: '2026-03-03T03:03:03Z' })).digest;
  });
  afterAll(() => reg.stop());

  it('lists every tag of an image', async () => {
    const source = createReleaseSource({ config: config(), cacheDir: null, logger: silentLogger });
    const { releases } = await source.releases(image(`${reg.host}/acme/web`));
    expect(releases.map((r) => r.version).sort()).toEqual(['1.0.0', '1.1.0', '2.0.0']);
  });

  it('reads the digest a user pins, the index digest for a multi-arch image', async () => {
    const source = createReleaseSource({ config: config(), cacheDir: null, logger: silentLogger });
    expect(await source.digest(image(`${reg.host}/acme/web`), '1.1.0')).toEqual(digests['1.1.0']);
    expect(await source.digest(image(`${reg.host}/acme/multi`), '3.0.0')).toEqual(digests['multi']);
    expect(await source.digest(image(`${reg.host}/acme/web`), '9.9.9')).toEqual(null);
  });

  it('reads the release time and source from the image config, through an index when multi-arch', async () => {
    const source = createReleaseSource({ config: config(), cacheDir: null, logger: silentLogger });
    expect(await source.releaseTime(image(`${reg.host}/acme/web`), '1.1.0')).toEqual(new Date('2026-01-02T10:00:00Z'));
    expect(await source.imageInfo(image(`${reg.host}/acme/web`), '2.0.0')).toEqual({
      created: new Date('2026-02-01T10:00:00Z'),
      source: 'https://github.com/acme/web',
    });
    expect(await source.releaseTime(image(`${reg.host}/acme/multi`), '3.0.0')).toEqual(new Date('2026-03-03T03:03:03Z'));
  });

  it('pushes reproducible images: the same inputs give the same digest', async () => {
    const again = await reg.pushImage('acme/copy', 'x', { created: '2026-01-02T10:00:00Z', sourceLabel: 'https://github.com/acme/web' });
    expect(again.digest).toEqual(digests['1.1.0']);
  });

  it('fails one package with a RegistryError naming host and status, not the whole run', async () => {
    const source = createReleaseSource({ config: config(), cacheDir: null, logger: silentLogger });
    const missing = source.releases(image(`${reg.host}/acme/nope`));
    await expect(missing).rejects.toBeInstanceOf(RegistryError);
    await expect(missing).rejects.toMatchObject({ host: reg.host, status: 404 });
    expect((await source.releases(image(`${reg.host}/acme/web`))).releases).toHaveLength(3);
  });

  it('keeps the tag list on disk and serves the next run from it', async () => {
    const cacheDir = await mkdtemp(join(tmpdir(), 'tidemark-cache-'));
    try {
      const first = createReleaseSource({ config: config(), cacheDir, logger: silentLogger });
      await first.releases(image(`${reg.host}/acme/web`));
      const second = createReleaseSource({ config: config(), cacheDir, logger: silentLogger });
      const { releases } = await second.releases(image(`${reg.host}/acme/web`));
      expect(releases).toHaveLength(3);
      expect(second.requestsByHost()).toEqual(new Map());
      expect(second.cacheStats()).toEqual({ fresh: 1, revalidated: 0, downloaded: 0 });
    } finally {
      await rm(cacheDir, { recursive: true, force: true });
    }
  });
});

describe('lookup against a real registry with Basic auth', () => {
  let reg: TestRegistry;
  beforeAll(async () => {
    reg = await startRegistry({ auth: 'basic' });
    await reg.pushImage('private/app', '0.1.0');
    await reg.pushImage('private/app', '0.2.0');
  });
  afterAll(() => reg.stop());

  it('sends the credentials an operator host rule binds to the registry', async () => {
    const source = createReleaseSource({
      config: config(),
      hostRules: parseHostRules(JSON.stringify([{ matchHost: reg.host, usernameEnv: 'REG_USER', passwordEnv: 'REG_PASS' }]), 'test'),
      cacheDir: null,
      logger: silentLogger,
      env: { REG_USER: reg.credentials?.username, REG_PASS: reg.credentials?.password, DOCKER_CONFIG: '/nonexistent' },
    });
    const { releases } = await source.releases(image(`${reg.host}/private/app`));
    expect(releases.map((r) => r.version).sort()).toEqual(['0.1.0', '0.2.0']);
  });

  it('reports 401 with the host when no credentials are known', async () => {
    const source = createReleaseSource({ config: config(), cacheDir: null, logger: silentLogger, env: { DOCKER_CONFIG: '/nonexistent' } });
    await expect(source.releases(image(`${reg.host}/private/app`))).rejects.toMatchObject({ host: reg.host, status: 401 });
  });
});
