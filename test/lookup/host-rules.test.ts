import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { UsageError } from '../../src/errors.js';
import { silentLogger, type Logger } from '../../src/log.js';
import {
  authHostsFor,
  hostConcurrency,
  hostRuleSecrets,
  loadHostRules,
  matchHostRule,
  parentDomain,
  parseHostRules,
  realmRefusal,
  resolveRuleCredential,
} from '../../src/lookup/host-rules.js';

const EXAMPLE = JSON.stringify([
  { matchHost: 'ghcr.io', pathPrefix: 'acme/', usernameEnv: 'GHCR_USER', passwordEnv: 'GHCR_PAT' },
  { matchHost: 'registry.example.com:5000', username: 'bot', password: 'literal-pass' },
  { matchHost: 'quay.io', tokenEnv: 'QUAY_TOKEN' },
  { matchHost: 'ghcr.io', platformToken: true },
  { matchHost: 'charts.example.com', pathPrefix: '/stable', username: 'u', passwordEnv: 'P' },
  { matchHost: 'registry.corp', authHosts: ['auth.corp'] },
]);

function usageError(text: string): string {
  try {
    parseHostRules(text, 'rules.json');
  } catch (err) {
    if (err instanceof UsageError) return err.message;
    throw err;
  }
  throw new Error('no error');
}

function recording(): Logger & { warnings: { msg: string; meta: unknown }[] } {
  const warnings: { msg: string; meta: unknown }[] = [];
  return { ...silentLogger, warnings, warn: (msg, meta) => void warnings.push({ msg, meta }) };
}

describe('parsing host rules', () => {
  it('reads every kind of rule the docs show', () => {
    expect(parseHostRules(EXAMPLE, 'rules.json')).toEqual([
      { matchHost: 'ghcr.io', pathPrefix: 'acme', credential: { kind: 'basic', username: { env: 'GHCR_USER' }, password: { env: 'GHCR_PAT' } }, authHosts: [] },
      { matchHost: 'registry.example.com:5000', pathPrefix: '', credential: { kind: 'basic', username: { value: 'bot' }, password: { value: 'literal-pass' } }, authHosts: [] },
      { matchHost: 'quay.io', pathPrefix: '', credential: { kind: 'token', token: { env: 'QUAY_TOKEN' } }, authHosts: [] },
      { matchHost: 'ghcr.io', pathPrefix: '', credential: { kind: 'platform-token' }, authHosts: [] },
      { matchHost: 'charts.example.com', pathPrefix: 'stable', credential: { kind: 'basic', username: { value: 'u' }, password: { env: 'P' } }, authHosts: [] },
      { matchHost: 'registry.corp', pathPrefix: '', credential: null, authHosts: ['auth.corp'] },
    ]);
  });

  it('reads a per-host request limit, alone or beside a credential, and keeps the lowest for one host', () => {
    const rules = parseHostRules('[{"matchHost":"registry.corp","concurrency":64},{"matchHost":"Docker.io","tokenEnv":"T","concurrency":4},{"matchHost":"registry.corp","pathPrefix":"team","concurrency":8}]', 'x');
    expect(rules[0]).toEqual({ matchHost: 'registry.corp', pathPrefix: '', credential: null, authHosts: [], concurrency: 64 });
    expect(hostConcurrency(rules)).toEqual(new Map([['registry.corp', 8], ['docker.io', 4]]));
  });

  it('reads a cloud rule as a credential minted by that cloud', () => {
    const rules = parseHostRules('[{"matchHost":"123456789012.DKR.ECR.eu-west-1.amazonaws.com","cloud":"aws"},{"matchHost":"gcr.io","cloud":"google"}]', 'x');
    expect(rules.map((r) => [r.matchHost, r.credential])).toEqual([
      ['123456789012.dkr.ecr.eu-west-1.amazonaws.com', { kind: 'cloud', cloud: 'aws' }],
      ['gcr.io', { kind: 'cloud', cloud: 'google' }],
    ]);
    expect(hostRuleSecrets(rules, {})).toEqual([]);
  });

  it('folds case and Docker Hub aliases into one host', () => {
    const rules = parseHostRules('[{"matchHost":"Index.Docker.IO","tokenEnv":"T"},{"matchHost":"GHCR.io","tokenEnv":"G"}]', 'x');
    expect(rules.map((r) => r.matchHost)).toEqual(['docker.io', 'ghcr.io']);
  });

  it.each([
    ['not JSON', '[{"matchHost": "ghcr.io",}]', 'host rules (rules.json): not valid JSON at line 1, column 26'],
    ['not an array', '{"matchHost":"ghcr.io"}', 'host rules (rules.json): expected a JSON array of rules'],
    ['a rule that is not an object', '["ghcr.io"]', 'host rules (rules.json) [0]: expected an object'],
    ['an unknown key', '[{"matchHost":"ghcr.io","pasword":"x"}]', 'host rules (rules.json) [0]: unknown key "pasword"; did you mean "password"?'],
    ['no matchHost', '[{"tokenEnv":"T"}]', 'host rules (rules.json) [0]: matchHost is required (a host[:port] such as ghcr.io)'],
    ['a URL as matchHost', '[{"matchHost":"https://ghcr.io","tokenEnv":"T"}]', 'host rules (rules.json) [0]: matchHost "https://ghcr.io": expected a host[:port] such as ghcr.io or registry.example.com:5000, without scheme or path'],
    ['a path in matchHost', '[{"matchHost":"ghcr.io/acme","tokenEnv":"T"}]', 'host rules (rules.json) [0]: matchHost "ghcr.io/acme": expected a host[:port] such as ghcr.io or registry.example.com:5000, without scheme or path'],
    ['both token and username', '[{"matchHost":"ghcr.io","tokenEnv":"T","username":"u","password":"p"}]', 'host rules (rules.json) [0]: give one credential, not username/password and token'],
    ['platformToken with a password', '[{"matchHost":"ghcr.io","platformToken":true,"passwordEnv":"P","username":"u"}]', 'host rules (rules.json) [0]: give one credential, not username/password and platformToken'],
    ['a username without a password', '[{"matchHost":"ghcr.io","usernameEnv":"U"}]', 'host rules (rules.json) [0]: a username needs password or passwordEnv'],
    ['a password without a username', '[{"matchHost":"ghcr.io","passwordEnv":"P"}]', 'host rules (rules.json) [0]: a password needs username or usernameEnv'],
    ['an empty env var name', '[{"matchHost":"quay.io","tokenEnv":""}]', 'host rules (rules.json) [0]: tokenEnv must be a non-empty string'],
    ['an env var name that is not one', '[{"matchHost":"quay.io","tokenEnv":"$QUAY"}]', 'host rules (rules.json) [0]: tokenEnv is not an environment variable name (letters, digits and _)'],
    ['a literal and an env name for one value', '[{"matchHost":"quay.io","token":"t","tokenEnv":"T"}]', 'host rules (rules.json) [0]: give token or tokenEnv, not both'],
    ['platformToken that is not a boolean', '[{"matchHost":"ghcr.io","platformToken":"yes"}]', 'host rules (rules.json) [0]: platformToken must be true or false'],
    ['authHosts that are not hosts', '[{"matchHost":"r.corp","authHosts":["https://auth.corp/token"]}]', 'host rules (rules.json) [0]: authHosts[0] "https://auth.corp/token": expected a host[:port] such as ghcr.io or registry.example.com:5000, without scheme or path'],
    ['a concurrency of 0', '[{"matchHost":"ghcr.io","concurrency":0}]', 'host rules (rules.json) [0]: concurrency must be a whole number from 1 to 256'],
    ['a concurrency past 256', '[{"matchHost":"ghcr.io","concurrency":1000}]', 'host rules (rules.json) [0]: concurrency must be a whole number from 1 to 256'],
    ['a concurrency as a string', '[{"matchHost":"ghcr.io","concurrency":"8"}]', 'host rules (rules.json) [0]: concurrency must be a whole number from 1 to 256'],
    ['a rule that binds nothing', '[{"matchHost":"ghcr.io","platformToken":false}]', 'host rules (rules.json) [0]: gives no credential, no authHosts and no concurrency'],
    ['an unknown cloud', '[{"matchHost":"acme.azurecr.io","cloud":"oracle"}]', 'host rules (rules.json) [0]: cloud must be one of aws, google, azure'],
    ['a cloud and a token', '[{"matchHost":"gcr.io","cloud":"google","tokenEnv":"T"}]', 'host rules (rules.json) [0]: give one credential, not token and cloud'],
    ['cloud aws on a host that is not ECR', '[{"matchHost":"public.ecr.aws","cloud":"aws"}]', 'host rules (rules.json) [0]: cloud "aws" needs an ECR host such as 123456789012.dkr.ecr.eu-west-1.amazonaws.com (the token is asked for in its region)'],
    ['two credentials for one host and path', '[{"matchHost":"ghcr.io","tokenEnv":"A"},{"matchHost":"GHCR.IO","tokenEnv":"B"}]', 'host rules (rules.json) [1]: a second credential for ghcr.io'],
  ])('refuses %s with a clear usage error', (_what, text, message) => {
    expect(usageError(text)).toEqual(message);
  });

  it('never quotes the rules text in a JSON error, since it may hold a password', () => {
    expect(usageError('[{"matchHost":"ghcr.io","password":"hunter2-secret" "username":"u"}]')).not.toContain('hunter2');
  });
});

describe('matching a request to a rule', () => {
  const rules = parseHostRules(EXAMPLE, 'rules.json');

  it('picks the rule with the longest path prefix that matches on a / boundary', () => {
    expect(matchHostRule(rules, 'ghcr.io', 'acme/web')?.credential?.kind).toEqual('basic');
    expect(matchHostRule(rules, 'ghcr.io', 'acme')?.credential?.kind).toEqual('basic');
    expect(matchHostRule(rules, 'ghcr.io', 'acme-corp/web')?.credential?.kind).toEqual('platform-token');
    expect(matchHostRule(rules, 'ghcr.io', 'other/app')?.credential?.kind).toEqual('platform-token');
  });

  it('matches hosts exactly, ports included, whatever their case', () => {
    expect(matchHostRule(rules, 'REGISTRY.example.com:5000', 'x')?.matchHost).toEqual('registry.example.com:5000');
    expect(matchHostRule(rules, 'registry.example.com', 'x')).toEqual(null);
    expect(matchHostRule(rules, 'registry.example.com:5001', 'x')).toEqual(null);
    expect(matchHostRule(rules, 'ghcr.io.evil.example', 'acme/web')).toEqual(null);
    expect(matchHostRule(rules, 'evil-ghcr.io', 'acme/web')).toEqual(null);
  });

  it('matches a Helm repository URL path under the prefix only', () => {
    expect(matchHostRule(rules, 'charts.example.com', '/stable')?.pathPrefix).toEqual('stable');
    expect(matchHostRule(rules, 'charts.example.com', '/stable/extra/')?.pathPrefix).toEqual('stable');
    expect(matchHostRule(rules, 'charts.example.com', '/stable-evil')).toEqual(null);
    expect(matchHostRule(rules, 'charts.example.com', '/')).toEqual(null);
  });

  it('matches Docker Hub by any of its names', () => {
    const hub = parseHostRules('[{"matchHost":"docker.io","tokenEnv":"T"}]', 'x');
    for (const host of ['docker.io', 'registry-1.docker.io', 'index.docker.io', 'registry.hub.docker.com']) {
      expect(matchHostRule(hub, host, 'library/nginx')?.matchHost).toEqual('docker.io');
    }
    expect(matchHostRule(hub, 'hub.docker.com', 'library/nginx')).toEqual(null);
  });

  it('lets a rule without a credential add token hosts without deciding credentials', () => {
    expect(matchHostRule(rules, 'registry.corp', 'team/app')).toEqual(null);
    expect(authHostsFor(rules, 'registry.corp')).toEqual(['auth.corp']);
    expect(authHostsFor(rules, 'ghcr.io')).toEqual([]);
  });
});

describe('reading a rule credential', () => {
  const rules = parseHostRules(EXAMPLE, 'rules.json');
  const env = { GHCR_USER: 'bot', GHCR_PAT: 'ghp_pat', QUAY_TOKEN: '', P: 'chart-pass' };

  it('reads the variables a rule names, and literal values as written', () => {
    expect(resolveRuleCredential(rules[0]!, env, null, silentLogger)).toEqual({ username: 'bot', password: 'ghp_pat' });
    expect(resolveRuleCredential(rules[1]!, env, null, silentLogger)).toEqual({ username: 'bot', password: 'literal-pass' });
    expect(resolveRuleCredential(rules[4]!, env, null, silentLogger)).toEqual({ username: 'u', password: 'chart-pass' });
  });

  it('binds the platform token as x-access-token Basic credentials', () => {
    expect(resolveRuleCredential(rules[3]!, env, 'ghs_platform', silentLogger)).toEqual({ username: 'x-access-token', password: 'ghs_platform' });
  });

  it('warns and gives no credential when a named variable is empty or the platform token is missing', () => {
    const logger = recording();
    expect(resolveRuleCredential(rules[2]!, env, null, logger)).toEqual(null);
    expect(resolveRuleCredential(rules[3]!, env, null, logger)).toEqual(null);
    expect(logger.warnings).toEqual([
      { msg: 'host rule credential is empty; nothing is sent to this host', meta: { host: 'quay.io', pathPrefix: '', empty: ['QUAY_TOKEN'] } },
      { msg: 'host rule credential is empty; nothing is sent to this host', meta: { host: 'ghcr.io', pathPrefix: '', empty: ['platform token'] } },
    ]);
  });

  it('lists every secret value for the logger to mask', () => {
    expect(hostRuleSecrets(rules, { ...env, QUAY_TOKEN: 'quay-secret' }).sort()).toEqual(['chart-pass', 'ghp_pat', 'literal-pass', 'quay-secret']);
  });
});

describe('token realms that may receive credentials', () => {
  const realm = (url: string): URL => new URL(url);

  it('allows the registry host, its parent domain, auth.docker.io for Docker Hub and listed authHosts', () => {
    expect(realmRefusal(realm('https://ghcr.io/token'), 'ghcr.io', [])).toEqual(null);
    expect(realmRefusal(realm('https://gitlab.com/jwt/auth'), 'registry.gitlab.com', [])).toEqual(null);
    expect(realmRefusal(realm('https://auth.docker.io/token'), 'registry-1.docker.io', [])).toEqual(null);
    expect(realmRefusal(realm('https://auth.corp/token'), 'registry.corp', ['auth.corp'])).toEqual(null);
    expect(realmRefusal(realm('http://127.0.0.1:5001/token'), '127.0.0.1:5000', ['127.0.0.1:5001'])).toEqual(null);
  });

  it('refuses other hosts, plain HTTP, and auth.docker.io for registries that are not Docker Hub', () => {
    expect(realmRefusal(realm('https://evil.example/token'), 'ghcr.io', [])).toEqual(
      "realm host evil.example is not ghcr.io, its parent domain, nor one of the host rule's authHosts",
    );
    expect(realmRefusal(realm('http://ghcr.io/token'), 'ghcr.io', [])).toEqual('realm ghcr.io is not HTTPS');
    expect(realmRefusal(realm('https://auth.docker.io/token'), 'ghcr.io', [])).not.toEqual(null);
    expect(realmRefusal(realm('https://io/token'), 'ghcr.io', [])).not.toEqual(null);
    expect(realmRefusal(realm('http://127.0.0.1:5001/token'), '127.0.0.1:5000', [])).not.toEqual(null);
    expect(realmRefusal(realm('https://ghcr.io.evil.example/token'), 'ghcr.io', [])).not.toEqual(null);
  });

  it('lets a cloud credential go to the registry host itself and nowhere else', () => {
    expect(realmRefusal(realm('https://acmeprod.azurecr.io/oauth2/token'), 'acmeprod.azurecr.io', [], true)).toEqual(null);
    expect(realmRefusal(realm('https://azurecr.io/oauth2/token'), 'acmeprod.azurecr.io', [], true)).toEqual(
      'realm host azurecr.io is not acmeprod.azurecr.io, the only host a cloud registry credential goes to',
    );
    expect(realmRefusal(realm('https://auth.corp/token'), 'europe-docker.pkg.dev', ['auth.corp'], true)).not.toEqual(null);
    expect(realmRefusal(realm('http://acmeprod.azurecr.io/oauth2/token'), 'acmeprod.azurecr.io', [], true)).toEqual('realm acmeprod.azurecr.io is not HTTPS');
  });

  it('takes a parent domain only while it keeps two labels, and never for addresses', () => {
    expect(parentDomain('registry.gitlab.com')).toEqual('gitlab.com');
    expect(parentDomain('gitlab.com')).toEqual(null);
    expect(parentDomain('10.0.0.5:5000')).toEqual(null);
    expect(parentDomain('[::1]:5000')).toEqual(null);
  });
});

describe('where the rules come from', () => {
  it('reads --host-rules first, then TIDEMARK_HOST_RULES as JSON or as a file path', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'tidemark-rules-'));
    try {
      const file = join(dir, 'rules.json');
      await writeFile(file, '[{"matchHost":"quay.io","tokenEnv":"Q"}]');
      const inline = '[{"matchHost":"ghcr.io","platformToken":true}]';
      expect((await loadHostRules(file, { TIDEMARK_HOST_RULES: inline })).map((r) => r.matchHost)).toEqual(['quay.io']);
      expect((await loadHostRules(undefined, { TIDEMARK_HOST_RULES: ` ${inline}` })).map((r) => r.matchHost)).toEqual(['ghcr.io']);
      expect((await loadHostRules(undefined, { TIDEMARK_HOST_RULES: file })).map((r) => r.matchHost)).toEqual(['quay.io']);
      expect(await loadHostRules(undefined, {})).toEqual([]);
      await expect(loadHostRules(join(dir, 'missing.json'), {})).rejects.toThrow(new UsageError(`--host-rules ${join(dir, 'missing.json')}: cannot read it (ENOENT)`));
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
