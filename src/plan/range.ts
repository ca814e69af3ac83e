import { parseChartVersion } from '../versions/parse.js';
import type { PickedTarget } from '../versions/pick.js';
import { rangeAllows, rangeFloor, replaceRange } from '../versions/range-rewrite.js';
import { readKey, type TagIndex } from '../versions/tags.js';
import {
  makeUpdate, newDigestFor, pickKind, pickUnderAge, settingsFor, stays,
  type DependencyInput, type DependencyResult,
} from './dependency.js';
import type { UnchangedKind, Update } from './types.js';

interface Held {
  kind: UnchangedKind;
  text: string;
}

/**
 * A version range (`version: ~1.2` in Chart.yaml, `version: 1.x` in a HelmRelease, an OCIRepository `ref.semver`).
 * Targets are picked as if the range's floor (`~1.2` → 1.2.0) were the current version, so update types and
 * `separateMajor` mean what they mean elsewhere; then per target, `rangeStrategy` decides:
 * `keep` reports whether the range allows the newest version, `pin` writes that version, `replace` rewrites the range
 * in its own style when it does not already allow it.
 */
export async function planRange(input: DependencyInput, range: string): Promise<DependencyResult> {
  const { dep } = input;
  const floor = rangeFloor(range);
  if (floor === null) return stays(dep, 'range', `version range "${range}" is left alone: not a range Tidemark reads`, []);
  const aged = await pickUnderAge(input, prefixLike(range, input.tags) + floor, { scheme: 'semver', versioning: null });
  const { targets, verdicts } = aged.pick;
  const newest = targets.at(-1);
  if (!newest) {
    const why = aged.pick.reason ?? 'up to date';
    return stays(dep, pickKind(aged.pick), why === 'up to date' ? `version range "${range}" is up to date` : `version range "${range}" is left alone: ${why}`, verdicts);
  }
  const updates: Update[] = [];
  const held: Held[] = [];
  for (const target of targets) {
    const outcome = await planTarget(input, range, target, target === newest, aged.notes.get(target.version));
    if ('kind' in outcome) held.push(outcome);
    else if (outcome.update) updates.push(outcome.update);
  }
  if (updates.length > 0) return { updates, unchanged: null, candidates: verdicts };
  const text = held.map((h) => h.text).join('; ');
  return stays(dep, strongest(held), `version range "${range}" is left alone: ${text}`, verdicts);
}

async function planTarget(
  input: DependencyInput, range: string, target: PickedTarget, isNewest: boolean, ageNote: string | undefined,
): Promise<Held | { update: Update | null }> {
  const s = settingsFor(input, target.updateType);
  const parsed = parseChartVersion(target.version);
  const allowed = parsed !== null && rangeAllows(range, parsed);
  if (s.rangeStrategy === 'keep' || (s.rangeStrategy === 'replace' && allowed)) {
    // Only the newest version is worth a sentence: `^1.2.0` allowing 1.9.0 matters less than it not allowing 2.1.0.
    if (!isNewest) return { update: null };
    const text = allowed ? `it allows the newest version ${target.version}` : `the newest version ${target.version} is outside it`;
    return { kind: allowed ? 'up-to-date' : 'range', text };
  }
  const newValue = s.rangeStrategy === 'pin' ? target.version : parsed && replaceRange(range, parsed);
  if (!newValue) return { kind: 'range', text: `it cannot be rewritten safely to allow ${target.version}` };
  if (!s.enabled && !input.approved) {
    return { kind: 'disabled', text: `${target.updateType} update to ${newValue} disabled by ${s.disabledBy}` };
  }
  const digest = await newDigestFor(input, target.version, s);
  if (digest.missing) return { kind: 'no-digest', text: `no digest found for ${target.version}, and the reference is pinned by digest` };
  const what = target.updateType === 'major' ? 'newest major version' : 'newest minor/patch version';
  const reason = s.rangeStrategy === 'pin' ? `${newValue} is the ${what}` : `${newValue} allows ${target.version}, the ${what}`;
  const note = s.rangeStrategy === 'pin' ? `pinned from the range "${range}", rangeStrategy pin` : `was "${range}", rangeStrategy replace`;
  return { update: makeUpdate(input, { version: newValue, updateType: target.updateType }, digest.value, reason, [note, ageNote], s) };
}

/** Held for several reasons: the one a reader can act on first (an approval), then the deliberate ones. */
function strongest(held: Held[]): UnchangedKind {
  const order: UnchangedKind[] = ['disabled', 'range', 'no-digest', 'up-to-date'];
  return order.find((k) => held.some((h) => h.kind === k)) ?? 'range';
}

/**
 * `v` when the chart's versions are written `v1.2.3` (cert-manager), so the floor is read in the same tag family.
 * Example: range `~v1.15` or releases mostly `v1.x.y` → `v`.
 */
function prefixLike(range: string, tags: TagIndex): string {
  if (/(^|[\s,<>=~^])v\d/i.test(range)) return 'v';
  let withV = 0;
  let plain = 0;
  // The same reading the pick uses (scheme semver, no versioning regex): chart versions are read once per package.
  for (const { parsed: p } of tags.read(readKey('semver', null), parseChartVersion).entries) {
    if (p?.prefix) withV++;
    else if (p) plain++;
  }
  return withV > plain ? 'v' : '';
}
