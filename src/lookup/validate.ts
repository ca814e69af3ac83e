import { createHash } from 'node:crypto';

/**
 * The door for data registries and Helm repositories write: every tag, chart version, digest, URL and name they send
 * is checked here (grammar, size, count) before anything parses it. Pure functions, no I/O; callers drop or refuse
 * what fails and say so once.
 */

/** OCI distribution tag grammar: `1.27.3-alpine`, `v1.2.3`, `_build`; at most 128 characters. */
const OCI_TAG = /^[A-Za-z0-9_][A-Za-z0-9._-]{0,127}$/;

/** Chart versions as Helm writes them: `1.2.3`, `v1.2.3-rc.1+build.5`; starts with a digit, a letter or `v`. */
const CHART_VERSION = /^[A-Za-z0-9][A-Za-z0-9._+-]{0,127}$/;

/** `sha256:` + 64 lowercase hex, or `sha512:` + 128 lowercase hex. */
const DIGEST = /^(?:sha256:[0-9a-f]{64}|sha512:[0-9a-f]{128})$/;

/** A Helm index `digest:` is the chart archive's bare sha256. */
const CHART_DIGEST = /^[0-9a-f]{64}$/;

/** C0 and C1 control characters, DEL, and the Unicode line and paragraph separators. */
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;

/** Longest URL kept from registry data (`home`, `sources`, an image's source label). */
export const MAX_URL_LENGTH = 2048;

/** Longest image or chart name accepted from a file or an index. */
export const MAX_NAME_LENGTH = 512;

/**
 * Whether a registry tag is a valid OCI tag. `1.27.3-alpine` → true; `../x`, `-rc`, a 1 MB `1_1_1…!` → false.
 * The length is checked first so a hostile value costs nothing.
 */
export function isOciTag(tag: string): boolean {
  return tag.length <= 128 && OCI_TAG.test(tag);
}

/**
 * Whether an index's chart version is one Tidemark will parse: at most 128 characters of `[A-Za-z0-9._+-]`, starting
 * alphanumeric (which covers `v1.2.3`). `6.7.0`, `v1.2.3+build.1` → true; `-1`, `1.0 beta`, `1.0\n# approved` → false.
 */
export function isChartVersion(version: string): boolean {
  return version.length <= 128 && CHART_VERSION.test(version);
}

/** `sha256:` + 64 lowercase hex or `sha512:` + 128. `sha256:ZZZZ…`, `sha256:ABCD…` (upper case) → false. */
export function isDigest(value: string): boolean {
  return value.length <= 135 && DIGEST.test(value);
}

/** A Helm index chart digest (64 lowercase hex), or null when it is not one: `digest: not-a-digest` → null. */
export function chartDigestOrNull(value: string | null): string | null {
  return value !== null && value.length === 64 && CHART_DIGEST.test(value) ? value : null;
}

/** Whether `text` holds a control character, a newline or a Unicode line separator. `nginx\n# approved` → true. */
export function hasControlCharacters(text: string): boolean {
  return CONTROL.test(text);
}

/**
 * Whether an image or chart name may be used at all: not empty, at most 512 characters, no control characters or
 * newlines. `ghcr.io/acme/web` → true; `web\n## Approved` → false.
 */
export function isSafeName(name: string): boolean {
  return name !== '' && name.length <= MAX_NAME_LENGTH && !hasControlCharacters(name);
}

/**
 * An `http:`/`https:` URL from registry data, or null: at most 2048 characters, no whitespace or control characters,
 * parsed by `new URL`. `https://github.com/acme/web` → kept; `javascript:alert(1)`, `https://x y`, `//evil` → null.
 */
export function httpUrlOrNull(value: unknown): string | null {
  if (typeof value !== 'string' || value.length === 0 || value.length > MAX_URL_LENGTH) return null;
  if (/\s/.test(value) || hasControlCharacters(value)) return null;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return null;
  }
  return url.protocol === 'https:' || url.protocol === 'http:' ? value : null;
}

/** Tags split into the valid ones, in order, and how many were dropped. */
export interface FilteredTags {
  tags: string[];
  dropped: number;
}

/** Keeps the tags that are valid OCI tags; `['1.0', '1.0\n', 'x'.repeat(200)]` → `{ tags: ['1.0'], dropped: 2 }`. */
export function filterOciTags(tags: readonly string[]): FilteredTags {
  const kept: string[] = [];
  for (const tag of tags) {
    if (isOciTag(tag)) kept.push(tag);
  }
  return { tags: kept, dropped: tags.length - kept.length };
}

/** The warning for dropped tags, one per repository: `dropped 3 tags that are not valid OCI tags`. */
export function droppedTagsMessage(dropped: number): string {
  return `dropped ${dropped} ${dropped === 1 ? 'tag that is not a valid OCI tag' : 'tags that are not valid OCI tags'}`;
}

/**
 * Whether `body` (a manifest or blob read as UTF-8) hashes to `digest`. Where Tidemark fetches the bytes anyway, the
 * registry's word for their digest is checked, never trusted: a mismatch means a broken or lying registry.
 */
export function digestMatches(digest: string, body: string | Uint8Array): boolean {
  const m = /^(?<algorithm>sha256|sha512):(?<hex>[0-9a-f]+)$/.exec(digest)?.groups;
  if (!m?.algorithm || !m.hex || !isDigest(digest)) return false;
  const hash = createHash(m.algorithm);
  if (typeof body === 'string') hash.update(body, 'utf8');
  else hash.update(body);
  return hash.digest('hex') === m.hex;
}

/** The sha256 digest of a body: `sha256:` + 64 lowercase hex. */
export function sha256Digest(body: string): string {
  return `sha256:${createHash('sha256').update(body, 'utf8').digest('hex')}`;
}
