import type { TidemarkConfig } from '../config/types.js';
import type { PullRequest } from './types.js';

/** The config key that held a branch back. */
export type PrLimitName = 'prConcurrentLimit' | 'prHourlyLimit';

export const HOUR_MS = 60 * 60 * 1000;

/**
 * `prConcurrentLimit` and `prHourlyLimit` (0 = unlimited). Only new PRs (new branches on plain git) count;
 * updating an existing one is never held back.
 */
export class PrLimits {
  private open: number;
  private lastHour: number;

  constructor(
    private readonly config: Pick<TidemarkConfig, 'prConcurrentLimit' | 'prHourlyLimit'>,
    /** `createdLastHour`: plain git's count (its branches have no PR to date them); else the PRs' `createdAt` are. */
    existing: { openCount: number; openPrs: readonly PullRequest[]; createdLastHour?: number },
    now: number = Date.now(),
  ) {
    this.open = existing.openCount;
    this.lastHour = existing.createdLastHour ?? existing.openPrs.filter((pr) => pr.createdAt && now - Date.parse(pr.createdAt) < HOUR_MS).length;
  }

  /** Which limit keeps a new PR from opening now, and the sentence that says so; null when one may open. */
  blocked(): { limit: PrLimitName; detail: string } | null {
    const { prConcurrentLimit: concurrent, prHourlyLimit: hourly } = this.config;
    if (concurrent > 0 && this.open >= concurrent) return { limit: 'prConcurrentLimit', detail: `concurrent PR limit (${concurrent}) reached` };
    if (hourly > 0 && this.lastHour >= hourly) return { limit: 'prHourlyLimit', detail: `hourly PR limit (${hourly}) reached` };
    return null;
  }

  opened(): void {
    this.open++;
    this.lastHour++;
  }

  closed(): void {
    this.open = Math.max(0, this.open - 1);
  }
}

/**
 * `held back by prHourlyLimit: 5 branches` (and the same for prConcurrentLimit): what the limits kept from opening
 * this run, in the words of the config key that does it, so the reader knows what to change. Empty when nothing was.
 */
export function heldBackSentences(skipped: readonly { heldBy?: PrLimitName }[]): string[] {
  const out: string[] = [];
  for (const limit of ['prConcurrentLimit', 'prHourlyLimit'] as const) {
    const n = skipped.filter((o) => o.heldBy === limit).length;
    if (n > 0) out.push(`held back by ${limit}: ${n} ${n === 1 ? 'branch' : 'branches'}`);
  }
  return out;
}
