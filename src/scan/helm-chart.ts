import { emitChart, skipForChartVersion } from './emit-chart.js';
import type { SkipReason } from './types.js';
import type { Scanner } from './scanner.js';
import { asSeq, get, offsetOf, str } from './yaml.js';

/**
 * `Chart.yaml` (and Helm 2 `requirements.yaml`) dependencies:
 * `- {name: redis, version: 18.1.0, repository: oci://registry-1.docker.io/bitnamicharts}`.
 */
export const helmChart: Scanner = {
  manager: 'helm-chart',
  matches: (doc) => doc.base === 'Chart.yaml' || (doc.base === 'requirements.yaml' && get(doc.contents, 'dependencies') !== undefined),
  extract(doc, sink) {
    for (const item of asSeq(get(doc.contents, 'dependencies'))?.items ?? []) {
      const name = str(get(item, 'name'));
      if (!name) continue;
      const repository = str(get(item, 'repository')) ?? '';
      const versionNode = get(item, 'version');
      emitChart(doc.text, sink, {
        manager: 'helm-chart',
        name,
        // `https://nats-io.github.io/k8s/helm/charts/` and the same URL without the slash are one repository.
        registryUrl: repository === '' ? null : repository.replace(/\/+$/, ''),
        versionNode,
        at: offsetOf(get(item, 'name')),
        skipReason: skipFor(repository, str(versionNode) ?? ''),
      });
    }
  },
};

function skipFor(repository: string, version: string): SkipReason | undefined {
  if (repository === '' || repository.startsWith('file://')) return 'local-chart';
  if (repository.startsWith('@') || repository.startsWith('alias:')) return 'alias-repository';
  // `repository: nope`, `git+https://github.com/acme/charts@main/app` (helm-git): no chart repository to look up.
  if (!/^(?:https?|oci):\/\//i.test(repository)) return 'invalid-repository';
  if (version === '') return 'unpinned';
  return skipForChartVersion(version);
}
