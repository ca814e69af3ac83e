import type { DocInfo, ScanIndex, Scanner } from './scanner.js';
import { imagePaths, walkValues, type ImagePaths } from './values-walk.js';

// `values.yaml`, `values-prod.yaml`, `values.dev.yml`, `prod-values.yaml`, `default-values.yaml`.
const VALUES_FILE = /(^|[-_.])values([-_.][^/]*)?\.ya?ml$/;
const BASE_FILE = /^values\.ya?ml$/;

/** True for a file name the scanner reads as Helm values. */
export function isValuesFile(base: string): boolean {
  return VALUES_FILE.test(base);
}

/** True for a chart's own values (`values.yaml`, `values.yml`): the base environment files override. */
export function isBaseValuesFile(base: string): boolean {
  return BASE_FILE.test(base);
}

/**
 * Helm values files: image maps and string images at any depth (see values-walk.ts). Kubernetes objects (with
 * `apiVersion`) are not values; a `kind:` key alone is a chart value. An environment file next to a base
 * `values.yaml` (`values-prod.yaml`: `image: {tag: 1.4.0}`) takes the names of the images it retags from the base.
 */
export const helmValues: Scanner = {
  manager: 'helm-values',
  matches: (doc) => isValuesFile(doc.base) && doc.apiVersion === undefined,
  crossFile: (doc, index) => !isBaseValuesFile(doc.base) && index.valuesBaseDirs.has(doc.dir),
  collect(doc, index) {
    if (isBaseValuesFile(doc.base) && index.valuesWanted.has(doc.dir)) {
      const found = imagePaths(doc.text, doc.contents);
      const known = index.valuesImages.get(doc.dir);
      index.valuesImages.set(doc.dir, known ? new Map([...found, ...known]) : found);
    }
  },
  extract(doc, sink, index) {
    walkValues(sink, doc.text, doc.contents, 'helm-values', baseImages(doc, index));
  },
};

/**
 * Files besides `path` whose text the scan of `path` reads: for an environment values file, the base values files next
 * to it (`charts/app/values-prod.yaml` → `charts/app/values.yaml`, `charts/app/values.yml`). Whoever re-scans one file
 * (the editor confirming an edit) passes these along, when they exist, to read back what a full scan found.
 */
export function scanContextPaths(path: string, text?: string): string[] {
  const local = text === undefined ? [] : localChartContext(text);
  const slash = path.lastIndexOf('/');
  const dir = slash < 0 ? '' : path.slice(0, slash + 1);
  const base = path.slice(slash + 1);
  if (!isValuesFile(base) || isBaseValuesFile(base)) return local;
  return [`${dir}values.yaml`, `${dir}values.yml`, ...local];
}

// `chart: ./charts/app` (Flux) or `path: charts/app` (Argo CD), one per line: the local charts a file may give values to.
const LOCAL_CHART_LINE = /^[ \t-]*(?:chart|path):[ \t]*["']?(?<path>[\w./-]+?)["']?[ \t]*(?:#.*)?\r?$/gm;

/** A local chart's Chart.yaml and base values, for each local chart path the text mentions (a cheap line match). */
function localChartContext(text: string): string[] {
  const out: string[] = [];
  for (const m of text.matchAll(LOCAL_CHART_LINE)) {
    const dir = localChartDir(m.groups?.path);
    if (dir === undefined || !m.groups?.path?.includes('/')) continue;
    const prefix = dir === '' ? '' : `${dir}/`;
    for (const f of ['Chart.yaml', 'values.yaml', 'values.yml']) if (!out.includes(prefix + f)) out.push(prefix + f);
  }
  return out;
}

/**
 * The images a local chart's `values.yaml` sets, for values given in a HelmRelease or an Argo CD Application:
 * `chart: ./charts/app` (Flux, relative to the source root, taken as the repository root) or `path: charts/app`.
 * Undefined for anything that is not a relative path in the scanned tree.
 */
export function localChartImages(index: ScanIndex, chartPath: string | undefined): ImagePaths | undefined {
  const dir = localChartDir(chartPath);
  return dir === undefined ? undefined : index.valuesImages.get(dir);
}

/** `./charts/app/` → `charts/app`; undefined for a chart name, a URL, an absolute or parent path, or a template. */
export function localChartDir(chartPath: string | undefined): string | undefined {
  if (!chartPath || !/^(?:\.\/)?[\w.-]+(?:\/[\w.-]+)*\/?$/.test(chartPath)) return undefined;
  const dir = chartPath.replace(/^\.\//, '').replace(/\/+$/, '');
  if (dir === '.' ) return '';
  return dir.split('/').includes('..') ? undefined : dir;
}

function baseImages(doc: DocInfo, index: ScanIndex): ImagePaths | undefined {
  return isBaseValuesFile(doc.base) ? undefined : index.valuesImages.get(doc.dir);
}
