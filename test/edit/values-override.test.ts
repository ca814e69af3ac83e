import { describe, expect, it } from 'vitest';
import { applyUpdates } from '../../src/edit/index.js';
import { buildBranch } from '../../src/publish/branch-content.js';
import type { BranchPlan } from '../../src/plan/types.js';
import { scanContextPaths, scanFiles } from '../../src/scan/index.js';
import type { Dependency } from '../../src/scan/types.js';
import { fakeDigest, updateOf } from './update-fixture.js';

const BASE = 'charts/app/values.yaml';
const PROD = 'charts/app/values-prod.yaml';
const base = 'image:\n  repository: ghcr.io/acme/app\n  tag: 1.2.3\n';
const prod = '# production\nimage:\n  tag: "1.4.0"   # pinned\n  digest: sha256:' + 'a'.repeat(64) + '\n';

function overrideDep(): Dependency {
  const found = scanFiles([
    { path: BASE, text: base },
    { path: PROD, text: prod },
  ]).dependencies.filter((d) => d.file === PROD);
  expect(found).toHaveLength(1);
  return found[0]!;
}

describe('editing an environment values file that overrides only the tag', () => {
  it('bumps only the override bytes when the base values file is given as context', () => {
    const digest = fakeDigest('b');
    const update = updateOf(overrideDep(), '1.5.0', digest);
    const result = applyUpdates(PROD, prod, [update], [{ path: BASE, text: base }]);
    expect(result).toEqual({
      text: `# production\nimage:\n  tag: "1.5.0"   # pinned\n  digest: ${digest}\n`,
      applied: [update],
      problems: [],
    });
  });

  it('drops the update when re-scanned without its base: the file alone names no image', () => {
    const update = updateOf(overrideDep(), '1.5.0', fakeDigest('b'));
    const result = applyUpdates(PROD, prod, [update]);
    expect(result.text).toEqual(prod);
    expect(result.problems).toEqual([
      { file: PROD, line: 3, message: 'could not update ghcr.io/acme/app to 1.5.0: the edited file does not read the new version back' },
    ]);
  });

  it('names the base values files as the context of an environment file, and none for others', () => {
    expect(scanContextPaths(PROD)).toEqual(['charts/app/values.yaml', 'charts/app/values.yml']);
    expect(scanContextPaths('prod-values.yaml')).toEqual(['values.yaml', 'values.yml']);
    expect(scanContextPaths(BASE)).toEqual([]);
    expect(scanContextPaths('apps/web/deploy.yaml')).toEqual([]);
    const release = 'spec:\n  chart:\n    spec:\n      chart: ./charts/app\n      sourceRef: {kind: GitRepository, name: x}\n';
    expect(scanContextPaths('clusters/app.yaml', release)).toEqual(['charts/app/Chart.yaml', 'charts/app/values.yaml', 'charts/app/values.yml']);
    expect(scanContextPaths('clusters/app.yaml', 'spec:\n  chart:\n    spec:\n      chart: podinfo\n')).toEqual([]);
  });

  it('confirms a retag in HelmRelease values of a local chart when its Chart.yaml and values.yaml are the context', () => {
    const F = 'clusters/app.yaml';
    const release = 'apiVersion: helm.toolkit.fluxcd.io/v2\nkind: HelmRelease\nmetadata: {name: app}\nspec:\n  chart:\n    spec:\n      chart: ./charts/app\n      sourceRef: {kind: GitRepository, name: x}\n  values:\n    image:\n      tag: 1.4.0\n';
    const context = [
      { path: 'charts/app/Chart.yaml', text: 'apiVersion: v2\nname: app\nversion: 0.1.0\n' },
      { path: BASE, text: base },
    ];
    const dep = scanFiles([...context, { path: F, text: release }]).dependencies.find((d) => d.file === F && d.manager === 'helm-values');
    const update = updateOf(dep!, '1.5.0');
    expect(applyUpdates(F, release, [update], context)).toEqual({ text: release.replace('1.4.0', '1.5.0'), applied: [update], problems: [] });
  });

  it('builds a branch that edits the override, reading its base for the confirmation and leaving the base as it is', async () => {
    const digest = fakeDigest('b');
    const update = updateOf(overrideDep(), '1.5.0', digest);
    const files = new Map([
      [BASE, base],
      [PROD, prod],
    ]);
    const readFile = async (p: string) => {
      const text = files.get(p);
      if (text === undefined) throw new Error(`no such file: ${p}`);
      return text;
    };
    const branch = { updates: [update] } as unknown as BranchPlan;
    const content = await buildBranch(branch, readFile);
    expect(content.problems).toEqual([]);
    expect(content.applied).toEqual([update]);
    expect(content.files).toEqual([{ path: PROD, before: prod, after: prod.replace('"1.4.0"', '"1.5.0"').replace(/sha256:a+/, digest) }]);
  });
});
