import semver from 'semver';
import { toSemver } from './range.js';
import type { ParsedVersion } from './types.js';

/**
 * Helm and Flux read constraints with Masterminds/semver, where a comma means AND: `>=1.0.0, <2.0.0`.
 * node-semver wants a space. Returns the constraint node-semver reads, or null when it reads none.
 */
export function nodeRange(range: string): string | null {
  const r = range.trim().replace(/\s*,\s*/g, ' ');
  return semver.validRange(r, { loose: true }) === null ? null : r;
}

/**
 * Whether a chart version falls inside a Chart.yaml / Flux range. Pre-releases only when the range names one
 * (`>=1.0.0-0`), and then anywhere in it, as Masterminds/semver does.
 */
export function rangeAllows(range: string, v: ParsedVersion): boolean {
  const r = nodeRange(range);
  const includePrerelease = /\d-[0-9A-Za-z]/.test(range);
  return r !== null && semver.satisfies(toSemver(v), r, { loose: true, includePrerelease });
}

/** The lowest version a range allows, as `1.2.0` (`~1.2`, `1.2.x`, `>=1.2.0 <2`); null when it has no floor it can name. */
export function rangeFloor(range: string): string | null {
  const r = nodeRange(range);
  if (r === null) return null;
  try {
    return semver.minVersion(r, { loose: true })?.version ?? null;
  } catch {
    return null;
  }
}

/** `~1.2`, `^2.0.0`, `1.x.x`, `=v1.2.3`: one operator, then numbers, then wildcards. */
const SINGLE = /^(?<op>\^|~|=)?(?<v>[vV]?)(?<parts>(?:\d+|[xX*])(?:\.(?:\d+|[xX*])){0,2})$/;

/** `>=1.0.0 <2.0.0`, `>= 1.0, < 2.0`: a floor and a ceiling. */
const WINDOW = /^(?<loOp>>=\s*)(?<lo>[vV]?\d+(?:\.\d+){0,2})(?<sep>\s*,?\s*)(?<hiOp><\s*)(?<hi>[vV]?\d+(?:\.\d+){0,2})$/;

/**
 * The range rewritten in its own style so that it allows `target`, or null for a form that cannot be rewritten
 * safely (unions, hyphen ranges, a lone `<2`). Zeros the range wrote after its significant part stay zeros.
 * Examples: `~1.2` + 1.4.5 → `~1.4`; `1.x.x` + 2.1.0 → `2.x.x`; `^2.0.0` + 3.1.4 → `^3.0.0`; `>=1.0.0 <2.0.0` + 3.2.1 → `>=3.0.0 <4.0.0`.
 */
export function replaceRange(range: string, target: ParsedVersion): string | null {
  const trimmed = range.trim();
  const out = rewriteSingle(trimmed, target) ?? rewriteWindow(trimmed, target);
  return out !== null && out !== trimmed && rangeAllows(out, target) ? out : null;
}

function rewriteSingle(range: string, target: ParsedVersion): string | null {
  const g = SINGLE.exec(range)?.groups;
  if (!g?.parts) return null;
  const tokens = g.parts.split('.');
  const wild = tokens.findIndex((t) => !/^\d+$/.test(t));
  const count = wild === -1 ? tokens.length : wild;
  // `x.1`, `1.x.3`: numbers after a wildcard mean nothing to Helm; leave such a range to a person.
  if (count === 0 || tokens.slice(count).some((t) => /^\d+$/.test(t))) return null;
  const old = tokens.slice(0, count).map(Number);
  const next = truncate(target, count);
  const op = g.op ?? '';
  if (op === '^' || op === '~') {
    const sig = (nums: number[]): number => (op === '~' ? Math.min(1, count - 1) : firstNonZero(nums));
    const oldSig = sig(old);
    if (old.slice(oldSig + 1).every((n) => n === 0)) next.fill(0, sig(next) + 1);
  }
  return `${op}${g.v ?? ''}${[...next.map(String), ...tokens.slice(count)].join('.')}`;
}

function rewriteWindow(range: string, target: ParsedVersion): string | null {
  const g = WINDOW.exec(range)?.groups;
  if (!g?.lo || !g.hi) return null;
  const lo = splitBound(g.lo);
  const hi = splitBound(g.hi);
  const boundary = hi.nums.findLastIndex((n) => n !== 0);
  if (boundary === -1) return null;
  const base = truncate(target, boundary + 1);
  const newHi = [...base.slice(0, boundary), (base[boundary] ?? 0) + 1];
  const pad = (nums: number[], len: number): string => [...nums, ...Array<number>(Math.max(0, len - nums.length)).fill(0)].slice(0, len).join('.');
  return `${g.loOp}${lo.v}${pad(base, lo.nums.length)}${g.sep}${g.hiOp}${hi.v}${pad(newHi, hi.nums.length)}`;
}

function splitBound(bound: string): { v: string; nums: number[] } {
  const v = /^[vV]/.test(bound) ? bound[0]! : '';
  return { v, nums: bound.slice(v.length).split('.').map(Number) };
}

/** The first `count` release parts of `target`, padded with zeros. */
function truncate(target: ParsedVersion, count: number): number[] {
  return Array.from({ length: count }, (_, i) => target.release[i] ?? 0);
}

/** Caret ranges pin the first non-zero part: `^0.2.3` allows 0.2.x only. */
function firstNonZero(nums: number[]): number {
  const i = nums.findIndex((n) => n !== 0);
  return i === -1 ? nums.length - 1 : i;
}
