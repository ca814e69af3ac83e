import { isCollection, isMap } from 'yaml';
import { emitChart, skipForChartVersion } from './emit-chart.js';
import { skipForName, type Sink } from './found.js';
import type { DocInfo, ScanIndex, Scanner } from './scanner.js';
import type { SkipReason } from './types.js';
import { walkValues } from './values-walk.js';
import { asSeq, get, offsetOf, str } from './yaml.js';

// `helmfile.yaml`, `helmfile.yaml.gotmpl`, `helmfile.d/10-infra.yaml`, `helmfile.d/apps.yaml.gotmpl`.
const HELMFILE = /^helmfile\.ya?ml(?:\.gotmpl)?$/;
const IN_HELMFILE_D = /(?:^|\/)helmfile\.d$/;
const HELMFILE_D_FILE = /\.ya?ml(?:\.gotmpl)?$/;

/** True for a file helmfile reads as a state file. */
export function isHelmfile(dir: string, base: string): boolean {
  return HELMFILE.test(base) || (IN_HELMFILE_D.test(dir) && HELMFILE_D_FILE.test(base));
}

/**
 * helmfile: `releases[]` (`chart: bitnami/redis` through `repositories[]`, or `oci://…`, with `version`), resolved
 * against the `repositories:` of every document of the same file; images in inline `values:` maps. Go-template lines
 * are blanked by the parser; a value holding `{{ … }}` is `templated`.
 */
export const helmfile: Scanner = {
  manager: 'helmfile',
  matches: (doc) => doc.apiVersion === undefined && isHelmfile(doc.dir, doc.base),
  crossFile: true,
  collect(doc, index) {
    const repos = index.helmfileRepos.get(doc.file) ?? new Map<string, string>();
    for (const repo of asSeq(get(doc.contents, 'repositories'))?.items ?? []) {
      const name = str(get(repo, 'name'));
      const url = str(get(repo, 'url'));
      if (!name || !url) continue;
      const oci = str(get(repo, 'oci')) === 'true' || url.startsWith('oci://');
      const bare = url.replace(/^oci:\/\//, '').replace(/\/+$/, '');
      repos.set(name, oci ? `oci://${bare}` : bare);
    }
    index.helmfileRepos.set(doc.file, repos);
  },
  extract(doc, sink, index) {
    const repos = index.helmfileRepos.get(doc.file) ?? new Map<string, string>();
    for (const release of asSeq(get(doc.contents, 'releases'))?.items ?? []) {
      extractRelease(doc, sink, release, repos);
      for (const values of asSeq(get(release, 'values'))?.items ?? []) {
        if (isMap(values)) walkValues(sink, doc.text, values);
      }
    }
  },
};

function extractRelease(doc: DocInfo, sink: Sink, release: unknown, repos: Map<string, string>): void {
  const chartNode = get(release, 'chart');
  const versionNode = get(release, 'version');
  const at = offsetOf(chartNode);
  const chart = str(chartNode) ?? (templated(doc.text, chartNode) ? doc.text.slice(at, rangeEnd(chartNode)) : undefined);
  if (!chart) return;
  const { name, registryUrl, skip } = resolveChart(chart, repos);
  emitChart(doc.text, sink, {
    manager: 'helmfile',
    name,
    registryUrl,
    versionNode,
    at,
    skipReason: skip ?? versionSkip(doc.text, versionNode),
  });
}

/**
 * `bitnami/redis` → redis in the repository named bitnami; `oci://ghcr.io/acme/charts/app` → app in
 * oci://ghcr.io/acme/charts; `./charts/app` → a local chart.
 */
function resolveChart(chart: string, repos: Map<string, string>): { name: string; registryUrl: string | null; skip?: SkipReason } {
  const nameSkip = skipForName(chart);
  if (nameSkip) return { name: chart, registryUrl: null, skip: nameSkip };
  if (chart.startsWith('oci://')) {
    const url = chart.replace(/\/+$/, '');
    const slash = url.lastIndexOf('/');
    if (slash <= 'oci://'.length) return { name: chart, registryUrl: null, skip: 'invalid-value' };
    return { name: url.slice(slash + 1), registryUrl: url.slice(0, slash) };
  }
  const slash = chart.indexOf('/');
  if (chart.startsWith('.') || chart.startsWith('/') || slash < 0) return { name: chart, registryUrl: null, skip: 'local-chart' };
  const repo = repos.get(chart.slice(0, slash));
  const name = chart.slice(slash + 1);
  if (repo === undefined) return { name, registryUrl: null, skip: 'unresolved-source' };
  return { name, registryUrl: repo };
}

function versionSkip(text: string, node: unknown): SkipReason | undefined {
  if (templated(text, node)) return 'templated';
  const version = str(node) ?? '';
  return version === '' ? 'unpinned' : skipForChartVersion(version);
}

/** `version: {{ .Values.redis.version }}` unquoted parses as a flow map; its text still holds the template. */
function templated(text: string, node: unknown): boolean {
  return isCollection(node) && text.slice(offsetOf(node), rangeEnd(node)).includes('{{');
}

function rangeEnd(node: unknown): number {
  const range = (node as { range?: [number, number, number] } | null)?.range;
  return range ? range[1] : 0;
}
