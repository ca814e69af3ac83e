import { UsageError } from '../errors.js';
import { oneLine } from '../escape.js';
import { createLogger, type Logger, maskSecrets } from '../log.js';
import { hostRuleSecrets, loadHostRules } from '../lookup/host-rules.js';
import { checkRedisUrl, describeRedisUrl, RedisStore, type RedisStoreOptions, redisUrlSecrets } from '../lookup/redis-store.js';
import { operatorAuthor } from '../publish/author.js';
import { operatorReleaseNotes } from '../review/run-notes.js';
import { isJobToken, missingTokenMessage, requireToken, resolveToken } from '../publish/token.js';
import { progressText } from '../progress.js';
import type { PlatformKind } from '../publish/types.js';
import { buildReport, type RepoInput, writeReport } from '../report/index.js';
import type { RunOptions, RunSummary } from '../run-types.js';
import type { CloneFn } from './clone.js';
import { logFormat, logLevel, parsePlatform, positiveInt } from './flags.js';
import { noProgress, type Progress } from './progress.js';
import { DEFAULT_REPO_TIMEOUT_MS, describeResult, exitCodeOf, formatDuration, formatResults, parseDuration, parseRepoList, realTimer, reportInputs, resolveShard, type RepoResult, runMany, selectShard } from './multi.js';
import { nextFire, parseSchedule, type Schedule } from './schedule.js';
import { stopExitCode } from './signals.js';

export { stopOnSignals } from './signals.js';

/** The container's settings, from flags or their `TIDEMARK_*` environment variables (see commands/run-all.ts). */
export interface CronFlags {
  repos?: string;
  autodiscover?: boolean;
  autodiscoverFilter?: string;
  platform?: string;
  endpoint?: string;
  gitUrl?: string;
  concurrency?: string;
  shard?: string;
  /** `--shard-count N` / `TIDEMARK_SHARD_COUNT`: with `JOB_COMPLETION_INDEX` (an Indexed Job) the shard is index+1 of N. */
  shardCount?: string;
  dryRun?: boolean;
  config?: string;
  cacheDir?: string;
  /** `--redis-url` / `TIDEMARK_REDIS_URL`: the lookup cache shared by every shard, instead of `cacheDir`. A secret. */
  redisUrl?: string;
  planDir?: string;
  /** Write the fleet report (report.json, index.html) of each run here. */
  reportDir?: string;
  /** `--host-rules FILE`; else `TIDEMARK_HOST_RULES` (a path, or the JSON itself). */
  hostRules?: string;
  /** `30m`, `90s`, `2h`: one repository's clone and run; past it that repository fails and the others go on. */
  repoTimeout?: string;
  schedule?: string;
  /** `--timezone` / `TIDEMARK_TIMEZONE`: the zone the schedule is read in, unless it starts with `CRON_TZ=`; default UTC. */
  timezone?: string;
  logLevel?: string;
  logFormat?: string;
}

export type Discover = (opts: { platform: 'github' | 'gitlab'; token: string; endpoint: string | null; filter?: string; logger: Logger }) => Promise<string[]>;

/** Time as the loop sees it; tests pass a fake. `sleep` resolves early when `signal` aborts. */
export interface Clock {
  now(): Date;
  sleep(ms: number, signal: AbortSignal): Promise<void>;
}

/** A shared lookup cache as a run uses it, closed when the run is over. */
export type SharedStore = NonNullable<RunOptions['sharedCache']> & { close(): Promise<void> };

export interface CronDeps {
  run: (opts: RunOptions) => Promise<RunSummary>;
  discover: Discover;
  env: NodeJS.ProcessEnv;
  /** Aborted on SIGTERM/SIGINT: the current repositories finish, no new one starts, the loop ends. */
  signal: AbortSignal;
  /** stderr: log lines and TTY progress lines. */
  writeErr: (line: string) => void;
  /** stdout: the final summary of a run. */
  print: (text: string) => void;
  isTTY: boolean;
  clock?: Clock;
  clone?: CloneFn;
  /** Opens the shared cache for `--redis-url`; default `RedisStore.connect` (ioredis, loaded only then). */
  connectRedis?: (opts: RedisStoreOptions) => Promise<SharedStore>;
  /** The per-repository deadline's timer (see `MultiOptions.timer`); tests pass a fake. */
  repoTimer?: (ms: number, signal: AbortSignal) => Promise<void>;
  /** The spinner line on a terminal (text logs only): each repository's phase, stopped before the summary. */
  progress?: Progress;
}

/** `--repo-timeout` when none is given (`30m`): multi.ts's default, as the flag spells it. */
export const DEFAULT_REPO_TIMEOUT = formatDuration(DEFAULT_REPO_TIMEOUT_MS);

/** One-shot by default (cron, Kubernetes CronJob); with a schedule it stays up and runs at each fire time. */
export async function cronMain(flags: CronFlags, deps: CronDeps): Promise<number> {
  const platform = parsePlatform(flags.platform ?? 'github');
  const found = resolveToken(deps.env, platform);
  const token = found?.value ?? null;
  const format = logFormat(flags.logFormat ?? 'auto', deps.isTTY);
  const hostRules = await loadHostRules(flags.hostRules, deps.env);
  const author = operatorAuthor(deps.env);
  const releaseNotes = operatorReleaseNotes(deps.env);
  const redisUrl = flags.redisUrl?.trim() || undefined;
  if (redisUrl) checkRedisUrl(redisUrl);
  const secrets = [...(token ? [token] : []), ...hostRuleSecrets(hostRules, deps.env), ...redisUrlSecrets(redisUrl)];
  const logger = createLogger({ level: logLevel(flags.logLevel ?? 'info'), format, secrets, write: deps.writeErr });
  const schedule = flags.schedule ? parseSchedule(flags.schedule, flags.timezone, (deps.clock ?? systemClock).now()) : null;
  const shard = resolveShard(flags.shard, flags.shardCount, deps.env);
  const concurrency = flags.concurrency ? positiveInt(flags.concurrency, '--concurrency') : 1;
  const repoTimeoutMs = parseDuration(flags.repoTimeout ?? DEFAULT_REPO_TIMEOUT, '--repo-timeout');
  if (!flags.repos && !flags.autodiscover) throw new UsageError('give --repos owner/a,owner/b (TIDEMARK_REPOS) or --autodiscover (TIDEMARK_AUTODISCOVER=true)');
  if (flags.autodiscover && platform === 'git') throw new UsageError('--autodiscover needs --platform github or gitlab');
  if (flags.autodiscover && isJobToken(found)) throw new UsageError('--autodiscover cannot list projects with CI_JOB_TOKEN: set TIDEMARK_TOKEN or GITLAB_TOKEN to an access token');
  // Said once before any clone, rather than as one failed repository each: publishing to GitHub or GitLab needs it.
  if (platform !== 'git' && (flags.autodiscover || !flags.dryRun) && !found) {
    throw new UsageError(missingTokenMessage(platform, flags.autodiscover ? '--autodiscover' : undefined));
  }

  const resolveRepos = async (): Promise<string[]> => {
    const all =
      flags.autodiscover && platform !== 'git'
        ? await deps.discover({ platform, token: requireToken(found, platform, '--autodiscover').value, endpoint: flags.endpoint ?? null, filter: flags.autodiscoverFilter, logger })
        : parseRepoList(flags.repos ?? '');
    return shard ? selectShard(all, shard) : all;
  };

  const runOnce = async (): Promise<number> => {
    const repos = await resolveRepos();
    logger.info('run started', { repositories: repos.length, ...(shard ? { shard: `${shard.index}/${shard.total}` } : {}), ...(redisUrl && { cache: describeRedisUrl(redisUrl) }) });
    // Connected per run, so a scheduled process whose Redis was down last time tries it again.
    const sharedCache = redisUrl ? await (deps.connectRedis ?? RedisStore.connect)({ url: redisUrl, logger }) : null;
    try {
      return await runRepos(repos, sharedCache);
    } finally {
      await sharedCache?.close();
    }
  };

  const runRepos = async (repos: string[], sharedCache: SharedStore | null): Promise<number> => {
    const progress = format === 'text' && deps.isTTY ? (deps.progress ?? noProgress) : noProgress;
    const reportResult = progressReporter(logger, format === 'text' && deps.isTTY ? (line) => deps.writeErr(oneLine(maskSecrets(line, secrets))) : null);
    let finished = 0;
    const results = await runMany({
      repos,
      platform,
      token,
      ...(isJobToken(found) && { jobToken: true }),
      endpoint: flags.endpoint ?? null,
      gitBaseUrl: flags.gitUrl ?? null,
      concurrency,
      dryRun: flags.dryRun ?? false,
      configPath: flags.config ?? null,
      cacheDir: flags.cacheDir ?? null,
      ...(sharedCache && { sharedCache }),
      planDir: flags.planDir ?? null,
      hostRules,
      author,
      ...(!releaseNotes && { releaseNotes }),
      logger,
      signal: deps.signal,
      // Results quote errors, which may quote a platform or git server: masked like log lines, one line each.
      onResult: (r, done, total) => {
        finished = done;
        reportResult(r, done, total);
      },
      // `2/5 done · acme/web: lookups 3/10`, masked here and kept on one line by the display.
      onProgress: (repo, event) => progress.update(maskSecrets(`${finished}/${repos.length} done · ${repo}: ${progressText(event)}`, secrets)),
      clone: deps.clone,
      run: deps.run,
      repoTimeoutMs,
      ...(deps.repoTimer && { timer: deps.repoTimer }),
    }).finally(() => progress.stop());
    deps.print(maskSecrets(formatResults(results), secrets));
    logger.info('run finished', tally(results));
    const reported = flags.reportDir ? await writeFleetReport(flags.reportDir, reportInputs(results, platform), deps.clock ?? systemClock, logger) : true;
    // Stopped by a signal: the repositories in progress finished, the others did not start; the exit code says so.
    return Math.max(exitCodeOf(results), reported ? 0 : 1, stopExitCode(deps.signal) ?? 0);
  };

  if (!schedule) return runOnce();
  return loop(schedule, runOnce, logger, deps.signal, deps.clock ?? systemClock);
}

/** `--report-dir`: the fleet report of this run. A report that cannot be written is logged and makes the exit code 1. */
async function writeFleetReport(dir: string, inputs: RepoInput[], clock: Clock, logger: Logger): Promise<boolean> {
  try {
    const written = await writeReport(dir, buildReport(inputs, clock.now()));
    logger.info('fleet report written', { json: written.json, html: written.html });
    return true;
  } catch (err) {
    logger.error('fleet report could not be written', { dir, error: err instanceof Error ? err.message : String(err) });
    return false;
  }
}

/**
 * Runs at each fire time until `signal` aborts. A failed run is logged and the loop goes on to the next one.
 * Returns 0 when stopped while waiting, and the run's exit code (non-zero) when stopped during a run.
 */
async function loop(schedule: Schedule, runOnce: () => Promise<number>, logger: Logger, signal: AbortSignal, clock: Clock): Promise<number> {
  logger.info('scheduled mode', { schedule: schedule.source, timezone: schedule.timezone });
  let interrupted = 0;
  while (!signal.aborted) {
    // parseSchedule refused schedules that never fire; null here would mean none is left (a past year).
    const at = nextFire(schedule, clock.now());
    if (!at) break;
    logger.info('next run', { at: at.toISOString() });
    await sleepUntil(at, signal, clock);
    if (signal.aborted) break;
    let code: number;
    try {
      code = await runOnce();
    } catch (err) {
      logger.error('run failed', { error: err instanceof Error ? err.message : String(err) });
      code = stopExitCode(signal) ?? 1;
    }
    // Only a run the signal cut short sets the exit code; an earlier run's failure was logged and is past.
    if (signal.aborted) interrupted = code;
  }
  logger.info('stopping', { reason: 'signal' });
  return interrupted;
}

/** setTimeout overflows past 2^31-1 ms (~24.8 days; `@yearly`), so long waits go in steps. */
const MAX_TIMER_MS = 2_147_483_647;

async function sleepUntil(at: Date, signal: AbortSignal, clock: Clock): Promise<void> {
  for (let left = at.getTime() - clock.now().getTime(); left > 0 && !signal.aborted; left = at.getTime() - clock.now().getTime()) {
    await clock.sleep(Math.min(left, MAX_TIMER_MS), signal);
  }
}

export const systemClock: Clock = {
  now: () => new Date(),
  sleep: realTimer,
};

/** On a TTY a human reads `[2/5] owner/b ok  opened 1, …`; elsewhere each result is a log line (JSON for collectors). */
function progressReporter(logger: Logger, tty: ((line: string) => void) | null): (r: RepoResult, done: number, total: number) => void {
  return (r, done, total) => {
    if (tty) return tty(`[${done}/${total}] ${r.repo} ${r.status}  ${describeResult(r)}`);
    const counts = r.summary
      ? { opened: r.summary.opened.length, updated: r.summary.updated.length, closed: r.summary.closed.length, ...(r.summary.wouldOpen && { wouldOpen: r.summary.wouldOpen.length }) }
      : {};
    const log = r.status === 'failed' ? logger.error : logger.info;
    log('repository finished', { repo: r.repo, status: r.status, ...counts, durationMs: r.durationMs, ...(r.error ? { error: r.error } : {}) });
  };
}

function tally(results: readonly RepoResult[]): Record<string, number> {
  const out: Record<string, number> = { repositories: results.length };
  for (const r of results) out[r.status] = (out[r.status] ?? 0) + 1;
  return out;
}
