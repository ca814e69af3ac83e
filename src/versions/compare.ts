import type { UpdateType } from '../config/types.js';
import { parseVersion } from './parse.js';
import type { ParsedVersion, SchemeName } from './types.js';

/** Pre-release words in the order they come before a release: dev < alpha < beta < milestone/preview < rc. */
const PRE_RANK: Record<string, number> = {
  dev: 0, snapshot: 0, alpha: 1, a: 1, beta: 2, b: 2, milestone: 3, m: 3, pre: 3, preview: 3, rc: 4,
};

/** Orders two versions of the same shape: release parts, then stable after pre-release, then revision. */
export function compareParsed(a: ParsedVersion, b: ParsedVersion): number {
  const len = Math.max(a.release.length, b.release.length);
  for (let i = 0; i < len; i++) {
    const d = (a.release[i] ?? 0) - (b.release[i] ?? 0);
    if (d !== 0) return Math.sign(d);
  }
  if (a.prerelease === null && b.prerelease !== null) return 1;
  if (a.prerelease !== null && b.prerelease === null) return -1;
  if (a.prerelease && b.prerelease) {
    const d = compareIdentifiers(a.prerelease, b.prerelease);
    if (d !== 0) return d;
  }
  // Part by part; a missing part comes first: [923] < [923, 1669829893] < [1049].
  return compareIdentifiers(buildsOf(a), buildsOf(b));
}

/** What orders releases inside a family after the version: suffix builds, then the revision. `8.7-923.1669829893` → [923, 1669829893]. */
export function buildsOf(p: ParsedVersion): number[] {
  return p.revision === null ? (p.build ?? []) : [...(p.build ?? []), p.revision];
}

/**
 * The words around the version, builds written `*`: `_*-jdk` for `11.0.16_8-jdk`, `-debian-12-r*` for
 * `16.4.0-debian-12-r15`, `-*` for both `8.7-1049` and `8.7-923.1669829893`. Tags compare only inside one.
 */
export function familySuffix(p: ParsedVersion): string {
  const underscore = p.revision !== null && p.revisionStyle === '_';
  const mid = p.compatibility === '' ? '' : `-${p.compatibility}`;
  const tail = p.revision === null || underscore ? '' : `-${p.revisionStyle ?? ''}*`;
  return (underscore ? '_*' : '') + mid + tail;
}

function compareIdentifiers(a: (string | number)[], b: (string | number)[]): number {
  const len = Math.max(a.length, b.length);
  for (let i = 0; i < len; i++) {
    const x = a[i];
    const y = b[i];
    if (x === undefined) return -1;
    if (y === undefined) return 1;
    const d = compareIdentifier(x, y);
    if (d !== 0) return d;
  }
  return 0;
}

function compareIdentifier(x: string | number, y: string | number): number {
  if (typeof x === 'number' && typeof y === 'number') return Math.sign(x - y);
  if (typeof x === 'number') return -1;
  if (typeof y === 'number') return 1;
  const rx = PRE_RANK[x];
  const ry = PRE_RANK[y];
  if (rx !== undefined && ry !== undefined && rx !== ry) return Math.sign(rx - ry);
  return x < y ? -1 : x > y ? 1 : 0;
}

/**
 * Why `candidate` is not in the same tag family as `current`, or null when it is. `flexLength`: the family's own history
 * shows versions gaining a part (Temurin's `11.0.16_8` → `11.0.16.1_1`), so the number of parts may differ.
 */
export function shapeMismatch(current: ParsedVersion, candidate: ParsedVersion, flexLength = false): string | null {
  if (candidate.prefix !== current.prefix) {
    return `prefix ${show(candidate.prefix)} differs from the current ${show(current.prefix)}`;
  }
  // Another suffix is the reason before another precision: `11.0.16.1_1-jre` is not a `-jdk` tag at all.
  if (candidate.release.length !== current.release.length && !flexLength) {
    const family = candidate.compatibility !== current.compatibility ? familyMismatch(current, candidate) : null;
    return family ?? `has ${candidate.release.length} version parts, the current has ${current.release.length}`;
  }
  // `2024.10.1` after `1.2.3` is another numbering, not a major update (and the other way round).
  if (candidate.calendar !== current.calendar) {
    return candidate.calendar ? 'a calendar version, the current is not' : 'not a calendar version, the current is one';
  }
  if (candidate.release.length > 1 && current.release.length > 1 && candidate.separator !== current.separator) {
    return `separator ${show(candidate.separator)} differs from the current ${show(current.separator)}`;
  }
  return familyMismatch(current, candidate);
}

function familyMismatch(current: ParsedVersion, candidate: ParsedVersion): string | null {
  if (familySuffix(candidate) === familySuffix(current)) return null;
  if (candidate.compatibility !== current.compatibility) {
    return `suffix ${show(candidate.compatibility)} differs from the current ${show(current.compatibility)}`;
  }
  if ((candidate.revision === null) !== (current.revision === null)) {
    return current.revision === null ? 'has a revision, the current has none' : 'has no revision, the current has one';
  }
  return `revision style ${show(candidate.revisionStyle ?? '')} differs from the current ${show(current.revisionStyle ?? '')}`;
}

function show(s: string): string {
  return s === '' ? 'none' : `"${s}"`;
}

/** major, minor or patch by the first release part that changes; a compact date `20241103` counts as year.month.day. */
export function updateTypeOf(from: ParsedVersion, to: ParsedVersion): 'major' | 'minor' | 'patch' {
  const a = dateParts(from);
  const b = dateParts(to);
  const len = Math.max(a.length, b.length);
  for (let i = 0; i < len; i++) {
    if ((a[i] ?? 0) === (b[i] ?? 0)) continue;
    return i === 0 ? 'major' : i === 1 ? 'minor' : 'patch';
  }
  return 'patch';
}

function dateParts(v: ParsedVersion): number[] {
  const first = v.release[0] ?? 0;
  if (v.calendar && v.release.length === 1) return [Math.floor(first / 10000), Math.floor(first / 100) % 100, first % 100];
  return v.release;
}

/**
 * Update type between two version strings of the same scheme; null when they are equal or either is not a version.
 * Example: updateType('1.25', '1.27') → 'minor'; updateType('v1.15.3', 'v2.0.0', 'semver') → 'major'.
 */
export function updateType(from: string, to: string, scheme: SchemeName = 'docker'): UpdateType | null {
  const a = parseVersion(from, scheme);
  const b = parseVersion(to, scheme);
  if (!a || !b || from === to) return null;
  return updateTypeOf(a, b);
}
