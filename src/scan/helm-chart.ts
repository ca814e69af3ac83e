import { isVersionRange, skipForValue, type Found } from './found.js';
import type { Scanner } from './scanner.js';
import { asSeq, get, offsetOf, str, token } from './yaml.js';

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
      const version = str(versionNode) ?? '';
      const found: Found = {
        manager: 'helm-chart',
        datasource: 'helm',
        name,
        // `https://nats-io.github.io/k8s/helm/charts/` and the same URL without the slash are one repository.
        registryUrl: repository === '' ? null : repository.replace(/\/+$/, ''),
        value: version === '' ? null : token(doc.text, versionNode),
        digest: null,
        at: offsetOf(get(item, 'name')),
      };
      const skip = skipFor(repository, version);
      if (skip) found.skipReason = skip;
      else if (!found.value) found.skipReason = 'invalid-value';
      sink.found(found);
    }
  },
};

function skipFor(repository: string, version: string): Found['skipReason'] {
  if (repository === '' || repository.startsWith('file://')) return 'local-chart';
  if (repository.startsWith('@') || repository.startsWith('alias:')) return 'alias-repository';
  if (version === '') return 'unpinned';
  return skipForValue(version) ?? (isVersionRange(version) ? 'version-range' : undefined);
}
