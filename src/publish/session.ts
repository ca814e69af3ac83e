import type { TidemarkConfig } from '../config/types.js';
import type { Logger } from '../log.js';
import type { NotesProvider } from '../review/notes.js';
import type { BranchOutcome, RunSummary } from '../run-types.js';
import type { PrLimitName, PrLimits } from './limits.js';
import type { Platform, PullRequest } from './types.js';

export interface PublishContext {
  dir: string;
  config: TidemarkConfig;
  dryRun: boolean;
  logger: Logger;
  print: (s: string) => void;
  /** Reads a file of the base checkout, path relative to `dir`. */
  readFile(path: string): Promise<string>;
  /** The repository's deadline: once aborted, no further branch is pushed and no PR opened or edited. */
  signal?: AbortSignal;
  /** Release notes for a branch's updates, asked only for branches whose PR is opened, updated or printed. */
  releaseNotes?: NotesProvider;
  /** The PR body's size limit a dry run prints to: the platform's (`--platform gitlab` allows more); default GitHub's. */
  bodyLimit?: number;
}

export type PublishSummary = Omit<RunSummary, 'repo' | 'plan'>;

/** What every step of one publish run shares. */
export interface Session {
  platform: Platform;
  ctx: PublishContext;
  base: { name: string; sha: string };
  limits: PrLimits;
  summary: PublishSummary;
  /** The repository's default branch, never pushed to even when it is not the base; null when unknown. */
  defaultBranch?: string | null;
}

export function skip(s: Session, branch: string, pr: PullRequest | null, detail: string): void {
  record(s, 'skipped', branch, pr, detail);
}

/** A branch a PR limit keeps from opening this run: skipped, and marked so the summary and dashboard can count it. */
export function holdBack(s: Session, branch: string, held: { limit: PrLimitName; detail: string }): void {
  record(s, 'skipped', branch, null, held.detail);
  const outcome = s.summary.skipped.at(-1);
  if (outcome) outcome.heldBy = held.limit;
}

export function record(
  s: Session,
  kind: 'opened' | 'updated' | 'closed' | 'skipped',
  branch: string,
  pr: PullRequest | null,
  detail: string,
  then?: () => void,
): void {
  const outcome: BranchOutcome = { branch, pr: pr ? { number: pr.number, url: pr.url } : null, detail };
  s.summary[kind].push(outcome);
  s.ctx.logger.info(`branch ${kind}`, { branch, detail, ...(pr ? { pr: pr.number } : {}) });
  then?.();
}

/** One failed step (a branch, closing one PR) as a problem and a partial failure; the caller goes on with the rest. */
export function fail(s: Session, what: string, branch: string | null, err: unknown): void {
  const message = err instanceof Error ? err.message : String(err);
  s.ctx.logger.error('publishing failed', { branch: what, error: message });
  s.summary.problems.push({ file: '', line: 0, message: `${what}: ${message}` });
  if (branch) s.summary.skipped.push({ branch, pr: null, detail: `failed: ${message}` });
  s.summary.partialFailure = true;
}
