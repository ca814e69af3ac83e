import nock from 'nock';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG } from '../../src/config/types.js';
import { silentLogger } from '../../src/log.js';
import { createReleaseSource } from '../../src/lookup/index.js';

const image = (name: string) => ({ datasource: 'docker' as const, name, registryUrl: null });
const source = () => createReleaseSource({ config: DEFAULT_CONFIG, cacheDir: null, logger: silentLogger, env: { DOCKER_CONFIG: '/nonexistent' }, retries: 0 });
const AR = 'https://us-west1-docker.pkg.dev';
const AR_PATH = '/v2/k8s-artifacts-prod/images/ingress-nginx/controller';

beforeAll(() => nock.disableNetConnect());
afterEach(() => nock.cleanAll());
afterAll(() => nock.enableNetConnect());

describe('registry.k8s.io', () => {
  it('follows the redirect to Artifact Registry for tags (which drops the query and lists every tag) and digests', async () => {
    const digest = `sha256:${'4'.repeat(64)}`;
    const k8s = nock('https://registry.k8s.io')
      .get('/v2/ingress-nginx/controller/tags/list?n=1000')
      .reply(307, '<a href="...">Temporary Redirect</a>.', { location: `${AR}${AR_PATH}/tags/list` })
      .head('/v2/ingress-nginx/controller/manifests/v1.11.3')
      .reply(307, '', { location: `${AR}${AR_PATH}/manifests/v1.11.3` });
    const ar = nock(AR, { badheaders: ['authorization'] })
      .get(`${AR_PATH}/tags/list`)
      .reply(200, {
        child: [], manifest: {}, name: 'k8s-artifacts-prod/images/ingress-nginx/controller',
        tags: ['v1.11.2', 'v1.11.3', `sha256-${'a'.repeat(64)}.sig`],
      })
      .head(`${AR_PATH}/manifests/v1.11.3`)
      .reply(200, '', { 'docker-content-digest': digest, 'content-type': 'application/vnd.oci.image.index.v1+json' });
    const s = source();
    expect((await s.releases(image('registry.k8s.io/ingress-nginx/controller'))).releases.map((r) => r.version)).toEqual([
      'v1.11.2', 'v1.11.3', `sha256-${'a'.repeat(64)}.sig`,
    ]);
    expect(await s.digest(image('registry.k8s.io/ingress-nginx/controller'), 'v1.11.3')).toEqual(digest);
    k8s.done();
    ar.done();
  });

  it('follows a next-page Link relative to the host the redirect led to', async () => {
    const k8s = nock('https://registry.k8s.io')
      .get('/v2/ingress-nginx/controller/tags/list?n=1000')
      .reply(307, '', { location: `${AR}${AR_PATH}/tags/list` });
    const ar = nock(AR, { badheaders: ['authorization'] })
      .get(`${AR_PATH}/tags/list`)
      .reply(200, { tags: ['v1.10.0'] }, { link: `<${AR_PATH}/tags/list?n=1&last=v1.10.0>; rel="next"` })
      .get(`${AR_PATH}/tags/list?n=1&last=v1.10.0`)
      .reply(200, { tags: ['v1.11.3'] });
    expect((await source().releases(image('registry.k8s.io/ingress-nginx/controller'))).releases.map((r) => r.version)).toEqual(['v1.10.0', 'v1.11.3']);
    k8s.done();
    ar.done();
  });
});

describe('public.ecr.aws', () => {
  it('gets an anonymous token for the scope the challenge names and lists tags across pages', async () => {
    const ecr = nock('https://public.ecr.aws')
      .get('/v2/karpenter/controller/tags/list?n=1000')
      .reply(401, { errors: [{ code: 'DENIED', message: 'Not Authorized' }] }, {
        'www-authenticate': 'Bearer realm="https://public.ecr.aws/token/",service="public.ecr.aws",scope="aws"',
      })
      .get('/token/').query({ service: 'public.ecr.aws', scope: 'aws' })
      .reply(200, { token: 'ecr-anon' })
      .get('/v2/karpenter/controller/tags/list?n=1000').matchHeader('authorization', 'Bearer ecr-anon')
      .reply(200, { name: 'karpenter/controller', tags: ['1.0.0'] }, { link: '</v2/karpenter/controller/tags/list?last=1.0.0&n=1000>; rel="next"' })
      .get('/v2/karpenter/controller/tags/list?last=1.0.0&n=1000').matchHeader('authorization', 'Bearer ecr-anon')
      .reply(200, { name: 'karpenter/controller', tags: ['1.1.0'] });
    expect((await source().releases(image('public.ecr.aws/karpenter/controller'))).releases.map((r) => r.version)).toEqual(['1.0.0', '1.1.0']);
    ecr.done();
  });
});
