import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG, type TidemarkConfig } from '../../src/config/types.js';
import { silentLogger } from '../../src/log.js';
import type { BranchPlan, Plan } from '../../src/plan/types.js';
import { GitPlatform } from '../../src/publish/git.js';
import { publish } from '../../src/publish/lifecycle.js';
import { scanFiles } from '../../src/scan/index.js';
import { updateOf } from '../edit/update-fixture.js';
import { gitRepo, humanPush, remoteHeads, sh, showFile } from './git-fixture.js';

/** Scheduled runs with `--platform git` against a real bare remote, a user merging and committing between them. */

function deployment(name: string, image: string): string {
  return `apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: ${name}\nspec:\n  template:\n    spec:\n      containers:\n        - name: ${name}\n          image: ${image}\n`;
}

const FILES = {
  'apps/web.yaml': deployment('web', 'nginx:1.25.3'),
  'apps/cache.yaml': deployment('cache', 'redis:7.0.1'),
  'apps/tools.yaml': deployment('tools', 'busybox:1.36.0'),
};

let cleanups: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanups) c();
  cleanups = [];
});

function setup(files: Record<string, string> = FILES) {
  const repo = gitRepo(files);
  cleanups.push(repo.cleanup);
  return repo;
}

/** A fresh pull of main, as the cron container's clone would see it. */
function pull(checkout: string): Record<string, string> {
  sh(checkout, 'pull', '--quiet', '--ff-only', 'origin', 'main');
  const paths = sh(checkout, 'ls-files').split('\n');
  return Object.fromEntries(paths.map((p) => [p, readFileSync(join(checkout, p), 'utf8')]));
}

function planFor(files: Record<string, string>, bumps: Record<string, string>, prefix = 'tidemark/'): Plan {
  const deps = scanFiles(Object.entries(files).map(([path, text]) => ({ path, text }))).dependencies;
  const branches: BranchPlan[] = [];
  for (const [name, version] of Object.entries(bumps)) {
    const updates = deps.filter((d) => d.name === name && d.currentValue !== version).map((d) => updateOf(d, version));
    if (updates.length > 0) branches.push({ branchName: `${prefix}${name}-${version.split('.')[0]}.x`, title: `Update ${name} to ${version}`, updates });
  }
  return { updates: branches.flatMap((b) => b.updates), unchanged: [], problems: [], branches };
}

/** These weeks are about the lifecycle of branches; the PR limits (on by default) are set where a test is about them. */
const NO_LIMITS = { prHourlyLimit: 0, prConcurrentLimit: 0 };

async function runOn(checkout: string, plan: Plan, config: Partial<TidemarkConfig> = {}) {
  const platform = await GitPlatform.create({ dir: checkout, remote: null, logger: silentLogger });
  const summary = await publish(platform, plan, {
    dir: checkout,
    config: { ...DEFAULT_CONFIG, ...NO_LIMITS, ...config },
    dryRun: false,
    logger: silentLogger,
    print: () => undefined,
    readFile: async (path) => readFileSync(join(checkout, path), 'utf8'),
  });
  const outcome = (list: typeof summary.opened) => list.map((o) => [o.branch, o.detail]);
  return { opened: outcome(summary.opened), updated: outcome(summary.updated), closed: outcome(summary.closed), skipped: outcome(summary.skipped), partialFailure: summary.partialFailure };
}

/** The user merges a branch into main with a merge commit and keeps the branch, as a plain git host leaves it. */
function mergeKeepingBranch(remote: string, branch: string): void {
  const scratch = mkdtempSync(join(tmpdir(), 'tidemark-merge-'));
  try {
    execFileSync('git', ['clone', '--quiet', remote, scratch], { stdio: 'ignore' });
    sh(scratch, 'merge', '--quiet', '--no-ff', '-m', `Merge ${branch}`, `origin/${branch}`);
    sh(scratch, 'push', '--quiet', 'origin', 'main');
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

/** Re-dates the head commit of `branch` (author, message and trailer kept) as made `hours` ago. */
function backdate(remote: string, branch: string, hours: number): void {
  const scratch = mkdtempSync(join(tmpdir(), 'tidemark-backdate-'));
  const env = { ...process.env, GIT_CONFIG_GLOBAL: '/dev/null', GIT_CONFIG_NOSYSTEM: '1', GIT_COMMITTER_NAME: 'x', GIT_COMMITTER_EMAIL: 'x@example.com', GIT_COMMITTER_DATE: new Date(Date.now() - hours * 3_600_000).toISOString() };
  try {
    execFileSync('git', ['clone', '--quiet', '--branch', branch, remote, scratch], { stdio: 'ignore', env });
    execFileSync('git', ['commit', '--quiet', '--amend', '--no-edit', '--no-verify'], { cwd: scratch, stdio: 'ignore', env });
    execFileSync('git', ['push', '--quiet', '--force', 'origin', branch], { cwd: scratch, stdio: 'ignore', env });
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

describe('a week of scheduled runs with --platform git', () => {
  it('pushes branches, leaves merged and human-touched ones alone, moves one on a new version, deletes one no longer needed', async () => {
    const repo = setup();
    const mon = await runOn(repo.checkout, planFor(pull(repo.checkout), { nginx: '1.27.0', redis: '7.2.4', busybox: '1.36.1' }));
    expect(mon.opened.map(([b]) => b)).toEqual(['tidemark/nginx-1.x', 'tidemark/redis-7.x', 'tidemark/busybox-1.x']);

    mergeKeepingBranch(repo.remote, 'tidemark/nginx-1.x');
    humanPush(repo.remote, 'tidemark/busybox-1.x', { 'apps/notes.md': 'busybox needs sh\n' });
    const before = remoteHeads(repo.remote);
    const tue = await runOn(repo.checkout, planFor(pull(repo.checkout), { nginx: '1.27.0', redis: '7.2.4', busybox: '1.36.2' }));
    expect([tue.opened, tue.updated, tue.closed]).toEqual([[], [], []]);
    expect(tue.skipped).toEqual([
      ['tidemark/redis-7.x', 'up to date'],
      ['tidemark/busybox-1.x', 'branch has commits by someone else; not rewritten'],
    ]);
    expect(remoteHeads(repo.remote)).toEqual(before);

    const wed = await runOn(repo.checkout, planFor(pull(repo.checkout), { redis: '7.2.5', busybox: '1.36.2' }));
    expect(wed.updated).toEqual([['tidemark/redis-7.x', 'branch regenerated']]);
    expect(showFile(repo.remote, 'tidemark/redis-7.x', 'apps/cache.yaml')).toEqual(deployment('cache', 'redis:7.2.5'));

    humanPush(repo.remote, 'main', { 'apps/cache.yaml': 'kind: List\nitems: []\n' });
    const thu = await runOn(repo.checkout, planFor(pull(repo.checkout), { busybox: '1.36.2' }));
    expect(thu.closed).toEqual([['tidemark/redis-7.x', 'no longer needed; branch deleted']]);
    expect(Object.keys(remoteHeads(repo.remote)).sort()).toEqual(['main', 'tidemark/busybox-1.x', 'tidemark/nginx-1.x']);
  });

  it('does not count a merged branch against prConcurrentLimit: the next run pushes exactly one more', async () => {
    const repo = setup();
    const plan = () => planFor(pull(repo.checkout), { nginx: '1.27.0', redis: '7.2.4', busybox: '1.36.1' });
    const first = await runOn(repo.checkout, plan(), { prConcurrentLimit: 2 });
    expect(first.opened.map(([b]) => b)).toEqual(['tidemark/nginx-1.x', 'tidemark/redis-7.x']);
    expect(first.skipped).toEqual([['tidemark/busybox-1.x', 'concurrent PR limit (2) reached']]);
    mergeKeepingBranch(repo.remote, 'tidemark/nginx-1.x');
    const second = await runOn(repo.checkout, plan(), { prConcurrentLimit: 2 });
    expect(second.opened).toEqual([['tidemark/busybox-1.x', 'branch pushed']]);
    const third = await runOn(repo.checkout, plan(), { prConcurrentLimit: 2 });
    expect([third.opened, third.updated]).toEqual([[], []]);
  });

  it('opens no more than prHourlyLimit branches an hour across runs, dating each by its commit', async () => {
    const repo = setup();
    const plan = () => planFor(pull(repo.checkout), { nginx: '1.27.0', redis: '7.2.4', busybox: '1.36.1' });
    const first = await runOn(repo.checkout, plan(), { prHourlyLimit: 2 });
    expect(first.opened.map(([b]) => b)).toEqual(['tidemark/nginx-1.x', 'tidemark/redis-7.x']);
    const soon = await runOn(repo.checkout, plan(), { prHourlyLimit: 2 });
    expect([soon.opened, soon.skipped]).toEqual([[], [['tidemark/nginx-1.x', 'up to date'], ['tidemark/redis-7.x', 'up to date'], ['tidemark/busybox-1.x', 'hourly PR limit (2) reached']]]);
    backdate(repo.remote, 'tidemark/nginx-1.x', 2);
    const later = await runOn(repo.checkout, plan(), { prHourlyLimit: 2 });
    expect(later.opened).toEqual([['tidemark/busybox-1.x', 'branch pushed']]);
  });

  it('with an empty branch prefix, never pushes to or deletes main and other people\'s branches', async () => {
    const repo = setup();
    sh(repo.checkout, 'push', '--quiet', 'origin', 'main:feature-x');
    humanPush(repo.remote, 'feature-x', { 'apps/x.md': 'mine\n' });
    const plan = planFor(pull(repo.checkout), { nginx: '1.27.0' }, '');
    const first = await runOn(repo.checkout, plan, { branchPrefix: '', prConcurrentLimit: 1 });
    expect(first.opened).toEqual([['nginx-1.x', 'branch pushed']]);
    const heads = remoteHeads(repo.remote);
    const second = await runOn(repo.checkout, planFor(pull(repo.checkout), {}, ''), { branchPrefix: '' });
    expect(second.closed).toEqual([['nginx-1.x', 'no longer needed; branch deleted']]);
    expect(remoteHeads(repo.remote)).toEqual({ main: heads.main, 'feature-x': heads['feature-x'] });
  });

  it('refuses a group branch named like the base branch and leaves main as it was', async () => {
    const repo = setup();
    const files = pull(repo.checkout);
    const plan = planFor(files, { nginx: '1.27.0' }, '');
    plan.branches[0]!.branchName = 'main';
    const head = remoteHeads(repo.remote).main;
    const run = await runOn(repo.checkout, plan, { branchPrefix: '' });
    expect(run.partialFailure).toBe(true);
    expect(remoteHeads(repo.remote)).toEqual({ main: head });
  });
});
