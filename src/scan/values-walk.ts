import { isMap, isPair, isScalar, isSeq, type YAMLMap } from 'yaml';
import { emitImageMap, emitStringImage } from './emit-image.js';
import type { Sink } from './found.js';
import type { Manager } from './types.js';
import { parseImageRef } from './image.js';
import { get, MERGE, offsetOf, str } from './yaml.js';

// Keys that name an image: `image`, `initImage`, `sidecarImage`. Keys ending in "Image" must carry a tag or digest.
const IMAGE_KEY = /^(?:image|[a-zA-Z0-9_]*Image)$/;
const MAX_DEPTH = 64;

/**
 * Finds images at any depth of a Helm values tree: maps with `repository` + `tag` (+ `registry`, `digest`/`sha`),
 * `image: {name, tag}`, `repo`, `version`, and string images under image keys. Strings elsewhere (an env value that
 * happens to read `image: x`) are never looked into.
 */
export function walkValues(sink: Sink, text: string, node: unknown, manager: Manager = 'helm-values'): void {
  visit(sink, text, node, manager, '', 0, 0);
}

function visit(sink: Sink, text: string, node: unknown, manager: Manager, key: string, keyAt: number, depth: number): void {
  if (depth > MAX_DEPTH) return;
  if (isSeq(node)) {
    for (const item of node.items) visit(sink, text, item, manager, key, offsetOf(item), depth + 1);
    return;
  }
  if (!isMap(node)) return;
  if (emitIfImageMap(sink, text, node, manager, key, keyAt)) return;
  const sibling = emitIfImageWithSiblingTag(sink, text, node, manager);
  for (const pair of node.items) {
    if (!isPair(pair) || !isScalar(pair.key)) continue;
    const k = String(pair.key.value);
    const v = pair.value;
    if (k === MERGE) continue;
    if (sibling && v === sibling) continue;
    if (isScalar(v)) {
      if (IMAGE_KEY.test(k)) emitStringIfImage(sink, text, v, manager, k === 'image');
      continue;
    }
    visit(sink, text, v, manager, k, offsetOf(pair.key), depth + 1);
  }
}

function emitStringIfImage(sink: Sink, text: string, v: unknown, manager: Manager, plainImageKey: boolean): void {
  const value = str(v);
  if (value === undefined || typeof (v as { value: unknown }).value !== 'string') return;
  // `sidecarImage: busybox` is too weak a signal; `sidecarImage: busybox:1.36` is not.
  if (!plainImageKey && !/[:@]/.test(value)) return;
  emitStringImage(sink, text, v, manager, false);
}

/**
 * `image: {repository: acme/web, tag: "1.2"}`, `image: {name: acme/web, tag: "1.2"}`, `image: {repo: …, version: …}`.
 * Without a tag key the map only counts under an image-like key (`image: {repository: x}` → chart's appVersion).
 */
function emitIfImageMap(sink: Sink, text: string, map: YAMLMap, manager: Manager, key: string, keyAt: number): boolean {
  const imageish = IMAGE_KEY.test(key) || /image$/i.test(key);
  const repository = get(map, 'repository') ?? get(map, 'repo') ?? (imageish ? get(map, 'name') : undefined);
  const repo = str(repository);
  if (repo === undefined || repo === '' || repo.includes('://') || /\s/.test(repo)) return false;
  const tag = get(map, 'tag') ?? (imageish ? get(map, 'version') : undefined);
  const digest = get(map, 'digest') ?? get(map, 'sha');
  if (tag === undefined && digest === undefined && !imageish) return false;
  if (tag !== undefined && !isScalar(tag)) return false;
  const at = key ? keyAt : offsetOf(repository);
  emitImageMap(sink, text, { repository, registry: get(map, 'registry'), tag, digest, at }, manager);
  return true;
}

/**
 * A string image without tag whose version sits in sibling keys of the same map, ingress-nginx and elastic style:
 * `{registry: registry.k8s.io, image: ingress-nginx/controller, tag: "v1.10.0", digest: sha256:…}`,
 * `{image: docker.elastic.co/elasticsearch/elasticsearch, imageTag: "8.5.1"}`. Only `tag` and `imageTag` count as the
 * version (a `version:` sibling is too often something else). Returns the `image` node it reported, so the caller
 * does not report it again as a string image.
 */
function emitIfImageWithSiblingTag(sink: Sink, text: string, map: YAMLMap, manager: Manager): unknown {
  const pair = map.items.find((p) => isScalar(p.key) && p.key.value === 'image');
  const image = pair?.value;
  if (!pair || !isScalar(image) || typeof image.value !== 'string') return undefined;
  const ref = parseImageRef(image.value);
  if (!ref || ref.tag || ref.digest) return undefined;
  const tag = get(map, 'tag') ?? get(map, 'imageTag');
  const registry = get(map, 'registry');
  const digest = get(map, 'digest');
  const versioned = isScalar(tag) || (isScalar(digest) && str(digest) !== '');
  if (!versioned && !(isScalar(registry) && str(registry))) return undefined;
  if (tag !== undefined && !isScalar(tag)) return undefined;
  const at = offsetOf(pair.key);
  emitImageMap(sink, text, { repository: image, registry: isScalar(registry) ? registry : undefined, tag, digest, at }, manager);
  return image;
}
