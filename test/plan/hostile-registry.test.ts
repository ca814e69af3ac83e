import { createHash } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG } from '../../src/config/types.js';
import type { Logger } from '../../src/log.js';
import { createReleaseSource } from '../../src/lookup/index.js';
import { createPlan, planToJson } from '../../src/plan/index.js';
import { scanFiles } from '../../src/scan/index.js';

const sha256 = (body: string) => `sha256:${createHash('sha256').update(body).digest('hex')}`;
const OLD = `sha256:${'0'.repeat(64)}`;
const MANIFEST = JSON.stringify({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.index.v1+json', manifests: [] });
const FORGED = `sha256:${'Z'.repeat(64)}`;
const MISMATCHED = `sha256:${'e'.repeat(64)}`;
const HOSTILE_TAGS = [
  `${'1_'.repeat(500_000)}1!`, // 1 MB: quadratic for a backtracking tag parser
  '1.9.0\n## Approved by security',
  `1.${'9'.repeat(200)}`,
  '9.9.9 ',
  '-9.9.9',
];

/**
 * A registry on loopback that mixes healthy answers with hostile ones: giant and invalid tags in every tag list,
 * a `Docker-Content-Digest` that is not hex for `acme/forged`, and a GET whose claimed digest does not match its
 * bytes for `acme/liar`. Counts the manifest requests, so the test sees which lookups happened.
 */
function hostileRegistry(): Server {
  return createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://registry');
    const tags = /^\/v2\/(?<repo>acme\/[a-z]+)\/tags\/list$/.exec(url.pathname)?.groups?.['repo'];
    if (tags) {
      res.writeHead(200, { 'content-type': 'application/json' });
      return res.end(JSON.stringify({ name: tags, tags: ['1.0.0', ...HOSTILE_TAGS, '1.1.0'] }));
    }
    const m = /^\/v2\/acme\/(?<repo>[a-z]+)\/manifests\/1\.1\.0$/.exec(url.pathname)?.groups?.['repo'];
    if (m === 'web') {
      res.writeHead(200, { 'content-type': 'application/vnd.oci.image.index.v1+json', 'docker-content-digest': sha256(MANIFEST) });
      return res.end(req.method === 'HEAD' ? undefined : MANIFEST);
    }
    if (m === 'forged') {
      res.writeHead(200, { 'docker-content-digest': FORGED });
      return res.end(req.method === 'HEAD' ? undefined : MANIFEST);
    }
    if (m === 'liar' && req.method === 'HEAD') {
      res.writeHead(200, {});
      return res.end();
    }
    if (m === 'liar') {
      res.writeHead(200, { 'docker-content-digest': MISMATCHED });
      return res.end(MANIFEST);
    }
    res.writeHead(404);
    res.end();
  });
}

function recordingLogger(): Logger & { warnings: string[] } {
  const warnings: string[] = [];
  return { warnings, debug: () => {}, info: () => {}, warn: (msg) => void warnings.push(msg), error: () => {} };
}

describe('a plan against a hostile registry on loopback', () => {
  let server: Server;
  let host: string;

  beforeAll(async () => {
    server = hostileRegistry();
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    host = `127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  });

  it('plans the healthy update, and no invalid tag or digest reaches the plan', async () => {
    const text = [
      'apiVersion: v1', 'kind: Pod', 'spec:', '  containers:',
      `    - image: ${host}/acme/web:1.0.0@${OLD}`,
      `    - image: ${host}/acme/forged:1.0.0@${OLD}`,
      `    - image: ${host}/acme/liar:1.0.0@${OLD}`,
      `    - image: ${host}/acme/plain:1.0.0`,
      '',
    ].join('\n');
    const logger = recordingLogger();
    const source = createReleaseSource({ config: DEFAULT_CONFIG, cacheDir: null, logger, env: { DOCKER_CONFIG: '/nonexistent' }, retries: 0 });
    const plan = await createPlan(scanFiles([{ path: 'pod.yaml', text }]), source, DEFAULT_CONFIG, { now: new Date('2026-11-10T12:00:00Z') });

    expect(plan.updates.map((u) => [u.dependency.name.replace(host, 'HOST'), u.newValue, u.newDigest])).toEqual([
      ['HOST/acme/web', '1.1.0', sha256(MANIFEST)],
      ['HOST/acme/plain', '1.1.0', null],
    ]);
    expect(plan.unchanged.map((u) => [u.dependency.name.replace(host, 'HOST'), u.kind, u.reason.replaceAll(host, 'HOST')])).toEqual([
      ['HOST/acme/forged', 'lookup-failed', `lookup failed: digest of 1.1.0: HOST sent an invalid digest for HOST/acme/forged`],
      ['HOST/acme/liar', 'lookup-failed', `lookup failed: digest of 1.1.0: HOST sent content that does not match ${MISMATCHED} for HOST/acme/liar`],
    ]);
    const json = JSON.stringify(planToJson(plan));
    for (const bad of [FORGED, 'Approved', '9.9.9', '1_1_1', `1.${'9'.repeat(200)}`]) expect(json).not.toContain(bad);
    expect(logger.warnings.filter((w) => w.startsWith('dropped'))).toEqual(Array(4).fill('dropped 5 tags that are not valid OCI tags'));
  });
});
