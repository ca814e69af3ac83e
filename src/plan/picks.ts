import type { PackageReleases } from '../lookup/types.js';
import { pickTarget, type PickPolicy, type PickResult } from '../versions/pick.js';

/** Distinct questions remembered per package; past it picks are computed as before, unremembered. */
const MAX_REMEMBERED = 256;

/**
 * One package's version picks for all its references. `pickTarget` reads every tag of the package each time it runs, so
 * the planner asks it once per distinct question (current value + policy + versions ruled out) and references that pin
 * the same value under the same settings share the answer: a package pinned in 300 files at 3 versions parses its tags
 * 3 times, not 300. The candidate list is built once per package too. Pure: a memo, not a change of meaning.
 */
export class PackagePicks {
  private readonly versions: string[];
  private readonly memo = new Map<string, PickResult>();

  constructor(releases: PackageReleases) {
    this.versions = [...new Set(releases.releases.map((r) => r.version))];
  }

  pick(current: string, policy: PickPolicy): PickResult {
    const key = JSON.stringify([
      current, policy.scheme, policy.versioning ?? null, policy.allowPrerelease ?? null, policy.allowedVersions ?? null,
      policy.separateMajor ?? null, [...(policy.blocked ?? new Map<string, string>())].sort(),
    ]);
    const known = this.memo.get(key);
    if (known) return known;
    const result = pickTarget(current, this.versions, policy);
    if (this.memo.size < MAX_REMEMBERED) this.memo.set(key, result);
    return result;
  }
}
