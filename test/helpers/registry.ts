import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { pushChart, pushImage, type Pusher, type PushChartOptions, type PushImageOptions } from './oci-push.js';
import { startRegistryProxy, type RegistryProxy } from './registry-proxy.js';
import { startTokenServer, type TokenServer } from './token-server.js';

export type { PushChartOptions, PushImageOptions } from './oci-push.js';

export interface RegistryOptions {
  /** `basic`: htpasswd (bcrypt) Basic auth. `token`: Bearer tokens from our own token server; anonymous pulls allowed. */
  auth?: 'none' | 'basic' | 'token';
  /** Put a paginating proxy in front: tags sorted, `n`/`last` applied, `Link` set, `n` capped at this. */
  paginate?: number;
  /** Put a proxy in front that delays every request by this much. */
  latencyMs?: number;
  /** Put a (transparent) proxy in front just to count requests. */
  countRequests?: boolean;
  /** Parent of the temp dir (default the OS temp dir); `/dev/shm` makes seeding many tags fast. */
  tempRoot?: string;
}

export interface TestRegistry {
  /** What clients use: `127.0.0.1:5123` (the proxy's when one is in front). */
  host: string;
  /** `http://` + host. */
  url: string;
  /** Set for `basic` and `token` auth: the one user with push rights. */
  credentials?: { username: string; password: string };
  /** The token server, for `token` auth. */
  tokenServer?: TokenServer;
  pushImage(repo: string, tag: string, opts?: PushImageOptions): Promise<{ digest: string }>;
  pushChart(repo: string, version: string, opts?: PushChartOptions): Promise<{ digest: string }>;
  /**
   * Adds tags pointing at an already pushed `from` manifest by writing the registry's storage links directly:
   * thousands of tags in milliseconds, for benchmarks. `repo` may be new (its links are copied from `from.repo`).
   */
  seedTags(repo: string, from: { repo: string; tag: string }, tags: string[]): Promise<void>;
  /** Copies a whole repository (every tag) to new names in storage, with `cp -a`. */
  copyRepository(from: string, to: string[]): Promise<void>;
  /** Requests the proxy received; throws when no proxy is in front. */
  requestCount(): number;
  /** Every request the proxy received, as `GET /v2/acme/web/tags/list?n=2`; throws when no proxy is in front. */
  requests(): string[];
  /** Stops the proxy, registry and token server and removes the temp dir. */
  stop(): Promise<void>;
}

const BINARY = '/usr/bin/docker-registry';

/** Starts Debian's `docker-registry` (distribution 2.8) on a free loopback port with storage in a temp dir. */
export async function startRegistry(opts: RegistryOptions = {}): Promise<TestRegistry> {
  const dir = await mkdtemp(join(opts.tempRoot ?? tmpdir(), 'tidemark-registry-'));
  const storage = join(dir, 'storage');
  const credentials = opts.auth === 'basic' || opts.auth === 'token' ? { username: 'tidemark', password: 'hunter2-test' } : undefined;
  const tokenServer = opts.auth === 'token' && credentials ? await startTokenServer(credentials) : undefined;
  const port = await freePort();
  const lines = [
    'version: 0.1',
    'log: {level: error, accesslog: {disabled: true}}',
    `storage: {filesystem: {rootdirectory: ${JSON.stringify(storage)}}, delete: {enabled: true}}`,
    `http: {addr: "127.0.0.1:${port}", secret: tidemark-test-secret}`,
  ];
  if (opts.auth === 'basic' && credentials) {
    const htpasswd = join(dir, 'htpasswd');
    const r = spawnSync('htpasswd', ['-Bbc', htpasswd, credentials.username, credentials.password], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`htpasswd failed: ${r.stderr}`);
    lines.push(`auth: {htpasswd: {realm: tidemark-test, path: ${JSON.stringify(htpasswd)}}}`);
  }
  if (tokenServer) {
    const bundle = join(dir, 'token-root.pem');
    await writeFile(bundle, tokenServer.rootCertPem);
    lines.push(`auth: {token: {realm: "${tokenServer.realm}", service: ${tokenServer.service}, issuer: ${tokenServer.issuer}, rootcertbundle: ${JSON.stringify(bundle)}}}`);
  }
  const configFile = join(dir, 'config.yml');
  await writeFile(configFile, lines.join('\n') + '\n');
  const child = spawn(BINARY, ['serve', configFile], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4000)));
  const direct = `http://127.0.0.1:${port}`;
  try {
    await waitUntilUp(direct, child, () => stderr);
  } catch (err) {
    child.kill('SIGKILL');
    await tokenServer?.stop();
    await rm(dir, { recursive: true, force: true });
    throw err;
  }
  const proxy: RegistryProxy | null =
    opts.paginate || opts.latencyMs || opts.countRequests
      ? await startRegistryProxy({ upstreamPort: port, pageCap: opts.paginate ?? null, latencyMs: opts.latencyMs ?? 0 })
      : null;
  const host = proxy ? `127.0.0.1:${proxy.port}` : `127.0.0.1:${port}`;
  const pusher: Pusher = {
    baseUrl: direct,
    authorize: async (repo) => {
      if (!credentials) return null;
      if (tokenServer) return `Bearer ${tokenServer.mint([`repository:${repo}:pull,push`], credentials.username)}`;
      return `Basic ${Buffer.from(`${credentials.username}:${credentials.password}`).toString('base64')}`;
    },
  };
  const repoDir = (repo: string): string => join(storage, 'docker/registry/v2/repositories', repo);
  return {
    host,
    url: `http://${host}`,
    ...(credentials && { credentials }),
    ...(tokenServer && { tokenServer }),
    pushImage: (repo, tag, o) => pushImage(pusher, repo, tag, o),
    pushChart: (repo, version, o) => pushChart(pusher, repo, version, o),
    seedTags: async (repo, from, tags) => {
      const link = await readFile(join(repoDir(from.repo), '_manifests/tags', from.tag, 'current/link'), 'utf8');
      if (repo !== from.repo) {
        await cp(join(repoDir(from.repo), '_layers'), join(repoDir(repo), '_layers'), { recursive: true });
        await cp(join(repoDir(from.repo), '_manifests/revisions'), join(repoDir(repo), '_manifests/revisions'), { recursive: true });
      }
      const hex = link.replace('sha256:', '');
      for (const tag of tags) {
        const tagDir = join(repoDir(repo), '_manifests/tags', tag);
        await mkdir(join(tagDir, 'current'), { recursive: true });
        await mkdir(join(tagDir, 'index/sha256', hex), { recursive: true });
        await writeFile(join(tagDir, 'current/link'), link);
        await writeFile(join(tagDir, 'index/sha256', hex, 'link'), link);
      }
    },
    copyRepository: async (from, to) => {
      for (const repo of to) {
        await mkdir(dirname(repoDir(repo)), { recursive: true });
        const r = spawnSync('cp', ['-a', repoDir(from), repoDir(repo)], { encoding: 'utf8' });
        if (r.status !== 0) throw new Error(`cp failed: ${r.stderr}`);
      }
    },
    requestCount: () => {
      if (!proxy) throw new Error('requestCount needs a proxy: start the registry with paginate, latencyMs or countRequests');
      return proxy.requestCount();
    },
    requests: () => {
      if (!proxy) throw new Error('requests needs a proxy: start the registry with paginate, latencyMs or countRequests');
      return proxy.requests();
    },
    stop: async () => {
      await proxy?.stop();
      await stopChild(child);
      await tokenServer?.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

async function waitUntilUp(base: string, child: ChildProcess, log: () => string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`docker-registry exited with ${child.exitCode}: ${log()}`);
    try {
      const res = await fetch(`${base}/v2/`, { signal: AbortSignal.timeout(1000) });
      if (res.status === 200 || res.status === 401) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`docker-registry did not answer on ${base}: ${log()}`);
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}
