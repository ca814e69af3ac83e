import { formatDuration, parseDuration } from '../config/duration.js';
import type { EffectiveSettings } from '../config/rules.js';
import { knownReleaseTime } from '../lookup/release-time.js';
import type { PackageRef, PackageReleases, ReleaseSource } from '../lookup/types.js';

export interface AgeVerdict {
  /** Why the version must wait; null when it may go. */
  blocked: string | null;
  /** Said in the update's reason: the registry gave no time and the rules allow it anyway. */
  note: string | null;
}

/**
 * Minimum release age for one package. Release times come from the index when it has them (Helm `created`),
 * otherwise from the registry, lazily: only for versions about to be picked.
 */
export class ReleaseAges {
  private readonly known = new Map<string, Date | null>();

  constructor(
    private readonly source: ReleaseSource,
    private readonly pkg: PackageRef,
    releases: PackageReleases,
    private readonly now: Date,
  ) {
    for (const r of releases.releases) {
      const time = knownReleaseTime(r.releaseTimestamp);
      if (time) this.known.set(r.version, time);
    }
  }

  async check(version: string, settings: EffectiveSettings): Promise<AgeVerdict> {
    const min = settings.minimumReleaseAge ? parseDuration(settings.minimumReleaseAge) : null;
    if (min === null) return { blocked: null, note: null };
    const time = await this.timeOf(version);
    if (time === null) {
      return settings.minimumReleaseAgeMissing === 'wait'
        ? { blocked: 'without a release time, and minimumReleaseAgeMissing is wait', note: null }
        : { blocked: null, note: 'release time unknown, allowed by minimumReleaseAgeMissing: allow' };
    }
    const age = this.now.getTime() - time.getTime();
    if (age >= min) return { blocked: null, note: null };
    const ago = age < 0 ? 'in the future' : `${formatDuration(age)} ago`;
    return { blocked: `too new: released ${ago}, minimumReleaseAge is ${settings.minimumReleaseAge}`, note: null };
  }

  private async timeOf(version: string): Promise<Date | null> {
    if (!this.known.has(version)) this.known.set(version, knownReleaseTime(await this.source.releaseTime(this.pkg, version)));
    return this.known.get(version) ?? null;
  }
}
