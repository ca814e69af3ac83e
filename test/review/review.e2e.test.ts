import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/run-cli.js';
import { silentLogger } from '../../src/log.js';
import { run } from '../../src/run.js';
import { chartArchive, type TestChart } from '../helpers/chart-archive.js';
import { startHelmRepo, type TestHelmRepo } from '../helpers/helm-repo.js';
import { startRegistry, type TestRegistry } from '../helpers/registry.js';

async function writeFiles(dir: string, files: Record<string, string>): Promise<void> {
  for (const [file, text] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(dir, file)), { recursive: true });
    await writeFile(path.join(dir, file), text);
  }
}


const OLD_VALUES = ['replicaCount: 1', 'legacy:', '  enabled: false', '  mode: a', 'image:', '  tag: "1.0"', 'service:', '  port: 80', 'podAnnotations: {}', ''].join('\n');
const NEW_VALUES = ['replicaCount: 1', 'image:', '  tag: "2.0"', 'service:', '  port: 80', '  type: ClusterIP', 'podAnnotations: {}', ''].join('\n');
const NEW_SCHEMA = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  type: 'object',
  properties: {
    replicaCount: { type: 'integer', minimum: 1 },
    service: { type: 'object', properties: { type: { enum: ['ClusterIP', 'NodePort'] } } },
  },
};

/** Four versions of one chart: legacy.* removed, a schema and a new kubeVersion in 2.0.0, changes in each. */
function versions(name: string): TestChart[] {
  return [
    { name, version: '1.0.0', values: OLD_VALUES, kubeVersion: '>=1.25.0-0' },
    { name, version: '1.1.0', values: OLD_VALUES, kubeVersion: '>=1.25.0-0', changes: [{ kind: 'added', description: 'Added service.type' }] },
    { name, version: '1.2.0', values: OLD_VALUES, kubeVersion: '>=1.25.0-0', changes: ['Probes use the new port'] },
    {
      name, version: '2.0.0', values: NEW_VALUES, schema: NEW_SCHEMA, kubeVersion: '>=1.28.0-0',
      changes: [
        { kind: 'removed', description: 'Removed legacy mode', links: [{ name: 'PR', url: 'https://github.com/example/podinfo/pull/1' }] },
        { kind: 'changed', description: 'Image 2.0' },
      ],
    },
  ];
}

const CHANGES = [
  { kind: 'added', description: 'Added service.type' },
  { kind: 'changed', description: 'Probes use the new port' },
  { kind: 'removed', description: 'Removed legacy mode' },
  { kind: 'changed', description: 'Image 2.0' },
];
const KUBE = { kind: 'kube-version', message: 'chart 2.0.0 requires Kubernetes >=1.28.0-0 (chart 1.0.0 required >=1.25.0-0)' };
const removed = (p: string, gone = 'legacy') => ({ kind: 'removed-value', path: p, message: `${p} is set in your values, but chart 2.0.0 no longer has ${gone}` });

describe('plan --json reviews chart updates against the real charts', () => {
  let helm: TestHelmRepo;
  let registry: TestRegistry;
  let dir: string;

  beforeAll(async () => {
    registry = await startRegistry();
    for (const c of versions('ocichart')) await registry.pushChart('charts/ocichart', c.version, { archive: chartArchive(c) });
    const served = (name: string) => versions(name).reverse().map((c) => ({ version: c.version, archive: chartArchive(c) }));
    helm = await startHelmRepo({ podinfo: served('podinfo') });
    dir = await mkdtemp(path.join(tmpdir(), 'tidemark-review-'));
    const repo = helm.url;
    await writeFiles(dir, {
      '.tidemark.yaml': 'rules:\n  - separateMajor: false\n',
      'flux/release.yaml': [
        'apiVersion: source.toolkit.fluxcd.io/v1',
        'kind: HelmRepository',
        'metadata: {name: charts, namespace: apps}',
        `spec: {url: ${repo}}`,
        '---',
        'apiVersion: source.toolkit.fluxcd.io/v1',
        'kind: HelmRepository',
        'metadata: {name: oci, namespace: apps}',
        `spec: {type: oci, url: oci://${registry.host}/charts}`,
        '---',
        'apiVersion: helm.toolkit.fluxcd.io/v2',
        'kind: HelmRelease',
        'metadata: {name: web, namespace: apps}',
        'spec:',
        '  chart:',
        '    spec:',
        '      chart: podinfo',
        '      version: 1.0.0',
        '      sourceRef: {kind: HelmRepository, name: charts}',
        '  values:',
        '    replicaCount: "two"',
        '    legacy:',
        '      enabled: true',
        '    podAnnotations:',
        '      prometheus.io/scrape: "true"',
        '---',
        'apiVersion: helm.toolkit.fluxcd.io/v2',
        'kind: HelmRelease',
        'metadata: {name: oci, namespace: apps}',
        'spec:',
        '  chart:',
        '    spec:',
        '      chart: ocichart',
        '      version: 1.0.0',
        '      sourceRef: {kind: HelmRepository, name: oci}',
        '  values:',
        '    legacy: {mode: b}',
        '',
      ].join('\n'),
      'argocd/object.yaml': [
        'apiVersion: argoproj.io/v1alpha1',
        'kind: Application',
        'metadata: {name: web}',
        'spec:',
        '  sources:',
        '    - repoURL: https://github.com/example/config',
        '      path: .',
        `    - repoURL: ${repo}`,
        '      chart: podinfo',
        '      targetRevision: 1.0.0',
        '      helm:',
        '        valuesObject:',
        '          legacy:',
        '            mode: b',
        '          service: {type: LoadBalancer}',
        '',
      ].join('\n'),
      'argocd/string.yaml': [
        'apiVersion: argoproj.io/v1alpha1',
        'kind: Application',
        'metadata: {name: web}',
        'spec:',
        '  source:',
        `    repoURL: ${repo}`,
        '    chart: podinfo',
        '    targetRevision: 1.0.0',
        '    helm:',
        '      values: |',
        '        replicaCount: 0',
        '        legacy:',
        '          enabled: true',
        '',
      ].join('\n'),
      'argocd/oci.yaml': [
        'apiVersion: argoproj.io/v1alpha1',
        'kind: Application',
        'metadata: {name: oci}',
        'spec:',
        '  source:',
        `    repoURL: oci://${registry.host}/charts/ocichart`,
        '    targetRevision: 1.0.0',
        '    path: .',
        '    helm:',
        '      valuesObject: {legacy: {enabled: true}}',
        '',
      ].join('\n'),
      'kustomize/kustomization.yaml': [
        'helmCharts:',
        '  - name: podinfo',
        `    repo: ${repo}`,
        '    version: 1.0.0',
        '    valuesInline:',
        '      legacy: {enabled: true, mode: c}',
        '',
      ].join('\n'),
      'umbrella/Chart.yaml': ['apiVersion: v2', 'name: umbrella', 'version: 0.1.0', 'dependencies:', '  - name: podinfo', '    alias: web', `    repository: ${repo}`, '    version: 1.0.0', ''].join('\n'),
      'umbrella/values.yaml': ['podinfo:', '  legacy: {enabled: true}', 'web:', '  image: {tag: "1.1"}', '  legacy:', '    mode: d', ''].join('\n'),
    });
  }, 60_000);

  afterAll(async () => {
    await helm?.stop();
    await registry?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('gives each update the risks its values run into and the changes of every version up to the new one', async () => {
    const { code, out } = await runCli(['plan', dir, '--json', '--no-cache']);
    expect(code).toBe(0);
    const plan = JSON.parse(out) as { updates: { file: string; name: string; newValue: string; risks: unknown[]; changes: unknown[] }[]; problems: unknown[] };
    const byFile = Object.fromEntries(plan.updates.map((u) => [`${u.file} ${u.name}`, u]));
    expect(plan.problems).toEqual([]);
    expect(Object.keys(byFile).sort()).toEqual([
      'argocd/object.yaml podinfo', 'argocd/oci.yaml ocichart', 'argocd/string.yaml podinfo', 'flux/release.yaml ocichart', 'flux/release.yaml podinfo',
      'kustomize/kustomization.yaml podinfo', 'umbrella/Chart.yaml podinfo',
    ]);
    for (const u of plan.updates) expect(u.newValue).toBe('2.0.0');
    expect(byFile['flux/release.yaml podinfo']!.risks).toEqual([
      removed('legacy.enabled'),
      { kind: 'schema', path: 'replicaCount', message: 'replicaCount must be integer (values.schema.json of chart 2.0.0)' },
      KUBE,
    ]);
    expect(byFile['flux/release.yaml ocichart']!.risks).toEqual([removed('legacy.mode'), KUBE]);
    expect(byFile['argocd/object.yaml podinfo']!.risks).toEqual([
      removed('legacy.mode'),
      { kind: 'schema', path: 'service.type', message: 'service.type must be equal to one of the allowed values: "ClusterIP", "NodePort" (values.schema.json of chart 2.0.0)' },
      KUBE,
    ]);
    expect(byFile['argocd/string.yaml podinfo']!.risks).toEqual([
      removed('legacy.enabled'),
      { kind: 'schema', path: 'replicaCount', message: 'replicaCount must be >= 1 (values.schema.json of chart 2.0.0)' },
      KUBE,
    ]);
    expect(byFile['argocd/oci.yaml ocichart']!.risks).toEqual([removed('legacy.enabled'), KUBE]);
    expect(byFile['kustomize/kustomization.yaml podinfo']!.risks).toEqual([removed('legacy.enabled'), removed('legacy.mode'), KUBE]);
    // The alias `web` is the section that counts; `podinfo:` is another chart's business.
    expect(byFile['umbrella/Chart.yaml podinfo']!.risks).toEqual([removed('legacy.mode'), KUBE]);
    for (const u of plan.updates) expect(u.changes).toEqual(CHANGES);
  }, 60_000);

  it('reviews in tidemark run too (run-all and the Action share it): risky branches get the label and no automerge', async () => {
    const planOut = path.join(dir, '..', `${path.basename(dir)}-plan.json`);
    await writeFile(path.join(dir, '.tidemark.yaml'), 'rules:\n  - separateMajor: false\n    automerge: true\n');
    try {
      const summary = await run({ dir, platform: 'git', repo: null, endpoint: null, token: null, remote: null, dryRun: true, configPath: null, cacheDir: null, planOut, logger: silentLogger, print: () => undefined });
      const oci = summary.plan.updates.find((u) => u.dependency.file === 'flux/release.yaml' && u.dependency.name === 'ocichart')!;
      expect([oci.risks, oci.labels, oci.automerge]).toEqual([[removed('legacy.mode'), KUBE], ['tidemark:review-risks'], false]);
      const written = JSON.parse(await readFile(planOut, 'utf8')) as { updates: { file: string; name: string; risks: unknown[]; changes: unknown[] }[] };
      expect(written.updates.find((u) => u.file === 'flux/release.yaml' && u.name === 'ocichart')).toMatchObject({ risks: [removed('legacy.mode'), KUBE], changes: CHANGES });
    } finally {
      await writeFile(path.join(dir, '.tidemark.yaml'), 'rules:\n  - separateMajor: false\n');
      await rm(planOut, { force: true });
    }
  }, 60_000);

  it('reads no chart archive again on a second run with the same cache', async () => {
    const cacheDir = await mkdtemp(path.join(tmpdir(), 'tidemark-review-cache-'));
    try {
      const first = await runCli(['plan', dir, '--json', '--cache-dir', cacheDir]);
      const before = helm.requestCount();
      const second = await runCli(['plan', dir, '--json', '--cache-dir', cacheDir]);
      // Within the index TTL nothing is asked: the read chart files come from the cache, by digest.
      expect(helm.requestCount() - before).toBe(0);
      expect(JSON.parse(second.out)).toEqual(JSON.parse(first.out));
    } finally {
      await rm(cacheDir, { recursive: true, force: true });
    }
  }, 60_000);

  it('marks risky updates in the table and lists the risks under --explain', async () => {
    const { out } = await runCli(['plan', dir, '--no-cache', '--explain', 'ocichart']);
    expect(out).toMatch(/flux\/release\.yaml:\d+ +ocichart +1\.0\.0 +2\.0\.0 +major +⚠ 2 risks/);
    expect(out).toMatch(/kustomize\/kustomization\.yaml:\d+ +podinfo +1\.0\.0 +2\.0\.0 +major +⚠ 3 risks/);
    expect(out).toContain('  risk removed-value: legacy.mode is set in your values, but chart 2.0.0 no longer has legacy\n');
    expect(out).toContain(`  risk kube-version: ${KUBE.message}\n`);
    expect(out).toContain('  change removed: Removed legacy mode\n');
  }, 60_000);

  it('keeps a minor and a major update apart under --explain: each lists its own risks and changes', async () => {
    await writeFile(path.join(dir, '.tidemark.yaml'), 'rules: []\n');
    try {
      const { out } = await runCli(['plan', dir, '--no-cache', '--explain', 'podinfo']);
      const block = out.split('\n\n').find((b) => b.startsWith('kustomize/kustomization.yaml:4 podinfo 1.0.0:'))!;
      expect(block.split('\n').filter((l) => l.startsWith('  update to') || l.startsWith('    '))).toEqual([
        '  update to 1.2.0:',
        '    change added: Added service.type',
        '    change changed: Probes use the new port',
        '  update to 2.0.0:',
        '    risk removed-value: legacy.enabled is set in your values, but chart 2.0.0 no longer has legacy',
        '    risk removed-value: legacy.mode is set in your values, but chart 2.0.0 no longer has legacy',
        `    risk kube-version: ${KUBE.message}`,
        ...CHANGES.map((c) => `    change ${c.kind}: ${c.description}`),
      ]);
    } finally {
      await writeFile(path.join(dir, '.tidemark.yaml'), 'rules:\n  - separateMajor: false\n');
    }
  }, 60_000);
});
