import { createServer as createHttpsServer, type Server } from 'node:https';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer as createNetServer, type AddressInfo, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { main } from '../src/cli/main.js';
import { runVersions } from '../src/cli/commands/versions.js';
import { createLogger, silentLogger } from '../src/log.js';
import { DEFAULT_CONFIG } from '../src/config/types.js';
import { freePort } from './helpers/registry.js';
import { parseHostRules } from '../src/lookup/host-rules.js';
import { createReleaseSource } from '../src/lookup/index.js';
import { installProxy, proxySettings } from '../src/proxy.js';
import { GitHubPlatform } from '../src/publish/github.js';
import { GitLabPlatform } from '../src/publish/gitlab.js';
import { startHelmRepo, type TestHelmRepo } from './helpers/helm-repo.js';
import { selfSignedCert, startProxy, type TestProxy } from './helpers/proxy.js';
import { startRecordingServer, type RecordingServer } from './helpers/recording-server.js';

const REGISTRY_PASSWORD = 'registry-pass-6f1d';
const basic = (user: string, pass: string) => `Basic ${Buffer.from(`${user}:${pass}`).toString('base64')}`;

describe('proxySettings', () => {
  it('reads the lowercase variables first, adds loopback to NO_PROXY, and is null without a proxy', () => {
    expect(proxySettings({ https_proxy: 'http://a:3128', HTTPS_PROXY: 'http://b:3128', HTTP_PROXY: 'http://c:3128', NO_PROXY: '.corp.example' })).toEqual({
      httpProxy: 'http://c:3128',
      httpsProxy: 'http://a:3128',
      noProxy: '.corp.example,localhost,127.0.0.1,[::1]',
    });
    expect(proxySettings({ NO_PROXY: '*' })).toBeNull();
    expect(proxySettings({ HTTP_PROXY: 'http://c:3128', no_proxy: ' * ' })).toEqual({ httpProxy: 'http://c:3128', httpsProxy: null, noProxy: '*' });
  });
});

/**
 * A real forward proxy on loopback between Tidemark and hosts with names that do not resolve (`registry.test`,
 * `charts.test`, `github.test`, `gitlab.test`): only the proxy knows where they are, so a request that arrives went
 * through it.
 */
describe('through an HTTP proxy', () => {
  let proxy: TestProxy;
  let registry: Server;
  let registrySeen: { url: string; authorization: string | null }[];
  let helm: TestHelmRepo;
  let api: RecordingServer;
  let ca: string;
  let restore = (): void => {};

  beforeAll(async () => {
    const cert = selfSignedCert('registry.test');
    ca = cert.cert;
    registrySeen = [];
    // An OCI registry over TLS that wants Basic credentials, as a private registry does.
    registry = createHttpsServer({ key: cert.key, cert: cert.cert }, (req, res) => {
      registrySeen.push({ url: req.url ?? '', authorization: req.headers.authorization ?? null });
      if (req.headers.authorization !== basic('bot', REGISTRY_PASSWORD)) {
        return void res.writeHead(401, { 'www-authenticate': 'Basic realm="registry.test"', 'content-type': 'application/json' }).end('{"errors":[]}');
      }
      if (req.url?.startsWith('/v2/acme/web/tags/list')) {
        return void res.writeHead(200, { 'content-type': 'application/json' }).end('{"name":"acme/web","tags":["1.0.0","1.1.0"]}');
      }
      res.writeHead(404, { 'content-type': 'application/json' }).end('{"errors":[{"code":"NOT_FOUND"}]}');
    });
    await new Promise<void>((r) => registry.listen(0, '127.0.0.1', r));
    helm = await startHelmRepo({ podinfo: ['6.5.0', '6.6.0'] });
    api = await startRecordingServer((req, res) => {
      if (req.url === '/api/v3/repos/acme/gitops/git/ref/heads%2Fmain') {
        return void res.writeHead(200, { 'content-type': 'application/json' }).end('{"ref":"refs/heads/main","object":{"sha":"1111111111111111111111111111111111111111","type":"commit"}}');
      }
      if (req.url === '/api/v4/projects/acme%2Fgitops/repository/branches/main') {
        return void res.writeHead(200, { 'content-type': 'application/json' }).end('{"name":"main","commit":{"id":"2222222222222222222222222222222222222222"}}');
      }
      res.writeHead(404, { 'content-type': 'application/json' }).end('{"message":"Not Found"}');
    });
    const ports: Record<string, number> = {
      'registry.test': (registry.address() as AddressInfo).port,
      'charts.test': Number(new URL(helm.url).port),
      'github.test': Number(new URL(api.url).port),
      'gitlab.test': Number(new URL(api.url).port),
    };
    proxy = await startProxy((host, port) => ({ host: '127.0.0.1', port: ports[host] ?? port }));
  });

  afterEach(() => {
    restore();
    restore = () => {};
    proxy.requests.length = 0;
    registrySeen.length = 0;
  });

  afterAll(async () => {
    await proxy.stop();
    await new Promise<void>((r) => registry.close(() => r()));
    registry.closeAllConnections();
    await helm.stop();
    await api.stop();
  });

  const versions = async (target: string, flags: Parameters<typeof runVersions>[1] = {}) => {
    const out: string[] = [];
    const hostRules = parseHostRules(JSON.stringify([{ matchHost: 'registry.test', username: 'bot', password: REGISTRY_PASSWORD }]), 'test');
    const code = await runVersions(target, { cache: false, ...flags }, { print: (t) => void out.push(t), logger: silentLogger, env: {}, cwd: process.cwd(), hostRules });
    return { code, out: out.join('\n') };
  };

  it('looks up a private registry through a CONNECT tunnel: the credential reaches the registry, never the proxy', async () => {
    restore = (await installProxy({ HTTPS_PROXY: `http://proxyuser:proxypass@${new URL(proxy.url).host}` }, { requestTls: { ca } })).restore;
    expect(await versions('registry.test/acme/web')).toEqual({ code: 0, out: '1.0.0\n1.1.0' });
    expect(proxy.requests.map((r) => [r.kind, r.target, r.headers['proxy-authorization'] ?? null])).toEqual(
      proxy.requests.map(() => ['connect', 'registry.test:443', basic('proxyuser', 'proxypass')]),
    );
    expect(proxy.requests.length).toBeGreaterThan(0);
    const proxySaw = JSON.stringify(proxy.requests);
    expect([proxySaw.includes(REGISTRY_PASSWORD), proxySaw.includes(basic('bot', REGISTRY_PASSWORD).slice(6)), proxy.requests.some((r) => 'authorization' in r.headers)]).toEqual([false, false, false]);
    expect(registrySeen.at(-1)).toEqual({ url: '/v2/acme/web/tags/list?n=1000', authorization: basic('bot', REGISTRY_PASSWORD) });
  });

  it('fails within seconds through a proxy that is down, and the debug log names the refused proxy', async () => {
    const dead = await freePort();
    restore = (await installProxy({ HTTPS_PROXY: `http://127.0.0.1:${dead}` }, { requestTls: { ca } })).restore;
    const lines: string[] = [];
    const logger = createLogger({ level: 'debug', format: 'json', write: (l) => void lines.push(l) });
    const started = Date.now();
    const out: string[] = [];
    const code = await runVersions('registry.test/acme/web', { cache: false, json: true }, { print: (t) => void out.push(t), logger, env: {}, cwd: process.cwd(), hostRules: [] });
    expect([code, JSON.parse(out.join('')).error]).toEqual([1, { message: 'registry.test could not be reached', host: 'registry.test' }]);
    expect(Date.now() - started).toBeLessThan(10_000);
    const retried = lines.map((l) => JSON.parse(l) as Record<string, unknown>).filter((l) => l.msg === 'registry request failed, retrying');
    expect(retried[0]?.error).toEqual(`TypeError: fetch failed: connect ECONNREFUSED 127.0.0.1:${dead}`);
  });

  it('lets go of a proxy that never answers once the command is done, so the process exits', async () => {
    // A proxy that accepts and never answers: the request times out, but undici's CONNECT to it lives on; only
    // destroying the agent lets the process end (closing it waits for ever).
    const sockets: Socket[] = [];
    const silent = createNetServer((socket) => void sockets.push(socket));
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    const dir = mkdtempSync(join(tmpdir(), 'tidemark-proxy-exit-'));
    try {
      symlinkSync(join(process.cwd(), 'node_modules'), join(dir, 'node_modules'));
      writeFileSync(
        join(dir, 'child.ts'),
        `import { installProxy } from ${JSON.stringify(join(process.cwd(), 'src/proxy.ts'))};\n` +
          `const p = await installProxy({ HTTPS_PROXY: 'http://127.0.0.1:${(silent.address() as AddressInfo).port}' });\n` +
          `await fetch('https://registry.test/v2/', { signal: AbortSignal.timeout(300) }).catch(() => console.log('timed out'));\n` +
          `p.restore();\n`,
      );
      await build({ entryPoints: [join(dir, 'child.ts')], outfile: join(dir, 'child.mjs'), bundle: true, platform: 'node', format: 'esm', target: 'node20', packages: 'external', logLevel: 'warning' });
      const child = spawn(process.execPath, [join(dir, 'child.mjs')], { cwd: dir, stdio: ['ignore', 'pipe', 'inherit'] });
      let out = '';
      child.stdout.on('data', (d: Buffer) => (out += d.toString()));
      const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
      const outcome = await Promise.race([exited, new Promise((r) => setTimeout(() => r('still running'), 5_000))]);
      child.kill();
      expect([outcome, out, sockets.length]).toEqual([0, 'timed out\n', 1]);
    } finally {
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => silent.close(() => r()));
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('reads a Helm repository index through the HTTP proxy', async () => {
    restore = (await installProxy({ http_proxy: proxy.url })).restore;
    expect(await versions('podinfo', { registryUrl: 'http://charts.test' })).toEqual({ code: 0, out: '6.5.0\n6.6.0\nsource: https://github.com/example/podinfo' });
    expect(proxy.requests.map((r) => [r.kind, r.target])).toEqual([['connect', 'charts.test:80']]);
  });

  it('sends GitHub (Octokit) and GitLab (Gitbeaker) API calls through the proxy', async () => {
    restore = (await installProxy({ HTTP_PROXY: proxy.url })).restore;
    const github = await GitHubPlatform.create({ token: 'ghp_token', repo: 'acme/gitops', baseUrl: 'http://github.test/api/v3', logger: silentLogger });
    expect(await github.baseBranch('main')).toEqual({ name: 'main', sha: '1'.repeat(40) });
    const gitlab = await GitLabPlatform.create({ token: 'glpat-token', repo: 'acme/gitops', host: 'http://gitlab.test', logger: silentLogger });
    expect(await gitlab.baseBranch('main')).toEqual({ name: 'main', sha: '2'.repeat(40) });
    expect(proxy.requests.map((r) => [r.kind, r.target])).toEqual([
      ['connect', 'github.test:80'],
      ['connect', 'gitlab.test:80'],
    ]);
    expect(api.requests.map((r) => [r.method, r.url, r.headers['host']])).toEqual([
      ['GET', '/api/v3/repos/acme/gitops/git/ref/heads%2Fmain', 'github.test'],
      ['GET', '/api/v4/projects/acme%2Fgitops/repository/branches/main', 'gitlab.test'],
    ]);
  });

  it('goes direct to hosts in NO_PROXY and to loopback, whatever NO_PROXY says', async () => {
    restore = (await installProxy({ HTTP_PROXY: proxy.url, HTTPS_PROXY: proxy.url, NO_PROXY: 'charts.test' })).restore;
    // Direct, charts.test does not resolve: the lookup fails, and the proxy never saw it.
    expect((await versions('podinfo', { registryUrl: 'http://charts.test' })).code).toEqual(1);
    expect(await versions('podinfo', { registryUrl: helm.url })).toEqual({ code: 0, out: '6.5.0\n6.6.0\nsource: https://github.com/example/podinfo' });
    expect(proxy.requests).toEqual([]);
  });

  it('never shows the proxy credential when the proxy refuses the tunnel or cannot be reached, in the lookup error or the log', async () => {
    const lines: string[] = [];
    const logger = createLogger({ level: 'debug', format: 'json', write: (l) => void lines.push(l) });
    const hostRules = parseHostRules(JSON.stringify([{ matchHost: 'registry.test', username: 'bot', password: REGISTRY_PASSWORD }]), 'test');
    const attempt = async (proxyUrl: string) => {
      restore = (await installProxy({ HTTPS_PROXY: proxyUrl }, { requestTls: { ca } })).restore;
      const source = createReleaseSource({ config: DEFAULT_CONFIG, cacheDir: null, logger, env: { DOCKER_CONFIG: '/nonexistent' }, hostRules, retries: 0 });
      const error = await source.releases({ datasource: 'docker', name: 'registry.test/acme/web', registryUrl: null }).then(
        () => null,
        (err: unknown) => ({ message: err instanceof Error ? err.message : String(err), cause: String((err as { cause?: unknown }).cause ?? '') }),
      );
      restore();
      restore = () => {};
      return error;
    };
    // The test proxy refuses an unknown port; a closed port refuses the connection itself.
    const seen: string[] = [];
    const refusing = createNetServer((socket) =>
      socket.once('data', (d: Buffer) => {
        seen.push(d.toString('latin1'));
        socket.end('HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic realm="corp"\r\nContent-Length: 0\r\n\r\n');
      }),
    );
    await new Promise<void>((r) => refusing.listen(0, '127.0.0.1', r));
    try {
      const port = (refusing.address() as AddressInfo).port;
      const results = [await attempt(`http://corp%5Cbot:proxy-S3CRET-pw@127.0.0.1:${port}`), await attempt('http://corp%5Cbot:proxy-S3CRET-pw@127.0.0.1:1')];
      expect(seen).toEqual([expect.stringMatching(/^CONNECT registry\.test:443 /)]);
      expect(results.map((r) => r?.message.length ?? 0).every((n) => n > 0)).toBe(true);
      const everything = JSON.stringify(results) + lines.join('\n');
      expect(everything).not.toMatch(/proxy-S3CRET-pw|cHJveHktUzNDUkVULXB3|corp%5Cbot:/);
      expect(everything).not.toContain(Buffer.from('corp\\bot:proxy-S3CRET-pw').toString('base64'));
      // The registry credential never goes to the proxy as its credential either.
      expect(seen[0]).not.toContain(basic('bot', REGISTRY_PASSWORD).slice(6));
      expect(seen[0]).toContain(`proxy-authorization: ${basic('corp\\bot', 'proxy-S3CRET-pw')}`);
    } finally {
      await new Promise<void>((r) => refusing.close(() => r()));
    }
  });

  it('is set up by every CLI command from the environment, and taken down when the command ends', async () => {
    vi.stubEnv('HTTP_PROXY', proxy.url);
    const out = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    try {
      expect(await main(['versions', 'podinfo', '--registry-url', 'http://charts.test', '--no-cache'])).toEqual(0);
    } finally {
      out.mockRestore();
      vi.unstubAllEnvs();
    }
    expect(proxy.requests.map((r) => [r.kind, r.target])).toEqual([['connect', 'charts.test:80']]);
    proxy.requests.length = 0;
    expect((await versions('podinfo', { registryUrl: 'http://charts.test' })).code).toEqual(1);
    expect(proxy.requests).toEqual([]);
  });
});
