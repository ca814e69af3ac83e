import { isMap, isScalar } from 'yaml';
import { listElements, resolveField, templateParam, type ListElement } from './argocd-appset.js';
import { extractKustomizeImages } from './argocd-kustomize.js';
import { extractHelmParameters } from './argocd-parameters.js';
import { scanEmbeddedValues } from './embedded.js';
import { emitChart, skipForChartVersion } from './emit-chart.js';
import { skipForName, type Found, type Sink } from './found.js';
import { localChartImages } from './helm-values.js';
import type { DocInfo, ScanIndex, Scanner } from './scanner.js';
import { walkValues } from './values-walk.js';
import { asSeq, get, getPath, offsetOf, str } from './yaml.js';

/**
 * Argo CD `Application` and `ApplicationSet` (its template): Helm chart sources in `spec.source` and `spec.sources[]`
 * (`chart` + `repoURL` + `targetRevision`), images in `helm.valuesObject` / `helm.values` / `helm.parameters`, and
 * `kustomize.images` overrides.
 */
export const argocd: Scanner = {
  manager: 'argocd',
  matches: (doc) =>
    doc.apiVersion?.split('/')[0] === 'argoproj.io' && (doc.kind === 'Application' || doc.kind === 'ApplicationSet'),
  // A source with a `path` may be a chart in this repository, whose values.yaml names the images its values retag.
  crossFile: (doc) => sourcesOf(doc).some((s) => get(s, 'path') !== undefined),
  extract(doc, sink, index) {
    const appSet = doc.kind === 'ApplicationSet';
    const elements = appSet ? listElements(get(doc.contents, 'spec')) : [];
    for (const source of sourcesOf(doc)) extractSource(doc, sink, source, elements, index);
  },
};

function sourcesOf(doc: DocInfo): unknown[] {
  const spec = doc.kind === 'ApplicationSet' ? getPath(doc.contents, 'spec', 'template', 'spec') : get(doc.contents, 'spec');
  const single = get(spec, 'source');
  return [...(single ? [single] : []), ...(asSeq(get(spec, 'sources'))?.items ?? [])];
}

function extractSource(doc: DocInfo, sink: Sink, source: unknown, elements: ListElement[], index: ScanIndex): void {
  const chartNode = get(source, 'chart');
  const chart = str(chartNode);
  if (chart && !extractFromElements(doc, sink, source, elements)) {
    extractChart(doc, sink, chart, str(get(source, 'repoURL')) ?? '', get(source, 'targetRevision'), offsetOf(chartNode));
  }
  if (!chart) extractOciSource(doc, sink, source);
  const helm = get(source, 'helm');
  // `path: charts/app` with no `chart`: a chart in a git repository, taken as this one when the scan has its values.yaml.
  const local = chart ? undefined : localChartImages(index, str(get(source, 'path')));
  const valuesObject = get(helm, 'valuesObject');
  if (valuesObject) walkValues(sink, doc.text, valuesObject, 'helm-values', local);
  const values = get(helm, 'values');
  if (isMap(values)) walkValues(sink, doc.text, values, 'helm-values', local);
  else if (isScalar(values)) scanEmbeddedValues(sink, doc.text, values, local);
  extractHelmParameters(sink, doc.text, helm);
  extractKustomizeImages(sink, doc.text, get(source, 'kustomize'));
}

/**
 * An ApplicationSet whose `targetRevision` is one list-element parameter (`'{{version}}'`): one chart per element that
 * gives it, with the element's version token (chart and repoURL may come from the element too). False when no
 * element gives a version; the template is then reported as it stands (templated).
 */
function extractFromElements(doc: DocInfo, sink: Sink, source: unknown, elements: ListElement[]): boolean {
  const revision = get(source, 'targetRevision');
  if (elements.length === 0 || !templateParam(str(revision) ?? '')) return false;
  let any = false;
  for (const el of elements) {
    const revisionNode = resolveField(revision, el);
    const chartNode = resolveField(get(source, 'chart'), el);
    const chart = str(chartNode);
    if (revisionNode === undefined || !chart) continue;
    const repo = get(source, 'repoURL');
    extractChart(doc, sink, chart, str(resolveField(repo, el) ?? repo) ?? '', revisionNode, offsetOf(revisionNode));
    any = true;
  }
  return any;
}

/**
 * Argo CD 3.1+ OCI sources name the artifact in `repoURL` and have no `chart`:
 * `{repoURL: oci://ghcr.io/stefanprodan/charts/podinfo, targetRevision: 6.7.0, path: .}` → podinfo in oci://ghcr.io/stefanprodan/charts.
 */
function extractOciSource(doc: DocInfo, sink: Sink, source: unknown): void {
  const repoNode = get(source, 'repoURL');
  const url = (str(repoNode) ?? '').replace(/\/+$/, '');
  if (!url.startsWith('oci://') || skipForName(url)) return;
  const slash = url.lastIndexOf('/');
  if (slash <= 'oci://'.length) return;
  const revision = get(source, 'targetRevision');
  extractChart(doc, sink, url.slice(slash + 1), url.slice(0, slash), revision, offsetOf(repoNode));
}

function extractChart(doc: DocInfo, sink: Sink, chart: string, repoURL: string, revisionNode: unknown, at: number): void {
  const revision = str(revisionNode) ?? '';
  emitChart(doc.text, sink, {
    manager: 'argocd',
    name: chart,
    registryUrl: repoURL === '' ? null : normalizeRepo(repoURL),
    versionNode: revisionNode,
    at,
    skipReason: skipForName(chart) ?? skipForName(repoURL) ?? revisionSkip(revision),
  });
}

function revisionSkip(revision: string): Found['skipReason'] {
  if (revision === '' || revision === 'HEAD' || revision === '*') return 'unpinned';
  return skipForChartVersion(revision);
}

/** Argo CD takes OCI Helm repositories without a scheme: `ghcr.io/x/charts` → `oci://ghcr.io/x/charts` (a template stays as written). */
function normalizeRepo(url: string): string {
  const trimmed = url.replace(/\/+$/, '');
  if (skipForName(trimmed)) return trimmed;
  return /^[a-z][a-z0-9+.-]*:\/\//i.test(trimmed) ? trimmed : `oci://${trimmed}`;
}
