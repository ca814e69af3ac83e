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
export function scanContextPaths(path: string): string[] {
  const slash = path.lastIndexOf('/');
  const dir = slash < 0 ? '' : path.slice(0, slash + 1);
  const base = path.slice(slash + 1);
  if (!isValuesFile(base) || isBaseValuesFile(base)) return [];
  return [`${dir}values.yaml`, `${dir}values.yml`];
}

function baseImages(doc: DocInfo, index: ScanIndex): ImagePaths | undefined {
  return isBaseValuesFile(doc.base) ? undefined : index.valuesImages.get(doc.dir);
}
