import { scanEmbeddedValues } from './embedded.js';
import { emitChart, skipForChartVersion } from './emit-chart.js';
import { skipForName, type Sink } from './found.js';
import type { DocInfo } from './scanner.js';
import { get, offsetOf, str } from './yaml.js';

/**
 * k3s / RKE2 helm-controller `HelmChart` (`apiVersion: helm.cattle.io/v1`): `spec: {repo: https://traefik.github.io/charts,
 * chart: traefik, version: 27.0.2, valuesContent: "…"}`, or `chart: oci://ghcr.io/acme/charts/app`. Images in
 * `valuesContent` are read as Helm values, also in a `HelmChartConfig` (values for a chart k3s installs itself).
 */
export function isK3sHelmChart(doc: DocInfo): boolean {
  return doc.apiVersion?.split('/')[0] === 'helm.cattle.io' && (doc.kind === 'HelmChart' || doc.kind === 'HelmChartConfig');
}

export function extractK3sHelmChart(doc: DocInfo, sink: Sink): void {
  const spec = get(doc.contents, 'spec');
  scanEmbeddedValues(sink, doc.text, get(spec, 'valuesContent'));
  if (doc.kind !== 'HelmChart') return;
  const chartNode = get(spec, 'chart');
  const chart = str(chartNode);
  // `chartContent` (a base64 tarball) or no chart: nothing to look up.
  if (!chart) return;
  const oci = chart.startsWith('oci://');
  const repo = (str(get(spec, 'repo')) ?? '').replace(/\/+$/, '');
  const name = oci ? chart.slice(chart.lastIndexOf('/') + 1) : chart;
  const registryUrl = oci ? chart.slice(0, chart.lastIndexOf('/')) : repo || null;
  const versionNode = get(spec, 'version');
  const version = str(versionNode) ?? '';
  const skipReason =
    skipForName(chart) ??
    skipForName(repo) ??
    (registryUrl === null ? 'local-chart' : version === '' ? 'unpinned' : skipForChartVersion(version));
  emitChart(doc.text, sink, { manager: 'kubernetes', name, registryUrl, versionNode, at: offsetOf(chartNode), skipReason });
}
