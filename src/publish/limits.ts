import type { TidemarkConfig } from '../config/types.js';
import type { PullRequest } from './types.js';

const HOUR_MS = 60 * 60 * 1000;

/**
 * `prConcurrentLimit` and `prHourlyLimit` (0 = unlimited). Only new PRs (new branches on plain git) count;
 * updating an existing one is never held back.
 */
export class PrLimits {
  private open: number;
  private lastHour: number;

  constructor(
    private readonly config: Pick<TidemarkConfig, 'prConcurrentLimit' | 'prHourlyLimit'>,
    existing: { openCount: number; openPrs: readonly PullRequest[] },
    now: number = Date.now(),
  ) {
    this.open = existing.openCount;
    this.lastHour = existing.openPrs.filter((pr) => pr.createdAt && now - Date.parse(pr.createdAt) < HOUR_MS).length;
  }

  /** Why no new PR may be opened now, or null. */
  blocked(): string | null {
    const { prConcurrentLimit: concurrent, prHourlyLimit: hourly } = this.config;
    if (concurrent > 0 && this.open >= concurrent) return `concurrent PR limit (${concurrent}) reached`;
    if (hourly > 0 && this.lastHour >= hourly) return `hourly PR limit (${hourly}) reached`;
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
