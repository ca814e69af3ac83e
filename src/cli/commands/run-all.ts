import { Option } from 'commander';
import { createLogger } from '../../log.js';
import { type CronFlags, cronMain, DEFAULT_REPO_TIMEOUT, stopOnSignals } from '../cron.js';
import { createProgress } from '../progress.js';
import type { RegisterCommand } from './index.js';

/**
 * `tidemark run-all`: the container entry. Every flag has a `TIDEMARK_*` variable so a CronJob needs no args;
 * the token comes only from the environment (publish/token.ts, as for `run`), never a flag.
 */
export const registerRunAll: RegisterCommand = (program, setExit) => {
  program
    .command('run-all')
    .description('Run over many repositories: clone each, update it, print a summary. One-shot unless a schedule is set.')
    .addOption(new Option('--repos <list>', 'comma-separated repositories (owner/a,owner/b; URLs for --platform git)').env('TIDEMARK_REPOS'))
    .addOption(new Option('--autodiscover [bool]', 'every repository the token can write').env('TIDEMARK_AUTODISCOVER').argParser(bool))
    .addOption(new Option('--autodiscover-filter <glob>', 'keep discovered repositories matching this glob (my-org/*)').env('TIDEMARK_AUTODISCOVER_FILTER'))
    .addOption(new Option('--platform <kind>', 'github, gitlab or git').env('TIDEMARK_PLATFORM').default('github'))
    .addOption(new Option('--endpoint <url>', 'GitHub Enterprise API URL or GitLab host').env('TIDEMARK_ENDPOINT'))
    .addOption(new Option('--git-url <base>', 'clone from this base URL instead of the platform host').env('TIDEMARK_GIT_URL'))
    .addOption(new Option('--concurrency <n>', 'repositories run at once').env('TIDEMARK_CONCURRENCY').default('1'))
    .addOption(new Option('--shard <i/n>', 'only this share of the repositories (1/3), split by a hash of each name').env('TIDEMARK_SHARD'))
    .addOption(
      new Option('--shard-count <n>', 'in a Kubernetes Indexed Job: N shards, this pod runs shard $JOB_COMPLETION_INDEX+1 (--shard wins)').env(
        'TIDEMARK_SHARD_COUNT',
      ),
    )
    .addOption(new Option('--dry-run [bool]', 'plan and print diffs; push nothing').env('TIDEMARK_DRY_RUN').argParser(bool))
    .addOption(new Option('--config <path>', 'config file path inside each repository').env('TIDEMARK_CONFIG'))
    .addOption(new Option('--cache-dir <dir>', 'lookup cache shared between repositories and runs').env('TIDEMARK_CACHE_DIR'))
    .addOption(
      new Option('--redis-url <url>', 'share the lookup cache between shards in Redis: redis://[:password@]host:port[/db], rediss:// for TLS (instead of --cache-dir)').env(
        'TIDEMARK_REDIS_URL',
      ),
    )
    .addOption(new Option('--host-rules <file>', 'operator host rules (JSON): which credential goes to which registry (default: $TIDEMARK_HOST_RULES, a path or the JSON itself)'))
    .addOption(new Option('--plan-dir <dir>', 'write one plan JSON per repository here').env('TIDEMARK_PLAN_DIR'))
    .addOption(new Option('--report-dir <dir>', 'write the fleet report (report.json and a self-contained index.html) here').env('TIDEMARK_REPORT_DIR'))
    .addOption(
      new Option('--repo-timeout <duration>', 'give up on one repository after this long (90s, 30m, 2h); it fails, the others go on')
        .env('TIDEMARK_REPO_TIMEOUT')
        .default(DEFAULT_REPO_TIMEOUT),
    )
    .addOption(
      new Option('--schedule <cron>', 'stay up and run on this cron schedule, e.g. "0 */6 * * *" (UTC) or "CRON_TZ=Europe/Berlin 0 6 * * 1-5"').env('TIDEMARK_SCHEDULE'),
    )
    .addOption(new Option('--timezone <zone>', 'IANA time zone the schedule is read in when it has no CRON_TZ= prefix (default UTC)').env('TIDEMARK_TIMEZONE'))
    .addOption(new Option('--log-level <level>', 'debug, info, warn or error').env('TIDEMARK_LOG_LEVEL').default('info'))
    .addOption(new Option('--log-format <format>', 'auto (JSON unless stderr is a terminal), text or json').env('TIDEMARK_LOG_FORMAT').default('auto'))
    .action(async (flags: CronFlags) => {
      // Loaded here so `--help` and the other commands do not pay for the whole pipeline.
      const [{ run }, { discoverRepositories }] = await Promise.all([import('../../run.js'), import('../../publish/discover.js')]);
      const stop = stopOnSignals(createLogger({ format: process.stderr.isTTY ? 'text' : 'json' }));
      try {
        const code = await cronMain(flags, {
          run,
          discover: discoverRepositories,
          env: process.env,
          signal: stop.signal,
          writeErr: (line) => process.stderr.write(line + '\n'),
          print: (text) => process.stdout.write(text + '\n'),
          isTTY: Boolean(process.stderr.isTTY),
          progress: createProgress({ stream: process.stderr, forPeople: true }),
        });
        setExit(code);
      } finally {
        stop.dispose();
      }
    });
};

/** `TIDEMARK_DRY_RUN=false` must mean false: commander alone treats any set variable as true for a plain flag. */
function bool(value: string): boolean {
  return !/^(false|0|no|off|)$/i.test(value.trim());
}
