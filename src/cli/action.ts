import * as core from '@actions/core';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { ConfigError, UsageError } from '../errors.js';
import { createLogger, maskSecrets } from '../log.js';
import { hostRuleSecrets, parseHostRules, type HostRule } from '../lookup/host-rules.js';
import { GITHUB_ACTIONS_BOT, operatorAuthor } from '../publish/author.js';
import { operatorReleaseNotes } from '../review/run-notes.js';
import { resolveToken } from '../publish/token.js';
import type { RunOptions, RunSummary } from '../run-types.js';
import type { Problem } from '../scan/types.js';
import { configErrorMarkdown, summaryMarkdown } from './action-summary.js';
import { logLevel } from './flags.js';
import { annotate, appendSummary, booleanInput, choiceInput, folded, MAX_ANNOTATIONS, untrusted } from './workflow-commands.js';

export interface ActionDeps {
  run: (opts: RunOptions) => Promise<RunSummary>;
}

/**
 * What fails the workflow step (the `fail-on` input); bad inputs and an invalid config fail it under every choice
 * (exit 2), since then nothing ran as asked:
 * - `error` (default): a partial failure (a registry, Helm repository or publish step failed; the rest went on) or a
 *   run that failed outright (exit 1);
 * - `problems`: those, and also problems found in files (a broken YAML document, a config warning) (exit 1);
 * - `never`: nothing else; failures are still annotated and in the outputs (`partial-failure`, `problems`).
 */
export const FAIL_ON = ['problems', 'error', 'never'] as const;
export type FailOn = (typeof FAIL_ON)[number];

/**
 * The GitHub Action: turns its inputs and `GITHUB_*` variables into RunOptions, then reports back through outputs,
 * the job summary and annotations, all through `@actions/core`. Returns the exit code: 0 ran (or `fail-on` let it
 * pass), 1 failed as `fail-on` counts failure, 2 bad config or inputs. Only core's own commands (`add-mask`,
 * annotations, groups) reach stdout as commands: every other line (logs, dry-run diffs, anything a registry or
 * repository wrote) goes through `untrusted`, which neutralises what the runner would read as a command.
 */
export async function actionMain(deps: ActionDeps): Promise<number> {
  const env = process.env;
  // The `token` input (default: the workflow token); when a workflow empties it, the variables every command reads.
  const token = core.getInput('token') || resolveToken(env, 'github')?.value || '';
  const workflowToken = core.getInput('workflow-token');
  if (token) core.setSecret(token);
  if (workflowToken) core.setSecret(workflowToken);
  const secrets = [token, workflowToken].filter((s) => s !== '');
  let failOn: FailOn = 'error';
  try {
    failOn = choiceInput('fail-on', FAIL_ON, 'error');
    const hostRules = actionHostRules(secrets);
    const base = actionOptions(env, token, secrets, (line) => untrusted(maskSecrets(line, secrets)));
    const withRules: RunOptions = hostRules.length > 0 ? { ...base, hostRules } : base;
    const author = operatorAuthor(env);
    const releaseNotes = operatorReleaseNotes(env);
    const opts: RunOptions = { ...withRules, ...(author && { author }), ...(!releaseNotes && { releaseNotes }), ...(workflowToken !== '' && token === workflowToken && { platformAuthor: GITHUB_ACTIONS_BOT }) };
    const summary = await deps.run(opts);
    await report(summary, opts, secrets);
    return exitCode(failOn, summary);
  } catch (err) {
    return failure(err, secrets, failOn);
  }
}

/** The step's exit code after a run that finished, under `fail-on`. */
export function exitCode(failOn: FailOn, summary: Pick<RunSummary, 'partialFailure' | 'problems' | 'plan'>): number {
  if (failOn === 'never') return 0;
  if (summary.partialFailure) return 1;
  return failOn === 'problems' && problemsOf(summary).length > 0 ? 1 : 0;
}

/**
 * The `host-rules` input: the operator's host rules as JSON text (usually from a secret). Every secret value in it,
 * written or named, is masked in the job log and added to `secrets` before anything runs.
 */
function actionHostRules(secrets: string[]): HostRule[] {
  const text = core.getInput('host-rules');
  if (!text) return [];
  const rules = parseHostRules(text, 'the host-rules input');
  for (const secret of hostRuleSecrets(rules, process.env)) {
    core.setSecret(secret);
    secrets.push(secret);
  }
  return rules;
}

function actionOptions(env: NodeJS.ProcessEnv, token: string, secrets: readonly string[], write: (line: string) => void): RunOptions {
  const repo = env.GITHUB_REPOSITORY;
  if (!repo) throw new UsageError('GITHUB_REPOSITORY is not set: run Tidemark as a step of a GitHub Actions job');
  if (!token) throw new UsageError('no token: set the `token` input (it defaults to the workflow token, github.token), or TIDEMARK_TOKEN, GITHUB_TOKEN or GH_TOKEN');
  const level = core.isDebug() ? 'debug' : logLevel(core.getInput('log-level') || 'info');
  const temp = env.RUNNER_TEMP || tmpdir();
  const workspace = env.GITHUB_WORKSPACE || process.cwd();
  return {
    dir: workspace,
    platform: 'github',
    repo,
    endpoint: apiEndpoint(env.GITHUB_API_URL),
    token,
    remote: null,
    dryRun: booleanInput('dry-run', false),
    configPath: core.getInput('config') || null,
    cacheDir: resolve(workspace, core.getInput('cache-dir') || join(temp, 'tidemark-cache')),
    planOut: join(temp, 'tidemark-plan.json'),
    logger: createLogger({ level, format: 'text', secrets, write }),
    // A dry run prints one diff per branch, starting `# <branch>: <title>`: each folds under its first line.
    print: (text) => folded(maskSecrets(text.split('\n', 1)[0] ?? '', secrets), maskSecrets(text, secrets)),
  };
}

/** GitHub Enterprise Server sets `GITHUB_API_URL` to `https://ghe.example.com/api/v3`; github.com's is the default. */
export function apiEndpoint(url: string | undefined): string | null {
  if (!url || /^https:\/\/api\.github\.com\/?$/.test(url)) return null;
  return url.replace(/\/+$/, '');
}

/** Problems found in files; a run that stopped before publishing has only the plan's. */
function problemsOf(summary: Pick<RunSummary, 'problems' | 'plan'>): readonly Problem[] {
  return summary.problems.length > 0 ? summary.problems : summary.plan.problems;
}

interface Outputs {
  opened: number;
  updated: number;
  closed: number;
  skipped: number;
  /** A dry run's branches: what a real run would push (and open a pull request for). */
  wouldOpen: number;
  problems: number;
  partialFailure: boolean;
  plan: string;
}

/** Every output, on every path, so a later step can read each without checking whether it was set. */
function setOutputs(o: Outputs): void {
  core.setOutput('opened', String(o.opened));
  core.setOutput('updated', String(o.updated));
  core.setOutput('closed', String(o.closed));
  core.setOutput('skipped', String(o.skipped));
  core.setOutput('would-open', String(o.wouldOpen));
  core.setOutput('problems', String(o.problems));
  core.setOutput('partial-failure', String(o.partialFailure));
  core.setOutput('plan', o.plan);
}

async function report(summary: RunSummary, opts: RunOptions, secrets: readonly string[]): Promise<void> {
  const problems = problemsOf(summary).map((p) => ({ ...p, message: maskSecrets(p.message, secrets) }));
  setOutputs({
    opened: summary.opened.length,
    updated: summary.updated.length,
    closed: summary.closed.length,
    skipped: summary.skipped.length,
    wouldOpen: summary.wouldOpen?.length ?? 0,
    problems: problems.length,
    partialFailure: summary.partialFailure,
    plan: opts.planOut ?? '',
  });
  annotate('warning', problems, 'Tidemark');
  if (problems.length > 0) folded(`Tidemark: ${problems.length} ${problems.length === 1 ? 'problem' : 'problems'}`, problemLines(problems));
  await appendSummary(maskSecrets(summaryMarkdown(summary, { dryRun: opts.dryRun }), secrets));
}

function problemLines(problems: readonly Problem[]): string {
  return problems.map((p) => `${p.file}:${p.line} ${p.message}`).join('\n');
}

/**
 * Config errors become one annotation per problem, at its file and line (capped), and the summary says what to fix.
 * Bad inputs and config exit 2 under every `fail-on`; any other failure exits 1 unless `fail-on` is `never`.
 */
async function failure(err: unknown, secrets: string[], failOn: FailOn): Promise<number> {
  const message = maskSecrets(err instanceof Error ? err.message : String(err), secrets);
  const usage = err instanceof UsageError;
  if (err instanceof ConfigError) {
    const problems = err.problems.map((p) => ({ ...p, message: maskSecrets(p.message, secrets) }));
    setOutputs({ opened: 0, updated: 0, closed: 0, skipped: 0, wouldOpen: 0, problems: problems.length, partialFailure: false, plan: '' });
    if (problems.length === 0) core.error(message, { title: 'Tidemark config' });
    annotate('error', problems, 'Tidemark config');
    if (problems.length > MAX_ANNOTATIONS) folded(`Tidemark config: ${problems.length} problems`, problemLines(problems));
    await appendSummary(maskSecrets(configErrorMarkdown(message, problems), secrets));
    return 2;
  }
  setOutputs({ opened: 0, updated: 0, closed: 0, skipped: 0, wouldOpen: 0, problems: 0, partialFailure: !usage, plan: '' });
  core.error(message, { title: 'Tidemark' });
  if (usage) return 2;
  return failOn === 'never' ? 0 : 1;
}
