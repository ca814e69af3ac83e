import { createHash } from 'node:crypto';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import nock from 'nock';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG, type RegistryConfig } from '../../src/config/types.js';
import { silentLogger } from '../../src/log.js';
import { createReleaseSource } from '../../src/lookup/index.js';
import { parseHostRules } from '../../src/lookup/host-rules.js';

const config = (registries: Record<string, RegistryConfig> = {}) => ({ ...DEFAULT_CONFIG, registries });
const image = (name: string) => ({ datasource: 'docker' as const, name, registryUrl: null });
const noDocker = { DOCKER_CONFIG: '/nonexistent' };

beforeAll(() => nock.disableNetConnect());
afterEach(() => nock.cleanAll());
afterAll(() => nock.enableNetConnect());

describe('Docker Hub', () => {
  it('looks up official images under library/ on registry-1.docker.io with an anonymous token, across pages', async () => {
    const hub = nock('https://registry-1.docker.io')
      .get('/v2/library/nginx/tags/list?n=1000')
      .reply(401, {}, { 'www-authenticate': 'Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/nginx:pull"' })
      .get('/v2/library/nginx/tags/list?n=1000')
      .matchHeader('authorization', 'Bearer hub-token')
      .reply(200, { name: 'library/nginx', tags: ['1.25', '1.26'] }, { link: '</v2/library/nginx/tags/list?last=1.26&n=1000>; rel="next"', 'ratelimit-remaining': '99;w=21600' })
      .get('/v2/library/nginx/tags/list?last=1.26&n=1000')
      .matchHeader('authorization', 'Bearer hub-token')
      .reply(200, { name: 'library/nginx', tags: ['1.27'] });
    const auth = nock('https://auth.docker.io')
      .get('/token')
      .query({ service: 'registry.docker.io', scope: 'repository:library/nginx:pull' })
      .matchHeader('authorization', (v) => v === undefined)
      .reply(200, { token: 'hub-token', expires_in: 300 });
    const source = createReleaseSource({ config: config(), cacheDir: null, logger: silentLogger, env: noDocker });
    expect((await source.releases(image('nginx'))).releases.map((r) => r.version)).toEqual(['1.25', '1.26', '1.27']);
    hub.done();
    auth.done();
  });

  it('finds Docker Hub credentials under the https://index.docker.io/v1/ key of config.json', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'tidemark-hub-'));
    try {
      const auth = Buffer.from('hubuser:hubpass').toString('base64');
      await writeFile(join(dir, 'config.json'), JSON.stringify({ auths: { 'https://index.docker.io/v1/': { auth } } }));
      const hub = nock('https://registry-1.docker.io')
        .get('/v2/hubuser/private/tags/list?n=1000')
        .reply(401, {}, { 'www-authenticate': 'Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:hubuser/private:pull"' })
        .get('/v2/hubuser/private/tags/list?n=1000')
        .matchHeader('authorization', 'Bearer private-token')
        .reply(200, { tags: ['v1'] });
      const token = nock('https://auth.docker.io')
        .get('/token')
        .query({ service: 'registry.docker.io', scope: 'repository:hubuser/private:pull' })
        .matchHeader('authorization', `Basic ${auth}`)
        .reply(200, { access_token: 'private-token' });
      const source = createReleaseSource({ config: config(), cacheDir: null, logger: silentLogger, env: { DOCKER_CONFIG: dir } });
      expect((await source.releases(image('hubuser/private'))).releases).toEqual([{ version: 'v1' }]);
      hub.done();
      token.done();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('once the pull limit is spent and the Hub API is rate-limited too, stops reading manifests but still lists tags and reads digests (neither counts as a pull)', async () => {
    const digest = 'sha256:' + 'e'.repeat(64);
    const hub = nock('https://registry-1.docker.io')
      .head('/v2/acme/a/manifests/1').reply(200, '', { 'docker-content-digest': digest, 'ratelimit-limit': '100;w=21600', 'ratelimit-remaining': '0;w=21600' })
      .get('/v2/acme/b/tags/list?n=1000').reply(200, { tags: ['1', '2'] })
      .head('/v2/acme/b/manifests/2').reply(200, '', { 'docker-content-digest': digest, 'ratelimit-remaining': '0;w=21600' });
    // The Hub web API (free of pulls) is rate-limited too, so the release time would need a metered manifest GET.
    const hubApi = nock('https://hub.docker.com').get('/v2/namespaces/acme/repositories/b/tags/2').reply(429, 'Too Many Requests');
    const source = createReleaseSource({ config: config(), cacheDir: null, logger: silentLogger, env: noDocker });
    expect(await source.digest(image('docker.io/acme/a'), '1')).toEqual(digest);
    expect((await source.releases(image('acme/b'))).releases.map((r) => r.version)).toEqual(['1', '2']);
    expect(await source.digest(image('acme/b'), '2')).toEqual(digest);
    await expect(source.releaseTime(image('acme/b'), '2')).rejects.toMatchObject({ host: 'registry-1.docker.io', status: 429 });
    hub.done();
    hubApi.done();
  });
});

describe('ghcr.io', () => {
  it('sends the credentials a host rule binds to ghcr.io to its token service, then only the token to the registry', async () => {
    const basic = `Basic ${Buffer.from('bot:ghp_secret').toString('base64')}`;
    const ghcr = nock('https://ghcr.io')
      .get('/v2/acme/web/tags/list?n=1000')
      .reply(401, {}, { 'www-authenticate': 'Bearer realm="https://ghcr.io/token",service="ghcr.io",scope="repository:acme/web:pull"' })
      .get('/token')
      .query({ service: 'ghcr.io', scope: 'repository:acme/web:pull' })
      .matchHeader('authorization', basic)
      .reply(200, { token: 'ghcr-token' })
      .get('/v2/acme/web/tags/list?n=1000')
      .matchHeader('authorization', 'Bearer ghcr-token')
      .reply(200, { tags: ['0.1.0'] }, { link: '<https://ghcr.io/v2/acme/web/tags/list?last=0.1.0&n=1000>; rel="next"' })
      .get('/v2/acme/web/tags/list?last=0.1.0&n=1000')
      .reply(200, { tags: ['0.2.0'] });
    const source = createReleaseSource({
      config: config(),
      hostRules: parseHostRules('[{"matchHost":"ghcr.io","usernameEnv":"GHCR_USER","passwordEnv":"GHCR_TOKEN"}]', 'test'),
      cacheDir: null,
      logger: silentLogger,
      env: { GHCR_USER: 'bot', GHCR_TOKEN: 'ghp_secret', ...noDocker },
    });
    expect((await source.releases(image('ghcr.io/acme/web'))).releases.map((r) => r.version)).toEqual(['0.1.0', '0.2.0']);
    ghcr.done();
  });

  it('looks a mirror up at the registry it mirrors', async () => {
    const hub = nock('https://registry-1.docker.io').get('/v2/library/redis/tags/list?n=1000').reply(200, { tags: ['7'] });
    const source = createReleaseSource({ config: config({ 'mirror.gcr.io': { mirrorOf: 'docker.io' } }), cacheDir: null, logger: silentLogger, env: noDocker });
    expect((await source.releases(image('mirror.gcr.io/redis'))).releases).toEqual([{ version: '7' }]);
    hub.done();
  });
});

describe('credentials', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tidemark-cred-'));
    const helper = join(dir, 'docker-credential-fake');
    await writeFile(helper, '#!/bin/sh\nread server\nprintf \'{"ServerURL":"%s","Username":"helper-user","Secret":"helper-pass"}\' "$server"\n');
    await chmod(helper, 0o755);
    await writeFile(join(dir, 'config.json'), JSON.stringify({ credHelpers: { 'registry.example.com': 'fake' } }));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('asks the credential helper Docker config.json names for that registry', async () => {
    const basic = `Basic ${Buffer.from('helper-user:helper-pass').toString('base64')}`;
    const reg = nock('https://registry.example.com')
      .get('/v2/team/app/tags/list?n=1000')
      .reply(401, {}, { 'www-authenticate': 'Basic realm="example"' })
      .get('/v2/team/app/tags/list?n=1000')
      .matchHeader('authorization', basic)
      .reply(200, { tags: ['1.0'] });
    const source = createReleaseSource({ config: config(), cacheDir: null, logger: silentLogger, env: { DOCKER_CONFIG: dir, PATH: `${dir}:${process.env['PATH']}` } });
    expect((await source.releases(image('registry.example.com/team/app'))).releases).toEqual([{ version: '1.0' }]);
    reg.done();
  });

  it('never sends credentials to the host a redirect leads to', async () => {
    const basic = `Basic ${Buffer.from('helper-user:helper-pass').toString('base64')}`;
    const config1 = JSON.stringify({ architecture: 'amd64', os: 'linux', created: '2026-04-01T00:00:00Z', rootfs: { type: 'layers', diff_ids: [] } });
    const configDigest = `sha256:${createHash('sha256').update(config1).digest('hex')}`;
    const manifest = { schemaVersion: 2, mediaType: 'application/vnd.oci.image.manifest.v1+json', config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: configDigest, size: config1.length }, layers: [] };
    const reg = nock('https://registry.example.com')
      .get('/v2/team/app/manifests/1.0')
      .reply(401, {}, { 'www-authenticate': 'Basic realm="example"' })
      .get('/v2/team/app/manifests/1.0')
      .matchHeader('authorization', basic)
      .reply(200, manifest)
      .get(`/v2/team/app/blobs/${configDigest}`)
      .matchHeader('authorization', basic)
      .reply(307, '', { location: 'https://blobs.storage.example.net/c?sig=abc' });
    const storage = nock('https://blobs.storage.example.net', { badheaders: ['authorization'] }).get('/c?sig=abc').reply(200, config1);
    const source = createReleaseSource({ config: config(), cacheDir: null, logger: silentLogger, env: { DOCKER_CONFIG: dir, PATH: `${dir}:${process.env['PATH']}` } });
    expect(await source.releaseTime(image('registry.example.com/team/app'), '1.0')).toEqual(new Date('2026-04-01T00:00:00Z'));
    reg.done();
    storage.done();
  });
});
