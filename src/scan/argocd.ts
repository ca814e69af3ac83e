import { isMap, isScalar } from 'yaml';
import { extractKustomizeImages } from './argocd-kustomize.js';
import { extractHelmParameters } from './argocd-parameters.js';
import { scanEmbeddedValues } from './embedded.js';
import { isVersionRange, skipForName, skipForValue, type Found, type Sink } from './found.js';
import type { DocInfo, Scanner } from './scanner.js';
import { walkValues } from './values-walk.js';
import { asSeq, get, getPath, offsetOf, str, token } from './yaml.js';

/**
 * Argo CD `Application` and `ApplicationSet` (its template): Helm chart sources in `spec.source` and `spec.sources[]`
 * (`chart` + `repoURL` + `targetRevision`), images in `helm.valuesObject` / `helm.values` / `helm.parameters`, and
 * `kustomize.images` overrides.
 */
export const argocd: Scanner = {
  manager: 'argocd',
  matches: (doc) =>
    doc.apiVersion?.split('/')[0] === 'argoproj.io' && (doc.kind === 'Application' || doc.kind === 'ApplicationSet'),
  extract(doc, sink) {
    const spec = doc.kind === 'ApplicationSet' ? getPath(doc.contents, 'spec', 'template', 'spec') : get(doc.contents, 'spec');
    const single = get(spec, 'source');
    if (single) extractSource(doc, sink, single);
    for (const source of asSeq(get(spec, 'sources'))?.items ?? []) extractSource(doc, sink, source);
  },
};

function extractSource(doc: DocInfo, sink: Sink, source: unknown): void {
  const chartNode = get(source, 'chart');
  const chart = str(chartNode);
  if (chart) extractChart(doc, sink, source, chart, offsetOf(chartNode));
  const helm = get(source, 'helm');
  const valuesObject = get(helm, 'valuesObject');
  if (valuesObject) walkValues(sink, doc.text, valuesObject);
  const values = get(helm, 'values');
  if (isMap(values)) walkValues(sink, doc.text, values);
  else if (isScalar(values)) scanEmbeddedValues(sink, doc.text, values);
  extractHelmParameters(sink, doc.text, helm);
  extractKustomizeImages(sink, doc.text, get(source, 'kustomize'));
}

function extractChart(doc: DocInfo, sink: Sink, source: unknown, chart: string, at: number): void {
  const repoURL = str(get(source, 'repoURL')) ?? '';
  const revisionNode = get(source, 'targetRevision');
  const revision = str(revisionNode) ?? '';
  const found: Found = {
    manager: 'argocd',
    datasource: 'helm',
    name: chart,
    registryUrl: repoURL === '' ? null : normalizeRepo(repoURL),
    value: revision === '' ? null : token(doc.text, revisionNode),
    digest: null,
    at,
  };
  const skip = skipForName(chart) ?? skipForName(repoURL) ?? revisionSkip(revision);
  if (skip) found.skipReason = skip;
  else if (!found.value) found.skipReason = 'invalid-value';
  sink.found(found);
}

function revisionSkip(revision: string): Found['skipReason'] {
  if (revision === '' || revision === 'HEAD' || revision === '*') return 'unpinned';
  return skipForValue(revision) ?? (isVersionRange(revision) ? 'version-range' : undefined);
}

/** Argo CD takes OCI Helm repositories without a scheme: `ghcr.io/x/charts` → `oci://ghcr.io/x/charts`. */
function normalizeRepo(url: string): string {
  const trimmed = url.replace(/\/+$/, '');
  return /^[a-z][a-z0-9+.-]*:\/\//i.test(trimmed) ? trimmed : `oci://${trimmed}`;
}
