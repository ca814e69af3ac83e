import { createHash } from 'node:crypto';
import nock from 'nock';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG, type Rule } from '../../src/config/types.js';
import { silentLogger } from '../../src/log.js';
import { createReleaseSource } from '../../src/lookup/index.js';
import { createPlan, planToJson } from '../../src/plan/index.js';
import type { Dependency } from '../../src/scan/types.js';

const now = new Date('2026-11-10T12:00:00Z');
const OLD = `sha256:${'0'.repeat(64)}`;
const INDEX_1273 = `sha256:${'7'.repeat(64)}`;
const INDEX_1253 = `sha256:${'5'.repeat(64)}`;
const INDEX_TYPE = 'application/vnd.oci.image.index.v1+json';

function nginx(currentDigest: string | null, extra: Partial<Dependency> = {}): Dependency {
  return {
    file: 'apps/web.yaml', line: 12, manager: 'kubernetes', datasource: 'docker', name: 'nginx', registryUrl: null,
    currentValue: '1.25.3', currentDigest, valueRange: { start: 0, end: 0 },
    digestRange: currentDigest ? { start: 0, end: 0 } : null, digestInsertAt: currentDigest ? null : 20, ...extra,
  };
}

/** Docker Hub as it answers: 401 with a challenge, an anonymous token, then tags; HEAD answers carry the index digest. */
function hub(tags: string[]) {
  nock('https://auth.docker.io')
    .get('/token').query({ service: 'registry.docker.io', scope: 'repository:library/nginx:pull' })
    .reply(200, { token: 'anon', access_token: 'anon', expires_in: 300 });
  return nock('https://registry-1.docker.io')
    .get('/v2/library/nginx/tags/list?n=1000')
    .reply(401, { errors: [{ code: 'UNAUTHORIZED', message: 'authentication required' }] }, {
      'www-authenticate': 'Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/nginx:pull"',
    })
    .get('/v2/library/nginx/tags/list?n=1000').matchHeader('authorization', 'Bearer anon')
    .reply(200, { name: 'library/nginx', tags });
}

interface PlanJson {
  updates: { newValue: unknown; newDigest: unknown; updateType: unknown }[];
  unchanged: object[];
  problems: object[];
}

async function plan(deps: Dependency[], rules: Rule[] = []) {
  const source = createReleaseSource({ config: DEFAULT_CONFIG, cacheDir: null, logger: silentLogger, env: { DOCKER_CONFIG: '/nonexistent' }, retries: 0 });
  const p = await createPlan({ dependencies: deps, problems: [] }, source, { ...DEFAULT_CONFIG, rules }, { now });
  return { ...(planToJson(p) as PlanJson), kinds: p.unchanged.map((u) => u.kind), partialFailure: p.partialFailure };
}

const update = (newValue: string, newDigest: string | null, updateType: string, currentDigest: string | null = OLD) => ({
  file: 'apps/web.yaml', line: 12, manager: 'kubernetes', name: 'nginx', currentValue: '1.25.3', newValue,
  currentDigest, newDigest, updateType, group: null, risks: [], changes: [],
});

beforeAll(() => nock.disableNetConnect());
afterEach(() => nock.cleanAll());
afterAll(() => nock.enableNetConnect());

describe('digest-pinned images on Docker Hub', () => {
  it('writes the index digest of the new tag next to it', async () => {
    const scope = hub(['1.25.3', '1.27.3', '1.27.3-alpine'])
      .head('/v2/library/nginx/manifests/1.27.3').matchHeader('accept', /application\/vnd\.oci\.image\.index\.v1\+json/)
      .reply(200, '', { 'docker-content-digest': INDEX_1273, 'content-type': INDEX_TYPE });
    expect(await plan([nginx(OLD)])).toEqual({
      updates: [update('1.27.3', INDEX_1273, 'minor')], unchanged: [], problems: [], kinds: [], partialFailure: false,
    });
    scope.done();
  });

  it('proposes a digest update when the same tag was rebuilt', async () => {
    const scope = hub(['1.25.3'])
      .head('/v2/library/nginx/manifests/1.25.3').reply(200, '', { 'docker-content-digest': INDEX_1253, 'content-type': INDEX_TYPE });
    expect((await plan([nginx(OLD)])).updates).toEqual([update('1.25.3', INDEX_1253, 'digest')]);
    scope.done();
  });

  it('adds a digest when pinDigests asks for one', async () => {
    const scope = hub(['1.25.3'])
      .head('/v2/library/nginx/manifests/1.25.3').reply(200, '', { 'docker-content-digest': INDEX_1253, 'content-type': INDEX_TYPE });
    expect((await plan([nginx(null)], [{ pinDigests: true }])).updates).toEqual([update('1.25.3', INDEX_1253, 'pin', null)]);
    scope.done();
  });

  it('holds the update back with a reason when the digest request fails, never writing the tag without its digest', async () => {
    const scope = hub(['1.25.3', '1.27.3'])
      .head('/v2/library/nginx/manifests/1.27.3').reply(503, '');
    expect(await plan([nginx(OLD)])).toEqual({
      updates: [],
      unchanged: [{
        file: 'apps/web.yaml', line: 12, name: 'nginx', currentValue: '1.25.3',
        reason: 'lookup failed: digest of 1.27.3: registry-1.docker.io answered 503 for /v2/library/nginx/manifests/1.27.3',
      }],
      problems: [], kinds: ['lookup-failed'], partialFailure: true,
    });
    scope.done();
  });

  it('keeps the minor update when only the major one cannot get its digest, and reports the partial failure', async () => {
    const scope = hub(['1.25.3', '1.27.3', '2.0.0'])
      .head('/v2/library/nginx/manifests/1.27.3').reply(200, '', { 'docker-content-digest': INDEX_1273, 'content-type': INDEX_TYPE })
      .head('/v2/library/nginx/manifests/2.0.0').reply(503, '');
    const result = await plan([nginx(OLD)]);
    expect({ updates: result.updates, partialFailure: result.partialFailure }).toEqual({ updates: [update('1.27.3', INDEX_1273, 'minor')], partialFailure: true });
    scope.done();
  });

  it('holds the update back when the new tag has no manifest yet', async () => {
    const scope = hub(['1.25.3', '1.27.3']).head('/v2/library/nginx/manifests/1.27.3').reply(404, '');
    expect((await plan([nginx(OLD)])).unchanged).toEqual([{
      file: 'apps/web.yaml', line: 12, name: 'nginx', currentValue: '1.25.3',
      reason: 'no digest found for 1.27.3, and the reference is pinned by digest',
    }]);
    scope.done();
  });
});

describe('digests on ghcr.io', () => {
  it('reads the digest from the GET when HEAD answers without Docker-Content-Digest', async () => {
    const index = JSON.stringify({ schemaVersion: 2, mediaType: INDEX_TYPE, manifests: [] });
    const digest = `sha256:${createHash('sha256').update(index).digest('hex')}`;
    const ghcr = nock('https://ghcr.io')
      .get('/v2/acme/web/tags/list?n=1000').reply(200, { name: 'acme/web', tags: ['1.0.0', '1.1.0'] })
      .head('/v2/acme/web/manifests/1.1.0').reply(200, '', { 'content-type': INDEX_TYPE })
      .get('/v2/acme/web/manifests/1.1.0').reply(200, index, { 'content-type': INDEX_TYPE, 'docker-content-digest': digest });
    const dep = nginx(OLD, { name: 'ghcr.io/acme/web', currentValue: '1.0.0' });
    expect((await plan([dep])).updates.map((u) => [u.newValue, u.newDigest, u.updateType])).toEqual([['1.1.0', digest, 'minor']]);
    ghcr.done();
  });
});
