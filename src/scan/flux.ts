import { emitChart, skipForChartVersion } from './emit-chart.js';
import { skipForName, skipForValue, type Found, type Sink } from './found.js';
import type { DocInfo, FluxSource, ScanIndex, Scanner } from './scanner.js';
import { localChartImages } from './helm-values.js';
import { walkValues } from './values-walk.js';
import { kubernetes } from './kubernetes.js';
import { extractImage } from './kustomize.js';
import { extractInlinePatches } from './kustomize-patches.js';
import { asSeq, get, getPath, offsetOf, str, token } from './yaml.js';

const HELM_CHART_LAYER = 'application/vnd.cncf.helm.chart.content.v1.tar+gzip';

/**
 * Flux: `HelmRelease` and `HelmChart` charts resolved through `sourceRef` to a `HelmRepository` found in any file, `OCIRepository`
 * refs (`url` + `ref.tag`/`ref.semver`/`ref.digest`), and images in `HelmRelease.spec.values` and in its
 * `postRenderers[].kustomize.images`, and Flux `Kustomization.spec.images`.
 */
export const flux: Scanner = {
  manager: 'flux',
  matches: (doc) => fluxKind(doc) !== undefined,
  crossFile: true,
  collect(doc, index) {
    const kind = fluxKind(doc);
    if (kind === 'HelmRepository' || kind === 'OCIRepository') {
      const url = str(getPath(doc.contents, 'spec', 'url'));
      if (doc.name && url) {
        const oci = kind === 'OCIRepository' || str(getPath(doc.contents, 'spec', 'type')) === 'oci';
        index.fluxSources.push({ kind, name: doc.name, namespace: doc.namespace, url, oci });
      }
    }
    if (kind === 'HelmRelease' && str(getPath(doc.contents, 'spec', 'chartRef', 'kind')) === 'OCIRepository') {
      const name = str(getPath(doc.contents, 'spec', 'chartRef', 'name'));
      const ns = str(getPath(doc.contents, 'spec', 'chartRef', 'namespace')) ?? doc.namespace;
      if (name) index.ociChartRefs.add(`${ns ?? ''}/${name}`);
    }
  },
  extract(doc, sink, index) {
    const kind = fluxKind(doc);
    if (kind === 'HelmRelease') extractHelmRelease(doc, sink, index);
    if (kind === 'OCIRepository') extractOciRepository(doc, sink, index);
    // A HelmChart's spec is a HelmRelease's `chart.spec`: `{chart: podinfo, version: 6.7.1, sourceRef: {kind: HelmRepository, name: podinfo}}`.
    if (kind === 'HelmChart') extractChartSpec(doc, sink, index, get(doc.contents, 'spec'));
    // A Flux Kustomization's `spec.images` override images like a kustomization's `images:`; inline patches
    // (`patchesStrategicMerge`) still hold plain `image:` fields, read as any Kubernetes object's.
    if (kind === 'Kustomization') {
      extractKustomizeImages(doc, sink, get(doc.contents, 'spec'));
      extractInlinePatches(doc, sink, get(doc.contents, 'spec'));
      kubernetes.extract(doc, sink, index);
    }
  },
};

function fluxKind(doc: DocInfo): 'HelmRelease' | 'HelmRepository' | 'OCIRepository' | 'HelmChart' | 'Kustomization' | undefined {
  const group = doc.apiVersion?.split('/')[0];
  if (group === 'helm.toolkit.fluxcd.io' && doc.kind === 'HelmRelease') return 'HelmRelease';
  if (group === 'kustomize.toolkit.fluxcd.io' && doc.kind === 'Kustomization') return 'Kustomization';
  if (group !== 'source.toolkit.fluxcd.io') return undefined;
  return doc.kind === 'HelmRepository' || doc.kind === 'OCIRepository' || doc.kind === 'HelmChart' ? doc.kind : undefined;
}

/**
 * Finds a source by kind, name and namespace (a missing namespace is the referrer's). When namespaces are left to a
 * kustomization (`namespace:` there), one side may have none: then a unique source of that name is taken.
 */
export function findSource(index: ScanIndex, kind: string, name: string, namespace?: string): FluxSource | undefined {
  const named = index.fluxSources.filter((s) => s.kind === kind && s.name === name);
  const exact = named.find((s) => s.namespace === namespace);
  if (exact) return exact;
  const loose = named.filter((s) => s.namespace === undefined || namespace === undefined);
  return loose.length === 1 ? loose[0] : undefined;
}

function extractHelmRelease(doc: DocInfo, sink: Sink, index: ScanIndex): void {
  const spec = get(doc.contents, 'spec');
  const chartSpec = getPath(spec, 'chart', 'spec');
  if (chartSpec) extractChartSpec(doc, sink, index, chartSpec);
  const chartRef = get(spec, 'chartRef');
  if (chartRef && str(get(chartRef, 'kind')) === 'OCIRepository') {
    const name = str(get(chartRef, 'name')) ?? '';
    const ns = str(get(chartRef, 'namespace')) ?? doc.namespace;
    if (!findSource(index, 'OCIRepository', name, ns)) {
      const at = offsetOf(get(chartRef, 'name'));
      sink.found({ ...chartBase(name, null, at), value: null, digest: null, skipReason: 'unresolved-source' });
    }
  }
  const values = get(spec, 'values');
  // A chart from a GitRepository (`chart: ./charts/app`): values that retag its images take their names from its values.yaml.
  const local = refKindOf(chartSpec) === 'GitRepository' ? localChartImages(index, str(get(chartSpec, 'chart'))) : undefined;
  if (values) walkValues(sink, doc.text, values, 'helm-values', local);
  // `postRenderers: [{kustomize: {images: [{name: nginx, newTag: 1.25.4}]}}]`: kustomize images applied after render.
  for (const renderer of asSeq(get(spec, 'postRenderers'))?.items ?? []) {
    extractKustomizeImages(doc, sink, get(renderer, 'kustomize'));
    extractInlinePatches(doc, sink, get(renderer, 'kustomize'));
  }
}

/** `images: [{name, newName, newTag, digest}]` under `holder`, read like a kustomization's. */
function extractKustomizeImages(doc: DocInfo, sink: Sink, holder: unknown): void {
  for (const item of asSeq(get(holder, 'images'))?.items ?? []) extractImage(sink, doc.text, item, 'flux');
}

function extractChartSpec(doc: DocInfo, sink: Sink, index: ScanIndex, chartSpec: unknown): void {
  const chartNode = get(chartSpec, 'chart');
  const chart = str(chartNode);
  if (!chart) return;
  const versionNode = get(chartSpec, 'version');
  const version = str(versionNode) ?? '';
  const refKind = refKindOf(chartSpec);
  const refName = str(getPath(chartSpec, 'sourceRef', 'name')) ?? '';
  const refNs = str(getPath(chartSpec, 'sourceRef', 'namespace')) ?? doc.namespace;
  const source = refKind === 'HelmRepository' ? findSource(index, refKind, refName, refNs) : undefined;
  emitChart(doc.text, sink, {
    manager: 'flux',
    name: chart,
    registryUrl: source ? repoUrl(source) : null,
    versionNode,
    at: offsetOf(chartNode),
    skipReason: chartSkip(refKind, source, version),
  });
}

function refKindOf(chartSpec: unknown): string {
  return str(getPath(chartSpec, 'sourceRef', 'kind')) ?? 'HelmRepository';
}

function chartSkip(refKind: string, source: FluxSource | undefined, version: string): Found['skipReason'] {
  if (refKind === 'GitRepository' || refKind === 'Bucket') return 'local-chart';
  if (!source) return 'unresolved-source';
  if (version === '' || version === '*') return 'unpinned';
  return skipForChartVersion(version);
}

/** `url: https://stefanprodan.github.io/podinfo/` → without the trailing slash, as every manager reports it. */
function repoUrl(source: FluxSource): string {
  const url = source.url.replace(/\/+$/, '');
  return source.oci && !url.startsWith('oci://') ? `oci://${url}` : url;
}

function chartBase(name: string, registryUrl: string | null, at: number) {
  return { manager: 'flux', datasource: 'helm', name, registryUrl, at } as const;
}

/** `url: oci://ghcr.io/stefanprodan/charts/podinfo` + `ref: {tag: 6.5.0}`: a chart when a HelmRelease uses it. */
function extractOciRepository(doc: DocInfo, sink: Sink, index: ScanIndex): void {
  const spec = get(doc.contents, 'spec');
  const urlNode = get(spec, 'url');
  const url = str(urlNode);
  if (!url) return;
  const ref = get(spec, 'ref');
  const tagNode = get(ref, 'tag') ?? get(ref, 'semver');
  const digestNode = get(ref, 'digest');
  const tag = str(tagNode) ?? '';
  const digest = str(digestNode) ?? '';
  const found: Found = {
    ...ociName(url, isChart(doc, index)),
    value: tag === '' ? null : token(doc.text, tagNode),
    digest: digest === '' ? null : token(doc.text, digestNode),
    at: offsetOf(urlNode),
  };
  const skip = skipForName(url) ?? ociSkip(tag, get(ref, 'semver') !== undefined, digest !== '');
  if (skip) found.skipReason = skip;
  else if ((tag && !found.value) || (digest && !found.digest)) found.skipReason = 'invalid-value';
  sink.found(found);
}

function ociSkip(tag: string, semver: boolean, hasDigest: boolean): Found['skipReason'] {
  if (tag === '' && !hasDigest) return 'unpinned';
  if (tag === '') return undefined;
  if (semver) return 'version-range';
  return skipForValue(tag);
}

function isChart(doc: DocInfo, index: ScanIndex): boolean {
  const media = str(getPath(doc.contents, 'spec', 'layerSelector', 'mediaType'));
  if (media === HELM_CHART_LAYER) return true;
  if (!doc.name) return false;
  if (index.ociChartRefs.has(`${doc.namespace ?? ''}/${doc.name}`)) return true;
  for (const key of index.ociChartRefs) {
    const [ns, name] = [key.slice(0, key.indexOf('/')), key.slice(key.indexOf('/') + 1)];
    if (name === doc.name && (ns === '' || doc.namespace === undefined)) return true;
  }
  return false;
}

/** Charts: `podinfo` in `oci://ghcr.io/stefanprodan/charts`; other artifacts: the image `ghcr.io/…/manifests`. */
function ociName(url: string, chart: boolean) {
  const bare = url.replace(/^oci:\/\//, '');
  if (!chart) return { manager: 'flux', datasource: 'docker', name: bare, registryUrl: null } as const;
  const slash = bare.lastIndexOf('/');
  return { manager: 'flux', datasource: 'helm', name: bare.slice(slash + 1), registryUrl: `oci://${bare.slice(0, slash)}` } as const;
}
