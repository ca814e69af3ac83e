import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import nock from 'nock';
import { describe, expect, it, vi } from 'vitest';
import { parseHostRules } from '../../../src/lookup/host-rules.js';
import { basic, image, source, useCloudSandbox } from '../../helpers/cloud-registry.js';

const HOST = '123456789012.dkr.ecr.eu-west-1.amazonaws.com';
const OTHER = '210987654321.dkr.ecr.us-east-1.amazonaws.com';
const ECR_API = 'https://api.ecr.eu-west-1.amazonaws.com';
const TARGET = 'AmazonEC2ContainerRegistry_V20150921.GetAuthorizationToken';
const ecrChallenge = (host: string) => ({ 'www-authenticate': `Basic realm="https://${host}/",service="ecr.amazonaws.com"` });

/** ECR's GetAuthorizationToken answer (awsJson1_1): a base64 `AWS:<password>` and its expiry in epoch seconds. */
function authorization(password: string, expiresInSeconds: number) {
  return {
    authorizationData: [{
      authorizationToken: Buffer.from(`AWS:${password}`).toString('base64'),
      expiresAt: Math.floor(Date.now() / 1000) + expiresInSeconds,
      proxyEndpoint: `https://${HOST}`,
    }],
  };
}

function ecrApi(api = ECR_API) {
  return nock(api).post('/').matchHeader('x-amz-target', TARGET);
}

/** Tags of `repo` behind ECR's Basic challenge, answered only for `AWS:<password>`. */
function registry(host: string, repo: string, password: string, times = 1) {
  return nock(`https://${host}`)
    .get(`/v2/${repo}/tags/list?n=1000`).reply(401, { errors: [{ code: 'DENIED' }] }, ecrChallenge(host))
    .get(`/v2/${repo}/tags/list?n=1000`).times(times).matchHeader('authorization', basic('AWS', password)).reply(200, { name: repo, tags: ['1.4.0', '1.5.0'] });
}

let dir: string;

useCloudSandbox('tidemark-ecr-', (d) => {
  dir = d;
  for (const name of Object.keys(process.env)) if (name.startsWith('AWS_')) vi.stubEnv(name, undefined);
  vi.stubEnv('AWS_CONFIG_FILE', join(dir, 'config'));
  vi.stubEnv('AWS_SHARED_CREDENTIALS_FILE', join(dir, 'credentials'));
  vi.stubEnv('AWS_EC2_METADATA_DISABLED', 'true');
});

describe('Amazon ECR with the AWS credential chain', () => {
  it('reads a private ECR image with a token from GetAuthorizationToken when the environment holds AWS keys', async () => {
    vi.stubEnv('AWS_ACCESS_KEY_ID', 'AKIAIOSFODNN7EXAMPLE');
    vi.stubEnv('AWS_SECRET_ACCESS_KEY', 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY');
    const api = ecrApi().matchHeader('authorization', /^AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE\/\d{8}\/eu-west-1\/ecr\/aws4_request/)
      .reply(200, authorization('ecr-password-1', 12 * 3600), { 'content-type': 'application/x-amz-json-1.1' });
    const reg = registry(HOST, 'payments/api', 'ecr-password-1');
    const src = source();
    expect((await src.releases(image(`${HOST}/payments/api`))).releases).toEqual([{ version: '1.4.0' }, { version: '1.5.0' }]);
    api.done();
    reg.done();
  });

  it('asks for one token per account and region, and reuses it until it nears expiry', async () => {
    vi.stubEnv('AWS_ACCESS_KEY_ID', 'AKIAIOSFODNN7EXAMPLE');
    vi.stubEnv('AWS_SECRET_ACCESS_KEY', 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY');
    const api = ecrApi().once().reply(200, authorization('long-lived', 12 * 3600));
    const other = ecrApi('https://api.ecr.us-east-1.amazonaws.com').once().reply(200, authorization('other-region', 12 * 3600));
    const reg = nock(`https://${HOST}`)
      .get('/v2/payments/api/tags/list?n=1000').reply(401, {}, ecrChallenge(HOST))
      .get('/v2/payments/api/tags/list?n=1000').matchHeader('authorization', basic('AWS', 'long-lived')).reply(200, { tags: ['1.0.0'] })
      .get('/v2/payments/worker/tags/list?n=1000').matchHeader('authorization', basic('AWS', 'long-lived')).reply(200, { tags: ['2.0.0'] });
    const reg2 = registry(OTHER, 'payments/api', 'other-region');
    const src = source();
    await src.releases(image(`${HOST}/payments/api`));
    await src.releases(image(`${HOST}/payments/worker`));
    await src.releases(image(`${OTHER}/payments/api`));
    api.done();
    other.done();
    reg.done();
    reg2.done();
  });

  it('asks for a new token when the cached one is about to expire', async () => {
    vi.stubEnv('AWS_ACCESS_KEY_ID', 'AKIAIOSFODNN7EXAMPLE');
    vi.stubEnv('AWS_SECRET_ACCESS_KEY', 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY');
    let clock = Date.now();
    const api = ecrApi().reply(200, authorization('expiring', 3600)).post('/').reply(200, authorization('renewed', 12 * 3600));
    const reg = nock(`https://${HOST}`)
      .get('/v2/payments/api/tags/list?n=1000').reply(401, {}, ecrChallenge(HOST))
      .get('/v2/payments/api/tags/list?n=1000').matchHeader('authorization', basic('AWS', 'expiring')).reply(200, { tags: ['1.0.0'] })
      .get('/v2/payments/worker/tags/list?n=1000').matchHeader('authorization', basic('AWS', 'renewed')).reply(200, { tags: ['2.0.0'] });
    const src = source([], () => clock);
    await src.releases(image(`${HOST}/payments/api`));
    clock += 56 * 60_000;
    expect((await src.releases(image(`${HOST}/payments/worker`))).releases).toEqual([{ version: '2.0.0' }]);
    api.done();
    reg.done();
  });

  it('assumes the role of a web identity (IRSA on EKS) through STS', async () => {
    const tokenFile = join(dir, 'token');
    await writeFile(tokenFile, 'eyJhbGciOiJSUzI1NiJ9.irsa.signature');
    vi.stubEnv('AWS_WEB_IDENTITY_TOKEN_FILE', tokenFile);
    vi.stubEnv('AWS_ROLE_ARN', 'arn:aws:iam::123456789012:role/tidemark-ecr-read');
    vi.stubEnv('AWS_REGION', 'eu-west-1');
    const expiration = new Date(Date.now() + 3600_000).toISOString();
    const sts = nock('https://sts.eu-west-1.amazonaws.com')
      .post('/', (body: Record<string, string>) => body['Action'] === 'AssumeRoleWithWebIdentity' && body['WebIdentityToken'] === 'eyJhbGciOiJSUzI1NiJ9.irsa.signature'
        && body['RoleArn'] === 'arn:aws:iam::123456789012:role/tidemark-ecr-read')
      .reply(200, `<AssumeRoleWithWebIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
  <AssumeRoleWithWebIdentityResult>
    <Credentials>
      <AccessKeyId>ASIAIRSAEXAMPLE</AccessKeyId>
      <SecretAccessKey>irsa-secret</SecretAccessKey>
      <SessionToken>irsa-session</SessionToken>
      <Expiration>${expiration}</Expiration>
    </Credentials>
  </AssumeRoleWithWebIdentityResult>
</AssumeRoleWithWebIdentityResponse>`, { 'content-type': 'text/xml' });
    const api = ecrApi().matchHeader('authorization', /Credential=ASIAIRSAEXAMPLE\//).matchHeader('x-amz-security-token', 'irsa-session')
      .reply(200, authorization('from-irsa', 12 * 3600));
    const reg = registry(HOST, 'payments/api', 'from-irsa');
    await source().releases(image(`${HOST}/payments/api`));
    sts.done();
    api.done();
    reg.done();
  });

  it('reads EKS Pod Identity credentials from the container credentials endpoint', async () => {
    const tokenFile = join(dir, 'eks-pod-identity-token');
    await writeFile(tokenFile, 'pod-identity-jwt');
    vi.stubEnv('AWS_CONTAINER_CREDENTIALS_FULL_URI', 'http://169.254.170.23/v1/credentials');
    vi.stubEnv('AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE', tokenFile);
    const agent = nock('http://169.254.170.23').get('/v1/credentials').matchHeader('authorization', 'pod-identity-jwt')
      .reply(200, { AccessKeyId: 'ASIAPODIDEXAMPLE', SecretAccessKey: 'pod-secret', Token: 'pod-session', AccountId: '123456789012', Expiration: new Date(Date.now() + 3600_000).toISOString() });
    const api = ecrApi().matchHeader('authorization', /Credential=ASIAPODIDEXAMPLE\//).reply(200, authorization('from-pod-identity', 12 * 3600));
    const reg = registry(HOST, 'payments/api', 'from-pod-identity');
    await source().releases(image(`${HOST}/payments/api`));
    agent.done();
    api.done();
    reg.done();
  });

  it('uses the chain for a host a rule marks "cloud": "aws", with a named profile from the shared config', async () => {
    await writeFile(join(dir, 'credentials'), '[ecr-reader]\naws_access_key_id = AKIAPROFILEEXAMPLE\naws_secret_access_key = profile-secret\n');
    vi.stubEnv('AWS_PROFILE', 'ecr-reader');
    const api = ecrApi().matchHeader('authorization', /Credential=AKIAPROFILEEXAMPLE\//).reply(200, authorization('from-profile', 12 * 3600));
    const reg = registry(HOST, 'payments/api', 'from-profile');
    await source([{ matchHost: HOST, cloud: 'aws' }]).releases(image(`${HOST}/payments/api`));
    api.done();
    reg.done();
  });

  it('fails only the ECR host, naming the credential source, when GetAuthorizationToken is denied', async () => {
    vi.stubEnv('AWS_ACCESS_KEY_ID', 'AKIAIOSFODNN7EXAMPLE');
    vi.stubEnv('AWS_SECRET_ACCESS_KEY', 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY');
    const api = ecrApi().reply(400, {
      __type: 'AccessDeniedException',
      message: 'User: arn:aws:iam::123456789012:user/ci is not authorized to perform: ecr:GetAuthorizationToken',
    }, { 'content-type': 'application/x-amz-json-1.1' });
    const ghcr = nock('https://ghcr.io').get('/v2/acme/web/tags/list?n=1000').reply(200, { tags: ['3.0.0'] });
    const src = source();
    await expect(src.releases(image(`${HOST}/payments/api`))).rejects.toMatchObject({
      host: HOST,
      message: `${HOST}: no aws registry credential from AWS credential chain: environment (AWS_ACCESS_KEY_ID): User: arn:aws:iam::123456789012:user/ci is not authorized to perform: ecr:GetAuthorizationToken`,
    });
    expect((await src.releases(image('ghcr.io/acme/web'))).releases).toEqual([{ version: '3.0.0' }]);
    // Another image on that host, straight after: the same failure, without asking ECR again.
    await expect(src.releases(image(`${HOST}/payments/worker`))).rejects.toMatchObject({ host: HOST });
    api.done();
    ghcr.done();
  });

  it('asks the chain again a minute after it failed, not before', async () => {
    vi.stubEnv('AWS_ACCESS_KEY_ID', 'AKIAIOSFODNN7EXAMPLE');
    vi.stubEnv('AWS_SECRET_ACCESS_KEY', 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY');
    let clock = Date.now();
    // Denied until the operator fixes the role's policy.
    const api = ecrApi().reply(400, { __type: 'AccessDeniedException', message: 'not authorized to perform: ecr:GetAuthorizationToken' })
      .post('/').reply(200, authorization('after-outage', 12 * 3600));
    const reg = registry(HOST, 'payments/batch', 'after-outage');
    const src = source([], () => clock);
    await expect(src.releases(image(`${HOST}/payments/api`))).rejects.toMatchObject({ host: HOST });
    clock += 30_000;
    await expect(src.releases(image(`${HOST}/payments/worker`))).rejects.toMatchObject({ host: HOST });
    clock += 31_000;
    expect((await src.releases(image(`${HOST}/payments/batch`))).releases).toEqual([{ version: '1.4.0' }, { version: '1.5.0' }]);
    api.done();
    reg.done();
  });

  it('fails with the chain tried when a rule asks for AWS credentials and there are none', async () => {
    await expect(source([{ matchHost: HOST, cloud: 'aws' }]).releases(image(`${HOST}/payments/api`))).rejects.toMatchObject({
      host: HOST,
      message: expect.stringMatching(new RegExp(`^${HOST.replaceAll('.', '\\.')}: no aws registry credential from AWS credential chain: shared config default profile, then instance metadata \\(IMDS\\): `)),
    });
  });

  it('leaves an ECR host alone when the environment holds no AWS credentials and no rule asks', async () => {
    const reg = nock(`https://${HOST}`).get('/v2/payments/api/tags/list?n=1000').reply(401, {}, ecrChallenge(HOST));
    await expect(source().releases(image(`${HOST}/payments/api`))).rejects.toMatchObject({ status: 401 });
    reg.done();
  });

  it('refuses a rule that marks a host that is not ECR as "cloud": "aws"', () => {
    expect(() => parseHostRules(JSON.stringify([{ matchHost: 'registry.corp', cloud: 'aws' }]), 'rules.json')).toThrow(
      'host rules (rules.json) [0]: cloud "aws" needs an ECR host such as 123456789012.dkr.ecr.eu-west-1.amazonaws.com (the token is asked for in its region)',
    );
  });
});
