import semver from 'semver';
import { parseVersion } from '../versions/parse.js';

/**
 * A release tag read as a version: `v1.2.3`, `1.2.3`, `web-1.2.3`, `web/v1.2.3`, `1.2.3-rc.1`. A name prefix must be
 * the package's own (`kube-prometheus-stack-65.1.0` belongs to that chart only, in a repository of many charts).
 * Returns a semver string (`1.2` → `1.2.0`), or null.
 */
const TAG = /^(?:(?<name>[A-Za-z0-9._-]{1,100}?)[-_/@])?[vV]?(?<core>\d{1,9}(?:\.\d{1,9}){0,3})(?<pre>-[0-9A-Za-z.-]{1,50})?(?:\+[0-9A-Za-z.-]{1,50})?$/;

export function tagVersion(tag: string, packageName: string): string | null {
  if (tag.length > 160) return null;
  const m = TAG.exec(tag.trim());
  if (!m?.groups) return null;
  const name = m.groups.name;
  if (name && name.toLowerCase() !== shortName(packageName).toLowerCase()) return null;
  return normalise(m.groups.core!, m.groups.pre?.slice(1) ?? null);
}

/**
 * The version of a value Tidemark writes, as release tags spell it: the image's tag family and build stripped
 * (`1.25.3-alpine` → `1.25.3`, `16.4.0-debian-12-r15` → `16.4.0`, `v2.1` → `2.1.0`). Null when it has no version.
 */
export function valueVersion(value: string, chart: boolean): string | null {
  const p = parseVersion(value, chart ? 'semver' : 'docker');
  if (!p || p.release.length === 0 || p.release.length > 4) return null;
  return normalise(p.release.join('.'), p.prerelease ? p.prerelease.join('.') : null);
}

/** `ghcr.io/acme/web` → `web`; `bitnami/nginx` → `nginx`. */
export function shortName(name: string): string {
  return name.split('/').pop() ?? name;
}

function normalise(core: string, pre: string | null): string | null {
  const parts = core.split('.').map(Number);
  while (parts.length < 3) parts.push(0);
  // A fourth part (`1.2.3.4`) is left out: release tags rarely carry one, and semver has no place for it.
  const [a, b, c] = parts;
  const text = `${a}.${b}.${c}${pre ? `-${pre}` : ''}`;
  return semver.valid(text);
}

/** Inside `(from, to]`: newer than the current version and no newer than the new one. */
export function inRange(v: string, from: string, to: string): boolean {
  return semver.gt(v, from) && semver.lte(v, to);
}

export function compareVersions(a: string, b: string): number {
  return semver.compare(a, b);
}

export function isPrerelease(v: string): boolean {
  return semver.prerelease(v) !== null;
}
