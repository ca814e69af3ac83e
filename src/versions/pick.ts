import { compareParsed, shapeMismatch, updateTypeOf } from './compare.js';
import { familyLabel, readingOf, unstableFamily, type TagReading } from './family.js';
import { notVersionKind, parseCustom, parseVersion } from './parse.js';
import type { LinearRegex } from './pattern.js';
import { compileMemo, regexFromLiteral, satisfiesAllowed } from './range.js';
import { familyKey, readKey, TagIndex, type Parse, type TagEntry } from './tags.js';
import type { NotVersionKind, ParsedVersion, SchemeName } from './types.js';

export interface PickPolicy {
  /** `docker` for image tags, `semver` for chart versions. */
  scheme: SchemeName;
  /** A regex (plain source or `/…/`) with named groups major, minor, patch, build, compatibility, prerelease. */
  versioning?: string | null;
  /** Take pre-releases even when the current version is stable. */
  allowPrerelease?: boolean;
  /** A semver range or `/regex/` every target must satisfy. */
  allowedVersions?: string | null;
  /** Offer the newest major alongside the newest minor/patch (default true); false: only the newest overall. */
  separateMajor?: boolean;
  /** Versions the caller ruled out, with the reason (e.g. too new for the minimum release age). */
  blocked?: ReadonlyMap<string, string>;
  /**
   * Record every candidate's verdict (default true, for `--explain`). False: `verdicts` holds only the picked
   * candidates, or the newest one the rules held back when nothing moves: all planning reads, without building a
   * verdict per tag for every reference (200 tags × 1,000 references).
   */
  allVerdicts?: boolean;
}

/** Why a candidate was rejected: `shape` and `older` are about the tag itself, the rest about the rules. */
export type RejectKind = 'not-version' | 'shape' | 'older' | 'prerelease' | 'allowed-versions' | 'blocked';

export interface CandidateVerdict {
  version: string;
  verdict: 'picked' | 'eligible' | 'rejected';
  reason: string;
  rejectKind?: RejectKind;
  /** How the candidate reads: family, version and build; absent when it is not a version. */
  reading?: TagReading;
}

export interface PickedTarget {
  version: string;
  updateType: 'major' | 'minor' | 'patch';
}

export interface PickResult {
  /** null when the current value is not a version the scheme (or the versioning regex) reads. */
  current: ParsedVersion | null;
  /** Newest minor/patch first, then the newest major; empty when nothing moves. */
  targets: PickedTarget[];
  /**
   * Every distinct candidate, newest first, with why it was taken or not (for `--explain`); with `allVerdicts: false`
   * only the picked ones, or the newest held back by the rules when nothing moves (what `heldVerdict` finds).
   */
  verdicts: CandidateVerdict[];
  /** Why nothing moves, when targets is empty. */
  reason: string | null;
  /** Nothing newer in the current family, but a newer version in another one: the family and that newest version. */
  elsewhere?: { family: string; newest: string };
}

const NOT_VERSION: Record<NotVersionKind, string> = {
  floating: 'floating tag, not a version',
  'commit-hash': 'commit-hash tag, not a version',
  signature: 'signature or attestation tag',
  'pull-request': 'pull-request preview tag, not a version',
  unreadable: 'not a version the tag scheme reads',
};

/**
 * Chooses what `current` moves to among `candidates` (all tags or chart versions of the package, or a TagIndex of them
 * that other references share). Pure.
 * Example: pickTarget('1.25-alpine', ['1.27-alpine', '1.27.3-alpine', '1.27-slim'], { scheme: 'docker' })
 * picks `1.27-alpine`.
 */
export function pickTarget(current: string, candidates: readonly string[] | TagIndex, policy: PickPolicy): PickResult {
  const parse = parserFor(policy);
  const cur = parse(current);
  const index = candidates instanceof TagIndex ? candidates : new TagIndex(candidates);
  const all = policy.allVerdicts !== false;
  if (!cur) {
    const reason = currentNotVersion(current, policy);
    const verdicts = all ? [...index.values].sort().map((version) => reject(version, 'not-version', 'the current value is not a version')) : [];
    return { current: null, targets: [], verdicts, reason };
  }
  const read = index.read(readKey(policy.scheme, policy.versioning), parse);
  const flexible = read.flexible.has(familyKey(cur));
  const judged = read.entries.map((entry) => judge(entry, cur, policy, flexible));
  const eligible: ParsedVersion[] = [];
  for (const j of judged) if (j.kind === 'eligible') eligible.push(j.parsed!);
  const spelling = spellingOf(cur.raw);
  const sameSpelling = (p: ParsedVersion): number => (spellingOf(p.raw) === spelling ? 1 : 0);
  eligible.sort((a, b) => compareParsed(b, a) || sameSpelling(b) - sameSpelling(a) || (a.raw < b.raw ? -1 : 1));
  const targets = chooseTargets(cur, eligible, policy.separateMajor !== false);
  if (targets.length > 0) {
    const shown = all ? judged : judged.filter((j) => targets.some((t) => t.version === j.entry.version));
    return { current: cur, targets, verdicts: orderVerdicts(shown).map((v) => markPicked(v, targets)), reason: null };
  }
  const verdicts = all ? orderVerdicts(judged) : newestHeld(judged);
  const held = heldVerdict(verdicts);
  const elsewhere = held ? undefined : newestElsewhere(cur, judged, policy);
  return { current: cur, targets, verdicts, reason: upToDateReason(held, elsewhere, policy.scheme), ...(elsewhere && { elsewhere }) };
}

/**
 * Equal versions written two ways (`2.0.0-rc.2` and `2.0.0-rc2`): the one spelled like the current tag wins.
 * `2.0.0-rc.1` → `0.0.0-rc.0`.
 */
function spellingOf(raw: string): string {
  return raw.replace(/\d+/g, '0');
}

function parserFor(policy: PickPolicy): Parse {
  if (!policy.versioning) return (v) => parseVersion(v, policy.scheme);
  const re = compileVersioning(policy.versioning);
  return (v) => (notVersionKind(v) === 'signature' ? null : parseCustom(v, re));
}

/**
 * A `versioning` setting as a linear-time regex: `/…/flags` or a plain regex source, named groups `(?<major>…)`;
 * throws PatternError (a SyntaxError) when RE2 cannot run it.
 */
export function compileVersioning(versioning: string): LinearRegex {
  return versioning.startsWith('/') ? regexFromLiteral(versioning) : compileMemo(versioning, '');
}

function currentNotVersion(current: string, policy: PickPolicy): string {
  if (policy.versioning) return `current value "${current}" does not match the versioning regex`;
  const kind = notVersionKind(current);
  if (kind === 'commit-hash') return `current tag "${current}" is a commit hash, not a version; set a versioning regex to follow it`;
  if (kind) return `current value "${current}" is a ${NOT_VERSION[kind]}`;
  return `current value "${current}" is not a version the ${policy.scheme} scheme reads`;
}

/** A candidate as judged against the current version; its CandidateVerdict is only built when one is shown. */
interface Judged {
  entry: TagEntry;
  parsed: ParsedVersion | null;
  kind: RejectKind | 'eligible';
  reason: string;
}

const ELIGIBLE = 'newer, in the same tag family';

function judge(entry: TagEntry, cur: ParsedVersion, policy: PickPolicy, flexible: boolean): Judged {
  const { version, parsed } = entry;
  if (!parsed) {
    const kind = policy.versioning ? null : notVersionKind(version);
    const why = policy.versioning ? 'does not match the versioning regex' : NOT_VERSION[kind ?? 'unreadable'];
    return { entry, parsed, kind: 'not-version', reason: why };
  }
  const out = (kind: RejectKind, reason: string): Judged => ({ entry, parsed, kind, reason });
  // Helm reads chart versions as semver, where `v1.3.0` and `1.3.0` are one version: a chart switching spelling stays in its family.
  const chartPrefix = policy.scheme === 'semver' && !policy.versioning;
  const seen = chartPrefix ? { ...parsed, prefix: cur.prefix } : parsed;
  const mismatch = shapeMismatch(cur, seen, flexible && familyKey(seen) === familyKey(cur));
  if (mismatch) return out('shape', mismatch);
  const cmp = compareParsed(parsed, cur);
  if (cmp < 0) return out('older', 'older than the current version');
  if (cmp === 0) return out('older', version === cur.raw ? 'the current version' : 'same version as the current one');
  if (parsed.prerelease && !policy.allowPrerelease && !(cur.prerelease && sameRelease(cur, parsed))) {
    const why = cur.prerelease ? 'a pre-release of another version than the current one' : 'a pre-release, and the current version is stable';
    return out('prerelease', why);
  }
  if (policy.allowedVersions && !satisfiesAllowed(parsed, policy.allowedVersions)) {
    return out('allowed-versions', `outside allowedVersions "${policy.allowedVersions}"`);
  }
  const blocked = policy.blocked?.get(version);
  if (blocked) return out('blocked', blocked);
  return { entry, parsed, kind: 'eligible', reason: ELIGIBLE };
}

/** The verdict `--explain` shows; how the candidate reads (`readingOf`) is worked out here, for shown candidates only. */
function verdictOf(j: Judged): CandidateVerdict {
  const { version } = j.entry;
  if (j.kind === 'not-version' || !j.parsed) return reject(version, 'not-version', j.reason);
  const reading = readingOf(j.parsed);
  if (j.kind === 'eligible') return { version, verdict: 'eligible', reason: j.reason, reading };
  return { version, verdict: 'rejected', reason: j.reason, rejectKind: j.kind, reading };
}

/** A pre-release moves on to later pre-releases of the same version only: `7.4-rc1` → `7.4-rc2`, not `8.0-M02`. */
function sameRelease(a: ParsedVersion, b: ParsedVersion): boolean {
  return a.release.length === b.release.length && a.release.every((n, i) => n === b.release[i]);
}

function reject(version: string, rejectKind: RejectKind, reason: string): CandidateVerdict {
  return { version, verdict: 'rejected', reason, rejectKind };
}

function chooseTargets(cur: ParsedVersion, eligible: ParsedVersion[], separateMajor: boolean): PickedTarget[] {
  const toTarget = (p: ParsedVersion): PickedTarget => ({ version: p.raw, updateType: updateTypeOf(cur, p) });
  if (!separateMajor) return eligible.slice(0, 1).map(toTarget);
  const nonMajor = eligible.find((p) => updateTypeOf(cur, p) !== 'major');
  const major = eligible.find((p) => updateTypeOf(cur, p) === 'major');
  return [nonMajor, major].filter((p): p is ParsedVersion => p !== undefined).map(toTarget);
}

/** Versions of the current shape newest first, then the rest by name: a stable order for `--explain`. */
function orderVerdicts(judged: readonly Judged[]): CandidateVerdict[] {
  const readable: Judged[] = [];
  const rest: Judged[] = [];
  for (const j of judged) (j.parsed && j.kind !== 'shape' && j.kind !== 'not-version' ? readable : rest).push(j);
  readable.sort((a, b) => compareParsed(b.parsed!, a.parsed!) || (a.entry.version < b.entry.version ? -1 : 1));
  rest.sort((a, b) => (a.entry.version < b.entry.version ? -1 : a.entry.version > b.entry.version ? 1 : 0));
  return [...readable, ...rest].map(verdictOf);
}

/** What `heldVerdict` would find in the ordered verdicts of all candidates, as a list of at most one: the newest held back. */
function newestHeld(judged: readonly Judged[]): CandidateVerdict[] {
  let newest: Judged | undefined;
  for (const j of judged) {
    if (j.kind !== 'prerelease' && j.kind !== 'allowed-versions' && j.kind !== 'blocked') continue;
    const cmp = newest ? compareParsed(j.parsed!, newest.parsed!) : 1;
    if (cmp > 0 || (cmp === 0 && j.entry.version < newest!.entry.version)) newest = j;
  }
  return newest ? [verdictOf(newest)] : [];
}

function markPicked(v: CandidateVerdict, targets: PickedTarget[]): CandidateVerdict {
  const t = targets.find((x) => x.version === v.version);
  if (t) {
    const what = t.updateType === 'major' ? 'newest major version' : 'newest minor/patch version';
    return { ...v, verdict: 'picked', reason: `${what} in the same tag family` };
  }
  if (v.verdict !== 'eligible') return v;
  const sameKind = targets.map((x) => x.version).join(' and ');
  return { ...v, reason: `newer, but ${sameKind} ${targets.length > 1 ? 'are' : 'is'} preferred` };
}

/** The newest newer version the rules (not the tag's shape) held back, when nothing moves; verdicts are newest first. */
export function heldVerdict(verdicts: readonly CandidateVerdict[]): CandidateVerdict | undefined {
  return verdicts.find((v) => v.rejectKind === 'prerelease' || v.rejectKind === 'allowed-versions' || v.rejectKind === 'blocked');
}

/**
 * The newest version newer than the current one in another family, when the current family has nothing newer:
 * `11.0.16_8-jdk` beside `22-jdk` and `17.0.13_11-jre`. Other numberings (calendar versions), pre-releases and
 * early-access or nightly builds the current one would not take, and versions outside allowedVersions are not news.
 */
function newestElsewhere(cur: ParsedVersion, judged: Judged[], policy: PickPolicy): PickResult['elsewhere'] {
  let newest: ParsedVersion | undefined;
  for (const { parsed, kind } of judged) {
    if (!parsed || kind !== 'shape' || parsed.calendar !== cur.calendar) continue;
    const unstable = (parsed.prerelease && !cur.prerelease) || (unstableFamily(parsed) && !unstableFamily(cur));
    if (unstable && !policy.allowPrerelease) continue;
    if (compareParsed(parsed, cur) <= 0) continue;
    if (policy.allowedVersions && !satisfiesAllowed(parsed, policy.allowedVersions)) continue;
    if (!newest || compareParsed(parsed, newest) > 0 || (compareParsed(parsed, newest) === 0 && parsed.raw < newest.raw)) newest = parsed;
  }
  return newest ? { family: familyLabel(cur), newest: newest.raw } : undefined;
}

/** `up to date`, which newer version the rules held back and why, or that newer versions are only in other families. */
function upToDateReason(held: CandidateVerdict | undefined, elsewhere: PickResult['elsewhere'], scheme: SchemeName): string {
  if (held) return `no newer version allowed: ${held.version} is ${held.reason}`;
  if (elsewhere) return `no newer ${scheme === 'semver' ? 'version' : 'tag'} in the ${elsewhere.family} family; newest overall ${elsewhere.newest}`;
  return 'up to date';
}
