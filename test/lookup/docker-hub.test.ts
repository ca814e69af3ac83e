import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import nock from 'nock';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG } from '../../src/config/types.js';
import { silentLogger } from '../../src/log.js';
import { createReleaseSource, type ReleaseSourceOptions } from '../../src/lookup/index.js';
import { parseHostRules } from '../../src/lookup/host-rules.js';
import { createPlan } from '../../src/plan/index.js';
import type { Dependency } from '../../src/scan/types.js';

const HUB = 'https://hub.docker.com';
const REGISTRY = 'https://registry-1.docker.io';
const INDEX = 'application/vnd.oci.image.index.v1+json';
const MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
const CONFIG = 'application/vnd.oci.image.config.v1+json';
const noDocker = { DOCKER_CONFIG: '/nonexistent' };
const image = (name: string) => ({ datasource: 'docker' as const, name, registryUrl: null });
const fixture = (file: string): Record<string, unknown> =>
  JSON.parse(readFileSync(new URL(`../../fixtures/lookup/docker-hub/${file}`, import.meta.url), 'utf8')) as Record<string, unknown>;
/** A Hub tag body shaped like nginx's, for another tag and push time. */
const hubTag = (name: string, pushed: string) => ({ ...fixture('library-nginx-1.27.3.json'), name, tag_last_pushed: pushed, last_updated: pushed });

/** The digest of what nock sends for a JSON body: by-digest reads are checked against their bytes. */
const sha256Of = (json: unknown) => `sha256:${createHash('sha256').update(JSON.stringify(json)).digest('hex')}`;

function source(extra: Partial<ReleaseSourceOptions> = {}) {
  return createReleaseSource({ config: DEFAULT_CONFIG, cacheDir: null, logger: silentLogger, env: noDocker, backoffMs: 1, ...extra });
}

/**
 * The manifest path as Docker Hub serves an official image: anonymous token, an index without annotations, the
 * linux/amd64 child, and `created` in the config blob. Two metered manifest GETs.
 */
function manifestPath(repo: string, tag: string, created: string): { registry: nock.Scope; auth: nock.Scope } {
  const configBlob = { architecture: 'amd64', os: 'linux', created, config: { Labels: {} } };
  const config = sha256Of(configBlob);
  const childManifest = { schemaVersion: 2, mediaType: MANIFEST, config: { mediaType: CONFIG, digest: config, size: 1 }, layers: [] };
  const child = sha256Of(childManifest);
  const challenge = { 'www-authenticate': `Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:${repo}:pull"` };
  const registry = nock(REGISTRY)
    .get(`/v2/${repo}/manifests/${tag}`).reply(401, {}, challenge)
    .get(`/v2/${repo}/manifests/${tag}`).matchHeader('authorization', 'Bearer hub-token')
    .reply(200, { schemaVersion: 2, mediaType: INDEX, manifests: [{ mediaType: MANIFEST, digest: child, size: 1, platform: { os: 'linux', architecture: 'amd64' } }] })
    .get(`/v2/${repo}/manifests/${child}`).matchHeader('authorization', 'Bearer hub-token')
    .reply(200, childManifest)
    .get(`/v2/${repo}/blobs/${config}`).matchHeader('authorization', 'Bearer hub-token')
    .reply(200, configBlob);
  const auth = nock('https://auth.docker.io')
    .get('/token').query({ service: 'registry.docker.io', scope: `repository:${repo}:pull` })
    .reply(200, { token: 'hub-token', expires_in: 300 });
  return { registry, auth };
}

beforeAll(() => nock.disableNetConnect());
afterEach(() => nock.cleanAll());
afterAll(() => nock.enableNetConnect());

describe('release times of Docker Hub tags from the Hub API', () => {
  it('reads an official image tag push time from the Hub API, without a token, a credential or a pull', async () => {
    const hub = nock(HUB)
      .get('/v2/namespaces/library/repositories/nginx/tags/1.27.3')
      .matchHeader('authorization', (v) => v === undefined)
      .reply(200, fixture('library-nginx-1.27.3.json'));
    const src = source();
    for (const name of ['nginx', 'docker.io/nginx', 'docker.io/library/nginx', 'index.docker.io/library/nginx']) {
      expect(await src.releaseTime(image(name), '1.27.3')).toEqual(new Date('2024-11-26T19:05:27.180839Z'));
    }
    hub.done();
    expect(Object.fromEntries(src.requestsByHost())).toEqual({ 'hub.docker.com': 1 });
  });

  it('reads a user image (bitnami/redis) and never sends the Docker Hub credentials to hub.docker.com', async () => {
    const hub = nock(HUB)
      .get('/v2/namespaces/bitnami/repositories/redis/tags/7.4.1')
      .matchHeader('authorization', (v) => v === undefined)
      .reply(200, fixture('bitnami-redis-7.4.1.json'));
    const src = source({ hostRules: parseHostRules('[{"matchHost":"docker.io","usernameEnv":"HUB_USER","passwordEnv":"HUB_PASS"}]', 'test'), env: { ...noDocker, HUB_USER: 'bot', HUB_PASS: 'dckr_pat_secret' } });
    expect(await src.releaseTime(image('bitnami/redis'), '7.4.1')).toEqual(new Date('2024-10-03T11:52:40.602371Z'));
    hub.done();
  });

  it('takes last_updated when a tag has no tag_last_pushed', async () => {
    const hub = nock(HUB)
      .get('/v2/namespaces/library/repositories/redis/tags/6.0.5')
      .reply(200, { ...fixture('bitnami-redis-7.4.1.json'), name: '6.0.5', tag_last_pushed: null, last_updated: '2020-06-12T09:01:44.210311Z' });
    expect(await source().releaseTime(image('redis'), '6.0.5')).toEqual(new Date('2020-06-12T09:01:44.210311Z'));
    hub.done();
  });

  it('falls back to the manifest path when the Hub API answers 404 (a private repository), and asks the Hub no more for that repository', async () => {
    const hub = nock(HUB)
      .get('/v2/namespaces/acme/repositories/private/tags/2.0.0')
      .reply(404, { errinfo: { namespace: 'acme', repository: 'private', tag: '2.0.0' }, message: "httperror 404: tag '2.0.0' not found" });
    const { registry, auth } = manifestPath('acme/private', '2.0.0', '2024-09-01T10:00:00Z');
    const src = source();
    expect(await src.releaseTime(image('acme/private'), '2.0.0')).toEqual(new Date('2024-09-01T10:00:00Z'));
    hub.done();
    registry.done();
    auth.done();
    const next = nock(REGISTRY)
      .get('/v2/acme/private/manifests/2.1.0').matchHeader('authorization', 'Bearer hub-token')
      .reply(200, { schemaVersion: 2, mediaType: INDEX, annotations: { 'org.opencontainers.image.created': '2024-10-01T10:00:00Z' }, manifests: [] });
    expect(await src.releaseTime(image('acme/private'), '2.1.0')).toEqual(new Date('2024-10-01T10:00:00Z'));
    next.done();
    expect(src.requestsByHost().get('hub.docker.com')).toEqual(1);
  });

  it('falls back at once on a 429 from the Hub API and asks the Hub no more this run', async () => {
    const hub = nock(HUB)
      .get('/v2/namespaces/library/repositories/nginx/tags/1.27.3')
      .reply(429, 'Too Many Requests', { 'retry-after': '1', 'x-ratelimit-remaining': '0' });
    const first = manifestPath('library/nginx', '1.27.3', '2024-11-26T18:00:00Z');
    const src = source();
    expect(await src.releaseTime(image('nginx'), '1.27.3')).toEqual(new Date('2024-11-26T18:00:00Z'));
    hub.done();
    first.registry.done();
    const second = nock(REGISTRY)
      .get('/v2/library/nginx/manifests/1.27.2').matchHeader('authorization', 'Bearer hub-token')
      .reply(200, { schemaVersion: 2, mediaType: INDEX, annotations: { 'org.opencontainers.image.created': '2024-10-02T12:00:00Z' }, manifests: [] });
    expect(await src.releaseTime(image('nginx'), '1.27.2')).toEqual(new Date('2024-10-02T12:00:00Z'));
    second.done();
    expect(src.requestsByHost().get('hub.docker.com')).toEqual(1);
  });

  it('spends one Hub request, not one per package, when packages looked up in parallel meet a rate-limited Hub', async () => {
    const hub = nock(HUB).get(/\/v2\/namespaces\/acme\/repositories\/app\d\/tags\/1\.0\.0/).reply(429, 'Too Many Requests');
    const registry = nock(REGISTRY);
    for (const n of [1, 2, 3, 4]) {
      registry.get(`/v2/acme/app${n}/manifests/1.0.0`)
        .reply(200, { schemaVersion: 2, mediaType: INDEX, annotations: { 'org.opencontainers.image.created': `2024-0${n}-01T00:00:00Z` }, manifests: [] });
    }
    const src = source();
    const times = await Promise.all([1, 2, 3, 4].map((n) => src.releaseTime(image(`acme/app${n}`), '1.0.0')));
    expect(times).toEqual([1, 2, 3, 4].map((n) => new Date(`2024-0${n}-01T00:00:00Z`)));
    hub.done();
    registry.done();
    expect(src.requestsByHost().get('hub.docker.com')).toEqual(1);
  });

  it('falls back after retries when the Hub API keeps failing with 5xx, and when it sends a body that is not a tag', async () => {
    const failing = nock(HUB).get('/v2/namespaces/library/repositories/nginx/tags/1.27.3').times(2).reply(503, 'upstream connect error');
    const first = manifestPath('library/nginx', '1.27.3', '2024-11-26T18:00:00Z');
    expect(await source({ retries: 1 }).releaseTime(image('nginx'), '1.27.3')).toEqual(new Date('2024-11-26T18:00:00Z'));
    failing.done();
    first.registry.done();

    const html = nock(HUB).get('/v2/namespaces/library/repositories/nginx/tags/1.27.3').reply(200, '<html>captive portal</html>');
    const second = manifestPath('library/nginx', '1.27.3', '2024-11-26T18:00:00Z');
    expect(await source().releaseTime(image('nginx'), '1.27.3')).toEqual(new Date('2024-11-26T18:00:00Z'));
    html.done();
    second.registry.done();
  });

  it('keeps Hub answers in the disk cache, so a second run within the TTL asks nothing', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'tidemark-hub-cache-'));
    try {
      const hub = nock(HUB).get('/v2/namespaces/library/repositories/nginx/tags/1.27.3').reply(200, fixture('library-nginx-1.27.3.json'));
      expect(await source({ cacheDir: dir }).releaseTime(image('nginx'), '1.27.3')).toEqual(new Date('2024-11-26T19:05:27.180839Z'));
      hub.done();
      const again = source({ cacheDir: dir });
      expect(await again.releaseTime(image('nginx'), '1.27.3')).toEqual(new Date('2024-11-26T19:05:27.180839Z'));
      expect(again.requestsByHost().size).toEqual(0);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('reads manifests only when the Hub API is turned off (dockerHubApiUrl: null)', async () => {
    const { registry } = manifestPath('library/nginx', '1.27.3', '2024-11-26T18:00:00Z');
    const src = source({ dockerHubApiUrl: null });
    expect(await src.releaseTime(image('nginx'), '1.27.3')).toEqual(new Date('2024-11-26T18:00:00Z'));
    registry.done();
    expect(src.requestsByHost().get('hub.docker.com')).toBeUndefined();
  });
});

describe('a minimumReleaseAge plan over Docker Hub tags', () => {
  const now = new Date('2024-12-10T12:00:00Z');
  const dep: Dependency = {
    file: 'apps/web.yaml', line: 7, manager: 'kubernetes', datasource: 'docker', name: 'nginx', registryUrl: null, currentValue: '1.26.0',
    currentDigest: null, valueRange: { start: 0, end: 0 }, digestRange: null, digestInsertAt: null,
  };

  it('reads every candidate time from the Hub API and sends no manifest GET to registry-1.docker.io', async () => {
    // Four patch releases in the last week (too new for 7 days), so all five candidates need a time; 1.27.0 is old enough.
    const pushed: Record<string, string> = {
      '1.27.0': '2024-05-29T10:00:00Z', '1.27.1': '2024-12-04T10:00:00Z', '1.27.2': '2024-12-06T10:00:00Z',
      '1.27.3': '2024-12-08T10:00:00Z', '1.27.4': '2024-12-09T10:00:00Z',
    };
    const registry = nock(REGISTRY)
      .get('/v2/library/nginx/tags/list?n=1000')
      .reply(401, {}, { 'www-authenticate': 'Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/nginx:pull"' })
      .get('/v2/library/nginx/tags/list?n=1000').matchHeader('authorization', 'Bearer hub-token')
      .reply(200, { name: 'library/nginx', tags: ['1.26.0', ...Object.keys(pushed), 'latest'] });
    nock('https://auth.docker.io').get('/token').query(true).reply(200, { token: 'hub-token', expires_in: 300 });
    const hub = nock(HUB);
    for (const [tag, at] of Object.entries(pushed)) hub.get(`/v2/namespaces/library/repositories/nginx/tags/${tag}`).reply(200, hubTag(tag, at));
    const src = source();
    const plan = await createPlan({ dependencies: [dep], problems: [] }, src, { ...DEFAULT_CONFIG, rules: [{ minimumReleaseAge: '7 days' }] }, { now });
    expect(plan.updates.map((u) => u.newValue)).toEqual(['1.27.0']);
    registry.done();
    hub.done();
    // The tag list (its 401 and its answer) is all registry-1.docker.io saw: not one metered manifest GET.
    expect(Object.fromEntries(src.requestsByHost())).toEqual({ 'registry-1.docker.io': 2, 'auth.docker.io': 1, 'hub.docker.com': 5 });
  });
});
