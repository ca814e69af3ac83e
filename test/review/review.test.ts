import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG, type TidemarkConfig } from '../../src/config/types.js';
import { RegistryError } from '../../src/errors.js';
import type { ChartFiles } from '../../src/lookup/helm/chart-files.js';
import type { PackageRef, PackageReleases } from '../../src/lookup/types.js';
import { createPlan } from '../../src/plan/index.js';
import { prBody } from '../../src/publish/pr-body.js';
import { reviewPlan, type ReviewSource } from '../../src/review/index.js';
import { repoFileReader } from '../../src/review/repo-file.js';
import { removedValueRisks } from '../../src/review/risks.js';
import { coalesceValues } from '../../src/review/schema.js';
import { scanFiles, type SourceFile } from '../../src/scan/index.js';
import { FakeReleaseSource } from '../plan/fake-source.js';
import { fluxReleaseFile } from '../helpers/flux-release.js';

const REPO = 'https://charts.example.test';

/** Charts in memory: version → files; records every chartFiles call. */
class FakeCharts implements ReviewSource {
  readonly calls: string[] = [];
  constructor(
    private readonly releasesOf: FakeReleaseSource,
    private readonly files: Record<string, Partial<ChartFiles> | 'fail'>,
  ) {}

  releases(pkg: PackageRef): Promise<PackageReleases> {
    return this.releasesOf.releases(pkg);
  }

  async chartFiles(pkg: PackageRef, version: string): Promise<ChartFiles> {
    this.calls.push(`${pkg.name} ${version}`);
    const f = this.files[version];
    if (!f || f === 'fail') throw new RegistryError(`${version} archive unreachable`, { host: 'charts.example.test' });
    return { chartYaml: f.chartYaml ?? `name: ${pkg.name}\nversion: ${version}\n`, valuesYaml: f.valuesYaml ?? null, schemaJson: f.schemaJson ?? null };
  }
}

const release = (file: string, values: string): SourceFile => fluxReleaseFile(REPO, file, values);

async function reviewed(files: SourceFile[], charts: Record<string, Partial<ChartFiles> | 'fail'>, config: TidemarkConfig = DEFAULT_CONFIG, tags = ['1.0.0', '2.0.0']) {
  const releases = new FakeReleaseSource({ web: { tags } });
  const plan = await createPlan(scanFiles(files), releases, config);
  const source = new FakeCharts(releases, charts);
  const byPath = new Map(files.map((f) => [f.path, f.text]));
  const readFile = async (p: string): Promise<string> => {
    const text = byPath.get(p);
    if (text === undefined) throw new Error(`${p} not found`);
    return text;
  };
  return { plan: await reviewPlan(plan, { source, readFile, config }), source };
}

const OLD = { valuesYaml: 'legacy: {enabled: false}\nkeep: 1\n' };
const NEW = { valuesYaml: 'keep: 1\n' };

describe('reviewPlan', () => {
  it('labels an update with risks and takes automerge away unless a rule allows risky merges', async () => {
    const automerge = { ...DEFAULT_CONFIG, rules: [{ automerge: true, labels: ['deps'] }] };
    const risky = (await reviewed([release('a.yaml', 'legacy: {enabled: true}')], { '1.0.0': OLD, '2.0.0': NEW }, automerge)).plan;
    expect(risky.updates.map((u) => [u.labels, u.automerge])).toEqual([[['deps', 'tidemark:review-risks'], false]]);
    expect(risky.branches[0]!.updates[0]!.labels).toEqual(['deps', 'tidemark:review-risks']);
    // The PR says why: a rule turned automerge on, the risks took it away.
    expect(prBody(risky.branches[0]!, risky.branches[0]!.updates)).toContain(
      '- **Automerge**: off: a rule turns it on (set by rule 1), but this PR has risks (above) and no rule matching them sets `automergeRisky: true`. Merge it by hand.\n',
    );

    const allowed = { ...DEFAULT_CONFIG, riskLabel: 'needs-eyes', rules: [{ automerge: true, automergeRisky: true }] };
    const merged = (await reviewed([release('a.yaml', 'legacy: {enabled: true}')], { '1.0.0': OLD, '2.0.0': NEW }, allowed)).plan;
    expect(merged.updates.map((u) => [u.labels, u.automerge])).toEqual([[['needs-eyes'], true]]);

    const safe = (await reviewed([release('a.yaml', 'keep: 2')], { '1.0.0': OLD, '2.0.0': NEW }, automerge)).plan;
    expect(safe.updates.map((u) => [u.risks, u.labels, u.automerge])).toEqual([[[], ['deps'], true]]);
  });

  it('reads each chart version once however many files use the chart', async () => {
    const files = ['a.yaml', 'b.yaml', 'c.yaml'].map((f) => release(f, 'legacy: {enabled: true}'));
    const { plan, source } = await reviewed(files, { '1.0.0': OLD, '1.5.0': OLD, '2.0.0': NEW }, DEFAULT_CONFIG, ['1.0.0', '1.5.0', '2.0.0']);
    // Each file gets the newest minor (no risk) and the major (legacy is gone).
    expect(plan.updates.map((u) => [u.newValue, u.risks?.length])).toEqual([['1.5.0', 0], ['2.0.0', 1], ['1.5.0', 0], ['2.0.0', 1], ['1.5.0', 0], ['2.0.0', 1]]);
    expect(source.calls.sort()).toEqual(['web 1.0.0', 'web 1.5.0', 'web 2.0.0']);
  });

  it('reads the changes of at most the newest intermediate versions, oldest first', async () => {
    const tags = ['1.0.0', '1.1.0', '1.2.0', '1.3.0', '1.4.0-rc.1', '2.0.0'];
    const charts = Object.fromEntries(tags.map((v) => [v, { chartYaml: `name: web\nannotations:\n  artifacthub.io/changes: "- ${v}"\n` }]));
    const releases = new FakeReleaseSource({ web: { tags } });
    const plan = await createPlan(scanFiles([release('a.yaml', 'x: 1')]), releases, DEFAULT_CONFIG);
    const source = new FakeCharts(releases, charts);
    const out = await reviewPlan(plan, { source, readFile: async () => release('a.yaml', 'x: 1').text, config: DEFAULT_CONFIG, maxIntermediateVersions: 2 });
    expect(out.updates.find((u) => u.newValue === '2.0.0')!.changes).toEqual([{ kind: 'changed', description: '1.2.0' }, { kind: 'changed', description: '1.3.0' }, { kind: 'changed', description: '2.0.0' }]);
  });

  it('keeps the other risks and reports a schema that does not compile as a problem', async () => {
    const schemaJson = JSON.stringify({ properties: { keep: { type: 'string', pattern: '(?<=x)y' } } });
    const { plan } = await reviewed([release('a.yaml', 'legacy: {enabled: true}')], { '1.0.0': OLD, '2.0.0': { ...NEW, schemaJson } });
    expect(plan.updates[0]!.risks).toEqual([
      { kind: 'removed-value', path: 'legacy.enabled', message: 'legacy.enabled is set in your values, but chart 2.0.0 no longer has legacy' },
    ]);
    expect(plan.problems).toEqual([{ file: 'a.yaml', line: 10, message: expect.stringMatching(/^web 2\.0\.0: values\.schema\.json does not compile: .*; values not checked against it$/) }]);
    expect(plan.partialFailure).toBe(false);
  });

  it('leaves risks empty and keeps the update when the current archive cannot be read, still listing the new changes', async () => {
    const { plan } = await reviewed([release('a.yaml', 'legacy: {enabled: true}')], {
      '1.0.0': 'fail',
      '2.0.0': { ...NEW, chartYaml: 'name: web\nannotations:\n  artifacthub.io/changes: |\n    - kind: fixed\n      description: A fix\n' },
    });
    expect(plan.updates.map((u) => [u.newValue, u.risks, u.changes])).toEqual([['2.0.0', [], [{ kind: 'fixed', description: 'A fix' }]]]);
    expect(plan.problems).toEqual([{ file: 'a.yaml', line: 10, message: 'web 1.0.0: chart not reviewed, its archive could not be read: 1.0.0 archive unreachable' }]);
  });
});

describe('values checks', () => {
  it('merges values as Helm does: maps merge, lists and scalars replace, null deletes', () => {
    expect(coalesceValues({ a: { x: 1, y: 2 }, l: [1, 2], s: 'd' }, { a: { y: null, z: 3 }, l: [9], s: 'u' })).toEqual({ a: { x: 1, z: 3 }, l: [9], s: 'u' });
  });

  it('names list items and odd keys in paths, and leaves free-form maps alone', () => {
    const old = { extraEnv: [], legacy: { hosts: ['a'] }, podAnnotations: {} };
    const risks = removedValueRisks({ legacy: { hosts: ['x', { name: 'y' }] }, podAnnotations: { 'prometheus.io/scrape': 'true' }, extraEnv: [{ name: 'A' }] }, old, { extraEnv: [], podAnnotations: {} }, '2.0.0');
    expect(risks.map((r) => r.path)).toEqual(['legacy.hosts[0]', 'legacy.hosts[1].name']);
  });
});

describe('repository files the review reads', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'tidemark-review-files-'));
    await mkdir(path.join(dir, 'umbrella'));
    await writeFile(path.join(dir, 'secret.yaml'), 'inside: true\n');
    await symlink('/etc/hostname', path.join(dir, 'umbrella', 'values.yaml'));
  });
  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('refuses a values.yaml that is a symlink out of the checkout, and reads files inside it', async () => {
    const read = repoFileReader(dir);
    await expect(read('umbrella/values.yaml')).rejects.toThrow('umbrella/values.yaml is a symlink to a file outside the repository; not read');
    await expect(read('secret.yaml')).resolves.toEqual('inside: true\n');
  });
});
