import { isMap, isPair, isScalar, isSeq, type YAMLMap } from 'yaml';
import { emitImageMap, emitStringImage } from './emit-image.js';
import type { Sink } from './found.js';
import type { Manager } from './types.js';
import { get, offsetOf, str } from './yaml.js';

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
  for (const pair of node.items) {
    if (!isPair(pair) || !isScalar(pair.key)) continue;
    const k = String(pair.key.value);
    const v = pair.value;
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
