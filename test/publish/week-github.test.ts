import nock from 'nock';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG, type TidemarkConfig } from '../../src/config/types.js';
import type { BranchPlan, Plan } from '../../src/plan/types.js';
import { GitHubPlatform } from '../../src/publish/github.js';
import { publish } from '../../src/publish/lifecycle.js';
import { scanFiles } from '../../src/scan/index.js';
import { updateOf } from '../edit/update-fixture.js';
import { GH_TEST_TIMING, GitHubRepoFake, recordingLogger } from '../helpers/github-fake.js';

/**
 * A week of scheduled runs against one GitHub repository (the stateful fake), with a user merging, closing and
 * committing between runs. Each day's plan is made from what the base branch holds that day, as a fresh checkout
 * would see it.
 */

function deployment(name: string, image: string): string {
  return `apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: ${name}\nspec:\n  template:\n    spec:\n      containers:\n        - name: ${name}\n          image: ${image} # pinned\n`;
}

const FILES = {
  'apps/web.yaml': deployment('web', 'nginx:1.25.3'),
  'apps/cache.yaml': deployment('cache', 'redis:7.0.1'),
  'apps/tools.yaml': deployment('tools', 'busybox:1.36.0'),
  'apps/mc.yaml': deployment('mc', 'memcached:1.6.21'),
};

function onMain(repo: GitHubRepoFake): Record<string, string> {
  const head = repo.commits.get(repo.refs.get('main')!)!;
  return Object.fromEntries(repo.trees.get(head.tree)!);
}

/** Today's plan: each named package to a version, one branch per package and major, from the files on main. */
function planFor(files: Record<string, string>, bumps: Record<string, string>, extra: Partial<Plan> = {}): Plan {
  const deps = scanFiles(Object.entries(files).map(([path, text]) => ({ path, text }))).dependencies;
  const branches: BranchPlan[] = [];
  for (const [name, version] of Object.entries(bumps)) {
    const updates = deps.filter((d) => d.name === name && d.currentValue !== version).map((d) => updateOf(d, version));
    if (updates.length > 0) branches.push({ branchName: `tidemark/${name}-${version.split('.')[0]}.x`, title: `Update ${name} to ${version}`, updates });
  }
  return { updates: branches.flatMap((b) => b.updates), unchanged: [], problems: [], branches, ...extra };
}

/** These weeks are about the lifecycle of branches; the PR limits (on by default) are set where a test is about them. */
const NO_LIMITS = { prHourlyLimit: 0, prConcurrentLimit: 0 };

async function day(repo: GitHubRepoFake, plan: Plan, config: Partial<TidemarkConfig> = {}) {
  const logger = recordingLogger();
  const platform = await GitHubPlatform.create({ token: 'ghp_weekly', repo: repo.repo, logger, timing: GH_TEST_TIMING });
  const from = repo.requests.length;
  const summary = await publish(platform, plan, {
    dir: '/checkout',
    config: { ...DEFAULT_CONFIG, ...NO_LIMITS, ...config },
    dryRun: false,
    logger,
    print: () => undefined,
    readFile: async () => {
      throw new Error('GitHub runs read the base commit');
    },
  });
  const writes = repo.requests.slice(from).filter((r) => !r.call.startsWith('GET ')).map((r) => r.call);
  const outcome = (list: typeof summary.opened) => list.map((o) => [o.branch, o.pr?.number ?? null, o.detail]);
  return {
    opened: outcome(summary.opened),
    updated: outcome(summary.updated),
    closed: outcome(summary.closed),
    skipped: outcome(summary.skipped),
    partialFailure: summary.partialFailure,
    problems: summary.problems.map((p) => p.message),
    writes,
  };
}

beforeAll(() => {
  nock.disableNetConnect();
});

afterEach(() => {
  nock.cleanAll();
});

describe('a week of scheduled runs on GitHub', () => {
  it('opens, leaves merged and closed PRs alone, updates in place, never rewrites a human commit, closes what is no longer needed', async () => {
    const repo = new GitHubRepoFake('o/r', FILES);
    repo.install();
    const ANN = { name: 'Ann', email: 'ann@example.com' };

    // Monday: four PRs.
    const mon = await day(repo, planFor(onMain(repo), { nginx: '1.27.0', redis: '7.2.4', busybox: '1.36.1', memcached: '1.6.22' }));
    expect(mon.opened.map(([b, n]) => [b, n])).toEqual([
      ['tidemark/nginx-1.x', 1],
      ['tidemark/redis-7.x', 2],
      ['tidemark/busybox-1.x', 3],
      ['tidemark/memcached-1.x', 4],
    ]);

    // Tuesday: the user squash-merges the nginx PR (GitHub deletes the branch); main now has nginx 1.27.0.
    repo.mergePull(1, { deleteBranch: true });
    expect(onMain(repo)['apps/web.yaml']).toEqual(deployment('web', 'nginx:1.27.0'));
    const tue = await day(repo, planFor(onMain(repo), { nginx: '1.27.0', redis: '7.2.4', busybox: '1.36.1', memcached: '1.6.22' }));
    expect([tue.opened, tue.updated, tue.closed, tue.writes]).toEqual([[], [], [], []]);
    expect(tue.skipped).toEqual([
      ['tidemark/redis-7.x', 2, 'up to date'],
      ['tidemark/busybox-1.x', 3, 'up to date'],
      ['tidemark/memcached-1.x', 4, 'up to date'],
    ]);
    expect(repo.refs.has('tidemark/nginx-1.x')).toBe(false);

    // Wednesday: the user closes the redis PR; it stays closed. A commit by Ann lands on the busybox branch.
    repo.closePull(2);
    const annHead = repo.pushCommit('tidemark/busybox-1.x', 'Tune probes', ANN, { 'apps/tools.yaml': deployment('tools', 'busybox:1.36.1').replace('# pinned', '# pinned by ann') });
    const wed = await day(repo, planFor(onMain(repo), { redis: '7.2.4', busybox: '1.36.1', memcached: '1.6.22' }));
    expect([wed.opened, wed.updated, wed.closed, wed.writes]).toEqual([[], [], [], []]);
    expect(wed.skipped).toEqual([
      ['tidemark/redis-7.x', 2, 'PR closed by the user; not reopened'],
      ['tidemark/busybox-1.x', 3, 'branch has commits by someone else; not rewritten'],
      ['tidemark/memcached-1.x', 4, 'up to date'],
    ]);

    // Thursday: busybox 1.36.2 and memcached 1.6.23 appear; redis 8 is out. Ann's branch gets one comment, not a push;
    // memcached's PR is updated in place; redis 8 gets a new PR (the closed 7.x one stays closed).
    const thuPlan = () => planFor(onMain(repo), { redis: '8.0.0', busybox: '1.36.2', memcached: '1.6.23' });
    const thu = await day(repo, thuPlan());
    expect(thu.opened).toEqual([['tidemark/redis-8.x', 5, 'PR opened']]);
    expect(thu.updated).toEqual([['tidemark/memcached-1.x', 4, 'branch regenerated']]);
    expect(thu.skipped).toEqual([['tidemark/busybox-1.x', 3, 'branch has commits by someone else; not rewritten; commented']]);
    expect(repo.refs.get('tidemark/busybox-1.x')).toBe(annHead);
    expect(repo.pulls.map((p) => [p.number, p.state, p.title])).toEqual([
      [1, 'closed', 'Update nginx to 1.27.0'],
      [2, 'closed', 'Update redis to 7.2.4'],
      [3, 'open', 'Update busybox to 1.36.1'],
      [4, 'open', 'Update memcached to 1.6.23'],
      [5, 'open', 'Update redis to 8.0.0'],
    ]);
    // Friday and Saturday: the same plan, nothing written, still one comment.
    expect((await day(repo, thuPlan())).writes).toEqual([]);
    expect((await day(repo, thuPlan())).writes).toEqual([]);
    expect(repo.comments.map((c) => c.number)).toEqual([3]);

    // Sunday: someone changes the redis line on main (a conflict for the redis-8 branch) and memcached is removed.
    repo.pushCommit('main', 'Pin redis 7.4 and drop memcached', ANN, { 'apps/cache.yaml': deployment('cache', 'redis:7.4.0'), 'apps/mc.yaml': 'kind: List\nitems: []\n' });
    const sun = await day(repo, planFor(onMain(repo), { redis: '8.0.0', busybox: '1.36.2' }));
    expect(sun.updated).toEqual([['tidemark/redis-8.x', 5, 'branch regenerated']]);
    expect(sun.closed).toEqual([['tidemark/memcached-1.x', 4, 'no longer needed; PR closed and branch deleted']]);
    expect(repo.fileOn('tidemark/redis-8.x', 'apps/cache.yaml')).toEqual(deployment('cache', 'redis:8.0.0'));
    expect(repo.commits.get(repo.refs.get('tidemark/redis-8.x')!)!.parents).toEqual([repo.refs.get('main')]);
    expect(repo.refs.has('tidemark/memcached-1.x')).toBe(false);
    expect(repo.comments.map((c) => c.number)).toEqual([3, 4]);
    expect(repo.pulls.filter((p) => p.state === 'open').map((p) => p.number)).toEqual([3, 5]);
  });

  it('goes on when opening one PR fails with 500, exits partial, and opens it next run without a second branch or PR', async () => {
    const repo = new GitHubRepoFake('o/r', FILES);
    repo.install();
    const plan = () => planFor(onMain(repo), { nginx: '1.27.0', redis: '7.2.4', busybox: '1.36.1' });
    // The first PR creation and its three retries fail; the next ones succeed.
    repo.failNext('POST /pulls', 500, 4);
    const first = await day(repo, plan());
    expect(first.opened.map(([b, n]) => [b, n])).toEqual([
      ['tidemark/redis-7.x', 1],
      ['tidemark/busybox-1.x', 2],
    ]);
    expect(first.skipped.map(([b, n]) => [b, n])).toEqual([['tidemark/nginx-1.x', null]]);
    expect(first.partialFailure).toBe(true);
    const branchHead = repo.refs.get('tidemark/nginx-1.x');
    const second = await day(repo, plan());
    expect(second.opened).toEqual([['tidemark/nginx-1.x', 3, 'PR opened']]);
    expect(second.writes).toEqual(['POST /pulls']);
    expect(repo.refs.get('tidemark/nginx-1.x')).toBe(branchHead);
    expect(repo.pulls.filter((p) => p.branch === 'tidemark/nginx-1.x').length).toBe(1);
    expect(second.partialFailure).toBe(false);
  });

  it('waits out a secondary rate limit in the middle of a run and finishes every branch', async () => {
    const repo = new GitHubRepoFake('o/r', FILES);
    repo.install();
    repo.failNext('POST /git/commits', 403, 1, { 'retry-after': '1' });
    const run = await day(repo, planFor(onMain(repo), { nginx: '1.27.0', redis: '7.2.4' }));
    expect(run.opened.map(([b, n]) => [b, n])).toEqual([
      ['tidemark/nginx-1.x', 1],
      ['tidemark/redis-7.x', 2],
    ]);
    expect(run.partialFailure).toBe(false);
  });

  it('closes no PR when a registry failed, even for a package missing from the plan', async () => {
    const repo = new GitHubRepoFake('o/r', FILES);
    repo.install();
    await day(repo, planFor(onMain(repo), { nginx: '1.27.0', redis: '7.2.4' }));
    const failed = await day(repo, planFor(onMain(repo), { nginx: '1.27.0' }, { partialFailure: true }));
    expect([failed.closed, failed.writes]).toEqual([[], []]);
    expect(repo.pulls.map((p) => p.state)).toEqual(['open', 'open']);
  });

  it('leaves a human branch named like a Tidemark branch alone: no push, no PR', async () => {
    const repo = new GitHubRepoFake('o/r', FILES);
    repo.install();
    repo.refs.set('tidemark/nginx-1.x', repo.refs.get('main')!);
    const human = repo.pushCommit('tidemark/nginx-1.x', 'My own experiment', { name: 'Ann', email: 'ann@example.com' }, { 'notes.md': 'hi\n' });
    const run = await day(repo, planFor(onMain(repo), { nginx: '1.27.0' }));
    expect(run.skipped).toEqual([['tidemark/nginx-1.x', null, 'branch has commits by someone else; not rewritten']]);
    expect(run.writes).toEqual([]);
    expect(repo.refs.get('tidemark/nginx-1.x')).toBe(human);
  });

  it('does not close a PR someone committed to when the plan no longer wants it', async () => {
    const repo = new GitHubRepoFake('o/r', FILES);
    repo.install();
    await day(repo, planFor(onMain(repo), { nginx: '1.27.0', redis: '7.2.4' }));
    const human = repo.pushCommit('tidemark/redis-7.x', 'Also tune memory', { name: 'Ann', email: 'ann@example.com' }, { 'apps/cache.yaml': deployment('cache', 'redis:7.2.4').replace('# pinned', '# pinned, 2Gi') });
    const run = await day(repo, planFor(onMain(repo), { nginx: '1.27.0' }));
    expect(run.closed).toEqual([]);
    expect(run.skipped).toContainEqual(['tidemark/redis-7.x', 2, 'no longer needed, but the branch has commits by someone else; left open']);
    expect(repo.pulls.map((p) => p.state)).toEqual(['open', 'open']);
    expect(repo.refs.get('tidemark/redis-7.x')).toBe(human);
    // and says so once, not on every run
    await day(repo, planFor(onMain(repo), { nginx: '1.27.0' }));
    expect(repo.comments.map((c) => c.number)).toEqual([2]);
  });

  it('goes on closing the other stale PRs when closing one fails', async () => {
    const repo = new GitHubRepoFake('o/r', FILES);
    repo.install();
    await day(repo, planFor(onMain(repo), { nginx: '1.27.0', redis: '7.2.4', busybox: '1.36.1' }));
    repo.failNext('POST /issues/1/comments', 500, 4);
    const run = await day(repo, planFor(onMain(repo), { busybox: '1.36.1' }));
    expect(run.closed.map(([b, n]) => [b, n])).toEqual([['tidemark/redis-7.x', 2]]);
    expect(run.partialFailure).toBe(true);
    expect(repo.pulls.map((p) => p.state)).toEqual(['open', 'closed', 'open']);
  });

  it('opens no more than prConcurrentLimit PRs, says why for the rest, and opens exactly one more after a merge', async () => {
    const repo = new GitHubRepoFake('o/r', {
      ...FILES,
      'apps/db.yaml': deployment('db', 'postgres:16.1'),
    });
    repo.install();
    const plan = () => planFor(onMain(repo), { nginx: '1.27.0', redis: '7.2.4', busybox: '1.36.1', memcached: '1.6.22', postgres: '16.4' });
    const first = await day(repo, plan(), { prConcurrentLimit: 2 });
    expect(first.opened.map(([b, n]) => [b, n])).toEqual([
      ['tidemark/nginx-1.x', 1],
      ['tidemark/redis-7.x', 2],
    ]);
    expect(first.skipped).toEqual([
      ['tidemark/busybox-1.x', null, 'concurrent PR limit (2) reached'],
      ['tidemark/memcached-1.x', null, 'concurrent PR limit (2) reached'],
      ['tidemark/postgres-16.x', null, 'concurrent PR limit (2) reached'],
    ]);
    expect([...repo.refs.keys()].sort()).toEqual(['main', 'tidemark/nginx-1.x', 'tidemark/redis-7.x']);
    repo.mergePull(1, { deleteBranch: true });
    const second = await day(repo, plan(), { prConcurrentLimit: 2 });
    expect(second.opened.map(([b, n]) => [b, n])).toEqual([['tidemark/busybox-1.x', 3]]);
    expect(second.skipped.map(([b, , d]) => [b, d])).toEqual([
      ['tidemark/redis-7.x', 'up to date'],
      ['tidemark/memcached-1.x', 'concurrent PR limit (2) reached'],
      ['tidemark/postgres-16.x', 'concurrent PR limit (2) reached'],
    ]);
  });

  it('opens no more than prHourlyLimit PRs an hour, across runs', async () => {
    const repo = new GitHubRepoFake('o/r', FILES);
    repo.install();
    const plan = () => planFor(onMain(repo), { nginx: '1.27.0', redis: '7.2.4', busybox: '1.36.1' });
    const first = await day(repo, plan(), { prHourlyLimit: 2 });
    expect(first.opened.length).toBe(2);
    expect(first.skipped).toEqual([['tidemark/busybox-1.x', null, 'hourly PR limit (2) reached']]);
    const again = await day(repo, plan(), { prHourlyLimit: 2 });
    expect([again.opened, again.writes]).toEqual([[], []]);
  });

  it('never pushes to the default branch, even when the base is another branch and a group is named like it', async () => {
    const repo = new GitHubRepoFake('o/r', FILES);
    repo.install();
    repo.refs.set('develop', repo.refs.get('main')!);
    const plan = planFor(onMain(repo), { nginx: '1.27.0' });
    plan.branches[0]!.branchName = 'main';
    const mainHead = repo.refs.get('main');
    const run = await day(repo, plan, { baseBranch: 'develop', branchPrefix: '' });
    expect(run.partialFailure).toBe(true);
    expect(run.problems).toEqual(['main: the branch name is the default branch main; refusing to push']);
    expect([repo.refs.get('main'), run.writes]).toEqual([mainHead, []]);
  });
});
