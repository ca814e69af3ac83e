import type { UpdateType } from '../config/types.js';
import { compareParsed } from '../versions/compare.js';
import { parseVersion } from '../versions/parse.js';
import type { ParsedVersion, SchemeName } from '../versions/types.js';
import type { Behind } from './types.js';

export const NOT_BEHIND: Behind = { rank: 0, amount: 0, label: '' };
/** A failed lookup: how far behind is not known, which is worse than a new digest and better than a known version. */
export const UNKNOWN: Behind = { rank: 1, amount: 0, label: 'unknown' };

/** Parses a version of a scheme; `versionReader` memoises it for one report, where the same tags recur in every repository. */
export type ReadVersion = (value: string, scheme: SchemeName) => ParsedVersion | null;

export function versionReader(): ReadVersion {
  const seen = new Map<string, ParsedVersion | null>();
  return (value, scheme) => {
    const key = `${scheme}\u0000${value}`;
    let parsed = seen.get(key);
    if (parsed === undefined) {
      parsed = parseVersion(value, scheme);
      seen.set(key, parsed);
    }
    return parsed;
  };
}

const RANK: Record<UpdateType, number> = { major: 5, minor: 4, patch: 3, digest: 2, pin: 2 };
const PART: Partial<Record<UpdateType, number>> = { major: 0, minor: 1, patch: 2 };

/** `1.2.0` → `3.0.0` (major) is `+2 major`; a digest update is `new digest`, a pin `pin digest`. */
export function behindOf(
  current: string | null, update: { newValue: string; updateType: UpdateType }, scheme: SchemeName, read: ReadVersion = parseVersion,
): Behind {
  const type = update.updateType;
  if (type === 'digest' || type === 'pin') return { rank: RANK[type], amount: 0, label: type === 'pin' ? 'pin digest' : 'new digest' };
  const part = PART[type] ?? 0;
  const from = current === null ? null : read(current, scheme);
  const to = read(update.newValue, scheme);
  const diff = (to?.release[part] ?? 0) - (from?.release[part] ?? 0);
  const amount = Number.isSafeInteger(diff) && diff > 0 ? diff : 1;
  return { rank: RANK[type], amount, label: `+${amount} ${type}` };
}

/** The further behind of two. */
export function worse(a: Behind, b: Behind): Behind {
  return b.rank > a.rank || (b.rank === a.rank && b.amount > a.amount) ? b : a;
}

/**
 * The highest of `values` as versions of `scheme`, stable ones first (`1.2.0` over `1.3.0-rc.1`). Values that do not
 * read as versions (a floating tag, a custom scheme) count only when none does, and then only without `versionsOnly`.
 */
export function highestVersion(
  values: readonly string[], scheme: SchemeName, opts: { versionsOnly?: boolean; read?: ReadVersion } = {},
): string | null {
  const read = opts.read ?? parseVersion;
  const parsed = values.flatMap((v) => {
    const p = read(v, scheme);
    return p ? [p] : [];
  });
  const stable = parsed.filter((p) => p.prerelease === null);
  const pool = stable.length > 0 ? stable : parsed;
  let best: ParsedVersion | null = null;
  for (const p of pool) if (best === null || compareParsed(p, best) > 0) best = p;
  if (best) return best.raw;
  return opts.versionsOnly ? null : (values[0] ?? null);
}
