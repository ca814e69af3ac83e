import { describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG, type Rule } from '../../src/config/types.js';
import { applyUpdates } from '../../src/edit/index.js';
import { createPlan } from '../../src/plan/index.js';
import { scanFiles } from '../../src/scan/index.js';
import { FakeReleaseSource, type FakePackage } from './fake-source.js';

const now = new Date('2026-11-10T12:00:00Z');

const chartYaml = (deps: [name: string, version: string][]): string =>
  [
    'apiVersion: v2',
    'name: app',
    'version: 1.0.0',
    'dependencies:',
    ...deps.flatMap(([name, version]) => [`  - name: ${name}`, `    version: ${version}`, '    repository: https://charts.example.com']),
    '',
  ].join('\n');

const CHARTS: Record<string, FakePackage> = {
  common: { tags: ['1.2.0', '1.2.5', '1.4.0', '1.4.1-rc.1'] },
  redis: { tags: ['1.9.0', '2.0.0', '2.5.0', '3.1.4'] },
  nginx: { tags: ['1.2.0', '1.9.9', '2.1.0'] },
  memcached: { tags: ['6.5.0', '6.5.3'] },
  odd: { tags: ['1.0.0', '5.0.0'] },
};

/** Scans a Chart.yaml, plans it with the rules, and applies every update the plan makes (each on its own, as a branch would). */
async function planChart(text: string, rules: Rule[] = [], packages: Record<string, FakePackage> = CHARTS) {
  const scan = scanFiles([{ path: 'charts/app/Chart.yaml', text }]);
  const plan = await createPlan(scan, new FakeReleaseSource(packages), { ...DEFAULT_CONFIG, rules }, { now });
  const edits = plan.updates.map((u) => {
    const r = applyUpdates('charts/app/Chart.yaml', text, [u]);
    return { applied: r.applied.length, problems: r.problems, line: r.text.split('\n')[u.dependency.line - 1] };
  });
  return { plan, edits };
}

describe('version ranges', () => {
  const text = chartYaml([['common', '~1.2'], ['redis', '^2.0.0'], ['nginx', '1.x.x'], ['memcached', '~6.5.0'], ['odd', '">=1.0.0 <2.0.0 || >=3.0.0 <4.0.0"']]);

  it('keeps them by default and says whether they allow the newest version', async () => {
    const { plan } = await planChart(text);
    expect(plan.updates).toEqual([]);
    expect(plan.partialFailure).toBe(false);
    expect(plan.unchanged.map((u) => [u.dependency.name, u.kind, u.reason])).toEqual([
      ['common', 'range', 'version range "~1.2" is left alone: the newest version 1.4.0 is outside it'],
      ['redis', 'range', 'version range "^2.0.0" is left alone: the newest version 3.1.4 is outside it'],
      ['nginx', 'range', 'version range "1.x.x" is left alone: the newest version 2.1.0 is outside it'],
      ['memcached', 'up-to-date', 'version range "~6.5.0" is left alone: it allows the newest version 6.5.3'],
      ['odd', 'range', 'version range ">=1.0.0 <2.0.0 || >=3.0.0 <4.0.0" is left alone: the newest version 5.0.0 is outside it'],
    ]);
  });

  it('replaces a range in its own style only where it does not allow the newest version, and the edit reads back', async () => {
    const { plan, edits } = await planChart(text, [{ rangeStrategy: 'replace' }]);
    expect(plan.updates.map((u) => [u.dependency.name, u.newValue, u.updateType, u.reason])).toEqual([
      ['common', '~1.4', 'minor', '~1.4 allows 1.4.0, the newest minor/patch version (was "~1.2", rangeStrategy replace)'],
      ['redis', '^3.0.0', 'major', '^3.0.0 allows 3.1.4, the newest major version (was "^2.0.0", rangeStrategy replace)'],
      ['nginx', '2.x.x', 'major', '2.x.x allows 2.1.0, the newest major version (was "1.x.x", rangeStrategy replace)'],
    ]);
    expect(edits).toEqual([
      { applied: 1, problems: [], line: '    version: ~1.4' },
      { applied: 1, problems: [], line: '    version: ^3.0.0' },
      { applied: 1, problems: [], line: '    version: 2.x.x' },
    ]);
    expect(plan.unchanged.map((u) => [u.dependency.name, u.kind, u.reason])).toEqual([
      ['memcached', 'up-to-date', 'version range "~6.5.0" is left alone: it allows the newest version 6.5.3'],
      [
        'odd', 'range',
        'version range ">=1.0.0 <2.0.0 || >=3.0.0 <4.0.0" is left alone: it cannot be rewritten safely to allow 5.0.0',
      ],
    ]);
    expect(plan.branches.map((b) => b.branchName)).toEqual(['tidemark/common-1.x', 'tidemark/nginx-2.x', 'tidemark/redis-3.x']);
  });

  it('pins a range to the newest version allowedVersions lets through, as an exact version that reads back', async () => {
    const pinned = chartYaml([['common', '~1.2'], ['redis', '">=2.0.0, <3.0.0"']]);
    const rules: Rule[] = [{ rangeStrategy: 'pin' }, { match: { packageNames: ['redis'] }, allowedVersions: '<3' }];
    const { plan, edits } = await planChart(pinned, rules);
    expect(plan.updates.map((u) => [u.dependency.name, u.newValue, u.updateType, u.reason])).toEqual([
      ['common', '1.4.0', 'minor', '1.4.0 is the newest minor/patch version (pinned from the range "~1.2", rangeStrategy pin)'],
      ['redis', '2.5.0', 'minor', '2.5.0 is the newest minor/patch version (pinned from the range ">=2.0.0, <3.0.0", rangeStrategy pin)'],
    ]);
    expect(edits).toEqual([
      { applied: 1, problems: [], line: '    version: 1.4.0' },
      { applied: 1, problems: [], line: '    version: "2.5.0"' },
    ]);
  });

  it('applies rangeStrategy per update type, and holds a disabled major back with the reason', async () => {
    const rules: Rule[] = [{ rangeStrategy: 'replace' }, { match: { updateTypes: ['major'] }, enabled: false, description: 'majors by hand' }];
    const { plan } = await planChart(chartYaml([['redis', '^2.0.0']]), rules);
    expect(plan.updates).toEqual([]);
    expect(plan.unchanged.map((u) => [u.kind, u.reason])).toEqual([
      ['disabled', 'version range "^2.0.0" is left alone: major update to ^3.0.0 disabled by rule 2 (majors by hand)'],
    ]);
  });

  it('waits for the minimum release age and ignores pre-releases, as for pinned versions', async () => {
    const times = { '1.2.0': '2026-01-01T00:00:00Z', '1.3.0': '2026-02-01T00:00:00Z', '1.4.0': '2026-11-09T12:00:00Z' };
    const packages = { common: { tags: ['1.2.0', '1.3.0', '1.4.0', '1.5.0-rc.1'], times } };
    const { plan } = await planChart(chartYaml([['common', '~1.2']]), [{ rangeStrategy: 'replace', minimumReleaseAge: '3 days' }], packages);
    expect(plan.updates.map((u) => u.newValue)).toEqual(['~1.3']);
    const waiting = { common: { tags: ['1.2.0', '1.3.0', '1.4.0'], times } };
    const kept = await planChart(chartYaml([['common', '~1.3']]), [{ minimumReleaseAge: '3 days' }], waiting);
    expect(kept.plan.unchanged.map((u) => [u.kind, u.reason])).toEqual([
      ['too-new', 'version range "~1.3" is left alone: no newer version allowed: 1.4.0 is too new: released 1 day ago, minimumReleaseAge is 3 days'],
    ]);
    const rc = await planChart(chartYaml([['common', '~1.4']]), [], { common: { tags: ['1.4.0', '1.5.0-rc.1'] } });
    expect(rc.plan.unchanged.map((u) => [u.kind, u.reason])).toEqual([
      ['not-allowed', 'version range "~1.4" is left alone: no newer version allowed: 1.5.0-rc.1 is a pre-release, and the current version is stable'],
    ]);
  });

  it('says a failed lookup, like for any other dependency', async () => {
    const { plan } = await planChart(chartYaml([['gone', '~1.2']]));
    expect(plan.partialFailure).toBe(true);
    expect(plan.unchanged.map((u) => [u.kind, u.reason])).toEqual([['lookup-failed', 'lookup failed: gone: not found']]);
  });
});

describe('version ranges in Flux', () => {
  const flux = `apiVersion: source.toolkit.fluxcd.io/v1
kind: HelmRepository
metadata: {name: bitnami, namespace: flux-system}
spec:
  url: https://charts.bitnami.com/bitnami
---
apiVersion: helm.toolkit.fluxcd.io/v2
kind: HelmRelease
metadata: {name: redis, namespace: flux-system}
spec:
  chart:
    spec:
      chart: redis
      version: 18.x
      sourceRef: {kind: HelmRepository, name: bitnami}
---
apiVersion: source.toolkit.fluxcd.io/v1
kind: OCIRepository
metadata: {name: podinfo, namespace: flux-system}
spec:
  url: oci://ghcr.io/stefanprodan/charts/podinfo
  ref:
    semver: ">=6.0.0 <7.0.0"
---
apiVersion: helm.toolkit.fluxcd.io/v2
kind: HelmRelease
metadata: {name: podinfo, namespace: flux-system}
spec:
  chartRef: {kind: OCIRepository, name: podinfo}
`;

  it('replaces a HelmRelease version and an OCIRepository semver range, and both edits read back', async () => {
    const scan = scanFiles([{ path: 'infra/apps.yaml', text: flux }]);
    const source = new FakeReleaseSource({ redis: { tags: ['18.6.1', '19.0.2', '20.1.0'] }, podinfo: { tags: ['6.5.4', '6.9.0', '7.0.1'] } });
    const plan = await createPlan(scan, source, { ...DEFAULT_CONFIG, rules: [{ rangeStrategy: 'replace', separateMajor: false }] }, { now });
    expect(plan.updates.map((u) => [u.dependency.name, u.dependency.currentValue, u.newValue, u.updateType])).toEqual([
      ['redis', '18.x', '20.x', 'major'],
      ['podinfo', '>=6.0.0 <7.0.0', '>=7.0.0 <8.0.0', 'major'],
    ]);
    const edited = applyUpdates('infra/apps.yaml', flux, plan.updates);
    expect(edited.problems).toEqual([]);
    expect(edited.applied).toHaveLength(2);
    expect(edited.text).toEqual(flux.replace('version: 18.x', 'version: 20.x').replace('semver: ">=6.0.0 <7.0.0"', 'semver: ">=7.0.0 <8.0.0"'));
  });

  it('pins a HelmRelease range to the newest version', async () => {
    const scan = scanFiles([{ path: 'infra/apps.yaml', text: flux }]);
    const source = new FakeReleaseSource({ redis: { tags: ['18.6.1', '19.0.2'] }, podinfo: { tags: ['6.5.4'] } });
    const plan = await createPlan(scan, source, { ...DEFAULT_CONFIG, rules: [{ rangeStrategy: 'pin' }] }, { now });
    expect(plan.updates.map((u) => [u.dependency.name, u.newValue, u.updateType])).toEqual([
      ['redis', '18.6.1', 'minor'],
      ['redis', '19.0.2', 'major'],
      ['podinfo', '6.5.4', 'minor'],
    ]);
    const edited = applyUpdates('infra/apps.yaml', flux, [plan.updates[1]!, plan.updates[2]!]);
    expect(edited.problems).toEqual([]);
    expect(edited.text).toEqual(flux.replace('version: 18.x', 'version: 19.0.2').replace('semver: ">=6.0.0 <7.0.0"', 'semver: "6.5.4"'));
  });
});
