import type { Unchanged, UnchangedKind } from '../../plan/types.js';

/**
 * Why a dependency did not move, on the dashboard. Taken from the planner's `kind`; only an `Unchanged` without one
 * (built before kinds existed) is read from its reason sentence:
 * - `disabled`     "disabled by rule 'freeze databases'"         → an approval can open it
 * - `too-new`      "1.28.0 is too new (minimum release age 3 days)" → an approval can open it
 * - `rule`         "no newer version allowed: 2.0.0 is outside allowedVersions "<2""  → shown; the range is deliberate
 * - `lookup-failed` "lookup failed: registry answered 500"        → shown, an approval cannot help
 * - `skipped`      the scanner marked it (templated, unpinned…)  → shown, nothing to approve
 * - `up-to-date`   "up to date"                                  → not shown
 * - `other-family` "no newer tag in the X.Y.Z_*-jdk family; newest overall 22-jdk" → shown: moving is a choice to make by hand
 * - `other`        anything else                                 → shown, no checkbox
 */
export type HeldKind = 'disabled' | 'too-new' | 'rule' | 'lookup-failed' | 'skipped' | 'up-to-date' | 'other-family' | 'other';

const PATTERNS: [HeldKind, RegExp][] = [
  ['up-to-date', /^\s*(up to date|already (at|on) the newest)/i],
  ['other-family', /^no newer (tag|version) in the .* family/],
  ['lookup-failed', /lookup failed|could not (look up|fetch|reach)|registry (error|answered)|unreachable|\btimed? ?out\b/i],
  ['too-new', /minimum ?release ?age|too new|released less than/i],
  ['disabled', /disabled|enabled: ?false|not enabled/i],
  ['rule', /no newer version allowed|allowedVersions|outside .*range|pre-?release/i],
];

/** The planner's kinds as the dashboard shows them: a deliberate range or rule is `rule`, the odd cases `other`. */
const BY_KIND: Record<UnchangedKind, HeldKind> = {
  skipped: 'skipped',
  disabled: 'disabled',
  'up-to-date': 'up-to-date',
  'other-family': 'other-family',
  'not-allowed': 'rule',
  'too-new': 'too-new',
  'lookup-failed': 'lookup-failed',
  'not-a-version': 'other',
  'no-digest': 'other',
  range: 'rule',
};

export function classifyUnchanged(u: Unchanged): HeldKind {
  if (u.kind) return BY_KIND[u.kind];
  if (u.dependency.skipReason) return 'skipped';
  for (const [kind, re] of PATTERNS) if (re.test(u.reason)) return kind;
  return 'other';
}

/** Kinds a ticked checkbox can override on the next run: the planner lifts `enabled: false` and the minimum age for approved packages. */
export const APPROVABLE: ReadonlySet<HeldKind> = new Set(['disabled', 'too-new']);

/** One line of the dashboard: a package held back in one or more files, for one reason. */
export interface HeldPackage {
  name: string;
  kind: HeldKind;
  reason: string;
  files: string[];
}

/** Groups unchanged dependencies by package and reason, in order of first appearance; up-to-date ones left out. */
export function heldPackages(unchanged: Unchanged[]): HeldPackage[] {
  const byKey = new Map<string, HeldPackage>();
  for (const u of unchanged) {
    const kind = classifyUnchanged(u);
    if (kind === 'up-to-date') continue;
    const reason = kind === 'skipped' ? `not updatable: ${u.dependency.skipReason}` : u.reason;
    const key = `${u.dependency.name}\u0000${reason}`;
    const entry = byKey.get(key) ?? { name: u.dependency.name, kind, reason, files: [] };
    const where = `${u.dependency.file}:${u.dependency.line}`;
    if (!entry.files.includes(where)) entry.files.push(where);
    byKey.set(key, entry);
  }
  return [...byKey.values()];
}
