import type { UpdateType } from '../../src/config/types.js';
import type { Plan, Unchanged, UnchangedKind, Update } from '../../src/plan/types.js';
import type { RepoInput } from '../../src/report/types.js';
import type { Dependency } from '../../src/scan/types.js';

/** A scanned dependency as the kubernetes or flux scanner reports it. */
export function dep(file: string, line: number, name: string, currentValue: string | null, chart?: { registryUrl: string }): Dependency {
  return {
    file, line, manager: chart ? 'flux' : 'kubernetes', datasource: chart ? 'helm' : 'docker', name, registryUrl: chart?.registryUrl ?? null,
    currentValue, currentDigest: null, valueRange: { start: 0, end: 0 }, digestRange: null,
  };
}

export function update(d: Dependency, newValue: string, updateType: UpdateType): Update {
  return {
    dependency: d, newValue, newDigest: null, updateType, group: null, reason: 'newest in the same tag family',
    labels: [], reviewers: [], assignees: [], automerge: false, sourceUrl: null, homepage: null,
  };
}

export function stays(d: Dependency, kind: UnchangedKind, reason: string, failure?: { host: string; problem: string }): Unchanged {
  return { dependency: d, kind, reason, ...(failure && { failure }) };
}

export function plan(updates: Update[], unchanged: Unchanged[]): Plan {
  return { updates, unchanged, problems: [], branches: [], partialFailure: unchanged.some((u) => u.kind === 'lookup-failed') };
}

/**
 * A small fleet: web drifts between staging and prod and is a major behind, the ingress controller is patches
 * behind, quay.io failed, and one checkout has names written to break out of HTML, attributes and the page's script.
 */
export function sampleFleet(): RepoInput[] {
  const webStaging = dep('clusters/staging/web.yaml', 17, 'ghcr.io/acme/web', '1.0.0');
  const webProd = dep('clusters/prod/web.yaml', 17, 'ghcr.io/acme/web', '1.2.0');
  const ingress = dep('clusters/prod/ingress.yaml', 30, 'registry.k8s.io/ingress-nginx/controller', 'v1.11.2');
  const podinfo = dep('clusters/prod/podinfo.yaml', 14, 'podinfo', '6.5.0', { registryUrl: 'https://stefanprodan.github.io/podinfo' });
  const webB = dep('envs/prod/web.yaml', 9, 'ghcr.io/acme/web', '2.0.0');
  const worker = dep('envs/prod/worker.yaml', 12, 'quay.io/acme/worker', '3.1.0');
  const hostile = dep(`clusters/</script><!--/app" onmouseover="x.yaml`, 3, `ghcr.io/acme/"><img src=x onerror="document.title='pwned'">`, '1.0.0');
  const skipped = dep('apps/dev/debug.yaml', 5, 'ghcr.io/acme/toolbox', 'latest');
  return [
    {
      repo: 'fleet-a',
      plan: plan(
        [update(webStaging, '2.0.0', 'major'), update(webProd, '2.0.0', 'major'), update(ingress, 'v1.11.5', 'patch'), update(podinfo, '6.6.0', 'minor')],
        [],
      ),
    },
    {
      repo: 'fleet-b',
      plan: plan(
        [],
        [
          stays(webB, 'up-to-date', 'up to date'),
          stays(worker, 'lookup-failed', 'lookup failed: quay.io answered 500', { host: 'quay.io', problem: 'answered 500' }),
          stays(hostile, 'up-to-date', 'up to date'),
          stays(skipped, 'skipped', 'not pinned: "latest" is a floating tag'),
        ],
      ),
    },
    { repo: '<b>fleet-c</b>', error: "clone failed: repository 'https://***@git.example.com/c.git' not found" },
  ];
}
