import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { main } from '../../src/cli/main.js';
import { startHelmRepo, type TestHelmRepo } from '../helpers/helm-repo.js';
import { freePort, startRegistry, type TestRegistry } from '../helpers/registry.js';

async function writeFiles(dir: string, files: Record<string, string>): Promise<void> {
  for (const [file, text] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(dir, file)), { recursive: true });
    await writeFile(path.join(dir, file), text);
  }
}

async function runCli(args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const outSpy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => ((out += String(chunk)), true));
  const errSpy = vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => ((err += String(chunk)), true));
  try {
    return { code: await main(args), out, err };
  } finally {
    outSpy.mockRestore();
    errSpy.mockRestore();
  }
}

function deployment(name: string, images: string[]): string {
  return [
    'apiVersion: apps/v1',
    'kind: Deployment',
    `metadata: {name: ${name}}`,
    'spec:',
    '  template:',
    '    spec:',
    '      containers:',
    ...images.map((image, i) => `        - {name: c${i}, image: "${image}"}`),
    '',
  ].join('\n');
}

describe('tidemark report over three checkouts, against a real registry and Helm repository', () => {
  let registry: TestRegistry;
  let helm: TestHelmRepo;
  let root: string;
  let H: string;
  let gone: string;

  beforeAll(async () => {
    registry = await startRegistry();
    H = registry.host;
    // Nothing listens here: every lookup of this registry fails with a refused connection.
    gone = `127.0.0.1:${await freePort()}`;
    helm = await startHelmRepo({ podinfo: ['6.6.0', '6.5.0'] });
    for (const tag of ['1.0.0', '1.1.0', '2.0.0', '2.1.0-rc.1']) await registry.pushImage('acme/web', tag);
    for (const tag of ['3.1.0', '3.2.0']) await registry.pushImage('acme/api', tag);
    await registry.pushImage('acme/tools', 'latest');

    root = await mkdtemp(path.join(tmpdir(), 'tidemark-report-'));
    await writeFiles(path.join(root, 'fleet-a'), {
      'clusters/staging/web.yaml': deployment('web', [`${H}/acme/web:1.0.0`, `${H}/acme/api:3.2.0`]),
      'clusters/prod/web.yaml': deployment('web', [`${H}/acme/web:1.1.0`, `${H}/acme/api:3.2.0`]),
      'clusters/prod/podinfo.yaml': [
        'apiVersion: source.toolkit.fluxcd.io/v1',
        'kind: HelmRepository',
        'metadata: {name: podinfo, namespace: flux-system}',
        'spec:',
        `  url: ${helm.url}`,
        '---',
        'apiVersion: helm.toolkit.fluxcd.io/v2',
        'kind: HelmRelease',
        'metadata: {name: podinfo, namespace: flux-system}',
        'spec:',
        '  chart:',
        '    spec:',
        '      chart: podinfo',
        '      version: 6.5.0',
        '      sourceRef: {kind: HelmRepository, name: podinfo}',
        '',
      ].join('\n'),
    });
    await writeFiles(path.join(root, 'fleet-b'), {
      'apps/prod/web.yaml': deployment('web', [`${H}/acme/web:2.0.0`, `${gone}/acme/gone:1.0.0`, `${H}/acme/tools:latest`]),
      'overlays/dev/kustomization.yaml': [
        'apiVersion: kustomize.config.k8s.io/v1beta1',
        'kind: Kustomization',
        'images:',
        '  - name: web',
        `    newName: ${H}/acme/web`,
        '    newTag: 1.0.0',
        '',
      ].join('\n'),
    });
    await writeFiles(path.join(root, 'fleet-c'), {
      '.tidemark.yaml': 'rules: not-a-list\n',
      'apps/web.yaml': deployment('web', [`${H}/acme/web:1.0.0`]),
    });
  });

  afterAll(async () => {
    await registry?.stop();
    await helm?.stop();
    if (root) await rm(root, { recursive: true, force: true });
  });

  it('writes report.json with every repository, package and use, marking drift and failed lookups', async () => {
    const out = path.join(root, 'out/nested/report');
    const { code, out: stdout } = await runCli(['report', ...['fleet-a', 'fleet-b', 'fleet-c'].map((d) => path.join(root, d)), '--out', out, '--no-cache']);
    const json = JSON.parse(await readFile(path.join(out, 'report.json'), 'utf8'));
    const use = (repo: string, file: string, line: number, environment: string | null, currentValue: string | null, newValue: string | null) => ({
      repo, file, line, environment, currentValue, currentDigest: null, newValue,
    });
    const packages = [
      {
        name: `${H}/acme/api`, datasource: 'docker', newest: '3.2.0', drift: false,
        uses: [use('fleet-a', 'clusters/prod/web.yaml', 9, 'prod', '3.2.0', null), use('fleet-a', 'clusters/staging/web.yaml', 9, 'staging', '3.2.0', null)],
      },
      {
        name: `${H}/acme/tools`, datasource: 'docker', newest: null, drift: false,
        uses: [use('fleet-b', 'apps/prod/web.yaml', 10, 'prod', 'latest', null)],
      },
      {
        name: `${H}/acme/web`, datasource: 'docker', newest: '2.0.0', drift: true,
        uses: [
          use('fleet-a', 'clusters/prod/web.yaml', 8, 'prod', '1.1.0', '2.0.0'),
          use('fleet-a', 'clusters/staging/web.yaml', 8, 'staging', '1.0.0', '2.0.0'),
          use('fleet-b', 'apps/prod/web.yaml', 8, 'prod', '2.0.0', null),
          use('fleet-b', 'overlays/dev/kustomization.yaml', 6, 'dev', '1.0.0', '2.0.0'),
        ],
      },
      {
        name: `${gone}/acme/gone`, datasource: 'docker', newest: null, drift: false,
        uses: [use('fleet-b', 'apps/prod/web.yaml', 9, 'prod', '1.0.0', null)],
      },
      {
        name: `${helm.url.replace('http://', '')}/podinfo`, datasource: 'helm', newest: '6.6.0', drift: false,
        uses: [use('fleet-a', 'clusters/prod/podinfo.yaml', 14, 'prod', '6.5.0', '6.6.0')],
      },
    ].sort((a, b) => (a.name < b.name ? -1 : 1));
    expect(json).toEqual({
      generatedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/),
      repositories: [
        { repo: 'fleet-a', dependencies: 5, updates: 4, problems: 0 },
        { repo: 'fleet-b', dependencies: 4, updates: 2, problems: 1 },
        { repo: 'fleet-c', dependencies: 0, updates: 0, problems: 1 },
      ],
      packages,
    });
    expect(Object.keys(json)).toEqual(['generatedAt', 'repositories', 'packages']);
    expect(Object.keys(json.packages[0])).toEqual(['name', 'datasource', 'newest', 'drift', 'uses']);
    expect(Object.keys(json.packages[0].uses[0])).toEqual(['repo', 'file', 'line', 'environment', 'currentValue', 'currentDigest', 'newValue']);
    expect(stdout).toEqual(
      'Fleet report: 3 repositories, 5 packages; 4 uses behind, 1 package with drift; 1 lookup failed, 1 repository failed.\n' +
        `Wrote ${path.join(out, 'report.json')} and ${path.join(out, 'index.html')}\n`,
    );
    expect(code).toBe(1);
  });

  it('overwrites an earlier report and exits 0 when every lookup succeeded', async () => {
    const out = path.join(root, 'out-clean');
    await mkdir(out, { recursive: true });
    await writeFile(path.join(out, 'report.json'), '{"stale": true}\n');
    await writeFile(path.join(out, 'index.html'), 'stale');
    const { code } = await runCli(['report', path.join(root, 'fleet-a'), '--out', out, '--no-cache']);
    const json = JSON.parse(await readFile(path.join(out, 'report.json'), 'utf8'));
    expect(json.repositories).toEqual([{ repo: 'fleet-a', dependencies: 5, updates: 4, problems: 0 }]);
    expect(json.packages.map((p: { name: string; newest: string; drift: boolean }) => [p.name, p.newest, p.drift])).toEqual([
      [`${H}/acme/api`, '3.2.0', false],
      [`${H}/acme/web`, '2.0.0', true],
      [`${helm.url.replace('http://', '')}/podinfo`, '6.6.0', false],
    ].sort((a, b) => (String(a[0]) < String(b[0]) ? -1 : 1)));
    expect(await readFile(path.join(out, 'index.html'), 'utf8')).toMatch(/^<!doctype html>/);
    expect(code).toBe(0);
  });

  it('refuses a directory that does not exist before looking anything up', async () => {
    const { code, err } = await runCli(['report', path.join(root, 'fleet-a'), path.join(root, 'missing'), '--out', path.join(root, 'never')]);
    expect([code, err]).toEqual([2, `tidemark: not a directory: ${path.join(root, 'missing')}\n`]);
    await expect(readFile(path.join(root, 'never/report.json'), 'utf8')).rejects.toThrow(/ENOENT/);
  });
});
