import { isMap, isPair, isScalar, isSeq, type Scalar } from 'yaml';
import { scanEmbeddedYaml } from './embedded.js';
import { parseImageRef } from './image.js';
import { emptyIndex } from './scanner.js';
import { skipForName } from './found.js';
import { emitStringImage } from './emit-image.js';
import { walkValues } from './values-walk.js';
import { extractK3sHelmChart, isK3sHelmChart } from './k3s-helmchart.js';
import type { Sink } from './found.js';
import type { DocInfo, Scanner } from './scanner.js';
import { asSeq, get, getPath, MERGE, str } from './yaml.js';

/**
 * Well-known custom resources whose image sits under a key other than `image` (plain `image:` keys are found anywhere).
 * `apiVersion: postgresql.cnpg.io/v1, kind: Cluster, spec: {imageName: ghcr.io/cloudnative-pg/postgresql:16.2}`.
 */
const CRD_IMAGE_FIELDS: { group: string; kind: string; path: string[] }[] = [
  { group: 'postgresql.cnpg.io', kind: 'Cluster', path: ['spec', 'imageName'] },
  { group: 'postgresql.cnpg.io', kind: 'Pooler', path: ['spec', 'template', 'spec', 'imageName'] },
  { group: 'dragonflydb.io', kind: 'Dragonfly', path: ['spec', 'image'] },
  { group: 'monitoring.coreos.com', kind: 'Prometheus', path: ['spec', 'image'] },
  { group: 'monitoring.coreos.com', kind: 'Alertmanager', path: ['spec', 'image'] },
];

// Objects whose `image` keys are not pod images: schemas, and secrets. A ConfigMap is read only for the YAML files its
// `data` holds (see `extractConfigMap`).
const NOT_WORKLOADS = new Set(['CustomResourceDefinition', 'Secret']);
// Kinds whose `image:` must be an image reference (anything else there is `invalid-value`); in other kinds a string
// that does not parse as one is something else and is left alone.
const CORE_GROUPS = new Set(['v1', 'apps', 'batch']);
// Other keys that name an image in custom resources: `initImage`, `sidecarImage`, `inline_image`, `imageName`. Such a
// value counts only when it carries a tag or digest (`baseImage: ubuntu` is too weak a signal).
const IMAGE_LIKE_KEY = /^(?:[a-zA-Z0-9]+Image|[a-zA-Z0-9_]+_image|imageName)$/;
// Never looked into: free text and process arguments (`args: ["--image=busybox:1.36"]`), metadata.
const NOT_IMAGES = new Set(['env', 'args', 'command', 'annotations', 'labels']);
const MAX_DEPTH = 64;

/**
 * Any Kubernetes object (it has `apiVersion` and `kind`): every `image:` string in its tree — containers,
 * initContainers, ephemeralContainers of Pods, workloads, CronJob `jobTemplate`, `kind: List` items, and custom
 * resources of any kind (Argo Workflows, Tekton, operator CRs) — keys named like `initImage`/`inline_image`/`imageName`,
 * image volumes (`volumes: [{image: {reference: quay.io/x/artifact:v2}}]`), plus the table above; and YAML files held
 * in a ConfigMap's `data`.
 */
export const kubernetes: Scanner = {
  manager: 'kubernetes',
  matches: (doc) => (doc.apiVersion !== undefined && doc.kind !== undefined && !NOT_WORKLOADS.has(doc.kind)) || isJsonPatch(doc),
  extract(doc, sink) {
    if (isJsonPatch(doc)) {
      for (const op of asSeq(doc.contents)?.items ?? []) {
        const value = get(op, 'value');
        if (isScalar(value) && /\/image$/.test(str(get(op, 'path')) ?? '')) emitStringImage(sink, doc.text, value, 'kubernetes', true);
        else findImages(sink, doc, value, new Set(), 0);
      }
      return;
    }
    if (doc.kind === 'ConfigMap') return extractConfigMap(doc, sink);
    if (isK3sHelmChart(doc)) extractK3sHelmChart(doc, sink);
    const tableNodes = new Set<unknown>();
    const group = (doc.apiVersion ?? '').split('/')[0];
    for (const field of CRD_IMAGE_FIELDS) {
      if (field.group !== group || field.kind !== doc.kind) continue;
      const node = getPath(doc.contents, ...field.path);
      if (isScalar(node) && !tableNodes.has(node)) {
        tableNodes.add(node);
        emitStringImage(sink, doc.text, node, 'kubernetes', true);
      }
    }
    findImages(sink, doc, doc.contents, tableNodes, 0);
  },
};

/** True for an object whose `image:` must be an image: core and workload kinds (`v1`, `apps/v1`, `batch/v1`). */
function isCoreKind(doc: DocInfo): boolean {
  const apiVersion = doc.apiVersion ?? '';
  return !apiVersion.includes('/') || CORE_GROUPS.has(apiVersion.split('/')[0] ?? '');
}

function findImages(sink: Sink, doc: DocInfo, node: unknown, done: Set<unknown>, depth: number): void {
  if (depth > MAX_DEPTH) return;
  if (isSeq(node)) {
    for (const item of node.items) findImages(sink, doc, item, done, depth + 1);
    return;
  }
  if (!isMap(node)) return;
  for (const pair of node.items) {
    if (!isPair(pair) || !isScalar(pair.key)) continue;
    const key = String(pair.key.value);
    const v = pair.value;
    if (key === MERGE || NOT_IMAGES.has(key)) continue;
    if (key === 'image' && isScalar(v)) {
      if (!done.has(v) && typeof v.value === 'string') emitImageField(sink, doc, v, isCoreKind(doc) || isJsonPatch(doc));
    } else if (key === 'image' && isMap(v)) {
      // A Kubernetes image volume: `volumes: [{name: models, image: {reference: ghcr.io/acme/models:v3, pullPolicy: Always}}]`.
      const reference = get(v, 'reference');
      if (isScalar(reference)) emitStringImage(sink, doc.text, reference, 'kubernetes', true);
      // Operators that take Helm-style image maps, VictoriaMetrics: `vmstorage: {image: {repository: …, tag: v1.93.4}}`.
      else walkValues(sink, doc.text, v, 'kubernetes');
    } else if (IMAGE_LIKE_KEY.test(key) && isScalar(v)) {
      if (!done.has(v) && typeof v.value === 'string' && /[:@]/.test(v.value)) emitImageField(sink, doc, v, false);
    } else if (isMap(v) || isSeq(v)) {
      findImages(sink, doc, v, done, depth + 1);
    }
  }
}

/** `image: x` in a core kind must be an image reference; elsewhere a value that is not one is not reported. */
function emitImageField(sink: Sink, doc: DocInfo, node: Scalar, strict: boolean): void {
  const value = String(node.value);
  if (!strict && !skipForName(value) && !parseImageRef(value)) return;
  emitStringImage(sink, doc.text, node, 'kubernetes', strict || !!skipForName(value));
}

/**
 * A ConfigMap that carries manifests as files: `data: {helperPod.yaml: "apiVersion: v1\nkind: Pod\n…image: busybox:1.37"}`.
 * Each `*.yaml`/`*.yml` entry that mentions an image is parsed, and the Kubernetes objects and pod specs in it are scanned
 * with positions inside the string (see embedded.ts).
 */
function extractConfigMap(doc: DocInfo, sink: Sink): void {
  const data = get(doc.contents, 'data');
  if (!isMap(data)) return;
  for (const pair of data.items) {
    const key = isScalar(pair.key) ? String(pair.key.value) : '';
    if (/\.ya?ml$/.test(key)) scanEmbeddedObjects(sink, doc.text, pair.value);
  }
}

/**
 * Kubernetes objects or pod specs written as a YAML string (a ConfigMap file, a Helm value `podspec.yaml: |-`), scanned
 * as documents of their own. Strings that are not YAML, or hold neither, are left alone without a problem: such a
 * string is often a config file for something else.
 */
export function scanEmbeddedObjects(sink: Sink, outerText: string, node: unknown): void {
  if (!isScalar(node) || typeof node.value !== 'string') return;
  // Cheap tests first: most strings are config files or scripts, not worth a parse.
  if (!node.value.includes('image') || !/(?:apiVersion|containers):/.test(node.value)) return;
  const quiet: Sink = { found: (f) => sink.found(f), problem: () => undefined, ...(sink.embedded ? { embedded: sink.embedded } : {}) };
  scanEmbeddedYaml(quiet, outerText, node, 'embedded YAML', (inner, text, contents) => {
    // Scanners read only the text and tree of a document; the file's name is the sink's business.
    const embedded: DocInfo = { file: '', dir: '', base: '', text, contents };
    const apiVersion = str(get(contents, 'apiVersion'));
    const kind = str(get(contents, 'kind'));
    if (apiVersion) embedded.apiVersion = apiVersion;
    if (kind) embedded.kind = kind;
    if (apiVersion && kind) {
      if (kubernetes.matches(embedded)) kubernetes.extract(embedded, inner, emptyIndex());
    } else if (isPodSpec(contents)) {
      findImages(inner, { ...embedded, apiVersion: 'v1', kind: 'Pod' }, contents, new Set(), 0);
    }
  });
}

/** `containers: [...]` at the top, or under `spec:` (`podspec.yaml: |-` holding a pod template). */
function isPodSpec(contents: unknown): boolean {
  return isSeq(get(contents, 'containers')) || isSeq(getPath(contents, 'spec', 'containers'));
}

/** A kustomize JSON 6902 patch file: `- {op: add, path: /spec/template/spec/initContainers/0, value: {image: x:1}}`. */
function isJsonPatch(doc: DocInfo): boolean {
  const items = asSeq(doc.contents)?.items;
  return !!items && items.length > 0 && items.every((op) => get(op, 'op') !== undefined && get(op, 'path') !== undefined);
}
