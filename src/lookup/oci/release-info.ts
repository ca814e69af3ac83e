import { knownReleaseTime } from '../release-time.js';
import { httpUrlOrNull, isDigest } from '../validate.js';
import type { RegistryClient } from './client.js';
import type { ImageLocation } from './reference.js';

export interface ImageReleaseInfo {
  created: Date | null;
  /** `org.opencontainers.image.source`, from an annotation or a config label: an http(s) URL (lookup/validate.ts) or null. */
  source: string | null;
}

const CREATED = 'org.opencontainers.image.created';
const SOURCE = 'org.opencontainers.image.source';
const INDEX_TYPES = new Set(['application/vnd.oci.image.index.v1+json', 'application/vnd.docker.distribution.manifest.list.v2+json']);
/** Config media types that are image configs (with `created` and labels); a Helm chart's config is Chart.yaml. */
const IMAGE_CONFIG_TYPES = new Set(['application/vnd.oci.image.config.v1+json', 'application/vnd.docker.container.image.v1+json']);

type Json = Record<string, unknown>;

/**
 * When a tag was built and where its source lives, read lazily: the manifest's (or index's) annotations first,
 * then, for an index, the linux/amd64 child (or the first), then the image config's `created` and labels.
 * Each step is one request at most, and by-digest reads come from the cache on later runs.
 */
export async function imageReleaseInfo(client: RegistryClient, loc: ImageLocation, tag: string): Promise<ImageReleaseInfo> {
  let manifest = await client.manifest(loc, tag);
  if (!manifest) return { created: null, source: null };
  const info = fromAnnotations(manifest);
  if (isIndex(manifest)) {
    const child = pickChild(manifest);
    merge(info, fromAnnotations(child ?? {}));
    const digest = child?.['digest'];
    if (info.created && info.source) return info;
    manifest = typeof digest === 'string' && isDigest(digest) ? await client.manifest(loc, digest) : null;
    if (!manifest) return info;
    merge(info, fromAnnotations(manifest));
  }
  if (info.created && info.source) return info;
  const config = asObject(manifest['config']);
  const configDigest = config?.['digest'];
  const configType = config?.['mediaType'];
  if (typeof configDigest !== 'string' || !isDigest(configDigest) || typeof configType !== 'string' || !IMAGE_CONFIG_TYPES.has(configType)) return info;
  const blob = await client.jsonBlob(loc, configDigest);
  if (!blob) return info;
  const labels = asObject(asObject(blob['config'])?.['Labels']);
  merge(info, { created: toDate(blob['created']), source: httpUrlOrNull(labels?.[SOURCE]) });
  return info;
}

function isIndex(m: Json): boolean {
  const type = m['mediaType'];
  return (typeof type === 'string' && INDEX_TYPES.has(type)) || Array.isArray(m['manifests']);
}

function pickChild(index: Json): Json | null {
  const children = (Array.isArray(index['manifests']) ? index['manifests'] : []).map(asObject).filter((c): c is Json => c !== null);
  const platformOf = (c: Json): Json | null => asObject(c['platform']);
  const amd64 = children.find((c) => platformOf(c)?.['os'] === 'linux' && platformOf(c)?.['architecture'] === 'amd64');
  // Attestation manifests (`unknown/unknown`) carry no image config.
  const real = children.find((c) => platformOf(c)?.['os'] !== 'unknown');
  return amd64 ?? real ?? null;
}

function fromAnnotations(m: Json): ImageReleaseInfo {
  const ann = asObject(m['annotations']);
  return { created: toDate(ann?.[CREATED]), source: httpUrlOrNull(ann?.[SOURCE]) };
}

function merge(into: ImageReleaseInfo, from: ImageReleaseInfo): void {
  into.created ??= from.created;
  into.source ??= from.source;
}

function toDate(v: unknown): Date | null {
  return knownReleaseTime(v);
}

function asObject(v: unknown): Json | null {
  return v && typeof v === 'object' && !Array.isArray(v) ? (v as Json) : null;
}
