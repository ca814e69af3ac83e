import { createHash } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runPlan } from '../../src/cli/commands/plan.js';
import { silentLogger } from '../../src/log.js';
import { parseHostRules } from '../../src/lookup/host-rules.js';
import { chartArchive } from '../helpers/chart-archive.js';
import { decodedForms, startRecordingServer, type RecordingServer } from '../helpers/recording-server.js';

const SECRET = 'chart-reader-CANARY-0001';
const v1 = chartArchive({ name: 'web', version: '1.0.0', values: 'legacy: {enabled: false}\n' });
const v2 = chartArchive({ name: 'web', version: '2.0.0', values: '{}\n' });
const sha = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

describe('chart archives and the operator credentials', () => {
  let bound: RecordingServer;
  let elsewhere: RecordingServer;
  let dir: string;

  beforeAll(async () => {
    elsewhere = await startRecordingServer((req, res) => void (req.url === '/web-2.0.0.tgz' ? res.writeHead(200).end(v2) : res.writeHead(404).end()));
    bound = await startRecordingServer((req, res) => {
      if (req.headers['authorization'] !== `Basic ${Buffer.from(`reader:${SECRET}`).toString('base64')}`) return void res.writeHead(401).end();
      if (req.url === '/private/charts/web-1.0.0.tgz') return void res.writeHead(200).end(v1);
      if (req.url !== '/private/index.yaml') return void res.writeHead(404).end();
      const entry = (version: string, url: string, digest: string) =>
        [`  - apiVersion: v2`, `    name: web`, `    version: ${version}`, `    digest: ${digest}`, `    urls:`, `    - ${url}`].join('\n');
      res.writeHead(200).end(['apiVersion: v1', 'entries:', '  web:', entry('2.0.0', `${elsewhere.url}/web-2.0.0.tgz`, sha(v2)), entry('1.0.0', 'charts/web-1.0.0.tgz', sha(v1)), ''].join('\n'));
    });
    dir = await mkdtemp(path.join(tmpdir(), 'tidemark-review-creds-'));
    await writeFile(
      path.join(dir, 'app.yaml'),
      ['apiVersion: argoproj.io/v1alpha1', 'kind: Application', 'metadata: {name: web}', 'spec:', '  source:', `    repoURL: ${bound.url}/private`, '    chart: web', '    targetRevision: 1.0.0', '    helm:', '      valuesObject: {legacy: {enabled: true}}', ''].join('\n'),
    );
  });

  afterAll(async () => {
    await bound?.stop();
    await elsewhere?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('sends the credential with an archive on its bound host and path, never to the host another archive is on', async () => {
    const hostRules = parseHostRules(JSON.stringify([{ matchHost: bound.host, pathPrefix: '/private', username: 'reader', passwordEnv: 'READER_PASSWORD' }]), 'operator');
    let out = '';
    const code = await runPlan(dir, { cache: false, json: true }, { print: (t) => void (out += t), logger: silentLogger, env: { READER_PASSWORD: SECRET }, hostRules });
    expect(code).toBe(0);
    const plan = JSON.parse(out) as { updates: { risks: unknown[] }[]; problems: unknown[] };
    expect(plan.problems).toEqual([]);
    expect(plan.updates[0]!.risks).toEqual([{ kind: 'removed-value', path: 'legacy.enabled', message: 'legacy.enabled is set in your values, but chart 2.0.0 no longer has legacy' }]);
    expect(bound.requests.map((r) => r.url).sort()).toEqual(['/private/charts/web-1.0.0.tgz', '/private/index.yaml']);
    expect(elsewhere.requests.map((r) => [r.url, r.headers['authorization']])).toEqual([['/web-2.0.0.tgz', undefined]]);
    expect(JSON.stringify(elsewhere.requests)).not.toContain(SECRET);
  });
});

describe('a chart archive on the bound host that redirects elsewhere', () => {
  let bound: RecordingServer;
  let elsewhere: RecordingServer;
  let dir: string;

  beforeAll(async () => {
    elsewhere = await startRecordingServer((req, res) => void (req.url === '/blob/web-2.0.0.tgz' ? res.writeHead(200).end(v2) : res.writeHead(404).end()));
    bound = await startRecordingServer((req, res) => {
      if (req.headers['authorization'] !== `Basic ${Buffer.from(`reader:${SECRET}`).toString('base64')}`) return void res.writeHead(401).end();
      if (req.url === '/private/charts/web-1.0.0.tgz') return void res.writeHead(200).end(v1);
      // Blob storage elsewhere, as a repository behind a CDN answers.
      if (req.url === '/private/charts/web-2.0.0.tgz') return void res.writeHead(302, { location: `${elsewhere.url}/blob/web-2.0.0.tgz` }).end();
      if (req.url !== '/private/index.yaml') return void res.writeHead(404).end();
      const entry = (version: string, digest: string) =>
        [`  - apiVersion: v2`, `    name: web`, `    version: ${version}`, `    digest: ${digest}`, `    urls:`, `    - charts/web-${version}.tgz`].join('\n');
      res.writeHead(200).end(['apiVersion: v1', 'entries:', '  web:', entry('2.0.0', sha(v2)), entry('1.0.0', sha(v1)), ''].join('\n'));
    });
    dir = await mkdtemp(path.join(tmpdir(), 'tidemark-review-creds-redirect-'));
    await writeFile(
      path.join(dir, 'app.yaml'),
      ['apiVersion: argoproj.io/v1alpha1', 'kind: Application', 'metadata: {name: web}', 'spec:', '  source:', `    repoURL: ${bound.url}/private`, '    chart: web', '    targetRevision: 1.0.0', '    helm:', '      valuesObject: {legacy: {enabled: true}}', ''].join('\n'),
    );
  });

  afterAll(async () => {
    await bound?.stop();
    await elsewhere?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('follows the redirect without the credential and still reviews the chart', async () => {
    const hostRules = parseHostRules(JSON.stringify([{ matchHost: bound.host, pathPrefix: '/private', username: 'reader', passwordEnv: 'READER_PASSWORD' }]), 'operator');
    let out = '';
    const code = await runPlan(dir, { cache: false, json: true }, { print: (t) => void (out += t), logger: silentLogger, env: { READER_PASSWORD: SECRET }, hostRules });
    expect(code).toBe(0);
    const plan = JSON.parse(out) as { updates: { risks: unknown[] }[]; problems: unknown[] };
    expect(plan.problems).toEqual([]);
    expect(plan.updates[0]!.risks).toEqual([{ kind: 'removed-value', path: 'legacy.enabled', message: 'legacy.enabled is set in your values, but chart 2.0.0 no longer has legacy' }]);
    expect(elsewhere.requests.map((r) => r.url)).toEqual(['/blob/web-2.0.0.tgz']);
    expect(elsewhere.requests.filter((r) => decodedForms(r).includes(SECRET))).toEqual([]);
  });
});
