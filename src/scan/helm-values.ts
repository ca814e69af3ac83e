import type { Scanner } from './scanner.js';
import { walkValues } from './values-walk.js';

// `values.yaml`, `values-prod.yaml`, `values.dev.yml`, `prod-values.yaml`, `default-values.yaml`.
const VALUES_FILE = /(^|[-_.])values([-_.][^/]*)?\.ya?ml$/;

/** Helm values files: image maps and string images at any depth (see values-walk.ts). Kubernetes objects (with `apiVersion`) are not values; a `kind:` key alone is a chart value. */
export const helmValues: Scanner = {
  manager: 'helm-values',
  matches: (doc) => VALUES_FILE.test(doc.base) && doc.apiVersion === undefined,
  extract(doc, sink) {
    walkValues(sink, doc.text, doc.contents);
  },
};
