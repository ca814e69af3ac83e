import { resolve } from 'node:path';
import { Option } from 'commander';
import { createLogger } from '../../log.js';
import { hostRuleSecrets, loadHostRules } from '../../lookup/host-rules.js';
import { defaultCacheDir } from '../../lookup/index.js';
import { operatorAuthor } from '../../publish/author.js';
import { operatorReleaseNotes } from '../../review/run-notes.js';
import { isJobToken, resolveToken } from '../../publish/token.js';
import { progressText } from '../../progress.js';
import { requireCheckout } from '../checkout.js';
import { stopExitCode, stopOnSignals } from '../signals.js';
import { logFormat, logLevel, parsePlatform, terminalProgress } from '../flags.js';
import { formatSummary, summaryJsonText } from '../run-summary.js';
import type { RegisterCommand } from './index.js';

interface RunFlags {
  platform: string;
  repo?: string;
  endpoint?: string;
  remote?: string;
  dryRun?: boolean;
  /** Print the run's summary as one JSON object on stdout (and no dry-run diffs). */
  json?: boolean;
  config?: string;
  cacheDir?: string;
  /** `--no-cache` */
  cache?: boolean;
  planOut?: string;
  logLevel: string;
  logFormat: string;
  /** `--host-rules FILE`; else `TIDEMARK_HOST_RULES`. */
  hostRules?: string;
}

/**
 * `tidemark run [DIR]`: scan, plan, edit and publish one checkout. The token comes only from the environment
 * (publish/token.ts: `TIDEMARK_TOKEN`, then `GITHUB_TOKEN`/`GH_TOKEN` or `GITLAB_TOKEN`/`CI_JOB_TOKEN`), never from a
 * flag, so it never lands in shell history or process lists.
 */
export const registerRun: RegisterCommand = (program, setExit) => {
  program
    .command('run')
    .description('Update one repository checkout: open or refresh a PR (or push a branch) per update.')
    .argument('[dir]', 'the repository checkout, at the head of the base branch', '.')
    .addOption(new Option('--platform <kind>', 'github, gitlab or git (any plain remote; branches only)').default('github'))
    .option('--repo <name>', 'owner/name on GitHub, group/project on GitLab')
    .option('--endpoint <url>', 'GitHub Enterprise API URL or self-managed GitLab host')
    .option('--remote <name>', 'git platform: remote name or URL to push to (default origin)')
    .option('--dry-run', "print each branch's PR title, body and unified diff, and touch nothing")
    .option('--json', 'print the summary as one JSON object (opened, updated, closed, skipped, wouldOpen, problems, partialFailure, lookups, branches); no diffs')
    .option('--config <file>', 'config file, relative to DIR')
    .option('--cache-dir <dir>', 'keep registry responses between runs here (default: the user cache dir)')
    .option('--no-cache', 'do not read or write the disk cache')
    .option('--plan-out <file>', 'write the plan as JSON to this file')
    .option('--host-rules <file>', 'operator host rules (JSON): which credential goes to which registry (default: $TIDEMARK_HOST_RULES)')
    .addOption(new Option('--log-level <level>', 'debug, info, warn or error').env('TIDEMARK_LOG_LEVEL').default('info'))
    .addOption(new Option('--log-format <format>', 'auto (JSON unless stderr is a terminal), text or json').env('TIDEMARK_LOG_FORMAT').default('auto'))
    .action(async (dir: string, flags: RunFlags) => {
      const platform = parsePlatform(flags.platform);
      if (!flags.dryRun) await requireCheckout(resolve(dir));
      const found = resolveToken(process.env, platform);
      const token = found?.value ?? null;
      const hostRules = await loadHostRules(flags.hostRules, process.env);
      const author = operatorAuthor(process.env);
      const releaseNotes = operatorReleaseNotes(process.env);
      const secrets = [...(token ? [token] : []), ...hostRuleSecrets(hostRules, process.env)];
      const logger = createLogger({ level: logLevel(flags.logLevel), format: logFormat(flags.logFormat, Boolean(process.stderr.isTTY)), secrets });
      // Loaded here so `--help` and the other commands do not pay for the whole pipeline.
      const { run } = await import('../../run.js');
      // SIGTERM/SIGINT: this repository's run finishes (no half-published branch), then the exit code says it was stopped.
      const stop = stopOnSignals(logger);
      const progress = terminalProgress(flags, secrets);
      const summary = await run({
        dir: resolve(dir),
        platform,
        repo: flags.repo ?? null,
        endpoint: flags.endpoint ?? null,
        token,
        ...(isJobToken(found) && { jobToken: true }),
        remote: flags.remote ?? null,
        dryRun: Boolean(flags.dryRun),
        configPath: flags.config ?? null,
        cacheDir: flags.cache === false ? null : resolve(flags.cacheDir ?? defaultCacheDir()),
        planOut: flags.planOut ? resolve(flags.planOut) : null,
        hostRules,
        author,
        ...(!releaseNotes && { releaseNotes }),
        logger,
        // With --json stdout holds the one JSON object only: the dry-run diffs are left out.
        ...(flags.json && { print: () => {} }),
        onProgress: (e) => progress.update(progressText(e)),
      }).finally(() => {
        progress.stop();
        stop.dispose();
      });
      const dryRun = Boolean(flags.dryRun);
      process.stdout.write(flags.json ? summaryJsonText(summary, dryRun, secrets) : formatSummary(summary, dryRun, secrets));
      setExit(stopExitCode(stop.signal) ?? (summary.partialFailure ? 1 : 0));
    });
};


/** Where it always was, for callers that import it from here. */
export { formatSummary } from '../run-summary.js';
