import nock from 'nock';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG } from '../../src/config/types.js';
import { silentLogger } from '../../src/log.js';
import { createReleaseSource } from '../../src/lookup/index.js';

const image = (name: string) => ({ datasource: 'docker' as const, name, registryUrl: null });
const noDocker = { DOCKER_CONFIG: '/nonexistent' };
const hubChallenge = (repo: string) => ({
  'www-authenticate': `Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:${repo}:pull"`,
});

beforeAll(() => nock.disableNetConnect());
afterEach(() => nock.cleanAll());
afterAll(() => nock.enableNetConnect());

describe('one lookup per package, however its name is spelled', () => {
  it('asks Docker Hub once for nginx, library/nginx, docker.io/nginx, index.docker.io/library/nginx and a mirror of it', async () => {
    const index = 'sha256:' + 'a'.repeat(64);
    const hub = nock('https://registry-1.docker.io')
      .get('/v2/library/nginx/tags/list?n=1000')
      .reply(401, { errors: [{ code: 'UNAUTHORIZED' }] }, hubChallenge('library/nginx'))
      .get('/v2/library/nginx/tags/list?n=1000')
      .matchHeader('authorization', 'Bearer hub-token')
      .reply(200, { name: 'library/nginx', tags: ['1.25.3', '1.27.3'] })
      .head('/v2/library/nginx/manifests/1.27.3')
      .matchHeader('authorization', 'Bearer hub-token')
      .reply(200, '', { 'docker-content-digest': index, 'content-type': 'application/vnd.oci.image.index.v1+json' });
    const auth = nock('https://auth.docker.io')
      .get('/token')
      .query({ service: 'registry.docker.io', scope: 'repository:library/nginx:pull' })
      .reply(200, { token: 'hub-token', access_token: 'hub-token', expires_in: 300, issued_at: '2026-01-01T00:00:00Z' });
    const source = createReleaseSource({
      config: { ...DEFAULT_CONFIG, registries: { 'mirror.gcr.io': { mirrorOf: 'docker.io' } } },
      cacheDir: null, logger: silentLogger, env: noDocker,
    });
    const spellings = ['nginx', 'library/nginx', 'docker.io/nginx', 'docker.io/library/nginx', 'index.docker.io/library/nginx', 'mirror.gcr.io/library/nginx'];
    const lists = await Promise.all(spellings.map(async (n) => (await source.releases(image(n))).releases.map((r) => r.version)));
    expect(lists).toEqual(spellings.map(() => ['1.25.3', '1.27.3']));
    const digests = await Promise.all(spellings.map((n) => source.digest(image(n), '1.27.3')));
    expect(digests).toEqual(spellings.map(() => index));
    expect(source.requestsByHost()).toEqual(new Map([['registry-1.docker.io', 3], ['auth.docker.io', 1]]));
    hub.done();
    auth.done();
  });

  it('keeps a user repository on Docker Hub apart from the official image of the same last name', async () => {
    const hub = nock('https://registry-1.docker.io')
      .get('/v2/library/redis/tags/list?n=1000').reply(200, { tags: ['7.4'] })
      .get('/v2/bitnami/redis/tags/list?n=1000').reply(200, { tags: ['7.4.1-debian-12-r0'] });
    const source = createReleaseSource({ config: DEFAULT_CONFIG, cacheDir: null, logger: silentLogger, env: noDocker });
    expect((await source.releases(image('redis'))).releases).toEqual([{ version: '7.4' }]);
    expect((await source.releases(image('docker.io/bitnami/redis'))).releases).toEqual([{ version: '7.4.1-debian-12-r0' }]);
    hub.done();
  });
});
