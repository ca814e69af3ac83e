import { isImageTag, parseImageRef } from './image.js';
import { skipForImageTag, skipForName, type Found, type Sink } from './found.js';
import type { Manager } from './types.js';
import { offsetOf, str, token, type Token } from './yaml.js';

/**
 * Reports a string image (`image: ghcr.io/acme/web:1.2.3@sha256:…`). With `strict`, a value that is not an image
 * reference is reported as `invalid-value` (a Kubernetes `image:` must be one); otherwise it is ignored (values files).
 */
export function emitStringImage(sink: Sink, text: string, node: unknown, manager: Manager, strict: boolean): void {
  const value = str(node);
  if (value === undefined || value === '') return;
  emitImageText(sink, value, token(text, node), manager, offsetOf(node), strict);
}

/**
 * Reports the image reference `value`, whose text sits at `tok` in the file (null when it cannot be spliced). Shared by
 * string images and strings that carry more than the reference (Argo CD `nginx=nginx:1.25.3`, after the `=`).
 */
export function emitImageText(sink: Sink, value: string, tok: Token | null, manager: Manager, at: number, strict: boolean): void {
  const base = { manager, datasource: 'docker', registryUrl: null, at } as const;
  const nameSkip = skipForName(value);
  if (nameSkip) return sink.found({ ...base, name: value, value: null, digest: null, skipReason: nameSkip });
  const ref = parseImageRef(value);
  if (!ref || !tok || tok.value !== value) {
    if (strict) sink.found({ ...base, name: value, value: null, digest: null, skipReason: 'invalid-value' });
    return;
  }
  const tag = ref.tag ? shift(ref.tag, tok.start) : null;
  const digest = ref.digest ? shift(ref.digest, tok.start) : null;
  const found: Found = { ...base, name: ref.name, value: tag, digest };
  found.digestInsertAt = digest ? null : tok.start + (ref.tag ? ref.tag.end : ref.name.length);
  const skip = tag ? skipForImageTag(tag.value, digest !== null) : digest ? undefined : 'unpinned';
  if (skip) found.skipReason = skip;
  sink.found(found);
}

function shift(part: Token, by: number): Token {
  return { value: part.value, start: part.start + by, end: part.end + by };
}

export interface ImageMapNodes {
  repository: unknown;
  registry?: unknown;
  tag?: unknown;
  digest?: unknown;
  /** The image name when it comes from another file (a base values file); then `repository` and `registry` are not read. */
  name?: string;
  /** Where the image map is introduced: the `image:` key. */
  at: number;
}

/**
 * Reports an image written as a map: `image: {registry: ghcr.io, repository: acme/web, tag: 1.2.3, digest: sha256:…}`.
 * `tag: 1.2.3@sha256:…` splits into tag and digest; an empty or missing tag means the chart's appVersion.
 */
export function emitImageMap(sink: Sink, text: string, nodes: ImageMapNodes, manager: Manager): void {
  const repo = nodes.name ?? str(nodes.repository);
  if (repo === undefined || repo === '') return;
  const registry = nodes.name === undefined ? str(nodes.registry) : undefined;
  const name = registry ? `${registry.replace(/\/+$/, '')}/${repo}` : repo;
  const base = { manager, datasource: 'docker', registryUrl: null, name, at: nodes.at } as const;
  const nameSkip = skipForName(name);
  if (nameSkip) return sink.found({ ...base, value: null, digest: null, skipReason: nameSkip });
  let tag = tokenOrEmpty(text, nodes.tag);
  let digest = tokenOrEmpty(text, nodes.digest);
  if (tag && tag.value.includes('@')) {
    const i = tag.value.indexOf('@');
    digest = { value: tag.value.slice(i + 1), start: tag.start + i + 1, end: tag.end };
    tag = { value: tag.value.slice(0, i), start: tag.start, end: tag.start + i };
  }
  if (tag === undefined) return sink.found({ ...base, value: null, digest: null, skipReason: 'invalid-value' });
  if (!tag && !digest) return sink.found({ ...base, value: null, digest: null, skipReason: 'chart-app-version' });
  const found: Found = { ...base, value: tag, digest: digest ?? null, digestInsertAt: null };
  const skip = tag ? (skipForImageTag(tag.value, !!digest) ?? (isImageTag(tag.value) ? undefined : 'invalid-value')) : undefined;
  if (skip) found.skipReason = skip;
  sink.found(found);
}

/** null for a missing or empty value; undefined for a value that is present but not spliceable (escapes, block). */
function tokenOrEmpty(text: string, node: unknown): Token | null | undefined {
  const value = str(node);
  if (value === undefined || value === '') return null;
  return token(text, node) ?? undefined;
}
