import { access, chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import nock from 'nock';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG, type RegistryConfig } from '../../src/config/types.js';
import { silentLogger, type Logger } from '../../src/log.js';
import { parseHostRules } from '../../src/lookup/host-rules.js';
import { createReleaseSource, type ReleaseSourceOptions } from '../../src/lookup/index.js';

const config = (registries: Record<string, RegistryConfig> = {}) => ({ ...DEFAULT_CONFIG, registries });
const image = (name: string) => ({ datasource: 'docker' as const, name, registryUrl: null });
const chart = (name: string, registryUrl: string) => ({ datasource: 'helm' as const, name, registryUrl });
const noDocker = { DOCKER_CONFIG: '/nonexistent' };
const basic = (user: string, password: string): string => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
const noAuthorization = (v: string | undefined): boolean => v === undefined;

function recording(): Logger & { warnings: string[] } {
  const warnings: string[] = [];
  return { ...silentLogger, warnings, warn: (msg) => void warnings.push(msg) };
}

function source(rules: unknown[], extra: Partial<ReleaseSourceOptions> = {}) {
  return createReleaseSource({
    config: config(),
    cacheDir: null,
    logger: silentLogger,
    env: noDocker,
    retries: 0,
    hostRules: parseHostRules(JSON.stringify(rules), 'test'),
    ...extra,
  });
}

beforeAll(() => nock.disableNetConnect());
afterEach(() => nock.cleanAll());
afterAll(() => nock.enableNetConnect());

describe('the platform token', () => {
  const challenge = { 'www-authenticate': 'Bearer realm="https://ghcr.io/token",service="ghcr.io",scope="repository:acme/private:pull"' };

  it('reads private ghcr.io images as x-access-token when a rule binds it to ghcr.io', async () => {
    const ghcr = nock('https://ghcr.io')
      .get('/v2/acme/private/tags/list?n=1000').reply(401, {}, challenge)
      .get('/token').query({ service: 'ghcr.io', scope: 'repository:acme/private:pull' })
      .matchHeader('authorization', basic('x-access-token', 'ghs_platform'))
      .reply(200, { token: 'ghcr-token' })
      .get('/v2/acme/private/tags/list?n=1000').matchHeader('authorization', 'Bearer ghcr-token').reply(200, { tags: ['1.0.0'] });
    const src = source([{ matchHost: 'ghcr.io', platformToken: true }], { platformToken: 'ghs_platform' });
    expect((await src.releases(image('ghcr.io/acme/private'))).releases).toEqual([{ version: '1.0.0' }]);
    ghcr.done();
  });

  it('stays home without such a rule: the token service is asked anonymously', async () => {
    const ghcr = nock('https://ghcr.io')
      .get('/v2/acme/private/tags/list?n=1000').reply(401, {}, challenge)
      .get('/token').query(true).matchHeader('authorization', noAuthorization).reply(200, { token: 'anonymous' })
      .get('/v2/acme/private/tags/list?n=1000').matchHeader('authorization', 'Bearer anonymous').reply(401, {}, challenge);
    const src = source([{ matchHost: 'quay.io', platformToken: true }], { platformToken: 'ghs_platform' });
    await expect(src.releases(image('ghcr.io/acme/private'))).rejects.toMatchObject({ status: 401 });
    ghcr.done();
  });
});

describe('token realms', () => {
  it('sends credentials to a token service on the parent domain (registry.gitlab.com → gitlab.com)', async () => {
    const registry = nock('https://registry.gitlab.com')
      .get('/v2/g/app/tags/list?n=1000')
      .reply(401, {}, { 'www-authenticate': 'Bearer realm="https://gitlab.com/jwt/auth",service="container_registry",scope="repository:g/app:pull"' })
      .get('/v2/g/app/tags/list?n=1000').matchHeader('authorization', 'Bearer gl-token').reply(200, { tags: ['2.0.0'] });
    const gitlab = nock('https://gitlab.com')
      .get('/jwt/auth').query(true).matchHeader('authorization', basic('bot', 'glpat-secret')).reply(200, { token: 'gl-token' });
    const src = source([{ matchHost: 'registry.gitlab.com', username: 'bot', passwordEnv: 'GL' }], { env: { ...noDocker, GL: 'glpat-secret' } });
    expect((await src.releases(image('registry.gitlab.com/g/app'))).releases).toEqual([{ version: '2.0.0' }]);
    gitlab.done();
    registry.done();
  });

  it('asks a realm on another host anonymously, says why, and sends a rule token to the registry alone', async () => {
    const evil = nock('https://evil.example').get('/token').query(true).matchHeader('authorization', noAuthorization).reply(200, { token: 'evil' });
    const ghcr = nock('https://ghcr.io')
      .get('/v2/acme/web/tags/list?n=1000')
      .reply(401, {}, { 'www-authenticate': 'Bearer realm="https://evil.example/token",service="x"' })
      .get('/v2/acme/web/tags/list?n=1000').matchHeader('authorization', 'Bearer evil').reply(200, { tags: ['1.0.0'] });
    const quay = nock('https://quay.io')
      .get('/v2/acme/web/tags/list?n=1000')
      .reply(401, {}, { 'www-authenticate': 'Bearer realm="https://evil.example/token",service="x"' })
      .get('/v2/acme/web/tags/list?n=1000').matchHeader('authorization', 'Bearer quay-secret').reply(200, { tags: ['3.0.0'] });
    const logger = recording();
    const src = source(
      [{ matchHost: 'ghcr.io', username: 'bot', password: 'ghcr-secret' }, { matchHost: 'quay.io', tokenEnv: 'QUAY' }],
      { logger, env: { ...noDocker, QUAY: 'quay-secret' } },
    );
    expect((await src.releases(image('ghcr.io/acme/web'))).releases).toEqual([{ version: '1.0.0' }]);
    expect((await src.releases(image('quay.io/acme/web'))).releases).toEqual([{ version: '3.0.0' }]);
    evil.done();
    ghcr.done();
    quay.done();
    expect(logger.warnings).toEqual(['credentials withheld from a token service the registry named; asking it anonymously']);
  });

  it('never reads a token service on this machine for a registry elsewhere, whose Bearer token it would become', async () => {
    const realms = [
      'http://127.0.0.1:8200/v1/token', 'https://localhost:8200/v1/token', 'https://0.0.0.0:8200/v1/token', 'http://[::1]:8200/v1/token',
      'https://[::ffff:127.0.0.1]:8200/v1/token', 'https://2130706433:8200/v1/token', 'https://vault.localhost:8200/v1/token',
    ];
    for (const realm of realms) {
      const local = nock(new URL(realm).origin).get('/v1/token').query(true).reply(200, { token: 'local-secret' });
      const reg = nock('https://registry.example.com')
        .get('/v2/team/app/tags/list?n=1000').matchHeader('authorization', noAuthorization).reply(401, {}, { 'www-authenticate': `Bearer realm="${realm}"` });
      const src = source([]);
      await expect(src.releases(image('registry.example.com/team/app'))).rejects.toThrow(`registry.example.com: refusing a token service on this machine (${new URL(realm).host}) for a registry elsewhere`);
      reg.done();
      expect(local.isDone()).toBe(false);
      nock.cleanAll();
    }
  });

  it('sends credentials to a realm host the rule lists in authHosts, Docker config credentials included', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'tidemark-docker-'));
    try {
      await writeFile(join(dir, 'config.json'), JSON.stringify({ auths: { 'registry.corp': { auth: Buffer.from('svc:corp-pass').toString('base64') } } }));
      const corp = nock('https://registry.corp')
        .get('/v2/team/app/tags/list?n=1000').reply(401, {}, { 'www-authenticate': 'Bearer realm="https://auth.corp/token",service="corp"' })
        .get('/v2/team/app/tags/list?n=1000').matchHeader('authorization', 'Bearer corp-token').reply(200, { tags: ['1.0.0'] });
      const auth = nock('https://auth.corp').get('/token').query(true).matchHeader('authorization', basic('svc', 'corp-pass')).reply(200, { token: 'corp-token' });
      const src = source([{ matchHost: 'registry.corp', authHosts: ['auth.corp'] }], { env: { DOCKER_CONFIG: dir } });
      expect((await src.releases(image('registry.corp/team/app'))).releases).toEqual([{ version: '1.0.0' }]);
      corp.done();
      auth.done();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('plain HTTP', () => {
  it('ignores a repository insecure: true for a registry the operator holds credentials for, and keeps HTTPS', async () => {
    const reg = nock('https://registry.example.com')
      .get('/v2/team/app/tags/list?n=1000').reply(401, {}, { 'www-authenticate': 'Basic realm="r"' })
      .get('/v2/team/app/tags/list?n=1000').matchHeader('authorization', basic('bot', 'pw')).reply(200, { tags: ['1.0.0'] });
    const logger = recording();
    const src = source([{ matchHost: 'registry.example.com', username: 'bot', password: 'pw' }], {
      logger,
      config: config({ 'registry.example.com': { insecure: true } }),
    });
    expect((await src.releases(image('registry.example.com/team/app'))).releases).toEqual([{ version: '1.0.0' }]);
    reg.done();
    expect(logger.warnings).toEqual(['insecure ignored: the operator holds credentials for this registry, so it is read over HTTPS']);
  });

  it('keeps HTTPS however the repository spells a host the operator holds credentials for (ghcr.io., ghcr.io:80, full-width)', async () => {
    const spellings: [string, string][] = [['ghcr.io.', 'https://ghcr.io.'], ['ghcr.io:80', 'https://ghcr.io:80'], ['ｇｈｃｒ.io', 'https://ghcr.io']];
    for (const [spelling, origin] of spellings) {
      const reg = nock(origin).get('/v2/acme/app/tags/list?n=1000').matchHeader('authorization', noAuthorization).reply(200, { tags: ['1.0.0'] });
      const logger = recording();
      const src = source([{ matchHost: 'ghcr.io', username: 'bot', password: 'pw' }], { logger, config: config({ [spelling]: { insecure: true } }) });
      expect((await src.releases(image(`${spelling}/acme/app`))).releases).toEqual([{ version: '1.0.0' }]);
      reg.done();
      expect(logger.warnings).toEqual(['insecure ignored: the operator holds credentials for this registry, so it is read over HTTPS']);
    }
  });

  it('keeps insecure: true for a registry nobody holds credentials for', async () => {
    const reg = nock('http://registry.lan').get('/v2/team/app/tags/list?n=1000').reply(200, { tags: ['1.0.0'] });
    const src = source([{ matchHost: 'registry.example.com', username: 'bot', password: 'pw' }], { config: config({ 'registry.lan': { insecure: true } }) });
    expect((await src.releases(image('registry.lan/team/app'))).releases).toEqual([{ version: '1.0.0' }]);
    reg.done();
  });

  it('reads a Helm repository the operator bound credentials to over HTTPS, whatever URL the repository wrote', async () => {
    const index = 'apiVersion: v1\nentries:\n  app:\n  - version: 1.0.0\n';
    const charts = nock('https://charts.example.com')
      .get('/stable/index.yaml').matchHeader('authorization', basic('u', 'chart-pass')).reply(200, index);
    const logger = recording();
    const src = source([{ matchHost: 'charts.example.com', pathPrefix: '/stable', username: 'u', passwordEnv: 'P' }], {
      logger,
      env: { ...noDocker, P: 'chart-pass' },
    });
    expect((await src.releases(chart('app', 'http://charts.example.com/stable'))).releases.map((r) => r.version)).toEqual(['1.0.0']);
    charts.done();
    expect(logger.warnings).toEqual(['plain HTTP ignored for a Helm repository the operator holds credentials for; using HTTPS']);
  });

  it('reads an http:// Helm repository over HTTPS on a host the operator holds credentials for under another path', async () => {
    const index = 'apiVersion: v1\nentries:\n  app:\n  - version: 1.0.0\n';
    const charts = nock('https://charts.example.com').get('/incubator/index.yaml').matchHeader('authorization', noAuthorization).reply(200, index);
    const dotted = nock('https://charts.example.com.').get('/other/index.yaml').matchHeader('authorization', noAuthorization).reply(200, index);
    const logger = recording();
    const src = source([{ matchHost: 'charts.example.com', pathPrefix: '/stable', username: 'u', password: 'p' }], { logger });
    expect((await src.releases(chart('app', 'http://charts.example.com/incubator'))).releases.map((r) => r.version)).toEqual(['1.0.0']);
    expect((await src.releases(chart('app', 'http://charts.example.com./other'))).releases.map((r) => r.version)).toEqual(['1.0.0']);
    charts.done();
    dotted.done();
    expect(logger.warnings).toEqual([
      'plain HTTP ignored for a Helm repository the operator holds credentials for; using HTTPS',
      'plain HTTP ignored for a Helm repository the operator holds credentials for; using HTTPS',
    ]);
  });
});

describe('path prefixes', () => {
  it('sends no credential for a repository path a URL would resolve elsewhere (acme/../other/app)', async () => {
    const ghcr = nock('https://ghcr.io')
      .get('/v2/other/app/tags/list?n=1000').reply(401, {}, { 'www-authenticate': 'Basic realm="r"' });
    const src = source([{ matchHost: 'ghcr.io', pathPrefix: 'acme', username: 'bot', password: 'acme-only' }]);
    await expect(src.releases(image('ghcr.io/acme/../other/app'))).rejects.toMatchObject({ status: 401 });
    ghcr.done();
  });

  it('sends the credential of the most specific rule for the repository', async () => {
    const ghcr = nock('https://ghcr.io')
      .get('/v2/acme/web/tags/list?n=1000').reply(401, {}, { 'www-authenticate': 'Basic realm="r"' })
      .get('/v2/acme/web/tags/list?n=1000').matchHeader('authorization', basic('acme', 'acme-pass')).reply(200, { tags: ['1.0.0'] })
      .get('/v2/other/app/tags/list?n=1000').matchHeader('authorization', basic('x-access-token', 'ghs_platform')).reply(200, { tags: ['2.0.0'] });
    const src = source(
      [{ matchHost: 'ghcr.io', platformToken: true }, { matchHost: 'ghcr.io', pathPrefix: 'acme/', username: 'acme', password: 'acme-pass' }],
      { platformToken: 'ghs_platform' },
    );
    expect((await src.releases(image('ghcr.io/acme/web'))).releases).toEqual([{ version: '1.0.0' }]);
    expect((await src.releases(image('ghcr.io/other/app'))).releases).toEqual([{ version: '2.0.0' }]);
    ghcr.done();
  });
});

describe('Helm repositories', () => {
  const index = 'apiVersion: v1\nentries:\n  app:\n  - version: 1.0.0\n';

  it('sends Basic up front only under the bound path prefix', async () => {
    const charts = nock('https://charts.example.com')
      .get('/stable/index.yaml').matchHeader('authorization', basic('u', 'p')).reply(200, index)
      .get('/stable-evil/index.yaml').matchHeader('authorization', noAuthorization).reply(200, index)
      .get('/other/index.yaml').matchHeader('authorization', noAuthorization).reply(200, index);
    const src = source([{ matchHost: 'charts.example.com', pathPrefix: '/stable', username: 'u', password: 'p' }]);
    for (const path of ['stable', 'stable-evil', 'other']) await src.releases(chart('app', `https://charts.example.com/${path}`));
    charts.done();
  });

  it('drops the credential when the bound repository redirects to another host', async () => {
    const charts = nock('https://charts.example.com')
      .get('/stable/index.yaml').matchHeader('authorization', basic('u', 'p'))
      .reply(302, '', { location: 'https://cdn.example.net/stable/index.yaml' });
    const cdn = nock('https://cdn.example.net').get('/stable/index.yaml').matchHeader('authorization', noAuthorization).reply(200, index);
    const src = source([{ matchHost: 'charts.example.com', username: 'u', password: 'p' }]);
    expect((await src.releases(chart('app', 'https://charts.example.com/stable'))).releases.map((r) => r.version)).toEqual(['1.0.0']);
    charts.done();
    cdn.done();
  });
});

describe('Docker credential helpers', () => {
  let dir: string;
  beforeAll(async () => {
    // What a repository can plant in its checkout: a "helper" that would run with every secret in the environment.
    dir = await mkdtemp(join(tmpdir(), 'tidemark-planted-'));
    const helper = join(dir, 'docker-credential-fake');
    await writeFile(helper, `#!/bin/sh\ntouch "${join(dir, 'ran')}"\nprintf '{"Username":"planted","Secret":"planted"}'\n`);
    await chmod(helper, 0o755);
    await writeFile(join(dir, 'config.json'), JSON.stringify({ credHelpers: { 'registry.example.com': 'fake' } }));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('goes on anonymously when the helper exits without reading its input', async () => {
    const bin = await mkdtemp(join(tmpdir(), 'tidemark-early-'));
    try {
      await writeFile(join(bin, 'docker-credential-early'), '#!/bin/sh\nexit 1\n');
      await chmod(join(bin, 'docker-credential-early'), 0o755);
      await writeFile(join(bin, 'config.json'), JSON.stringify({ credsStore: 'early' }));
      const hosts = Array.from({ length: 8 }, (_, i) => `r${i}.example.com`);
      for (const host of hosts) nock(`https://${host}`).get('/v2/team/app/tags/list?n=1000').reply(200, { tags: ['1.0'] });
      const logger = recording();
      const src = source([], { env: { DOCKER_CONFIG: bin, PATH: `${bin}:/usr/bin:/bin` }, logger });
      const found = await Promise.all(hosts.map((h) => src.releases(image(`${h}/team/app`))));
      expect(found.map((f) => f.releases)).toEqual(hosts.map(() => [{ version: '1.0' }]));
      expect(logger.warnings).toEqual(hosts.map(() => 'docker credential helper failed'));
    } finally {
      await rm(bin, { recursive: true, force: true });
    }
  });

  it('runs no helper found through a relative PATH entry, which names the working directory (a checkout)', async () => {
    const reg = nock('https://registry.example.com')
      .get('/v2/team/app/tags/list?n=1000').matchHeader('authorization', noAuthorization).reply(401, {}, { 'www-authenticate': 'Basic realm="x"' });
    const logger = recording();
    const env = { DOCKER_CONFIG: dir, PATH: `${relative(process.cwd(), dir)}:/usr/bin:/bin` };
    const src = source([], { env, logger });
    await expect(src.releases(image('registry.example.com/team/app'))).rejects.toMatchObject({ status: 401 });
    await expect(access(join(dir, 'ran'))).rejects.toMatchObject({ code: 'ENOENT' });
    expect(logger.warnings).toEqual(['docker credential helper failed']);
    reg.done();
  });
});
