import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/run-cli.js';
import { startHelmRepo, type TestHelmRepo } from '../helpers/helm-repo.js';
import { startRegistry, type TestRegistry } from '../helpers/registry.js';

const DAY = 86_400_000;
const ago = (ms: number): string => new Date(Date.now() - ms).toISOString();

async function writeFiles(dir: string, files: Record<string, string>): Promise<void> {
  for (const [file, text] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(dir, file)), { recursive: true });
    await writeFile(path.join(dir, file), text);
  }
}


describe('tidemark plan against a real registry and a real Helm repository', () => {
  let registry: TestRegistry;
  let helm: TestHelmRepo;
  let dir: string;
  let H: string;
  const digests: Record<string, string> = {};

  beforeAll(async () => {
    registry = await startRegistry();
    H = registry.host;
    helm = await startHelmRepo({
      podinfo: [
        { version: '6.8.0-rc.1', created: ago(20 * DAY) },
        { version: '6.7.1', created: ago(3_600_000) },
        { version: '6.6.0', created: ago(30 * DAY) },
        { version: '6.5.0', created: ago(90 * DAY) },
      ],
      common: ['1.2.0', '1.4.0'],
    });
    for (const tag of ['1.2.3', '1.3.0', '1.4.0', '2.0.0', '2.1.0-rc.1', 'latest', 'main-abc1234']) await registry.pushImage('acme/web', tag);
    await registry.pushImage('acme/web', `sha256-${'5'.repeat(64)}.sig`);
    digests.workerOld = (await registry.pushImage('acme/worker', '3.1.0', { created: '2026-01-01T00:00:00Z' })).digest;
    digests.workerNew = (await registry.pushImage('acme/worker', '3.1.0', { created: '2026-02-01T00:00:00Z' })).digest;
    for (const tag of ['1.25-alpine', '1.27-alpine', '1.27.3-alpine', '1.27-slim', '1.28-alpine3.21']) await registry.pushImage('library/nginx', tag);
    for (const tag of ['16.4.0-debian-12-r13', '16.6.0-debian-12-r10']) await registry.pushImage('bitnami/postgresql', tag);
    for (const tag of ['1.0.0', '1.1.0', '2.0.0']) await registry.pushImage('acme/api', tag);
    for (const version of ['18.0.0', '18.2.0', '19.0.1']) await registry.pushChart('charts/redis', version);

    dir = await mkdtemp(path.join(tmpdir(), 'tidemark-plan-e2e-'));
    await writeFiles(dir, {
      '.tidemark.yaml': [
        'rules:',
        '  - description: databases by hand',
        '    match:',
        "      packageNames: ['**/postgresql']",
        '    enabled: false',
        '  - match:',
        '      datasources: [helm]',
        '    minimumReleaseAge: 3 days',
        '  - match:',
        "      packageNames: ['**/acme/*']",
        '    group: acme',
        '',
      ].join('\n'),
      'apps/web/deployment.yaml': [
        'apiVersion: apps/v1',
        'kind: Deployment',
        'metadata: {name: web}',
        'spec:',
        '  template:',
        '    spec:',
        '      containers:',
        `        - image: ${H}/acme/web:1.2.3`,
        `        - image: ${H}/acme/worker:3.1.0@${digests.workerOld}`,
        `        - image: "${H}/library/nginx:1.25-alpine"`,
        '        # tidemark: allowedVersions=<2',
        `        - image: ${H}/acme/api:1.0.0`,
        `        - image: ${H}/acme/web:latest`,
        '',
      ].join('\n'),
      'apps/db/statefulset.yaml': [
        'apiVersion: apps/v1',
        'kind: StatefulSet',
        'metadata: {name: db}',
        'spec:',
        '  template:',
        '    spec:',
        '      containers:',
        `        - image: ${H}/bitnami/postgresql:16.4.0-debian-12-r13`,
        '',
      ].join('\n'),
      'infra/podinfo.yaml': [
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
      'charts/app/Chart.yaml': [
        'apiVersion: v2',
        'name: app',
        'version: 1.0.0',
        'dependencies:',
        '  - name: redis',
        '    version: 18.0.0',
        `    repository: oci://${H}/charts`,
        '  - name: common',
        '    version: ~1.2',
        `    repository: ${helm.url}`,
        '',
      ].join('\n'),
    });
  });

  afterAll(async () => {
    await registry?.stop();
    await helm?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('prints the expected plan as JSON', async () => {
    const { code, out } = await runCli(['plan', dir, '--json', '--no-cache']);
    const update = (file: string, line: number, manager: string, name: string, currentValue: string, newValue: string, updateType: string, extra = {}) => ({
      file, line, manager, name, currentValue, newValue, currentDigest: null, newDigest: null, updateType, group: null, risks: [], changes: [], ...extra,
    });
    expect(JSON.parse(out)).toEqual({
      updates: [
        update('apps/web/deployment.yaml', 8, 'kubernetes', `${H}/acme/web`, '1.2.3', '1.4.0', 'minor', { group: 'acme' }),
        update('apps/web/deployment.yaml', 8, 'kubernetes', `${H}/acme/web`, '1.2.3', '2.0.0', 'major', { group: 'acme' }),
        update('apps/web/deployment.yaml', 9, 'kubernetes', `${H}/acme/worker`, '3.1.0', '3.1.0', 'digest', {
          currentDigest: digests.workerOld, newDigest: digests.workerNew, group: 'acme',
        }),
        update('apps/web/deployment.yaml', 10, 'kubernetes', `${H}/library/nginx`, '1.25-alpine', '1.27-alpine', 'minor'),
        update('apps/web/deployment.yaml', 12, 'kubernetes', `${H}/acme/api`, '1.0.0', '1.1.0', 'minor', { group: 'acme' }),
        update('charts/app/Chart.yaml', 6, 'helm-chart', 'redis', '18.0.0', '18.2.0', 'minor'),
        update('charts/app/Chart.yaml', 6, 'helm-chart', 'redis', '18.0.0', '19.0.1', 'major'),
        update('infra/podinfo.yaml', 14, 'flux', 'podinfo', '6.5.0', '6.6.0', 'minor'),
      ],
      unchanged: [
        {
          file: 'apps/db/statefulset.yaml', line: 8, name: `${H}/bitnami/postgresql`, currentValue: '16.4.0-debian-12-r13',
          reason: 'disabled by rule 1 (databases by hand)',
        },
        { file: 'apps/web/deployment.yaml', line: 13, name: `${H}/acme/web`, currentValue: 'latest', reason: 'not pinned: "latest" is a floating tag' },
        { file: 'charts/app/Chart.yaml', line: 9, name: 'common', currentValue: '~1.2', reason: 'version range "~1.2" is left alone: the newest version 1.4.0 is outside it' },
      ],
      problems: [],
    });
    expect(code).toBe(0);
  });

  it('explains why each podinfo version was taken or rejected', async () => {
    const { code, out } = await runCli(['plan', dir, '--explain', 'podinfo', '--no-cache']);
    expect(code).toBe(0);
    const explanation = out.slice(out.indexOf('infra/podinfo.yaml:14 podinfo'));
    expect(explanation.split('\n').map((l) => l.trimEnd())).toEqual([
      'infra/podinfo.yaml:14 podinfo 6.5.0: minor update to 6.6.0: 6.6.0 is the newest minor/patch version in the same tag family',
      '  CANDIDATE   VERDICT   FAMILY  VERSION     BUILD  REASON',
      '  6.8.0-rc.1  rejected  X.Y.Z   6.8.0-rc.1  -      a pre-release, and the current version is stable',
      expect.stringMatching(/^ {2}6\.7\.1 {7}rejected {2}X\.Y\.Z {3}6\.7\.1 {7}- {6}too new: released 1 hour ago, minimumReleaseAge is 3 days$/),
      '  6.6.0       picked    X.Y.Z   6.6.0       -      newest minor/patch version in the same tag family',
      '  6.5.0       rejected  X.Y.Z   6.5.0       -      the current version',
      '',
    ]);
  });

  it('prints a table with the reason for every dependency that stays', async () => {
    const { code, out } = await runCli(['plan', dir, '--no-cache']);
    expect(code).toBe(0);
    const rows = out.split('\n').map((l) => l.replace(/ {2,}/g, ' | '));
    expect(rows).toContain(`apps/db/statefulset.yaml:8 | ${H}/bitnami/postgresql | 16.4.0-debian-12-r13 | - | disabled by rule 1 (databases by hand)`);
    expect(rows).toContain(`apps/web/deployment.yaml:10 | ${H}/library/nginx | 1.25-alpine | 1.27-alpine | minor`);
    expect(rows).toContain('charts/app/Chart.yaml:9 | common | ~1.2 | - | version range "~1.2" is left alone: the newest version 1.4.0 is outside it');
    expect(rows.at(-2)).toEqual('8 updates in 6 branches, 3 unchanged, 0 problems.');
  });

  it('exits 1 and says why when a lookup fails, planning the rest', async () => {
    const other = await mkdtemp(path.join(tmpdir(), 'tidemark-plan-e2e-'));
    try {
      await writeFiles(other, {
        'pod.yaml': `apiVersion: v1\nkind: Pod\nspec:\n  containers:\n    - image: ${H}/acme/gone:1.0.0\n    - image: ${H}/acme/api:1.1.0\n`,
      });
      const { code, out } = await runCli(['plan', other, '--json', '--no-cache']);
      expect(code).toBe(1);
      const plan = JSON.parse(out) as { updates: { newValue: string }[]; unchanged: { reason: string }[] };
      expect(plan.updates.map((u) => u.newValue)).toEqual(['2.0.0']);
      expect(plan.unchanged).toHaveLength(1);
      expect(plan.unchanged[0]!.reason).toMatch(/^lookup failed: .+/);
      const table = await runCli(['plan', other, '--no-cache']);
      expect(table.code).toBe(1);
      expect(table.out.split('\n').at(-2)).toEqual(`1 update in 1 branch, 1 unchanged, 1 problem; 1 of 2 lookups failed: ${H} answered 404 (1).`);
    } finally {
      await rm(other, { recursive: true, force: true });
    }
  });

  it('exits 2 with file:line when the config is invalid', async () => {
    const other = await mkdtemp(path.join(tmpdir(), 'tidemark-plan-e2e-'));
    try {
      await writeFiles(other, { '.tidemark.yaml': 'rules:\n  - match:\n      packageNames: [nginx]\n    allowedVersion: <2\n' });
      const { code, err } = await runCli(['plan', other, '--json']);
      expect(code).toBe(2);
      expect(err).toContain('.tidemark.yaml:4: unknown key "allowedVersion" in rules[0]; did you mean "allowedVersions"?');
    } finally {
      await rm(other, { recursive: true, force: true });
    }
  });
});
