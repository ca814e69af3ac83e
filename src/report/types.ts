import type { UpdateType } from '../config/types.js';
import type { Datasource, Problem } from '../scan/types.js';

/** One repository's outcome, as `report` and `run-all --report-dir` hand it over: its plan, or why there is none. */
export type RepoInput = { repo: string; plan: import('../plan/types.js').Plan } | { repo: string; error: string };

/**
 * What became of one use in the plan:
 * - `update`: it would move (`newValue`, maybe only a new digest);
 * - `current`: looked up, nothing newer in its tag family;
 * - `held`: looked up, newer versions exist or it cannot be compared, and it stays (`note` says why);
 * - `failed`: its lookup failed (`note` names the host and what went wrong): never shown as current;
 * - `skipped`: not looked up (templated, floating, local chart, ignored, disabled by a rule).
 */
export type UseStatus = 'update' | 'current' | 'held' | 'failed' | 'skipped';

/**
 * How far behind a use (or, its worst use, a package) is. `rank`: 5 major, 4 minor, 3 patch, 2 digest or pin,
 * 1 unknown (a failed lookup), 0 not behind. `amount`: versions in that part (`1.2.0` → `3.0.0` is 2 major).
 */
export interface Behind {
  rank: number;
  amount: number;
  /** `+2 major`, `+1 minor`, `new digest`, `unknown`; '' when not behind. */
  label: string;
}

export interface ReportUse {
  repo: string;
  /** Position of the repository in `FleetReport.repositories`. */
  repoIndex: number;
  file: string;
  line: number;
  environment: string | null;
  currentValue: string | null;
  currentDigest: string | null;
  /** The highest version this use would move to (its current version for a digest-only update); null if none. */
  newValue: string | null;
  updateType: UpdateType | null;
  status: UseStatus;
  /** Why it stays, or which lookup failed; null for updates and current uses. */
  note: string | null;
  behind: Behind;
}

export interface ReportPackage {
  /** As `plan` prints it; charts prefixed with their repository (`charts.example.com/stable/web`, `ghcr.io/acme/charts/web`). */
  name: string;
  datasource: Datasource;
  /** See `newestOf`: null when no lookup of it succeeded. */
  newest: string | null;
  /** The uses' current versions differ (digests ignored). */
  drift: boolean;
  /** Ordered by repository (as given), file, line. */
  uses: ReportUse[];
  /** Its furthest-behind use. */
  behind: Behind;
}

export interface ReportRepository {
  repo: string;
  /** Every dependency scanned, skipped ones included. */
  dependencies: number;
  /** Plan `updates[]` entries. */
  updates: number;
  /** Scan problems, failed lookups, or the error that stopped the repository. */
  problems: Problem[];
  /** Why the repository has no plan (clone failed, bad config, timed out); null when it ran. */
  error: string | null;
}

export interface FleetReport {
  generatedAt: Date;
  /** In the order given. */
  repositories: ReportRepository[];
  /** Ordered by name, then datasource. */
  packages: ReportPackage[];
}
