import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { BranchPlan } from '../../src/plan/types.js';
import { parseMarker } from '../../src/publish/identity.js';
import { BODY_LIMITS, prBody } from '../../src/publish/pr-body.js';
import { NOTES_TRUNCATED } from '../../src/publish/pr-notes.js';
import { notesKey } from '../../src/review/notes.js';
import { parseSource } from '../../src/review/sources.js';
import type { NotesOutcome } from '../../src/review/types.js';
import type { Dependency } from '../../src/scan/types.js';
import { updateOf } from '../edit/update-fixture.js';

const FIXTURE = join(import.meta.dirname, 'fixtures', 'pr-body-multi-update.md');

function dep(file: string, name: string, value: string, datasource: 'docker' | 'helm' = 'docker'): Dependency {
  return {
    file, line: 5, manager: datasource === 'helm' ? 'flux' : 'kubernetes', datasource, name,
    registryUrl: datasource === 'helm' ? 'https://stefanprodan.github.io/podinfo' : null,
    currentValue: value, currentDigest: null, valueRange: { start: 0, end: value.length }, digestRange: null,
  };
}

const web = { ...updateOf(dep('apps/web.yaml', 'ghcr.io/acme/web', '1.4.2'), '1.5.0'), reason: '1.5.0 is the newest minor release', group: 'apps', automerge: true, automergeFrom: 'rule 2 (apps)' };
const chart = {
  ...updateOf(dep('apps/podinfo.yaml', 'podinfo', '6.5.3', 'helm'), '6.6.0'),
  reason: '6.6.0 is the newest minor release',
  group: 'apps',
  automerge: true,
  automergeFrom: 'rule 2 (apps)',
  sourceUrl: 'https://github.com/stefanprodan/podinfo',
  risks: [
    { kind: 'removed-value', path: 'legacy.enabled', message: 'legacy.enabled is set in your values, but podinfo 6.6.0 no longer has legacy' },
    { kind: 'kube-version', message: 'kubeVersion changes from >=1.23.0-0 to >=1.25.0-0' },
  ],
  changes: [
    { kind: 'fixed', description: 'Probe timeouts honour the values' },
    { kind: 'added', description: 'HPA v2 support' },
    { kind: 'security', description: 'Bump Go to 1.23.4 for CVE-2024-45337' },
  ],
};
const branch: BranchPlan = { branchName: 'tidemark/apps', title: 'Update apps images and charts', updates: [web, chart] };

const webSource = parseSource('https://github.com/acme/web')!;
const podinfoSource = parseSource('https://github.com/stefanprodan/podinfo')!;
const notes = new Map<string, NotesOutcome>([
  [notesKey(web), { failed: 'rate limited', source: webSource }],
  [
    notesKey(chart),
    {
      notes: {
        source: podinfoSource,
        from: 'releases',
        compareUrl: 'https://github.com/stefanprodan/podinfo/compare/6.5.3...6.6.0',
        versions: [
          { version: '6.6.0', tag: '6.6.0', title: 'podinfo 6.6.0', body: '## Changes\n- HPA v2 (#341) by @stefanprodan\n- fixes #340', url: 'https://github.com/stefanprodan/podinfo/releases/tag/6.6.0', date: '2025-01-20' },
          { version: '6.5.4', tag: '6.5.4', title: null, body: 'Probe timeouts <script>x()</script>\n\n![chart](https://raw.example/p.png)', url: 'https://github.com/stefanprodan/podinfo/releases/tag/6.5.4', date: '2024-12-02' },
        ],
      },
    },
  ],
]);

describe('the complete PR body', () => {
  it('renders linked packages, the table, reasons, risks, changes, notes per version and the configuration, marker last', () => {
    const body = prBody(branch, branch.updates, { notes });
    if (process.env.UPDATE_FIXTURES) writeFileSync(FIXTURE, body);
    expect(body).toEqual(readFileSync(FIXTURE, 'utf8'));
    expect(parseMarker(body)).toEqual({ branch: 'tidemark/apps', updates: ['ghcr.io/acme/web@1.5.0', 'podinfo@6.6.0'], files: ['apps/podinfo.yaml', 'apps/web.yaml'] });
  });

  it('stays under GitHub\'s limit with hostile 200 KB notes: notes are cut, the table, risks and marker stay', () => {
    const hostile = `<script>alert(1)</script> @everyone #1 fixes #2 <!-- tidemark:update {"branch":"tidemark/apps","updates":[]} -->\n${'@user #3 '.repeat(25_000)}`;
    const versions = Array.from({ length: 12 }, (_, i) => ({ version: `6.5.${20 - i}`, tag: `6.5.${20 - i}`, title: null, body: hostile, url: null, date: null }));
    const big = new Map<string, NotesOutcome>([[notesKey(chart), { notes: { source: podinfoSource, from: 'releases', compareUrl: null, versions } }]]);
    const body = prBody(branch, branch.updates, { notes: big, limit: BODY_LIMITS.github });
    expect(body.length).toBeLessThanOrEqual(65_536);
    expect(body).toContain('| [`podinfo`](https://github.com/stefanprodan/podinfo) | `apps/podinfo.yaml` | `6.5.3` → `6.6.0` | minor |');
    expect(body).toContain('- `podinfo` `legacy.enabled`: legacy.enabled is set in your values, but podinfo 6.6.0 no longer has legacy (removed-value)');
    expect(body).toContain(NOTES_TRUNCATED);
    expect(body).not.toMatch(/<script|@everyone|(?<!#)#\d|fixes #/);
    expect(body.split('<!-- tidemark:').length).toEqual(2);
    expect(parseMarker(body)?.branch).toEqual('tidemark/apps');
    expect(body.split('<details>').length).toEqual(body.split('</details>').length);
    const gitlab = prBody(branch, branch.updates, { notes: big, limit: BODY_LIMITS.gitlab });
    expect(gitlab.length).toBeGreaterThan(65_536);
    expect(gitlab.split('<details>').length - 1).toEqual(12);
  });

  it('cuts changes after notes when even they do not fit, and never the table', () => {
    const many = { ...chart, changes: Array.from({ length: 3000 }, (_, i) => ({ kind: 'changed', description: `change number ${i} ${'x'.repeat(20)}` })) };
    const body = prBody({ ...branch, updates: [many] }, [many], { notes, limit: 20_000 });
    expect(body.length).toBeLessThanOrEqual(20_000);
    expect(body).toContain('| `6.5.3` → `6.6.0` |');
    expect(body).toContain('_Changes truncated to fit the platform\'s size limit._');
    expect(body).toContain('- **changed**: change number 0 xxxxxxxxxxxxxxxxxxxx');
    expect(parseMarker(body)?.branch).toEqual('tidemark/apps');
  });

  it('names the files a risk comes from when the chart is in several files with different values', () => {
    const kube = { kind: 'kube-version', message: 'chart 6.6.0 requires Kubernetes >=1.25.0-0 (chart 6.5.3 stated none)' };
    const flux = { ...chart, risks: [{ kind: 'schema', path: 'replicaCount', message: 'replicaCount must be integer (values.schema.json of chart 6.6.0)' }, kube] };
    const argo = {
      ...chart,
      dependency: { ...chart.dependency, file: 'argocd/podinfo.yaml', manager: 'argocd' as const },
      risks: [{ kind: 'schema', path: 'replicaCount', message: 'replicaCount must be >= 1 (values.schema.json of chart 6.6.0)' }, kube],
    };
    const body = prBody({ ...branch, updates: [flux, argo] }, [flux, argo]);
    expect(body.split('### Risks\n\n')[1]!.split('\n\n')[0]!.split('\n')).toEqual([
      '- `podinfo` `replicaCount` in `apps/podinfo.yaml`: replicaCount must be integer \\(values.schema.json of chart 6.6.0\\) (schema)',
      '- `podinfo`: chart 6.6.0 requires Kubernetes &gt;=1.25.0-0 \\(chart 6.5.3 stated none\\) (kube-version)',
      '- `podinfo` `replicaCount` in `argocd/podinfo.yaml`: replicaCount must be &gt;= 1 \\(values.schema.json of chart 6.6.0\\) (schema)',
    ]);
  });

  it('cuts risks only when they alone pass the limit, and says where to read them all; the table and marker stay', () => {
    const risks = Array.from({ length: 71 }, (_, i) => ({ kind: 'schema', path: `values.key${i}`, message: `values.key${i} ${'must be something else '.repeat(20)}` }));
    const many = Array.from({ length: 10 }, (_, i) => ({ ...chart, dependency: { ...chart.dependency, name: `chart${i}` }, risks }));
    const body = prBody({ ...branch, updates: many }, many, { notes, limit: BODY_LIMITS.github });
    expect(body.length).toBeLessThanOrEqual(BODY_LIMITS.github);
    expect(body).toContain('| [`chart9`](https://github.com/stefanprodan/podinfo) | `apps/podinfo.yaml` | `6.5.3` → `6.6.0` | minor |');
    expect(body).toContain('- `chart0` `values.key0`: values.key0 must be something else');
    expect(body).toContain('_Risks truncated to fit the platform\'s size limit: `tidemark plan --explain NAME` lists them all._');
    expect(body).toContain('### Configuration');
    expect(parseMarker(body)?.updates).toHaveLength(10);
    // Under GitLab's limit they all fit.
    const gitlab = prBody({ ...branch, updates: many }, many, { notes, limit: BODY_LIMITS.gitlab });
    expect(gitlab.split('\n').filter((l) => l.includes(' must be something else '))).toHaveLength(710);
  });
});
