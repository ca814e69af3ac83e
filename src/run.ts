import { readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { loadConfig } from './config/load.js';
import { ConfigError } from './errors.js';
import { createReleaseSource } from './lookup/index.js';
import { createPlan, planToJson } from './plan/index.js';
import { withoutCredentials } from './log.js';
import { planProblems } from './plan/failures.js';
import { chooseAuthor } from './publish/author.js';
import { readDashboardApprovals, syncDashboard } from './publish/dashboard.js';
import { gitlabReviewerProblems } from './publish/gitlab/reviewers.js';
import { createPlatform, publish, publishDryRun, type PublishContext } from './publish/index.js';
import { BODY_LIMITS } from './publish/pr-body.js';
import type { RunOptions, RunSummary } from './run-types.js';
import { releaseNotesForRun } from './review/run-notes.js';
import { reviewPlan } from './review/index.js';
import { repoFileReader } from './review/repo-file.js';
import { scanDirectory } from './scan/index.js';
import type { Problem } from './scan/types.js';

/** One run over one repository: config → scan → lookup → plan → edit and publish → dashboard. */
export async function run(opts: RunOptions): Promise<RunSummary> {
  const { dir, logger } = opts;
  // Between stages: past the repository's deadline nothing more is asked or pushed.
  const checkDeadline = (): void => opts.signal?.throwIfAborted();
  const loaded = await loadConfig(dir, opts.configPath);
  if (opts.platform === 'gitlab' && loaded.file) for (const e of await gitlabConfigProblems(dir, loaded.file, loaded.config)) loaded.errors.push(e);
  if (loaded.errors.length > 0) throw new ConfigError(`invalid config file ${loaded.file ?? opts.configPath ?? ''}`.trim(), loaded.errors);
  for (const w of loaded.warnings) logger.warn('config warning', { file: w.file, line: w.line, message: w.message });
  const config = { ...loaded.config, author: chooseAuthor(loaded.config.author, { operator: opts.author ?? null, platform: opts.platformAuthor ?? null }) };
  // A dry run reads the checkout and registries only: no platform, so no token is needed.
  const platform = opts.dryRun ? null : await createPlatform(opts);
  const approved = platform && config.dashboard ? await readDashboardApprovals(platform) : new Set<string>();
  checkDeadline();
  opts.onProgress?.({ phase: 'scan' });
  const scan = await scanDirectory(dir, { ignorePaths: config.ignorePaths, logger });
  checkDeadline();
  const source = createReleaseSource({
    config, cacheDir: opts.cacheDir, logger, sharedCache: opts.sharedCache ?? null, hostRules: opts.hostRules ?? [], platformToken: opts.token,
    ...(opts.signal && { signal: opts.signal }),
  });
  const planned = await createPlan(scan, source, config, { approved, logger, ...(opts.onProgress && { onProgress: opts.onProgress }) });
  checkDeadline();
  const plan = await reviewPlan(planned, { source, config, logger, readFile: repoFileReader(dir) });
  checkDeadline();
  if (opts.planOut) await writeFile(opts.planOut, JSON.stringify(planToJson(plan), null, 2) + '\n');
  const ctx: PublishContext = {
    dir,
    config,
    dryRun: opts.dryRun,
    logger,
    print: opts.print ?? ((text) => process.stdout.write(text.endsWith('\n') ? text : text + '\n')),
    readFile: (path) => readFile(join(dir, path), 'utf8'),
    ...(opts.signal && { signal: opts.signal }),
    // A dry run prints the body the platform would get: GitLab's limit is higher than GitHub's.
    bodyLimit: opts.platform === 'gitlab' ? BODY_LIMITS.gitlab : BODY_LIMITS.github,
    // Off (the operator's TIDEMARK_RELEASE_NOTES=off, or the config's `releaseNotes: false`): no code host is asked.
    ...(opts.releaseNotes !== false && config.releaseNotes && {
      releaseNotes: releaseNotesForRun({
        ...opts, sharedCache: opts.sharedCache ?? null, imageSource: (pkg, version) => source.sourceLabel(pkg, version),
      }),
    }),
  };
  opts.onProgress?.({ phase: 'publish', branches: plan.branches.length });
  const published = platform ? await publish(platform, plan, ctx) : await publishDryRun(plan, ctx);
  const summary: RunSummary = {
    repo: withoutCredentials(opts.repo ?? opts.remote ?? dir),
    ...published,
    problems: [...planProblems(plan), ...published.problems],
    partialFailure: published.partialFailure || Boolean(plan.partialFailure),
    plan,
  };
  if (platform && config.dashboard) {
    checkDeadline();
    // The PRs are out; a dashboard that cannot be written is reported, not a reason to fail what was done.
    await syncDashboard(platform, summary, config, logger).catch((err: unknown) => {
      summary.problems.push({ file: '', line: 0, message: withoutCredentials(`dashboard: ${err instanceof Error ? err.message : String(err)}`) });
      summary.partialFailure = true;
    });
  }
  return summary;
}

/** What the config asks that GitLab cannot do (group reviewers), with the config file's lines. */
async function gitlabConfigProblems(dir: string, file: string, config: Parameters<typeof gitlabReviewerProblems>[0]): Promise<Problem[]> {
  const text = await readFile(resolve(dir, file), 'utf8').catch(() => null);
  return gitlabReviewerProblems(config, file, text);
}

