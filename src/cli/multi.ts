import { createHash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pLimit from 'p-limit';
import { oneLine } from '../escape.js';
import { TidemarkError, UsageError } from '../errors.js';
import { type Logger, type LogMeta, withoutCredentials } from '../log.js';
import type { HostRule } from '../lookup/host-rules.js';
import { countFailures, failureSentence } from '../plan/failures.js';
import type { GitAuthor } from '../publish/author.js';
import { heldBackSentences } from '../publish/limits.js';
import type { ProgressEvent } from '../progress.js';
import type { PlatformKind } from '../publish/types.js';
import { reportRepoName, type RepoInput } from '../report/index.js';
import type { RunOptions, RunSummary } from '../run-types.js';
import { type CloneFn, cloneUrl, gitClone } from './clone.js';

export type RepoStatus = 'ok' | 'partial' | 'failed' | 'skipped';

export interface RepoResult {
  repo: string;
  status: RepoStatus;
  summary: RunSummary | null;
  /** Why it failed or was skipped; null when it ran. */
  error: string | null;
  durationMs: number;
}

export interface MultiOptions {
  repos: string[];
  platform: PlatformKind;
  token: string | null;
  /** `token` is GitLab CI's job token (see RunOptions.jobToken). */
  jobToken?: boolean;
  endpoint: string | null;
  /** Clone from here instead of the platform's host (`file:///srv/git`). */
  gitBaseUrl: string | null;
  concurrency: number;
  dryRun: boolean;
  configPath: string | null;
  cacheDir: string | null;
  /** The lookup cache every repository (and every other shard) shares: Redis, from `--redis-url`. */
  sharedCache?: RunOptions['sharedCache'];
  /** A directory to write one plan JSON per repository into; null for none. */
  planDir: string | null;
  /** The operator's commit author (`TIDEMARK_GIT_AUTHOR`), passed to every repository's run. */
  author?: GitAuthor | null;
  /** The operator's `TIDEMARK_RELEASE_NOTES=off`: false reads no release notes in any repository. */
  releaseNotes?: boolean;
  /** The operator's host rules, passed to every repository's run. */
  hostRules?: readonly HostRule[];
  logger: Logger;
  /** Once aborted, no new repository starts; those running finish. */
  signal?: AbortSignal;
  /** Called as each repository finishes (a TTY progress line); `done` counts finished ones. */
  onResult?: (result: RepoResult, done: number, total: number) => void;
  /** Told each phase of each repository's run (scan, lookups N of M, publish), with the repository as shown. */
  onProgress?: (repo: string, event: ProgressEvent) => void;
  clone?: CloneFn;
  run: (opts: RunOptions) => Promise<RunSummary>;
  now?: () => number;
  /**
   * One repository's clone and run together; past it the repository is `failed` with `timed out after 30m`, its
   * work is aborted (its `RunOptions.signal`), and the other repositories go on. Default 30 minutes.
   */
  repoTimeoutMs?: number;
  /** Resolves after `ms`, or as soon as `signal` aborts; tests pass a fake. */
  timer?: (ms: number, signal: AbortSignal) => Promise<void>;
}

/** One repository's clone and run when no `--repo-timeout` is given: long enough for a large monorepo's run, short enough to keep a cron slot. */
export const DEFAULT_REPO_TIMEOUT_MS = 30 * 60_000;

/** Runs every repository: clone to a temp dir, `run()`, clean up. One failure never stops the others. */
export async function runMany(opts: MultiOptions): Promise<RepoResult[]> {
  const root = await mkdtemp(join(tmpdir(), 'tidemark-'));
  const limit = pLimit(Math.max(1, opts.concurrency));
  let done = 0;
  try {
    return await Promise.all(
      opts.repos.map((repo, i) =>
        limit(async () => {
          const result = opts.signal?.aborted ? skipped(repo) : await runOne(opts, repo, join(root, `${i}-${safeName(repo)}`));
          done += 1;
          opts.onResult?.(result, done, opts.repos.length);
          return result;
        }),
      ),
    );
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}

/**
 * Clones and runs one repository within its deadline. When the deadline passes first the result is `failed` at
 * once and the run's signal aborts: lookups fail at once, and `run()` stops before its next stage or publish step.
 */
async function runOne(opts: MultiOptions, repo: string, dir: string): Promise<RepoResult> {
  const now = opts.now ?? Date.now;
  const started = now();
  // A plain-git repository may be `https://ci:password@host/x.git`: results and logs show it without the password.
  const shown = withoutCredentials(repo);
  const logger = withMeta(opts.logger, { repo: shown });
  const failed = (error: string): RepoResult => ({ repo: shown, status: 'failed', summary: null, error, durationMs: now() - started });
  const limitMs = opts.repoTimeoutMs ?? DEFAULT_REPO_TIMEOUT_MS;
  const deadline = new AbortController();
  const finished = new AbortController();
  const expired = (opts.timer ?? realTimer)(limitMs, finished.signal).then((): RepoResult | null => {
    if (finished.signal.aborted) return null;
    const error = `timed out after ${formatDuration(limitMs)}`;
    deadline.abort(new TidemarkError(error));
    logger.error('repository timed out; its work is aborted', { error });
    return failed(error);
  });
  const work = cloneAndRun(opts, repo, dir, logger, deadline.signal, shown).then(
    (summary): RepoResult => ({ repo: shown, status: summary.partialFailure ? 'partial' : 'ok', summary, error: null, durationMs: now() - started }),
    (err: unknown): RepoResult => {
      const error = withoutCredentials(err instanceof Error ? err.message : String(err));
      if (!deadline.signal.aborted) logger.error('repository failed', { error });
      return failed(error);
    },
  );
  try {
    return await Promise.race([work, expired.then((timedOut) => timedOut ?? work)]);
  } finally {
    finished.abort();
    await rm(dir, { recursive: true, force: true });
  }
}

async function cloneAndRun(opts: MultiOptions, repo: string, dir: string, logger: Logger, signal: AbortSignal, shown: string): Promise<RunSummary> {
  const clone = opts.clone ?? gitClone;
  logger.debug('cloning repository');
  await clone({
    url: cloneUrl(repo, opts.platform, opts.endpoint, opts.gitBaseUrl),
    dir,
    platform: opts.platform,
    token: opts.token,
    ...(opts.jobToken && { jobToken: true }),
    shallow: opts.platform !== 'git',
    signal,
  });
  signal.throwIfAborted();
  return opts.run({
    dir,
    platform: opts.platform,
    repo: opts.platform === 'git' ? null : repo,
    endpoint: opts.endpoint,
    token: opts.token,
    ...(opts.jobToken && { jobToken: true }),
    remote: null,
    dryRun: opts.dryRun,
    configPath: opts.configPath,
    cacheDir: opts.cacheDir,
    ...(opts.sharedCache && { sharedCache: opts.sharedCache }),
    planOut: opts.planDir ? join(opts.planDir, `${safeName(repo)}.json`) : null,
    ...(opts.hostRules && opts.hostRules.length > 0 && { hostRules: opts.hostRules }),
    ...(opts.author && { author: opts.author }),
    ...(opts.releaseNotes === false && { releaseNotes: false }),
    logger,
    signal,
    ...(opts.onProgress && { onProgress: (event: ProgressEvent) => opts.onProgress?.(shown, event) }),
  });
}

/** A real timer that also ends (without waiting it out) when `signal` aborts. */
export function realTimer(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const done = (): void => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });
}

function skipped(repo: string): RepoResult {
  return { repo: withoutCredentials(repo), status: 'skipped', summary: null, error: 'stopping: not started', durationMs: 0 };
}

/**
 * `https://git.example.com/a/b.git` → `git.example.com_a_b.git`: a file name for any repository string. A URL's user
 * info is dropped, never part of the name: `https://ci:pass@git.example.com/a/b.git` gives the same name.
 */
function safeName(repo: string): string {
  return repo.replace(/^[a-z][a-z0-9+.-]*:\/\/(?:[^/@]*@)?/i, '').replace(/[^A-Za-z0-9._-]+/g, '_');
}

/** Every message this logger writes carries `meta` (the repository, so concurrent runs' JSON lines can be told apart). */
export function withMeta(logger: Logger, meta: LogMeta): Logger {
  return {
    debug: (m, x) => logger.debug(m, { ...meta, ...x }),
    info: (m, x) => logger.info(m, { ...meta, ...x }),
    warn: (m, x) => logger.warn(m, { ...meta, ...x }),
    error: (m, x) => logger.error(m, { ...meta, ...x }),
  };
}

/** `" owner/a, owner/b,,owner/a "` → `['owner/a', 'owner/b']`. */
export function parseRepoList(text: string): string[] {
  return [...new Set(text.split(/[,\s]+/).filter((r) => r !== ''))];
}

const DURATION = /^(?<amount>\d+)(?<unit>ms|s|m|h)$/;
const UNIT_MS = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 } as const;

/** `--repo-timeout 30m`: `90s`, `30m`, `2h` (or `500ms`) → milliseconds. */
export function parseDuration(text: string, flag: string): number {
  const m = DURATION.exec(text.trim());
  const amount = Number(m?.groups?.['amount']);
  const unit = m?.groups?.['unit'] as keyof typeof UNIT_MS | undefined;
  if (!unit || !(amount > 0)) throw new UsageError(`${flag} "${text}": expected a duration such as 90s, 30m or 2h`);
  return amount * UNIT_MS[unit];
}

/** `1800000` → `30m`, `90000` → `90s`: the largest unit that divides it. */
export function formatDuration(ms: number): string {
  for (const unit of ['h', 'm', 's'] as const) {
    if (ms % UNIT_MS[unit] === 0) return `${ms / UNIT_MS[unit]}${unit}`;
  }
  return `${ms}ms`;
}

export interface Shard {
  index: number;
  total: number;
}

/** `--shard 2/3`: 1-based, like vitest's and Playwright's `--shard`. */
export function parseShard(text: string): Shard {
  const m = /^(?<index>\d+)\/(?<total>\d+)$/.exec(text.trim());
  const index = Number(m?.groups?.index);
  const total = Number(m?.groups?.total);
  if (!m || total < 1 || index < 1 || index > total) {
    throw new UsageError(`--shard "${text}": expected i/n with 1 <= i <= n, e.g. 1/3`);
  }
  return { index, total };
}

/**
 * The shard this process runs, from `--shard`/`TIDEMARK_SHARD` or else from a Kubernetes Indexed Job: the pod's
 * `JOB_COMPLETION_INDEX` (0-based) with `--shard-count`/`TIDEMARK_SHARD_COUNT` = N is shard `index+1` of N. An explicit
 * shard wins; an index without a count means nothing (a plain Job); a count without an index, an index outside 0..N-1
 * or one that is not a number is a usage error (exit 2), never a silent run over every repository.
 */
export function resolveShard(shard: string | undefined, shardCount: string | undefined, env: NodeJS.ProcessEnv): Shard | null {
  if (shard) return parseShard(shard);
  if (shardCount === undefined || shardCount.trim() === '') return null;
  const total = Number(shardCount.trim());
  if (!/^\d+$/.test(shardCount.trim()) || total < 1) throw new UsageError(`--shard-count "${shardCount}": expected a whole number of shards, 1 or more`);
  const index = env['JOB_COMPLETION_INDEX'];
  if (index === undefined || index.trim() === '') {
    throw new UsageError('--shard-count needs JOB_COMPLETION_INDEX (set by a Kubernetes Indexed Job); outside one, give --shard i/n');
  }
  const i = Number(index.trim());
  if (!/^\d+$/.test(index.trim()) || i >= total) {
    throw new UsageError(`JOB_COMPLETION_INDEX "${index}": expected 0..${total - 1} for --shard-count ${total}`);
  }
  return { index: i + 1, total };
}

/**
 * The repositories in one shard. Membership hangs on a hash of the (lower-cased) name, not list position, so a
 * repository stays in its shard when others are created or archived, and every pod agrees without coordination.
 */
export function selectShard(repos: readonly string[], shard: Shard): string[] {
  return repos.filter((r) => shardOf(r, shard.total) === shard.index);
}

export function shardOf(repo: string, total: number): number {
  const digest = createHash('sha256').update(repo.toLowerCase()).digest();
  return (digest.readUInt32BE(0) % total) + 1;
}

/** The process exit code for a multi-repository run: 1 when any repository failed or partly failed. */
export function exitCodeOf(results: readonly RepoResult[]): number {
  return results.some((r) => r.status === 'failed' || r.status === 'partial') ? 1 : 0;
}

/** The final summary, one line per repository: `owner/a  ok  opened 1, updated 0, closed 2 (3.1s)` (a dry run: `would open 3 (0.4s)`). */
export function formatResults(results: readonly RepoResult[]): string {
  const counts = new Map<RepoStatus, number>();
  for (const r of results) counts.set(r.status, (counts.get(r.status) ?? 0) + 1);
  const tally = (['ok', 'partial', 'failed', 'skipped'] as const)
    .filter((s) => counts.has(s))
    .map((s) => `${counts.get(s)} ${s}`)
    .join(', ');
  const width = results.reduce((w, r) => Math.max(w, r.repo.length), 0);
  const lines = [`Tidemark: ${results.length} ${results.length === 1 ? 'repository' : 'repositories'}${tally ? `: ${tally}` : ''}`];
  // An error may quote a git server or platform (`fatal: remote error: …\n  o/other  ok …`): one line per repository.
  for (const r of results) lines.push(oneLine(`  ${r.repo.padEnd(width)}  ${r.status.padEnd(7)}  ${describeResult(r)}`));
  return lines.join('\n');
}

export function describeResult(r: RepoResult): string {
  if (!r.summary) return r.error ?? '';
  const s = r.summary;
  // A dry run opens, updates and closes nothing: what it would push is its count.
  const counts = s.wouldOpen ? `would open ${s.wouldOpen.length}` : `opened ${s.opened.length}, updated ${s.updated.length}, closed ${s.closed.length}`;
  const failures = countFailures(s.plan);
  const held = heldBackSentences(s.skipped).map((h) => `; ${h}`).join('');
  return `${counts}${held}${failures ? `; ${failureSentence(failures)}` : ''} (${(r.durationMs / 1000).toFixed(1)}s)`;
}

/** Each repository's plan for the fleet report, named as given (plain git: the URL's last segment), or why it has none. */
export function reportInputs(results: readonly RepoResult[], platform: PlatformKind): RepoInput[] {
  return results.map((r) => {
    const repo = reportRepoName(r.repo, platform);
    return r.summary ? { repo, plan: r.summary.plan } : { repo, error: r.error ?? r.status };
  });
}
