import { describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG } from '../../src/config/types.js';
import type { ChartFiles } from '../../src/lookup/helm/chart-files.js';
import type { PackageRef, PackageReleases } from '../../src/lookup/types.js';
import { createPlan } from '../../src/plan/index.js';
import type { BranchPlan } from '../../src/plan/types.js';
import { parseMarker } from '../../src/publish/identity.js';
import { prBody } from '../../src/publish/pr-body.js';
import { reviewPlan, type ReviewSource } from '../../src/review/index.js';
import { assertAffordable } from '../../src/review/schema-cost.js';
import { MAX_SCHEMA_RISKS } from '../../src/review/schema.js';
import { scanFiles, type SourceFile } from '../../src/scan/index.js';
import { FakeReleaseSource } from '../plan/fake-source.js';
import { fluxReleaseFile } from '../helpers/flux-release.js';

const REPO = 'https://charts.example.test';

/** Chart versions in memory, as a hostile Helm repository could serve them. */
class Charts implements ReviewSource {
  constructor(
    private readonly releasesOf: FakeReleaseSource,
    private readonly files: Record<string, Partial<ChartFiles>>,
  ) {}

  releases(pkg: PackageRef): Promise<PackageReleases> {
    return this.releasesOf.releases(pkg);
  }

  async chartFiles(pkg: PackageRef, version: string): Promise<ChartFiles> {
    const f = this.files[version] ?? {};
    return { chartYaml: f.chartYaml ?? `name: ${pkg.name}\nversion: ${version}\n`, valuesYaml: f.valuesYaml ?? null, schemaJson: f.schemaJson ?? null };
  }
}

const fluxRelease = (values: string): SourceFile => fluxReleaseFile(REPO, 'flux.yaml', values);

const argoRelease = (valuesString: string): SourceFile => ({
  path: 'argo.yaml',
  text: [
    'apiVersion: argoproj.io/v1alpha1',
    'kind: Application',
    'metadata: {name: web}',
    'spec:',
    '  source:',
    `    repoURL: ${REPO}`,
    '    chart: web',
    '    targetRevision: 1.0.0',
    '    helm:',
    `      values: ${JSON.stringify(valuesString)}`,
    '',
  ].join('\n'),
});

async function review(files: SourceFile[], charts: Record<string, Partial<ChartFiles>>) {
  const releases = new FakeReleaseSource({ web: { tags: ['1.0.0', '2.0.0'] } });
  const plan = await createPlan(scanFiles(files), releases, DEFAULT_CONFIG);
  const byPath = new Map(files.map((f) => [f.path, f.text]));
  const readFile = async (p: string): Promise<string> => byPath.get(p) ?? Promise.reject(new Error(`${p} not found`));
  const started = Date.now();
  const out = await reviewPlan(plan, { source: new Charts(releases, charts), readFile, config: DEFAULT_CONFIG });
  return { plan: out, ms: Date.now() - started };
}

/** `a: [x × 9]`, `b: [a × 9]` … six levels: 9^6 = 531,441 nodes from 300 bytes. */
const ALIAS_BOMB = ['a: &a [x, x, x, x, x, x, x, x, x]', ...['b', 'c', 'd', 'e', 'f'].map((k, i) => `${k}: &${k} [${Array(9).fill(`*${'abcde'[i]}`).join(', ')}]`)].join('\n');

/** Each level's two `anyOf` branches both `$ref` the next: ajv tries 2^30 paths for a value that fails the last. */
function exponentialSchema(levels: number, keep: object = { $ref: '#/definitions/d0' }): string {
  const definitions: Record<string, object> = {};
  for (let i = 0; i < levels; i++) definitions[`d${i}`] = { anyOf: [{ $ref: `#/definitions/d${i + 1}` }, { $ref: `#/definitions/d${i + 1}` }] };
  definitions[`d${levels}`] = { type: 'string' };
  return JSON.stringify({ definitions, properties: { keep } });
}

const OLD = { valuesYaml: 'legacy: {enabled: false}\nkeep: 1\n' };
const NEW = { valuesYaml: 'keep: 1\n' };
const LEGACY = { kind: 'removed-value', path: 'legacy.enabled', message: 'legacy.enabled is set in your values, but chart 2.0.0 no longer has legacy' };

describe('hostile values in the repository end as a problem on the line, never a crash', () => {
  it('refuses an alias bomb in Flux values: the update is planned, the problem says why the values were not checked', async () => {
    const { plan } = await review([fluxRelease(ALIAS_BOMB)], { '1.0.0': OLD, '2.0.0': NEW });
    expect(plan.updates.map((u) => [u.newValue, u.risks])).toEqual([['2.0.0', []]]);
    expect(plan.problems).toEqual([
      { file: 'flux.yaml', line: 10, message: 'web 2.0.0: your values were not checked: flux.yaml could not be read: Excessive alias count indicates a resource exhaustion attack' },
    ]);
    expect(plan.partialFailure).toBeFalsy();
  });

  it('says so when an Argo CD helm.values string is an alias bomb or not a map, instead of checking it as empty', async () => {
    const schemaJson = JSON.stringify({ required: ['name'] });
    const bomb = await review([argoRelease(ALIAS_BOMB)], { '1.0.0': OLD, '2.0.0': { ...NEW, schemaJson } });
    expect(bomb.plan.problems.map((p) => p.message)).toEqual(['web 2.0.0: your values were not checked: helm.values could not be read: Excessive alias count indicates a resource exhaustion attack']);
    const list = await review([argoRelease('- a\n- b\n')], { '1.0.0': OLD, '2.0.0': { ...NEW, schemaJson } });
    expect(list.plan.problems.map((p) => p.message)).toEqual(['web 2.0.0: your values were not checked: helm.values is not a YAML map']);
    // Not a `required` risk from checking nothing: no risk at all.
    expect([bomb.plan.updates[0]!.risks, list.plan.updates[0]!.risks]).toEqual([[], []]);
  });

  it('reads values nested 10,000 levels deep as unreadable, quickly', async () => {
    const deep = `${'{a: '.repeat(10_000)}1${'}'.repeat(10_000)}`;
    const { plan, ms } = await review([argoRelease(deep)], { '1.0.0': OLD, '2.0.0': NEW });
    expect(plan.updates.map((u) => [u.newValue, u.risks])).toEqual([['2.0.0', []]]);
    // The scanner says it too (it reads embedded values for images); the review says what it did not check.
    expect(plan.problems.map((p) => p.message)).toEqual([
      expect.stringMatching(/^embedded Helm values: Maximum call stack size exceeded/),
      expect.stringMatching(/^web 2\.0\.0: your values were not checked: helm\.values could not be read: Maximum call stack size exceeded/),
    ]);
    expect(ms).toBeLessThan(5_000);
  });
});

describe('a hostile chart ends as a problem or a bounded list of risks, never a hang', () => {
  it('does not run a schema whose anyOf/$ref fan-out is exponential, and keeps the other risks', async () => {
    const { plan, ms } = await review([fluxRelease('legacy: {enabled: true}\nkeep: 1')], { '1.0.0': OLD, '2.0.0': { ...NEW, schemaJson: exponentialSchema(30) } });
    expect(plan.updates[0]!.risks).toEqual([LEGACY]);
    // Caught before compiling: 30 levels expand through their $refs to 2^30 paths.
    expect(plan.problems.map((p) => p.message)).toEqual(['web 2.0.0: values.schema.json expands through its $refs to more than 200000 keys and items; not compiled; values not checked against it']);
    expect(ms).toBeLessThan(5_000);
  });

  it('does not run a schema that is affordable alone but not on these values (a list of items, each over a deep anyOf chain)', async () => {
    // 2^12 paths per item is under the compile-time bound; 120 items of them are about half a million steps.
    const schemaJson = exponentialSchema(12, { type: 'array', items: { $ref: '#/definitions/d0' } });
    const items = Array.from({ length: 120 }, (_, i) => `  - ${i}`).join('\n');
    const { plan, ms } = await review([fluxRelease(`legacy: {enabled: true}\nkeep:\n${items}`)], { '1.0.0': OLD, '2.0.0': { ...NEW, schemaJson } });
    expect(plan.updates[0]!.risks).toEqual([LEGACY]);
    expect(plan.problems.map((p) => p.message)).toEqual(['web 2.0.0: values.schema.json is too costly to check (over 200000 steps for these values); values not checked against it']);
    expect(ms).toBeLessThan(5_000);
  });

  it('runs the same shape when it is shallow: the bound counts real work, not keywords', async () => {
    const { plan } = await review([fluxRelease('keep: 1')], { '1.0.0': OLD, '2.0.0': { ...NEW, schemaJson: exponentialSchema(4) } });
    expect(plan.problems).toEqual([]);
    expect(plan.updates[0]!.risks).toEqual([
      { kind: 'schema', path: 'keep', message: 'keep must be string (values.schema.json of chart 2.0.0)' },
      { kind: 'schema', path: 'keep', message: 'keep must match a schema in anyOf (values.schema.json of chart 2.0.0)' },
    ]);
  });

  it('refuses schemas that are too big, refer to themselves endlessly, or use patterns RE2 cannot run', async () => {
    const cases: Record<string, string> = {
      big: JSON.stringify({ description: 'x'.repeat(1024 * 1024) }),
      selfRef: JSON.stringify({ $ref: '#/definitions/a', definitions: { a: { $ref: '#/definitions/a' } } }),
      backreference: JSON.stringify({ properties: { keep: { type: 'string', pattern: '^(a+)\\1$' } } }),
      lookahead: JSON.stringify({ patternProperties: { '^(?!x)': { type: 'string' } } }),
      notJson: '{"type": ',
    };
    const found: Record<string, string[]> = {};
    for (const [name, schemaJson] of Object.entries(cases)) {
      const { plan } = await review([fluxRelease('keep: 1')], { '1.0.0': OLD, '2.0.0': { ...NEW, schemaJson } });
      expect(plan.updates.map((u) => u.risks)).toEqual([[]]);
      found[name] = plan.problems.map((p) => p.message);
    }
    expect(found).toEqual({
      big: ['web 2.0.0: values.schema.json is larger than 1 MiB; values not checked against it'],
      selfRef: [expect.stringMatching(/^web 2\.0\.0: values\.schema\.json (does not compile|is too costly to check).*; values not checked against it$/)],
      backreference: ['web 2.0.0: values.schema.json does not compile: backreference is not supported: patterns run on a linear-time engine (RE2 syntax); values not checked against it'],
      lookahead: ['web 2.0.0: values.schema.json does not compile: lookahead is not supported: patterns run on a linear-time engine (RE2 syntax); values not checked against it'],
      notJson: ['web 2.0.0: values.schema.json is not valid JSON; values not checked against it'],
    });
  });

  it('turns 10,000 schema errors into at most 20 risks and one that counts the rest', async () => {
    const values = Array.from({ length: 10_000 }, (_, i) => `k${i}: ${i}`).join('\n');
    const { plan, ms } = await review([fluxRelease(values)], { '1.0.0': OLD, '2.0.0': { ...NEW, schemaJson: JSON.stringify({ additionalProperties: { type: 'string' } }) } });
    const risks = plan.updates[0]!.risks!;
    expect(risks).toHaveLength(MAX_SCHEMA_RISKS + 1);
    expect(risks[0]).toEqual({ kind: 'schema', path: 'keep', message: 'keep must be string (values.schema.json of chart 2.0.0)' });
    expect(risks.at(-1)).toEqual({ kind: 'schema', message: '9981 more values fail values.schema.json of chart 2.0.0' });
    expect(ms).toBeLessThan(5_000);
  });

  it('reads a chart whose values.yaml is an alias bomb or nested 10,000 deep as unreadable, keeping its changes and kubeVersion', async () => {
    const chartYaml = 'name: web\nversion: 2.0.0\nkubeVersion: ">=1.30.0-0"\nannotations:\n  artifacthub.io/changes: |\n    - kind: fixed\n      description: A fix\n';
    for (const valuesYaml of [ALIAS_BOMB, `${'{a: '.repeat(10_000)}1${'}'.repeat(10_000)}`]) {
      const { plan } = await review([fluxRelease('keep: 1')], { '1.0.0': OLD, '2.0.0': { chartYaml, valuesYaml } });
      expect(plan.updates.map((u) => [u.newValue, u.risks, u.changes])).toEqual([
        ['2.0.0', [{ kind: 'kube-version', message: 'chart 2.0.0 requires Kubernetes >=1.30.0-0 (chart 1.0.0 stated none)' }], [{ kind: 'fixed', description: 'A fix' }]],
      ]);
      expect(plan.problems.map((p) => p.message)).toEqual(['web 2.0.0: values not reviewed: values.yaml in the chart archive is not a YAML map']);
    }
  });

  it('shows annotations and schema text that try markdown, HTML, pings or a forged marker as plain text in the PR body', async () => {
    const chartYaml = [
      'name: web',
      'version: 2.0.0',
      'annotations:',
      '  artifacthub.io/changes: |',
      '    - kind: "added**\\n<!-- tidemark:update {\\"branch\\":\\"x\\"} -->"',
      '      description: "<img src=x onerror=alert(1)> [click](javascript:alert(1)) @everyone fixes #1\\n\\n### Configuration\\n- **Automerge**: on"',
      '    - "-->|<details open>"',
    ].join('\n');
    const schemaJson = JSON.stringify({ properties: { keep: { enum: ['<!-- tidemark:update {} -->', '@admins'] } } });
    const { plan } = await review([fluxRelease('keep: 1')], { '1.0.0': OLD, '2.0.0': { ...NEW, chartYaml, schemaJson } });
    const update = plan.updates[0]!;
    const branch: BranchPlan = plan.branches[0]!;
    const body = prBody(branch, [update]);
    expect(body.match(/<!--/g)).toHaveLength(1);
    expect(parseMarker(body)?.branch).toEqual(branch.branchName);
    expect(body.match(/^### .*/gm)).toEqual(['### Why these versions', '### Risks', '### Changes', '### Configuration']);
    expect(body).not.toMatch(/<img|<details|\]\(javascript:|@everyone|#1\b/);
    // Two changes and the four configuration lines: the description's own `- **Automerge**: on` stayed on its line.
    expect(body.split('\n').filter((l) => l.startsWith('- **'))).toHaveLength(2 + 4);
  });
});

describe('assertAffordable', () => {
  it('follows refs to $id and $anchor targets, and counts what it cannot resolve as the whole schema', () => {
    const chain = (ref: (i: number) => string) => {
      const definitions: Record<string, object> = {};
      for (let i = 0; i < 25; i++) definitions[`d${i}`] = { $anchor: `a${i}`, $id: `https://x.test/d${i}.json`, anyOf: [{ $ref: ref(i + 1) }, { $ref: ref(i + 1) }] };
      definitions['d25'] = { $anchor: 'a25', $id: 'https://x.test/d25.json', type: 'string' };
      return { $defs: definitions, $ref: ref(0) };
    };
    expect(() => assertAffordable(chain((i) => `#a${i}`), 1)).toThrow('too costly');
    expect(() => assertAffordable(chain((i) => `d${i}.json`), 1)).toThrow('too costly');
    expect(() => assertAffordable({ properties: { a: { $ref: '#' } } }, { a: { a: { a: 1 } } })).not.toThrow();
  });
});
