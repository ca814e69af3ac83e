import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import nock from 'nock';
import { describe, expect, it, vi } from 'vitest';
import { basic, image, source, useCloudSandbox } from '../../helpers/cloud-registry.js';

const ACR = 'acmeprod.azurecr.io';
const TENANT = '72f988bf-86f1-41af-91ab-2d7cd011db47';
const CLIENT = '9b2c4c1e-5a6d-4f7e-8a9b-0c1d2e3f4a5b';
const NULL_USER = '00000000-0000-0000-0000-000000000000';
const challenge = (repo: string, realmHost = ACR) => ({
  'www-authenticate': `Bearer realm="https://${realmHost}/oauth2/token",service="${ACR}",scope="repository:${repo}:pull"`,
});

/** An ACR refresh token: a JWT whose `exp` says how long it lives. */
function refreshToken(name: string, expiresInSeconds: number): string {
  const part = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
  return `${part({ alg: 'RS256', typ: 'JWT' })}.${part({ jti: name, sub: CLIENT, exp: Math.floor(Date.now() / 1000) + expiresInSeconds, grant_type: 'refresh_token', aud: ACR })}.c2lnbmF0dXJl`;
}

/** Microsoft Entra's token endpoint for the tenant, answering `accessToken` for the registry audience. */
function entra(accessToken: string, check: (body: Record<string, string>) => boolean) {
  return nock('https://login.microsoftonline.com')
    .get(/\/discovery\/instance|\/.well-known\/openid-configuration/).optionally().times(2).reply(404)
    .post(`/${TENANT}/oauth2/v2.0/token`, (body: Record<string, string>) => body['scope'] === 'https://containerregistry.azure.net/.default' && check(body))
    .query(true)
    .reply(200, { token_type: 'Bearer', expires_in: 3599, ext_expires_in: 3599, access_token: accessToken });
}

/** The registry: `/oauth2/exchange` trades `accessToken` for `refresh`, `/oauth2/token` trades that for a scoped token. */
function registry(repo: string, accessToken: string, refresh: string) {
  return nock(`https://${ACR}`)
    .get(`/v2/${repo}/tags/list?n=1000`).reply(401, { errors: [{ code: 'UNAUTHORIZED' }] }, challenge(repo))
    .post('/oauth2/exchange', (body: Record<string, string>) =>
      body['grant_type'] === 'access_token' && body['service'] === ACR && body['access_token'] === accessToken && body['tenant'] === TENANT)
    .reply(200, { refresh_token: refresh })
    .get('/oauth2/token').query({ service: ACR, scope: `repository:${repo}:pull` })
    .matchHeader('authorization', basic(NULL_USER, refresh))
    .reply(200, { access_token: `acr-access-for-${repo}` })
    .get(`/v2/${repo}/tags/list?n=1000`).matchHeader('authorization', `Bearer acr-access-for-${repo}`)
    .reply(200, { name: repo, tags: ['v1.8.2', 'v1.9.0'] });
}

let dir: string;

useCloudSandbox('tidemark-acr-', (d) => {
  dir = d;
  for (const name of Object.keys(process.env)) if (name.startsWith('AZURE_') || name.startsWith('IDENTITY_') || name.startsWith('MSI_')) vi.stubEnv(name, undefined);
});

describe('Azure Container Registry with Microsoft Entra credentials', () => {
  it('exchanges a workload identity token for an ACR refresh token, then asks /oauth2/token per scope', async () => {
    const tokenFile = join(dir, 'azure-identity-token');
    await writeFile(tokenFile, 'eyJhbGciOiJSUzI1NiJ9.federated.signature');
    vi.stubEnv('AZURE_TENANT_ID', TENANT);
    vi.stubEnv('AZURE_CLIENT_ID', CLIENT);
    vi.stubEnv('AZURE_FEDERATED_TOKEN_FILE', tokenFile);
    const login = entra('entra-from-workload-identity', (b) =>
      b['client_assertion'] === 'eyJhbGciOiJSUzI1NiJ9.federated.signature' && b['client_assertion_type'] === 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer');
    const refresh = refreshToken('workload', 3 * 3600);
    const reg = registry('platform/ingress', 'entra-from-workload-identity', refresh);
    // The registry's challenge is known by now: the token for the next scope is asked first, with the same refresh token.
    const tags = nock(`https://${ACR}`)
      .get('/oauth2/token').query({ service: ACR, scope: 'repository:platform/egress:pull' }).matchHeader('authorization', basic(NULL_USER, refresh))
      .reply(200, { access_token: 'acr-access-egress' })
      .get('/v2/platform/egress/tags/list?n=1000').matchHeader('authorization', 'Bearer acr-access-egress').reply(200, { tags: ['v2.0.0'] });
    const src = source();
    expect((await src.releases(image(`${ACR}/platform/ingress`))).releases).toEqual([{ version: 'v1.8.2' }, { version: 'v1.9.0' }]);
    expect((await src.releases(image(`${ACR}/platform/egress`))).releases).toEqual([{ version: 'v2.0.0' }]);
    login.done();
    reg.done();
    tags.done();
  });

  it('uses a service principal secret from the environment', async () => {
    vi.stubEnv('AZURE_TENANT_ID', TENANT);
    vi.stubEnv('AZURE_CLIENT_ID', CLIENT);
    vi.stubEnv('AZURE_CLIENT_SECRET', 'sp-secret-value');
    const login = entra('entra-from-secret', (b) => b['client_secret'] === 'sp-secret-value' && b['grant_type'] === 'client_credentials');
    const reg = registry('platform/ingress', 'entra-from-secret', refreshToken('secret', 3 * 3600));
    await source().releases(image(`${ACR}/platform/ingress`));
    login.done();
    reg.done();
  });

  it('exchanges again when the refresh token is about to expire', async () => {
    vi.stubEnv('AZURE_TENANT_ID', TENANT);
    vi.stubEnv('AZURE_CLIENT_ID', CLIENT);
    vi.stubEnv('AZURE_CLIENT_SECRET', 'sp-secret-value');
    let clock = Date.now();
    const login = entra('entra-1', () => true);
    const first = registry('platform/ingress', 'entra-1', refreshToken('first', 3600));
    const src = source([], () => clock);
    await src.releases(image(`${ACR}/platform/ingress`));
    login.done();
    first.done();
    clock += 56 * 60_000;
    const renewed = refreshToken('second', 3 * 3600);
    const second = nock(`https://${ACR}`)
      .post('/oauth2/exchange', (b: Record<string, string>) => b['access_token'] === 'entra-1').reply(200, { refresh_token: renewed })
      .get('/oauth2/token').query(true).matchHeader('authorization', basic(NULL_USER, renewed))
      .reply(200, { access_token: 'acr-access-second' })
      .get('/v2/platform/egress/tags/list?n=1000').matchHeader('authorization', 'Bearer acr-access-second').reply(200, { tags: ['v2.0.0'] });
    await src.releases(image(`${ACR}/platform/egress`));
    second.done();
  });

  it('fails only that registry, naming the credential source, when Entra refuses the workload identity', async () => {
    const tokenFile = join(dir, 'azure-identity-token');
    await writeFile(tokenFile, 'expired-federated-token');
    vi.stubEnv('AZURE_TENANT_ID', TENANT);
    vi.stubEnv('AZURE_CLIENT_ID', CLIENT);
    vi.stubEnv('AZURE_FEDERATED_TOKEN_FILE', tokenFile);
    const login = nock('https://login.microsoftonline.com')
      .get(/\/discovery\/instance|\/.well-known\/openid-configuration/).optionally().times(2).reply(404)
      .post(`/${TENANT}/oauth2/v2.0/token`).query(true)
      .reply(400, { error: 'invalid_client', error_description: 'AADSTS700024: Client assertion is not within its valid time range.' });
    const ghcr = nock('https://ghcr.io').get('/v2/acme/web/tags/list?n=1000').reply(200, { tags: ['3.0.0'] });
    const src = source();
    await expect(src.releases(image(`${ACR}/platform/ingress`))).rejects.toMatchObject({
      host: ACR,
      message: expect.stringMatching(/^acmeprod\.azurecr\.io: no azure registry credential from Microsoft Entra workload identity \(AZURE_FEDERATED_TOKEN_FILE, AZURE_CLIENT_ID, AZURE_TENANT_ID\): .*AADSTS700024/),
    });
    expect((await src.releases(image('ghcr.io/acme/web'))).releases).toEqual([{ version: '3.0.0' }]);
    login.done();
    ghcr.done();
  });

  it('names Entra\'s own reason when it refuses a service principal secret', async () => {
    vi.stubEnv('AZURE_TENANT_ID', TENANT);
    vi.stubEnv('AZURE_CLIENT_ID', CLIENT);
    vi.stubEnv('AZURE_CLIENT_SECRET', 'expired-secret');
    const login = nock('https://login.microsoftonline.com')
      .get(/\/discovery\/instance|\/.well-known\/openid-configuration/).optionally().times(2).reply(404)
      .post(`/${TENANT}/oauth2/v2.0/token`).query(true)
      .reply(401, { error: 'invalid_client', error_description: 'AADSTS7000222: The provided client secret keys for app are expired.' });
    await expect(source().releases(image(`${ACR}/platform/ingress`))).rejects.toMatchObject({
      host: ACR,
      message: expect.stringMatching(/^acmeprod\.azurecr\.io: no azure registry credential from Microsoft Entra environment credential \(AZURE_CLIENT_ID, AZURE_TENANT_ID\): .*AADSTS7000222: The provided client secret keys for app are expired\./),
    });
    login.done();
  });

  it('fails that registry when /oauth2/exchange refuses the Entra token', async () => {
    vi.stubEnv('AZURE_TENANT_ID', TENANT);
    vi.stubEnv('AZURE_CLIENT_ID', CLIENT);
    vi.stubEnv('AZURE_CLIENT_SECRET', 'sp-secret-value');
    const login = entra('entra-no-role', () => true);
    const reg = nock(`https://${ACR}`)
      .post('/oauth2/exchange').reply(401, { errors: [{ code: 'UNAUTHORIZED', message: 'tenant not authorized' }] });
    await expect(source().releases(image(`${ACR}/platform/ingress`))).rejects.toMatchObject({
      host: ACR,
      status: 401,
      message: 'acmeprod.azurecr.io: /oauth2/exchange answered 401 (Microsoft Entra environment credential (AZURE_CLIENT_ID, AZURE_TENANT_ID))',
    });
    login.done();
    reg.done();
  });

  it('sends the refresh token to no token service but the registry itself', async () => {
    vi.stubEnv('AZURE_TENANT_ID', TENANT);
    vi.stubEnv('AZURE_CLIENT_ID', CLIENT);
    vi.stubEnv('AZURE_CLIENT_SECRET', 'sp-secret-value');
    const login = entra('entra-1', () => true);
    const elsewhere = nock('https://azurecr.io').get('/oauth2/token').query(true)
      .matchHeader('authorization', (v: string | undefined) => v === undefined).reply(200, { access_token: 'anonymous' });
    const reg = nock(`https://${ACR}`)
      .get('/v2/platform/ingress/tags/list?n=1000').reply(401, {}, challenge('platform/ingress', 'azurecr.io'))
      .post('/oauth2/exchange').reply(200, { refresh_token: refreshToken('kept', 3600) })
      .get('/v2/platform/ingress/tags/list?n=1000').matchHeader('authorization', 'Bearer anonymous').reply(401, {}, challenge('platform/ingress', 'azurecr.io'));
    await expect(source().releases(image(`${ACR}/platform/ingress`))).rejects.toMatchObject({ status: 401 });
    login.done();
    elsewhere.done();
    reg.done();
  });

  it('leaves an ACR host alone when the environment holds no Entra credentials and no rule asks', async () => {
    const reg = nock(`https://${ACR}`)
      .get('/v2/platform/ingress/tags/list?n=1000').reply(401, {}, challenge('platform/ingress'))
      .get('/oauth2/token').query(true).matchHeader('authorization', (v: string | undefined) => v === undefined).reply(401, {});
    await expect(source().releases(image(`${ACR}/platform/ingress`))).rejects.toMatchObject({ status: 401, host: ACR });
    reg.done();
  });
});
