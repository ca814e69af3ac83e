import { createHash } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import nock from 'nock';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG } from '../../src/config/types.js';
import { silentLogger } from '../../src/log.js';
import { createReleaseSource } from '../../src/lookup/index.js';
import { parseHostRules } from '../../src/lookup/host-rules.js';
import { startRegistry } from '../helpers/registry.js';

const config = { ...DEFAULT_CONFIG, registries: {} };
const image = (name: string) => ({ datasource: 'docker' as const, name, registryUrl: null });
const noDocker = { DOCKER_CONFIG: '/nonexistent' };

describe('concurrency and deduplication', () => {
  let server: Server;
  let host: string;
  let inFlight = 0;
  let maxInFlight = 0;
  let requests = 0;
  beforeAll(async () => {
    server = createServer((req, res) => {
      requests++;
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      setTimeout(() => {
        inFlight--;
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ tags: [req.url?.split('/')[2]] }));
      }, 20);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    host = `127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  it('asks once per package however many files use it, and never more at once than the per-host limit', async () => {
    const source = createReleaseSource({ config, cacheDir: null, logger: silentLogger, env: noDocker, perHostConcurrency: 3 });
    const names = Array.from({ length: 12 }, (_, i) => `${host}/r${i}`);
    const results = await Promise.all([...names, ...names, ...names].map((n) => source.releases(image(n))));
    expect(results.slice(0, 12).map((r) => r.releases)).toEqual(names.map((_, i) => [{ version: `r${i}` }]));
    expect(requests).toEqual(12);
    expect(maxInFlight).toEqual(3);
  });

  it('sends 16 requests at once to a host by default, and as many as the operator host rule for that host says', async () => {
    const names = Array.from({ length: 40 }, (_, i) => `${host}/d${i}`);
    const shared = createReleaseSource({ config, cacheDir: null, logger: silentLogger, env: noDocker });
    maxInFlight = 0;
    await Promise.all(names.map((n) => shared.releases(image(n))));
    expect(maxInFlight).toEqual(16);
    const ruled = createReleaseSource({
      config, cacheDir: null, logger: silentLogger, env: noDocker, hostRules: parseHostRules(`[{"matchHost":"${host}","concurrency":5}]`, 'test'),
    });
    maxInFlight = 0;
    await Promise.all(names.map((n) => ruled.releases(image(`${n}-ruled`))));
    expect(maxInFlight).toEqual(5);
  });
});

describe('tokens and digests on hosted registries', () => {
  beforeAll(() => nock.disableNetConnect());
  afterEach(() => nock.cleanAll());
  afterAll(() => nock.enableNetConnect());

  it('fetches a new token once the cached one expires', async () => {
    let now = 0;
    const challenge = { 'www-authenticate': 'Bearer realm="https://quay.io/v2/auth",service="quay.io"' };
    const quay = nock('https://quay.io')
      .head('/v2/org/app/manifests/1').reply(401, '', challenge)
      .get('/v2/auth').query({ service: 'quay.io', scope: 'repository:org/app:pull' }).reply(200, { token: 't1', expires_in: 60 })
      .head('/v2/org/app/manifests/1').matchHeader('authorization', 'Bearer t1').reply(200, '', { 'docker-content-digest': 'sha256:' + '1'.repeat(64) })
      .head('/v2/org/app/manifests/2').matchHeader('authorization', 'Bearer t1').reply(200, '', { 'docker-content-digest': 'sha256:' + '2'.repeat(64) })
      .get('/v2/auth').query(true).reply(200, { token: 't2', expires_in: 60 })
      .head('/v2/org/app/manifests/3').matchHeader('authorization', 'Bearer t2').reply(200, '', { 'docker-content-digest': 'sha256:' + '3'.repeat(64) });
    const source = createReleaseSource({ config, cacheDir: null, logger: silentLogger, env: noDocker, now: () => now });
    expect(await source.digest(image('quay.io/org/app'), '1')).toEqual('sha256:' + '1'.repeat(64));
    now = 30_000;
    expect(await source.digest(image('quay.io/org/app'), '2')).toEqual('sha256:' + '2'.repeat(64));
    now = 61_000;
    expect(await source.digest(image('quay.io/org/app'), '3')).toEqual('sha256:' + '3'.repeat(64));
    quay.done();
  });

  it('hashes the manifest when a registry omits Docker-Content-Digest on HEAD', async () => {
    const body = '{"schemaVersion":2}';
    const reg = nock('https://registry.example.com')
      .head('/v2/a/manifests/1.0').reply(200, '')
      .get('/v2/a/manifests/1.0').reply(200, body);
    const source = createReleaseSource({ config, cacheDir: null, logger: silentLogger, env: noDocker });
    expect(await source.digest(image('registry.example.com/a'), '1.0')).toEqual(`sha256:${createHash('sha256').update(body).digest('hex')}`);
    reg.done();
  });
});

describe('the disk cache', () => {
  it('never stores credentials, only bodies and validators', async () => {
    const reg = await startRegistry({ auth: 'basic' });
    const cacheDir = await mkdtemp(join(tmpdir(), 'tidemark-cache-'));
    try {
      await reg.pushImage('private/app', '1.0.0', { created: '2026-01-01T00:00:00Z' });
      const source = createReleaseSource({
        config,
        hostRules: parseHostRules(JSON.stringify([{ matchHost: reg.host, usernameEnv: 'U', passwordEnv: 'P' }]), 'test'),
        cacheDir,
        logger: silentLogger,
        env: { U: reg.credentials?.username, P: reg.credentials?.password, ...noDocker },
      });
      await source.releases(image(`${reg.host}/private/app`));
      await source.releaseTime(image(`${reg.host}/private/app`), '1.0.0');
      const files = await readdir(join(cacheDir, 'lookup', 'http'));
      const text = (await Promise.all(files.map((f) => readFile(join(cacheDir, 'lookup', 'http', f), 'utf8')))).join('\n');
      expect(files.length).toEqual(2);
      expect(text).not.toContain(reg.credentials?.password ?? '?');
      expect(text).not.toContain(Buffer.from(`${reg.credentials?.username}:${reg.credentials?.password}`).toString('base64'));
      expect(text.toLowerCase()).not.toContain('authorization');
    } finally {
      await reg.stop();
      await rm(cacheDir, { recursive: true, force: true });
    }
  });
});
