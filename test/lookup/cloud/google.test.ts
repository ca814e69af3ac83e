import { generateKeyPairSync } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import nock from 'nock';
import { describe, expect, it, vi } from 'vitest';
import { basic, image, source, useCloudSandbox } from '../../helpers/cloud-registry.js';

const GAR = 'europe-docker.pkg.dev';
const REPO = 'acme-prod/images/web';
const challenge = (host: string, repo: string, realmHost = host) => ({
  'www-authenticate': `Bearer realm="https://${realmHost}/v2/token",service="${host}",scope="repository:${repo}:pull"`,
});

/** A registry behind Google's Bearer challenge whose token service accepts only `oauth2accesstoken:<accessToken>`. */
function registry(host: string, repo: string, accessToken: string) {
  return nock(`https://${host}`)
    .get(`/v2/${repo}/tags/list?n=1000`).reply(401, {}, challenge(host, repo))
    .get('/v2/token').query({ service: host, scope: `repository:${repo}:pull` })
    .matchHeader('authorization', basic('oauth2accesstoken', accessToken))
    .reply(200, { token: `registry-token-for-${accessToken}`, expires_in: 3600 })
    .get(`/v2/${repo}/tags/list?n=1000`).matchHeader('authorization', `Bearer registry-token-for-${accessToken}`)
    .reply(200, { name: repo, tags: ['2024.05.1', '2024.06.0'] });
}

let dir: string;

async function serviceAccountFile(): Promise<string> {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const file = join(dir, 'tidemark-reader.json');
  await writeFile(file, JSON.stringify({
    type: 'service_account',
    project_id: 'acme-prod',
    private_key_id: '3f1c0e2a9b',
    private_key: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    client_email: 'tidemark-reader@acme-prod.iam.gserviceaccount.com',
    client_id: '104729811235813213455',
    token_uri: 'https://oauth2.googleapis.com/token',
  }));
  return file;
}

/** The metadata server's token answer (GKE workload identity, GCE). */
function metadataToken(accessToken: string, expiresIn: number) {
  return nock('http://169.254.169.254')
    .get('/computeMetadata/v1/project/project-id').optionally().matchHeader('metadata-flavor', 'Google')
    .reply(200, 'acme-prod', { 'metadata-flavor': 'Google', 'content-type': 'application/text' })
    .get('/computeMetadata/v1/instance/service-accounts/default/token').query(true)
    .matchHeader('metadata-flavor', 'Google')
    .reply(200, { access_token: accessToken, expires_in: expiresIn, token_type: 'Bearer' }, { 'metadata-flavor': 'Google' });
}

useCloudSandbox('tidemark-gar-', (d) => {
  dir = d;
  for (const name of ['GOOGLE_APPLICATION_CREDENTIALS', 'GCE_METADATA_HOST', 'GCE_METADATA_IP', 'METADATA_SERVER_DETECTION', 'GOOGLE_CLOUD_PROJECT', 'GCLOUD_PROJECT']) vi.stubEnv(name, undefined);
  vi.stubEnv('CLOUDSDK_CONFIG', join(dir, 'gcloud'));
});

describe('Google Artifact Registry and GCR with Application Default Credentials', () => {
  it('reads a private Artifact Registry image as oauth2accesstoken with a service account key file', async () => {
    vi.stubEnv('GOOGLE_APPLICATION_CREDENTIALS', await serviceAccountFile());
    const google = nock('https://oauth2.googleapis.com')
      .post('/token', (body: Record<string, string>) => body['grant_type'] === 'urn:ietf:params:oauth:grant-type:jwt-bearer' && typeof body['assertion'] === 'string')
      .reply(200, { access_token: 'ya29.service-account', expires_in: 3599, token_type: 'Bearer' });
    const reg = registry(GAR, REPO, 'ya29.service-account');
    expect((await source().releases(image(`${GAR}/${REPO}`))).releases).toEqual([{ version: '2024.05.1' }, { version: '2024.06.0' }]);
    google.done();
    reg.done();
  });

  it('asks the metadata server (GKE workload identity) when a rule marks the host "cloud": "google", and shares the token with gcr.io', async () => {
    vi.stubEnv('METADATA_SERVER_DETECTION', 'assume-present');
    vi.stubEnv('GCE_METADATA_HOST', '169.254.169.254');
    const metadata = metadataToken('ya29.workload-identity', 3599);
    const gar = registry(GAR, REPO, 'ya29.workload-identity');
    const gcr = registry('eu.gcr.io', 'acme-prod/legacy-worker', 'ya29.workload-identity');
    const src = source([{ matchHost: GAR, cloud: 'google' }, { matchHost: 'eu.gcr.io', cloud: 'google' }]);
    await src.releases(image(`${GAR}/${REPO}`));
    await src.releases(image('eu.gcr.io/acme-prod/legacy-worker'));
    metadata.done();
    gar.done();
    gcr.done();
  });

  it('asks for a new access token when the cached one is about to expire', async () => {
    vi.stubEnv('METADATA_SERVER_DETECTION', 'assume-present');
    vi.stubEnv('GCE_METADATA_HOST', '169.254.169.254');
    let clock = Date.now();
    const first = metadataToken('ya29.first', 3599);
    const gar = registry(GAR, REPO, 'ya29.first');
    const src = source([{ matchHost: GAR, cloud: 'google' }, { matchHost: 'gcr.io', cloud: 'google' }], () => clock);
    await src.releases(image(`${GAR}/${REPO}`));
    first.done();
    gar.done();
    clock += 56 * 60_000;
    const second = metadataToken('ya29.second', 3599);
    const gcr = registry('gcr.io', 'acme-prod/batch', 'ya29.second');
    await src.releases(image('gcr.io/acme-prod/batch'));
    second.done();
    gcr.done();
  });

  it('fails only the Google host, naming the credential source, when the key file is unreadable', async () => {
    vi.stubEnv('GOOGLE_APPLICATION_CREDENTIALS', join(dir, 'missing.json'));
    const quay = nock('https://quay.io').get('/v2/acme/tool/tags/list?n=1000').reply(200, { tags: ['1.0'] });
    const src = source();
    await expect(src.releases(image(`${GAR}/${REPO}`))).rejects.toMatchObject({
      host: GAR,
      message: expect.stringMatching(/^europe-docker\.pkg\.dev: no google registry credential from Google Application Default Credentials: GOOGLE_APPLICATION_CREDENTIALS file: /),
    });
    expect((await src.releases(image('quay.io/acme/tool'))).releases).toEqual([{ version: '1.0' }]);
    quay.done();
  });

  it('keeps the access token from a token service on another host, even a Google one', async () => {
    vi.stubEnv('GOOGLE_APPLICATION_CREDENTIALS', await serviceAccountFile());
    const google = nock('https://oauth2.googleapis.com').post('/token').reply(200, { access_token: 'ya29.kept-home', expires_in: 3599 });
    const pkgDev = nock('https://pkg.dev')
      .get('/v2/token').query(true).matchHeader('authorization', (v: string | undefined) => v === undefined).reply(200, { token: 'anonymous' });
    const reg = nock(`https://${GAR}`)
      .get(`/v2/${REPO}/tags/list?n=1000`).reply(401, {}, challenge(GAR, REPO, 'pkg.dev'))
      .get(`/v2/${REPO}/tags/list?n=1000`).matchHeader('authorization', 'Bearer anonymous').reply(401, {}, challenge(GAR, REPO, 'pkg.dev'));
    await expect(source().releases(image(`${GAR}/${REPO}`))).rejects.toMatchObject({ status: 401 });
    google.done();
    pkgDev.done();
    reg.done();
  });
});
