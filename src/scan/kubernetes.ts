import { isMap, isPair, isScalar, isSeq } from 'yaml';
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

// Objects whose `image` keys are not pod images: schemas, and free-form data.
const NOT_WORKLOADS = new Set(['CustomResourceDefinition', 'ConfigMap', 'Secret']);
const MAX_DEPTH = 64;

/**
 * Any Kubernetes object (it has `apiVersion` and `kind`): every `image:` string in its tree — containers,
 * initContainers, ephemeralContainers of Pods, workloads, CronJob `jobTemplate`, `kind: List` items, and custom
 * resources such as `Prometheus.spec.image` — plus the table above.
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

function findImages(sink: Sink, doc: DocInfo, node: unknown, done: Set<unknown>, depth: number): void {
  if (depth > MAX_DEPTH) return;
  if (isSeq(node)) {
    for (const item of node.items) findImages(sink, doc, item, done, depth + 1);
    return;
  }
  if (!isMap(node)) return;
  for (const pair of node.items) {
    if (!isPair(pair)) continue;
    const v = pair.value;
    const imageKey = isScalar(pair.key) && pair.key.value === 'image';
    if (imageKey && isScalar(v)) {
      if (!done.has(v) && typeof v.value === 'string') emitStringImage(sink, doc.text, v, 'kubernetes', true);
    } else if (imageKey && isMap(v)) {
      // Operators that take Helm-style image maps, VictoriaMetrics: `vmstorage: {image: {repository: …, tag: v1.93.4}}`.
      walkValues(sink, doc.text, v, 'kubernetes');
    } else if ((isMap(v) || isSeq(v)) && !(isScalar(pair.key) && pair.key.value === MERGE)) {
      findImages(sink, doc, v, done, depth + 1);
    }
  }
}

/** A kustomize JSON 6902 patch file: `- {op: add, path: /spec/template/spec/initContainers/0, value: {image: x:1}}`. */
function isJsonPatch(doc: DocInfo): boolean {
  const items = asSeq(doc.contents)?.items;
  return !!items && items.length > 0 && items.every((op) => get(op, 'op') !== undefined && get(op, 'path') !== undefined);
}
