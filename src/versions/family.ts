import { buildsOf, familySuffix } from './compare.js';
import type { ParsedVersion } from './types.js';

/** How a tag was read, for `--explain`: its family, its version and its build. */
export interface TagReading {
  /** The tag with its numbers abstracted: `X.Y.Z_*-jdk`, `X-ea-*-windowsservercore-1809`, `noble-YYYYMMDD`. */
  family: string;
  /** `11.0.16`, `7.4-rc.2`, `20241118`. */
  version: string;
  /** `8`, `923.1669829893`; null when the tag has no build. */
  build: string | null;
}

const PARTS = ['X', 'Y', 'Z', 'W'];

/**
 * The family a version belongs to, written as a pattern: `11.0.16_8-jdk` → `X.Y.Z_*-jdk`, `3.10-master-777` →
 * `X.Y-master-*`, `noble-20241015` → `noble-YYYYMMDD`, `v1.16.1` → `vX.Y.Z`.
 */
export function familyLabel(p: ParsedVersion): string {
  return `${p.prefix}${versionPattern(p)}${familySuffix(p)}`;
}

function versionPattern(p: ParsedVersion): string {
  if (p.separator === 'T') return 'YYYY-MM-DDTHH-MM-SSZ';
  if (p.calendar && p.release.length === 1) return 'YYYYMMDD';
  const parts = p.release.map((_, i) => (i === 0 && p.calendar ? 'YYYY' : (PARTS[i] ?? 'N')));
  return parts.join(p.separator);
}

export function readingOf(p: ParsedVersion): TagReading {
  const builds = buildsOf(p);
  const pre = p.prerelease ? `-${p.prerelease.join('.')}` : '';
  return { family: familyLabel(p), version: versionText(p) + pre, build: builds.length > 0 ? builds.join('.') : null };
}

function versionText(p: ParsedVersion): string {
  if (p.separator !== 'T') return p.release.join(p.separator);
  const [y, mo, d, h, mi, s] = p.release.map((n) => String(n).padStart(2, '0'));
  return `${y}-${mo}-${d}T${h}-${mi}-${s}Z`;
}

/** Words in a suffix that mark builds nobody on a stable tag wants pointed at: `23-ea-3-jdk`, `3.12-nightly-815`. */
const UNSTABLE = new Set(['ea', 'nightly', 'snapshot', 'dev', 'develop', 'alpha', 'beta', 'rc', 'preview', 'canary', 'edge', 'unstable']);

/** The suffix has an early-access, nightly or pre-release word (`22-ea-7-jdk`). */
export function unstableFamily(p: ParsedVersion): boolean {
  return p.compatibility.split(/[-_.]/).some((w) => UNSTABLE.has(w.toLowerCase()));
}
