import { buildsOf, familySuffix } from './compare.js';
import type { ParsedVersion } from './types.js';

export type Parse = (value: string) => ParsedVersion | null;

export interface TagEntry {
  version: string;
  parsed: ParsedVersion | null;
}

/** A package's values read one way (a scheme, or a versioning regex). */
export interface ReadTags {
  /** Every distinct value, in first-seen order, with how it reads (null: not a version). */
  entries: readonly TagEntry[];
  /** Families (see familyKey) whose own history shows a version gaining a part. */
  flexible: ReadonlySet<string>;
}

/**
 * A package's tags or chart versions, read once however many references to the package a run plans: `plan` builds
 * one per package and every reference's pick reuses it (reading tags was the top CPU cost at 1,000 references).
 * Each way of reading (scheme, versioning regex) is computed on first use and kept.
 */
export class TagIndex {
  readonly values: readonly string[];
  private readonly reads = new Map<string, ReadTags>();

  constructor(values: readonly string[]) {
    this.values = [...new Set(values)];
  }

  read(key: string, parse: Parse): ReadTags {
    const known = this.reads.get(key);
    if (known) return known;
    const entries = this.values.map((version): TagEntry => ({ version, parsed: parse(version) }));
    const read = { entries, flexible: flexibleFamilies(entries) };
    this.reads.set(key, read);
    return read;
  }
}

/** The key of one way of reading a package's values: its scheme and versioning regex. */
export function readKey(scheme: string, versioning: string | null | undefined): string {
  return `${scheme}\u0000${versioning ?? ''}`;
}

/** Prefix, separator, numbering and suffix words: what two tags must share to be one family. */
export function familyKey(p: ParsedVersion): string {
  return `${p.prefix}\u0000${p.separator}\u0000${p.calendar}\u0000${familySuffix(p)}`;
}

/**
 * Build-numbered families where a released version gained a part: Temurin's `11.0.16.1_1-jdk` after `11.0.16_8-jdk`.
 * Each tag there is one build, not a floating alias, so `11.0.16_8` → `11.0.16.1_1` → `11.0.17_8` is one line of
 * releases. Not when both lines carry the same builds (.NET's `4.8-20251014-…` beside `4.8.1-20251014-…` are two
 * products maintained side by side), and never in a family without builds (`1.27-alpine` beside `1.27.3-alpine`).
 */
function flexibleFamilies(entries: ReadTags['entries']): Set<string> {
  const byFamily = new Map<string, Map<string, Set<string>>>();
  for (const { parsed } of entries) {
    const builds = parsed && !parsed.prerelease ? buildsOf(parsed) : [];
    if (!parsed || builds.length === 0) continue;
    const key = familyKey(parsed);
    const releases = byFamily.get(key) ?? new Map<string, Set<string>>();
    const release = parsed.release.join('.');
    releases.set(release, (releases.get(release) ?? new Set()).add(builds.join('.')));
    byFamily.set(key, releases);
  }
  const out = new Set<string>();
  for (const [key, releases] of byFamily) {
    if ([...releases.keys()].some((r) => extendsAnother(r, releases))) out.add(key);
  }
  return out;
}

/** `11.0.16.1` when `11.0.16` is there too, with none of the same builds. */
function extendsAnother(release: string, releases: ReadonlyMap<string, ReadonlySet<string>>): boolean {
  const parts = release.split('.');
  const builds = releases.get(release) ?? new Set();
  for (let n = parts.length - 1; n >= 1; n--) {
    const shorter = releases.get(parts.slice(0, n).join('.'));
    if (shorter && !shareAny(builds, shorter)) return true;
  }
  return false;
}

/** Walks the smaller set, so a family is O(its tags) whatever a registry lists: 125k builds of `1.0` cost no more. */
function shareAny(a: ReadonlySet<string>, b: ReadonlySet<string>): boolean {
  const [small, large] = a.size <= b.size ? [a, b] : [b, a];
  for (const x of small) if (large.has(x)) return true;
  return false;
}
