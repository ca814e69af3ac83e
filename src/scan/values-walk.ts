import { isMap, isPair, isScalar, isSeq, type YAMLMap } from 'yaml';
import { emitImageMap, emitStringImage } from './emit-image.js';
import type { Sink } from './found.js';
import type { Manager } from './types.js';
import { parseImageRef } from './image.js';
import { get, MERGE, offsetOf, str } from './yaml.js';
import { skipForName } from './found.js';
import { scanEmbeddedObjects } from './kubernetes.js';

// Keys that name an image: `image`, `initImage`, `sidecarImage`. Keys ending in "Image" must carry a tag or digest.
const IMAGE_KEY = /^(?:image|[a-zA-Z0-9_]*Image)$/;
const MAX_DEPTH = 64;

/**
 * Images a base `values.yaml` sets, by key path, for environment files that override only the tag:
 * base `image: {repository: ghcr.io/acme/app, tag: 1.2.3}`, `values-prod.yaml` `image: {tag: 1.4.0}`.
 * `tagKey` is the key the base keeps its version in (`tag`, `version`, `imageTag`).
 */
export interface BaseImage {
  name: string;
  tagKey: string;
}
export type ImagePaths = Map<string, BaseImage>;

interface Walk {
  sink: Sink;
  text: string;
  manager: Manager;
  /** Set when walking an override file: the base's images, matched by key path. */
  base?: ImagePaths;
  /** Set when walking a base file: where to record its images (nothing is reported then). */
  record?: ImagePaths;
}

// Path segments are map keys; a path through a list is null: Helm replaces lists whole, so a tag-only list item
// would lose its repository rather than inherit it.
const SEP = '\u001f';
const IGNORE: Sink = { found: () => undefined, problem: () => undefined };

/**
 * Finds images at any depth of a Helm values tree: maps with `repository` + `tag` (+ `registry`, `digest`/`sha`),
 * `image: {name, tag}`, `repo`, `version`, and string images under image keys. Strings elsewhere (an env value that
 * happens to read `image: x`) are never looked into. With `base`, a map that carries only a tag (and digest) at a key
 * path where the base sets an image is that image.
 */
export function walkValues(sink: Sink, text: string, node: unknown, manager: Manager = 'helm-values', base?: ImagePaths): void {
  const walk: Walk = { sink, text, manager };
  if (base && base.size > 0) walk.base = base;
  visit(walk, node, '', 0, '', 0);
}

/** The images a base values tree sets, by key path (see `BaseImage`). Templated names are left out. */
export function imagePaths(text: string, node: unknown): ImagePaths {
  const record: ImagePaths = new Map();
  visit({ sink: IGNORE, text, manager: 'helm-values', record }, node, '', 0, '', 0);
  return record;
}

function visit(w: Walk, node: unknown, key: string, keyAt: number, path: string | null, depth: number): void {
  if (depth > MAX_DEPTH) return;
  if (isSeq(node)) {
    for (const item of node.items) visit(w, item, key, offsetOf(item), null, depth + 1);
    return;
  }
  if (!isMap(node)) return;
  const sink = w.record && path !== null ? recorder(w.record, path, node) : w.sink;
  if (emitIfImageMap(sink, w.text, node, w.manager, key, keyAt)) return;
  const sibling = emitIfImageWithSiblingTag(sink, w.text, node, w.manager);
  if (!sibling && w.base && path !== null) emitIfTagOverride(w, node, w.base.get(path), keyAt);
  for (const pair of node.items) {
    if (!isPair(pair) || !isScalar(pair.key)) continue;
    const k = String(pair.key.value);
    const v = pair.value;
    if (k === MERGE) continue;
    if (sibling && v === sibling) continue;
    if (isScalar(v)) {
      if (IMAGE_KEY.test(k)) emitStringIfImage(w.sink, w.text, v, w.manager, k === 'image');
      // `podspec.yaml: |-` or `runner.yaml: |` holding a pod spec or manifests, as Helm values often do.
      else if (!w.record && isBlockText(v)) scanEmbeddedObjects(w.sink, w.text, v);
      continue;
    }
    visit(w, v, k, offsetOf(pair.key), path === null ? null : path + SEP + k, depth + 1);
  }
}

/** A sink that records, instead of reporting, the image a base map at `path` sets. */
function recorder(record: ImagePaths, path: string, map: YAMLMap): Sink {
  const tagKey = ['tag', 'version', 'imageTag'].find((k) => get(map, k) !== undefined) ?? 'tag';
  return {
    found: (f) => {
      if (!skipForName(f.name)) record.set(path, { name: f.name, tagKey });
    },
    problem: () => undefined,
  };
}

// An override that names its own image (or registry) is not tag-only: reported as it stands, or not at all.
const NAMING_KEYS = ['repository', 'repo', 'registry', 'image', 'name'];

/** `image: {tag: 1.4.0}` in `values-prod.yaml` where the base `values.yaml` has `image: {repository: …, tag: …}`. */
function emitIfTagOverride(w: Walk, map: YAMLMap, base: BaseImage | undefined, keyAt: number): void {
  if (!base || NAMING_KEYS.some((k) => get(map, k) !== undefined)) return;
  const tag = get(map, base.tagKey);
  const digest = get(map, 'digest');
  if (tag !== undefined && !isScalar(tag)) return;
  // `tag: ""` here defers to the base (or the appVersion): nothing is pinned in this file.
  if (!str(tag) && !str(digest)) return;
  emitImageMap(w.sink, w.text, { repository: undefined, name: base.name, tag, digest, at: keyAt || offsetOf(tag ?? digest) }, w.manager);
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

/** A multi-line block scalar (`|`, `|-`, `>`): the only strings worth parsing as YAML. */
function isBlockText(v: unknown): boolean {
  const type = (v as { type?: string }).type;
  return (type === 'BLOCK_LITERAL' || type === 'BLOCK_FOLDED') && typeof (v as { value: unknown }).value === 'string';
}
