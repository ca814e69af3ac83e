/** A container image reference split into its parts; offsets are into the reference string, end exclusive. */
export interface ImageRef {
  /** The image as written, without tag and digest: `host:5000/a/b`. */
  name: string;
  /** The registry host (with port) when the first path component names one, else null. */
  registry: string | null;
  tag: RefPart | null;
  digest: RefPart | null;
}

export interface RefPart {
  value: string;
  start: number;
  end: number;
}

// `sha256:` + 64 hex; other algorithms follow the OCI grammar `algo:encoded`.
const DIGEST = /^(?<algo>[a-z0-9]+(?:[+._-][a-z0-9]+)*):(?<hex>[a-zA-Z0-9=_-]{32,})$/;
const TAG = /^[\w][\w.-]{0,127}$/;
// One path component, or a host with an optional port as the first component.
const COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const HOST = /^(?:[a-zA-Z0-9-]+(?:\.[a-zA-Z0-9-]+)*|\[[0-9a-fA-F:]+\])(?::[0-9]+)?$/;

/** True for a valid tag: `1.25.3-alpine`, `v2`; false for `3.0.0# note` (no space before `#`: part of the value). */
export function isImageTag(value: string): boolean {
  return TAG.test(value);
}

/** True for an OCI digest: `sha256:` + hex (`algo:encoded`); false for `02641143766` or bare hex. */
export function isDigestText(value: string): boolean {
  return DIGEST.test(value);
}

/**
 * Parses `host:5000/a/b:tag@sha256:…` into name, tag and digest. Returns null when the text is not an image reference
 * (spaces, a scheme, an empty name). Example: `ghcr.io/acme/web:1.2.3` → name `ghcr.io/acme/web`, tag `1.2.3`.
 */
export function parseImageRef(text: string): ImageRef | null {
  if (text === '' || /\s/.test(text) || text.includes('://')) return null;
  let rest = text;
  let digest: RefPart | null = null;
  const at = text.indexOf('@');
  if (at >= 0) {
    const value = text.slice(at + 1);
    if (!DIGEST.test(value)) return null;
    digest = { value, start: at + 1, end: text.length };
    rest = text.slice(0, at);
  }
  let tag: RefPart | null = null;
  const colon = rest.lastIndexOf(':');
  if (colon > rest.lastIndexOf('/')) {
    const value = rest.slice(colon + 1);
    if (!TAG.test(value)) return null;
    tag = { value, start: colon + 1, end: colon + 1 + value.length };
    rest = rest.slice(0, colon);
  }
  const registry = registryOf(rest);
  if (registry === undefined) return null;
  return { name: rest, registry, tag, digest };
}

/** Undefined when the name is malformed; null when it has no registry component. */
function registryOf(name: string): string | null | undefined {
  const parts = name.split('/');
  const first = parts[0] ?? '';
  const hasHost = parts.length > 1 && (first.includes('.') || first.includes(':') || first === 'localhost');
  if (hasHost && !HOST.test(first)) return undefined;
  const path = hasHost ? parts.slice(1) : parts;
  if (path.length === 0) return undefined;
  for (const p of path) if (!COMPONENT.test(p.toLowerCase())) return undefined;
  return hasHost ? first : null;
}
