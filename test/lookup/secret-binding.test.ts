import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import type { ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import nock from 'nock';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { runPlan } from '../../src/cli/commands/plan.js';
import { silentLogger } from '../../src/log.js';
import { parseHostRules, type HostRule } from '../../src/lookup/host-rules.js';
import { run } from '../../src/run.js';
import { renderIndex } from '../helpers/helm-repo.js';
import { decodedForms, startRecordingServer, type RecordedRequest, type RecordingServer } from '../helpers/recording-server.js';

/**
 * The test issue 9 asks for: no repository content makes any environment variable's value reach a host the operator
 * did not bind it to. Every server is a real loopback HTTP server that records every request; the repository names
 * every variable in every way its config allows, and points images and charts at hostile hosts that challenge for
 * Bearer and Basic credentials, name token realms on other hosts, and redirect elsewhere.
 */
const SECRETS = {
  GITHUB_TOKEN: 'ghp_CANARYgithub0000000000000000000001',
  GH_TOKEN: 'gho_CANARYgh0002',
  TIDEMARK_TOKEN: 'tdm_CANARYtidemark0003',
  GITLAB_TOKEN: 'glpat-CANARYgitlab0004',
  AWS_SECRET_ACCESS_KEY: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYCANARY0005',
  CUSTOM_SECRET: 'c@nary:/+ custom=0006',
  QUAY_TOKEN: 'quay_CANARY0007',
} as const;
type SecretName = keyof typeof SECRETS;

const DIGEST = `sha256:${'a'.repeat(64)}`;
const TAGS = JSON.stringify({ name: 'x', tags: ['1.0.0', '2.0.0'] });

function send(res: ServerResponse, status: number, headers: Record<string, string> = {}, body = ''): void {
  res.writeHead(status, headers).end(body);
}

/** Answers the OCI reads a lookup makes once authorized: tags, and a manifest digest. */
function oci(req: RecordedRequest, res: ServerResponse): void {
  if (req.url.includes('/tags/list')) return send(res, 200, { 'content-type': 'application/json' }, TAGS);
  if (req.url.includes('/manifests/')) return send(res, 200, { 'docker-content-digest': DIGEST, 'content-type': 'application/vnd.oci.image.manifest.v1+json' }, '{"schemaVersion":2}');
  return send(res, 404);
}

describe('no repository content makes an environment variable reach a host the operator did not bind it to', () => {
  let realm: RecordingServer; // a token service on its own host
  let sink: RecordingServer; // where redirects lead
  let evilBearer: RecordingServer;
  let evilBasic: RecordingServer;
  let evilHelm: RecordingServer;
  let boundRegistry: RecordingServer; // the operator binds secrets here in the positive case
  let boundHelm: RecordingServer;
  let servers: RecordingServer[];
  let dir: string;

  beforeAll(async () => {
    realm = await startRecordingServer((_req, res) => send(res, 200, { 'content-type': 'application/json' }, '{"token":"evil-token","expires_in":300}'));
    const bearer = (): Record<string, string> => ({ 'www-authenticate': `Bearer realm="${realm.url}/token",service="evil",scope="repository:x:pull"` });
    const basic = { 'www-authenticate': 'Basic realm="give me your password"' };
    sink = await startRecordingServer((req, res) => {
      if (req.url.endsWith('/index.yaml')) return send(res, 200, {}, renderIndex({ app: ['2.0.0', '1.0.0'] }, sink.url));
      return req.headers['authorization'] ? oci(req, res) : send(res, 401, basic);
    });
    const toSink = (req: RecordedRequest, res: ServerResponse): void => send(res, 302, { location: `${sink.url}${req.url}` });
    evilBearer = await startRecordingServer((req, res) => {
      if (req.url.startsWith('/v2/redir/')) return toSink(req, res);
      if (!req.headers['authorization']) return send(res, 401, bearer());
      return req.method === 'GET' && req.url.includes('/manifests/') ? toSink(req, res) : oci(req, res);
    });
    evilBasic = await startRecordingServer((req, res) => (req.headers['authorization'] ? oci(req, res) : send(res, 401, basic)));
    evilHelm = await startRecordingServer((req, res) => {
      if (req.url.startsWith('/redirect/')) return send(res, 302, { location: `${sink.url}/index.yaml` });
      if (req.url.startsWith('/bearer/')) return send(res, 401, bearer());
      return send(res, 401, basic);
    });
    boundRegistry = await startRecordingServer((req, res) => {
      if (req.url.startsWith('/v2/redir/')) return toSink(req, res);
      const wantsBearer = req.url.startsWith('/v2/bearer/') || req.url.startsWith('/v2/tok/');
      if (!req.headers['authorization']) return send(res, 401, wantsBearer ? bearer() : basic);
      return oci(req, res);
    });
    boundHelm = await startRecordingServer((req, res) => {
      if (req.url.startsWith('/private/') && !req.headers['authorization']) return send(res, 401, basic);
      return send(res, 200, {}, renderIndex({ app: ['2.0.0', '1.0.0'] }, boundHelm.url));
    });
    servers = [realm, sink, evilBearer, evilBasic, evilHelm, boundRegistry, boundHelm];
    dir = await mkdtemp(path.join(tmpdir(), 'tidemark-hostile-repo-'));
    await writeHostileRepository(dir);
  });

  afterAll(async () => {
    await Promise.all(servers.map((s) => s.stop()));
    await rm(dir, { recursive: true, force: true });
  });

  afterEach(() => {
    vi.unstubAllEnvs();
    nock.cleanAll();
    nock.enableNetConnect();
    for (const s of servers) s.requests.length = 0;
  });

  async function writeHostileRepository(root: string): Promise<void> {
    const [EB, EBASIC, EHELM, X, H] = [evilBearer.host, evilBasic.host, evilHelm.host, boundRegistry.host, boundHelm.host];
    const images = [
      `${EB}/team/app`, `${EB}/redir/app`, `${EBASIC}/team/app`, `${X}/basic/app`, `${X}/bearer/app`, `${X}/redir/app`,
      `${X}/platform/app`, `${X}/tok/app`, `mirror.evil.example/basic/mirrored`, `${X}/redirect-to-evil/app`, `${sink.host}/team/app`,
    ];
    const helmRepos: [string, string][] = [
      ['evil-stable', `http://${EHELM}/stable`], ['evil-redirect', `http://${EHELM}/redirect`], ['evil-bearer', `http://${EHELM}/bearer`],
      ['evil-oci', `oci://${EB}/charts`], ['bound-private', `http://${H}/private`], ['bound-public', `http://${H}/public`],
      ['bound-prefix-trick', `http://${H}/private-evil`], ['bound-oci', `oci://${X}/basic/charts`],
    ];
    const everyWay = { tokenEnv: 'GITHUB_TOKEN', usernameEnv: 'GH_TOKEN', passwordEnv: 'TIDEMARK_TOKEN' };
    const files: Record<string, string> = {
      '.tidemark.yaml': JSON.stringify({
        branchPrefix: '${GITHUB_TOKEN}/',
        commitMessagePrefix: '$GH_TOKEN',
        rules: [{ match: { packageNames: ['**'] }, labels: ['${TIDEMARK_TOKEN}', '$AWS_SECRET_ACCESS_KEY'], reviewers: ['${CUSTOM_SECRET}'] }],
        registries: {
          [EB]: { ...everyWay, insecure: true },
          [EBASIC]: { usernameEnv: 'AWS_SECRET_ACCESS_KEY', passwordEnv: 'CUSTOM_SECRET' },
          [EHELM]: { usernameEnv: 'GITHUB_TOKEN', passwordEnv: 'QUAY_TOKEN' },
          [sink.host]: { tokenEnv: 'CUSTOM_SECRET' },
          [realm.host]: { usernameEnv: 'GITLAB_TOKEN', passwordEnv: 'GITHUB_TOKEN' },
          // Bound hosts: the repository tries to choose which secret goes there.
          [X]: { ...everyWay, insecure: true },
          [H]: { usernameEnv: 'GITHUB_TOKEN', passwordEnv: 'GITLAB_TOKEN' },
          'mirror.evil.example': { mirrorOf: X, tokenEnv: 'QUAY_TOKEN' },
          [`${X}/redirect-to-evil`]: { mirrorOf: EBASIC },
        },
      }),
      'apps/deployment.yaml': [
        'apiVersion: apps/v1',
        'kind: Deployment',
        'metadata: {name: app}',
        'spec:',
        '  template:',
        '    spec:',
        '      containers:',
        ...images.map((image, i) => `        - {name: c${i}, image: "${image}:1.0.0"}`),
        '',
      ].join('\n'),
      'flux/sources.yaml': helmRepos
        .map(([name, url]) =>
          ['apiVersion: source.toolkit.fluxcd.io/v1', 'kind: HelmRepository', `metadata: {name: ${name}, namespace: flux-system}`, 'spec:',
            ...(url.startsWith('oci://') ? ['  type: oci'] : []), `  url: ${url}`].join('\n'))
        .join('\n---\n') + '\n',
      'flux/releases.yaml': helmRepos
        .map(([name]) =>
          ['apiVersion: helm.toolkit.fluxcd.io/v2', 'kind: HelmRelease', `metadata: {name: ${name}, namespace: flux-system}`, 'spec:', '  chart:', '    spec:',
            '      chart: app', '      version: 1.0.0', `      sourceRef: {kind: HelmRepository, name: ${name}}`].join('\n'))
        .join('\n---\n') + '\n',
      'charts/umbrella/Chart.yaml': `apiVersion: v2\nname: umbrella\nversion: 0.1.0\ndependencies:\n  - {name: app, version: 1.0.0, repository: "http://${EHELM}/deps"}\n`,
    };
    for (const [file, text] of Object.entries(files)) {
      await mkdir(path.dirname(path.join(root, file)), { recursive: true });
      await writeFile(path.join(root, file), text);
    }
  }

  /** The operator's side: secrets in the environment, no Docker config, nothing but loopback reachable. */
  function operatorEnvironment(): NodeJS.ProcessEnv {
    nock.disableNetConnect();
    nock.enableNetConnect('127.0.0.1');
    const env = { ...SECRETS, DOCKER_CONFIG: path.join(dir, 'no-docker-config'), HOME: dir };
    for (const [k, v] of Object.entries(env)) vi.stubEnv(k, v);
    return env;
  }

  /** `CUSTOM_SECRET → 127.0.0.1:P GET /v2/…` for every recorded request carrying a secret to a host not bound to it. */
  function leaks(allowed: Partial<Record<SecretName, string[]>> = {}): string[] {
    const out: string[] = [];
    for (const req of servers.flatMap((s) => s.requests)) {
      const seen = decodedForms(req);
      for (const [name, value] of Object.entries(SECRETS) as [SecretName, string][]) {
        if (seen.includes(value) && !(allowed[name] ?? []).includes(req.host)) out.push(`${name} → ${req.host} ${req.method} ${req.url}`);
      }
    }
    return out;
  }

  function everyHostileServerWasAsked(): void {
    for (const s of [realm, sink, evilBearer, evilBasic, evilHelm, boundRegistry, boundHelm]) expect(s.requests.length, s.host).toBeGreaterThan(0);
  }

  const runDryRun = (hostRules: readonly HostRule[]) =>
    run({
      dir, platform: 'git', repo: null, endpoint: null, token: SECRETS.GITHUB_TOKEN, remote: null, dryRun: true,
      configPath: null, cacheDir: null, planOut: null, logger: silentLogger, print: () => {}, hostRules,
    });

  it('sends no secret anywhere when the operator binds none (plan)', async () => {
    const env = operatorEnvironment();
    const code = await runPlan(dir, { cache: false }, { print: () => {}, logger: silentLogger, env, hostRules: [] });
    expect(code).toEqual(1);
    expect(leaks()).toEqual([]);
    everyHostileServerWasAsked();
    expect(boundRegistry.requests.filter((r) => r.headers['authorization']?.startsWith('Basic'))).toEqual([]);
  });

  it('sends no secret anywhere when the operator binds none (dry-run run, with a platform token)', async () => {
    operatorEnvironment();
    const summary = await runDryRun([]);
    expect(summary.partialFailure).toEqual(true);
    expect(leaks()).toEqual([]);
    everyHostileServerWasAsked();
  });

  /** Bound: CUSTOM_SECRET, QUAY_TOKEN and the platform token to the bound registry, AWS_SECRET_ACCESS_KEY to one Helm path. */
  const operatorRules = (): HostRule[] =>
    parseHostRules(
      JSON.stringify([
        { matchHost: boundRegistry.host, username: 'bot', passwordEnv: 'CUSTOM_SECRET' },
        { matchHost: boundRegistry.host, pathPrefix: 'platform', platformToken: true },
        { matchHost: boundRegistry.host, pathPrefix: 'tok', tokenEnv: 'QUAY_TOKEN' },
        { matchHost: boundHelm.host, pathPrefix: '/private', username: 'chart-reader', passwordEnv: 'AWS_SECRET_ACCESS_KEY' },
      ]),
      'operator',
    );

  const basicOf = (user: string, password: string): string => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
  const authorizationsTo = (server: RecordingServer, prefix: string): string[] =>
    [...new Set(server.requests.filter((r) => r.url.startsWith(prefix) && r.headers['authorization']).map((r) => r.headers['authorization'] ?? ''))];

  it.each([
    ['plan', 'TIDEMARK_TOKEN'],
    ['dry-run run', 'GITHUB_TOKEN'],
  ] as const)('sends a secret the operator binds to its host, and only there (%s)', async (how, platformSecret) => {
    const env = operatorEnvironment();
    const hostRules = operatorRules();
    if (how === 'plan') await runPlan(dir, { cache: false }, { print: () => {}, logger: silentLogger, env, hostRules });
    else await runDryRun(hostRules);
    expect(
      leaks({
        CUSTOM_SECRET: [boundRegistry.host],
        QUAY_TOKEN: [boundRegistry.host],
        [platformSecret]: [boundRegistry.host],
        AWS_SECRET_ACCESS_KEY: [boundHelm.host],
      }),
    ).toEqual([]);
    everyHostileServerWasAsked();
    expect(authorizationsTo(boundRegistry, '/v2/basic/')).toEqual([basicOf('bot', SECRETS.CUSTOM_SECRET)]);
    expect(authorizationsTo(boundRegistry, '/v2/platform/')).toEqual([basicOf('x-access-token', SECRETS[platformSecret])]);
    expect(authorizationsTo(boundRegistry, '/v2/tok/')).toEqual([`Bearer ${SECRETS.QUAY_TOKEN}`]);
    // The realm is on another host: the bound registry's Bearer flow gets an anonymous token. (A later request to the same
    // host may carry the host's own Basic credential up front, as the host answered Basic elsewhere: bound, so allowed.)
    expect(authorizationsTo(boundRegistry, '/v2/bearer/app/tags/')).toEqual(['Bearer evil-token']);
    for (const a of authorizationsTo(boundRegistry, '/v2/bearer/')) expect(['Bearer evil-token', basicOf('bot', SECRETS.CUSTOM_SECRET)]).toContain(a);
    expect(realm.requests.filter((r) => r.headers['authorization'])).toEqual([]);
    expect(authorizationsTo(boundHelm, '/private/')).toEqual([basicOf('chart-reader', SECRETS.AWS_SECRET_ACCESS_KEY)]);
    expect(authorizationsTo(boundHelm, '/public/')).toEqual([]);
    expect(authorizationsTo(boundHelm, '/private-evil/')).toEqual([]);
    // A redirect from the bound registry to another host drops the credential.
    expect(sink.requests.filter((r) => r.url.startsWith('/v2/redir/')).length).toBeGreaterThan(0);
    expect(sink.requests.filter((r) => r.headers['authorization'] && r.headers['authorization'] !== 'Bearer evil-token')).toEqual([]);
  });

  it('counts a secret as leaked in every encoding the checker decodes', () => {
    const req = (headers: Record<string, string>, url = '/'): RecordedRequest => ({ host: 'h', method: 'GET', url, headers, body: '' });
    expect(decodedForms(req({ authorization: basicOf('x-access-token', SECRETS.CUSTOM_SECRET) }))).toContain(SECRETS.CUSTOM_SECRET);
    expect(decodedForms(req({}, `/?t=${encodeURIComponent(SECRETS.CUSTOM_SECRET)}`))).toContain(SECRETS.CUSTOM_SECRET);
    expect(decodedForms(req({}, `/?t=${Buffer.from(`ab${SECRETS.AWS_SECRET_ACCESS_KEY}`).toString('base64url')}`))).toContain(SECRETS.AWS_SECRET_ACCESS_KEY);
    expect(decodedForms(req({ 'x-hash': createHash('sha256').update(SECRETS.GH_TOKEN).digest('hex') }))).not.toContain(SECRETS.GH_TOKEN);
  });
});
