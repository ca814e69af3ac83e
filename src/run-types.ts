import type { Logger } from './log.js';
import type { HostRule } from './lookup/host-rules.js';
import type { ReleaseSourceOptions } from './lookup/index.js';
import type { Plan } from './plan/types.js';
import type { GitAuthor } from './publish/author.js';
import type { OnProgress } from './progress.js';
import type { PlatformKind } from './publish/types.js';
import type { Problem } from './scan/types.js';

/** Everything one run over one repository needs. Entry points (cli, action, cron) only build this. */
export interface RunOptions {
  /** Local checkout of the repository (at the head of the base branch). */
  dir: string;
  platform: PlatformKind;
  /** `owner/name` (GitHub), `group/project` (GitLab); null for plain git. */
  repo: string | null;
  /** GitHub Enterprise API base URL or GitLab host; null for the public service. */
  endpoint: string | null;
  /** Token for the platform API, from the environment (publish/token.ts); never logged. */
  token: string | null;
  /** `token` is GitLab CI's job token (`CI_JOB_TOKEN`): a `JOB-TOKEN` header for the API, user `gitlab-ci-token` for git. */
  jobToken?: boolean;
  /** git platform: the remote to push to (name or URL); default `origin`. */
  remote: string | null;
  dryRun: boolean;
  /** Config file path relative to dir; null to look in the usual places. */
  configPath: string | null;
  cacheDir: string | null;
  /** The lookup cache shared by every process (Redis, `run-all --redis-url`); used instead of `cacheDir`. */
  sharedCache?: ReleaseSourceOptions['sharedCache'];
  /** Where to write the plan JSON; null for none. */
  planOut: string | null;
  logger: Logger;
  /**
   * The operator's host rules (lookup/host-rules.ts): which credential may go to which registry host. `token` reaches a
   * registry only through a `platformToken: true` rule. Default none.
   */
  hostRules?: readonly HostRule[];
  /** The operator's commit author (`TIDEMARK_GIT_AUTHOR`): wins over the repository config's `author`. */
  author?: GitAuthor | null;
  /**
   * The operator's `TIDEMARK_RELEASE_NOTES` (review/run-notes.ts): false reads no release notes for any repository,
   * whatever its config says. Default true (a repository's `releaseNotes: false` still turns them off for it).
   */
  releaseNotes?: boolean;
  /** The token's own bot identity when the entry point knows it (the Action's workflow token); used when the config sets no author. */
  platformAuthor?: GitAuthor | null;
  /** Dry-run output (unified diffs, summary table): stdout by default. */
  print?: (text: string) => void;
  /**
   * Aborted at the repository's deadline (`run-all --repo-timeout`): lookups fail at once, and `run()` stops before
   * its next stage and before each publish step, so nothing is pushed after it. Its reason is what the run throws.
   */
  signal?: AbortSignal;
  /** Told each phase as it starts (scan, lookups N of M, publish): a terminal's progress display. */
  onProgress?: OnProgress;
}

export interface BranchOutcome {
  branch: string;
  pr: { number: number; url: string } | null;
  detail: string;
  /** Set on a skipped branch that a PR limit held back: it opens on a later run, when the limit allows. */
  heldBy?: 'prConcurrentLimit' | 'prHourlyLimit';
}

export interface RunSummary {
  repo: string;
  opened: BranchOutcome[];
  updated: BranchOutcome[];
  closed: BranchOutcome[];
  /** Branches left alone, and why (human commits, PR closed by the user, limits, unchanged). */
  skipped: BranchOutcome[];
  /**
   * A dry run only: every branch that has an edit and would be pushed. A dry run reads no platform, so a branch whose
   * PR is already open is counted here too (a real run would update it). Absent outside a dry run.
   */
  wouldOpen?: BranchOutcome[];
  problems: Problem[];
  /** Some lookup or publish step failed; the rest of the run went on. */
  partialFailure: boolean;
  plan: Plan;
}
