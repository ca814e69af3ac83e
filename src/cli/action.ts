import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { neutraliseWorkflowCommands } from '../escape.js';
import { ConfigError, UsageError } from '../errors.js';
import { createLogger, maskSecrets } from '../log.js';
import { hostRuleSecrets, parseHostRules, type HostRule } from '../lookup/host-rules.js';
import { GITHUB_ACTIONS_BOT, operatorAuthor } from '../publish/author.js';
import { resolveToken } from '../publish/token.js';
import type { RunOptions, RunSummary } from '../run-types.js';
import { configErrorMarkdown, summaryMarkdown } from './action-summary.js';
import { logLevel } from './flags.js';
import { annotation, appendSummary, getBooleanInput, getInput, mask, type Runner, setOutput } from './workflow-commands.js';

export interface ActionDeps {
  run: (opts: RunOptions) => Promise<RunSummary>;
  env: NodeJS.ProcessEnv;
  /** stdout: log lines and workflow commands. */
  write: (line: string) => void;
}

/**
 * The GitHub Action: turns `INPUT_*` and `GITHUB_*` variables into RunOptions, then reports back through outputs,
 * the job summary and annotations. Returns the exit code: 0 ran, 1 partial failure, 2 bad config or inputs.
 * Only the commands built here (`mask`, `annotation`) reach stdout as commands: every other line (logs, dry-run
 * diffs, anything a registry or repository wrote) that the runner would read as `::command` or `##[command]` is
 * neutralised first.
 */
export async function actionMain(deps: ActionDeps): Promise<number> {
  const runner: Runner = { env: deps.env, write: deps.write };
  // The `token` input (default: the workflow token); when a workflow empties it, the variables every command reads.
  const token = getInput(runner, 'token') || resolveToken(deps.env, 'github')?.value || '';
  const workflowToken = getInput(runner, 'workflow-token');
  mask(runner, token);
  mask(runner, workflowToken);
  const secrets = [token, workflowToken].filter((s) => s !== '');
  try {
    const hostRules = actionHostRules(runner, secrets);
    const base = actionOptions(runner, token, secrets, (line) => deps.write(neutraliseWorkflowCommands(maskSecrets(line, secrets))));
    const withRules: RunOptions = hostRules.length > 0 ? { ...base, hostRules } : base;
    const author = operatorAuthor(deps.env);
    const opts: RunOptions = { ...withRules, ...(author && { author }), ...(workflowToken !== '' && token === workflowToken && { platformAuthor: GITHUB_ACTIONS_BOT }) };
    const summary = await deps.run(opts);
    report(runner, summary, opts, secrets);
    return summary.partialFailure ? 1 : 0;
  } catch (err) {
    return failure(runner, err, secrets);
  }
}

/**
 * The `host-rules` input: the operator's host rules as JSON text (usually from a secret). Every secret value in it,
 * written or named, is masked in the job log and added to `secrets` before anything runs.
 */
function actionHostRules(runner: Runner, secrets: string[]): HostRule[] {
  const text = getInput(runner, 'host-rules');
  if (!text) return [];
  const rules = parseHostRules(text, 'the host-rules input');
  for (const secret of hostRuleSecrets(rules, runner.env)) {
    mask(runner, secret);
    secrets.push(secret);
  }
  return rules;
}

function actionOptions(runner: Runner, token: string, secrets: readonly string[], write: (line: string) => void): RunOptions {
  const env = runner.env;
  const repo = env.GITHUB_REPOSITORY;
  if (!repo) throw new UsageError('GITHUB_REPOSITORY is not set: run Tidemark as a step of a GitHub Actions job');
  if (!token) throw new UsageError('no token: set the `token` input (it defaults to the workflow token, github.token), or TIDEMARK_TOKEN, GITHUB_TOKEN or GH_TOKEN');
  const level = env.RUNNER_DEBUG === '1' ? 'debug' : logLevel(getInput(runner, 'log-level') || 'info');
  const temp = env.RUNNER_TEMP || tmpdir();
  const workspace = env.GITHUB_WORKSPACE || process.cwd();
  return {
    dir: workspace,
    platform: 'github',
    repo,
    endpoint: apiEndpoint(env.GITHUB_API_URL),
    token,
    remote: null,
    dryRun: getBooleanInput(runner, 'dry-run', false),
    configPath: getInput(runner, 'config') || null,
    cacheDir: resolve(workspace, getInput(runner, 'cache-dir') || join(temp, 'tidemark-cache')),
    planOut: join(temp, 'tidemark-plan.json'),
    logger: createLogger({ level, format: 'text', secrets, write }),
    print: write,
  };
}

/** GitHub Enterprise Server sets `GITHUB_API_URL` to `https://ghe.example.com/api/v3`; github.com's is the default. */
export function apiEndpoint(url: string | undefined): string | null {
  if (!url || /^https:\/\/api\.github\.com\/?$/.test(url)) return null;
  return url.replace(/\/+$/, '');
}

function report(runner: Runner, summary: RunSummary, opts: RunOptions, secrets: readonly string[]): void {
  setOutput(runner, 'opened', String(summary.opened.length));
  setOutput(runner, 'updated', String(summary.updated.length));
  setOutput(runner, 'closed', String(summary.closed.length));
  setOutput(runner, 'plan', opts.planOut ?? '');
  for (const p of summary.problems) {
    runner.write(annotation('warning', maskSecrets(p.message, secrets), { file: p.file, line: p.line, title: 'Tidemark' }));
  }
  appendSummary(runner, maskSecrets(summaryMarkdown(summary, { dryRun: opts.dryRun }), secrets));
}

/** Config errors become one annotation per problem, at its file and line, and the summary says what to fix. */
function failure(runner: Runner, err: unknown, secrets: string[]): number {
  const message = maskSecrets(err instanceof Error ? err.message : String(err), secrets);
  if (err instanceof ConfigError) {
    const problems = err.problems.map((p) => ({ ...p, message: maskSecrets(p.message, secrets) }));
    if (problems.length === 0) runner.write(annotation('error', message, { title: 'Tidemark config' }));
    for (const p of problems) runner.write(annotation('error', p.message, { file: p.file, line: p.line, title: 'Tidemark config' }));
    appendSummary(runner, maskSecrets(configErrorMarkdown(message, problems), secrets));
    return 2;
  }
  runner.write(annotation('error', message, { title: 'Tidemark' }));
  return err instanceof UsageError ? 2 : 1;
}
