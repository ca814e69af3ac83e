import { describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG, type TidemarkConfig } from '../../src/config/types.js';
import { PlatformError } from '../../src/errors.js';
import { silentLogger } from '../../src/log.js';
import type { BranchPlan, Plan } from '../../src/plan/types.js';
import { publish } from '../../src/publish/lifecycle.js';
import { prBody } from '../../src/publish/pr-body.js';
import { scanFiles } from '../../src/scan/index.js';
import { updateOf } from '../edit/update-fixture.js';
import { FakePlatform, untouchable } from './fake-platform.js';

function deployment(image: string): string {
  return `apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: app\nspec:\n  template:\n    spec:\n      containers:\n        - name: app\n          image: ${image}\n`;
}

const START: Record<string, string> = {
  'apps/web.yaml': deployment('nginx:1.25.3'),
  'overlays/prod/web.yaml': deployment('nginx:1.25.3'),
  'apps/cache.yaml': deployment('redis:7.0.1'),
};

/** A plan moving each named package to a version: one branch per package, in every file it appears in. */
function planFor(files: Record<string, string>, bumps: Record<string, string>, extra: Partial<Plan> = {}): Plan {
  const deps = scanFiles(Object.entries(files).map(([path, text]) => ({ path, text }))).dependencies;
  const branches: BranchPlan[] = [];
  for (const [name, version] of Object.entries(bumps)) {
    const updates = deps.filter((d) => d.name === name).map((d) => ({ ...updateOf(d, version), labels: ['deps'], sourceUrl: `https://github.com/acme/${name}` }));
    branches.push({ branchName: `tidemark/${name}-${version.split('.')[0]}.x`, title: `Update ${name} to ${version}`, updates });
  }
  return { updates: branches.flatMap((b) => b.updates), unchanged: [], problems: [], branches, ...extra };
}

function ctx(files: Record<string, string>, config: Partial<TidemarkConfig> = {}, print: (s: string) => void = () => undefined) {
  return {
    dir: '/repo',
    config: { ...DEFAULT_CONFIG, ...config },
    dryRun: false,
    logger: silentLogger,
    print,
    readFile: async (path: string) => {
      const text = files[path];
      if (text === undefined) throw new Error(`ENOENT: ${path}`);
      return text;
    },
  };
}

describe('publish', () => {
  it('opens one PR per branch with every file the package appears in', async () => {
    const platform = new FakePlatform();
    const summary = await publish(platform, planFor(START, { nginx: '1.27.0', redis: '7.2.4' }), ctx(START));
    expect(summary.opened.map((o) => [o.branch, o.pr?.number, o.detail])).toEqual([
      ['tidemark/nginx-1.x', 1, 'PR opened'],
      ['tidemark/redis-7.x', 2, 'PR opened'],
    ]);
    expect(platform.branches.get('tidemark/nginx-1.x')!.files).toEqual([
      { path: 'apps/web.yaml', content: deployment('nginx:1.27.0') },
      { path: 'overlays/prod/web.yaml', content: deployment('nginx:1.27.0') },
    ]);
    expect(platform.created[0]).toMatchObject({ branch: 'tidemark/nginx-1.x', base: 'main', title: 'Update nginx to 1.27.0', labels: ['deps'] });
    expect(summary.partialFailure).toEqual(false);
  });

  it('changes nothing when run again on the same base', async () => {
    const platform = new FakePlatform();
    const plan = planFor(START, { nginx: '1.27.0', redis: '7.2.4' });
    await publish(platform, plan, ctx(START));
    const calls = platform.calls.length;
    const summary = await publish(platform, plan, ctx(START));
    expect(platform.calls.slice(calls)).toEqual([]);
    expect(summary.skipped.map((o) => [o.branch, o.detail])).toEqual([
      ['tidemark/nginx-1.x', 'up to date'],
      ['tidemark/redis-7.x', 'up to date'],
    ]);
    expect(summary.opened).toEqual([]);
  });

  it('does not edit a PR whose body the host returns with CRLF line endings', async () => {
    const platform = new FakePlatform();
    const plan = planFor(START, { redis: '7.2.4' });
    await publish(platform, plan, ctx(START));
    platform.pr(1).body = platform.pr(1).body.replace(/\n/g, '\r\n').trim();
    const summary = await publish(platform, plan, ctx(START));
    expect(platform.calls).toEqual(['push tidemark/redis-7.x', 'create-pr tidemark/redis-7.x']);
    expect(summary.skipped.map((o) => o.detail)).toEqual(['up to date']);
  });

  it('moves the branch and edits the PR in place when a newer version appears', async () => {
    const platform = new FakePlatform();
    await publish(platform, planFor(START, { nginx: '1.27.0' }), ctx(START));
    const summary = await publish(platform, planFor(START, { nginx: '1.27.1' }), ctx(START));
    expect(platform.calls).toEqual(['push tidemark/nginx-1.x', 'create-pr tidemark/nginx-1.x', 'push tidemark/nginx-1.x', 'update-pr 1']);
    expect(summary.updated.map((o) => [o.branch, o.pr?.number])).toEqual([['tidemark/nginx-1.x', 1]]);
    expect(platform.pr(1).title).toEqual('Update nginx to 1.27.1');
    expect(platform.pr(1).body).toContain('"updates":["nginx@1.27.1"]');
    expect(platform.branches.get('tidemark/nginx-1.x')!.files[0]!.content).toEqual(deployment('nginx:1.27.1'));
  });

  it('does not reopen a PR the user closed for the same update, but opens one for a newer version', async () => {
    const platform = new FakePlatform();
    await publish(platform, planFor(START, { nginx: '1.27.0' }), ctx(START));
    platform.pr(1).state = 'closed';
    const again = await publish(platform, planFor(START, { nginx: '1.27.0' }), ctx(START));
    expect(again.skipped.map((o) => o.detail)).toEqual(['PR closed by the user; not reopened']);
    expect(platform.prs).toHaveLength(1);
    const newer = await publish(platform, planFor(START, { nginx: '1.28.0' }), ctx(START));
    expect(newer.opened.map((o) => [o.branch, o.pr?.number])).toEqual([['tidemark/nginx-1.x', 2]]);
  });

  it('never rewrites a branch with a human commit and comments once', async () => {
    const platform = new FakePlatform();
    await publish(platform, planFor(START, { nginx: '1.27.0' }), ctx(START));
    platform.humanCommit('tidemark/nginx-1.x');
    const quiet = await publish(platform, planFor(START, { nginx: '1.27.0' }), ctx(START));
    expect(quiet.skipped.map((o) => o.detail)).toEqual(['branch has commits by someone else; not rewritten']);
    expect(platform.comments).toEqual([]);
    const first = await publish(platform, planFor(START, { nginx: '1.27.1' }), ctx(START));
    const second = await publish(platform, planFor(START, { nginx: '1.27.1' }), ctx(START));
    expect(first.skipped.map((o) => o.detail)).toEqual(['branch has commits by someone else; not rewritten; commented']);
    expect(second.skipped.map((o) => o.detail)).toEqual(['branch has commits by someone else; not rewritten']);
    expect(platform.calls.filter((c) => c.startsWith('push'))).toEqual(['push tidemark/nginx-1.x']);
    expect(platform.comments.map((c) => c.number)).toEqual([1]);
    expect(platform.comments[0]!.body).toContain('commits by Dana');
  });

  it('leaves a branch alone when the base moved elsewhere, and regenerates it when its files changed', async () => {
    const platform = new FakePlatform();
    await publish(platform, planFor(START, { nginx: '1.27.0' }), ctx(START));
    platform.baseSha = 'base-2';
    const unrelated = await publish(platform, planFor(START, { nginx: '1.27.0' }), ctx(START));
    expect(unrelated.skipped.map((o) => o.detail)).toEqual(['up to date']);
    const moved = { ...START, 'apps/web.yaml': '# owned by web team\n' + deployment('nginx:1.25.3') };
    platform.baseSha = 'base-3';
    const summary = await publish(platform, planFor(moved, { nginx: '1.27.0' }), ctx(moved));
    expect(summary.updated.map((o) => o.detail)).toEqual(['branch regenerated']);
    const branch = platform.branches.get('tidemark/nginx-1.x')!;
    expect(branch.baseSha).toEqual('base-3');
    expect(branch.files[0]!.content).toEqual('# owned by web team\n' + deployment('nginx:1.27.0'));
  });

  it('closes a Tidemark PR the plan no longer wants and deletes its branch', async () => {
    const platform = new FakePlatform();
    await publish(platform, planFor(START, { nginx: '1.27.0', redis: '7.2.4' }), ctx(START));
    await platform.createPr({ branch: 'tidemark/handmade', base: 'main', title: 'by hand', body: 'no marker', labels: [], reviewers: [], assignees: [], automerge: false });
    const summary = await publish(platform, planFor(START, { nginx: '1.27.0' }), ctx(START));
    expect(summary.closed.map((o) => [o.branch, o.pr?.number, o.detail])).toEqual([['tidemark/redis-7.x', 2, 'no longer needed; PR closed and branch deleted']]);
    expect(platform.pr(2).state).toEqual('closed');
    expect(platform.pr(3).state).toEqual('open');
    expect(platform.branches.has('tidemark/redis-7.x')).toEqual(false);
    expect(platform.comments.map((c) => c.number)).toEqual([2]);
  });

  it('closes nothing when the plan is incomplete', async () => {
    const platform = new FakePlatform();
    await publish(platform, planFor(START, { nginx: '1.27.0', redis: '7.2.4' }), ctx(START));
    const partial: Plan = { ...planFor(START, { nginx: '1.27.0' }), partialFailure: true };
    const summary = await publish(platform, partial, ctx(START));
    expect(summary.closed).toEqual([]);
    expect(platform.pr(2).state).toEqual('open');
  });

  it('keeps a PR open when its file could not be read this run, instead of calling it no longer needed', async () => {
    const platform = new FakePlatform();
    await publish(platform, planFor(START, { nginx: '1.27.0', redis: '7.2.4' }), ctx(START));
    const broken = planFor(START, { nginx: '1.27.0' }, { problems: [{ file: 'apps/cache.yaml', line: 3, message: 'bad indentation' }] });
    const summary = await publish(platform, broken, ctx(START));
    expect(summary.closed).toEqual([]);
    expect(summary.skipped.filter((o) => o.branch === 'tidemark/redis-7.x').map((o) => o.detail)).toEqual(['not closed: apps/cache.yaml could not be read this run']);
    expect(platform.pr(2).state).toEqual('open');
    const fixed = await publish(platform, planFor(START, { nginx: '1.27.0' }), ctx(START));
    expect(fixed.closed.map((o) => o.branch)).toEqual(['tidemark/redis-7.x']);
  });

  it('keeps a plain-git branch whose file could not be read this run', async () => {
    const platform = new FakePlatform(false);
    await publish(platform, planFor(START, { nginx: '1.27.0', redis: '7.2.4' }), ctx(START));
    const broken = planFor(START, { nginx: '1.27.0' }, { problems: [{ file: 'apps/cache.yaml', line: 3, message: 'bad indentation' }] });
    const summary = await publish(platform, broken, ctx(START));
    expect(summary.closed).toEqual([]);
    expect(platform.branches.has('tidemark/redis-7.x')).toEqual(true);
  });

  it('opens no more PRs than the concurrent limit allows', async () => {
    const platform = new FakePlatform();
    const summary = await publish(platform, planFor(START, { nginx: '1.27.0', redis: '7.2.4' }), ctx(START, { prConcurrentLimit: 1 }));
    expect(summary.opened.map((o) => o.branch)).toEqual(['tidemark/nginx-1.x']);
    expect(summary.skipped.map((o) => [o.branch, o.detail])).toEqual([['tidemark/redis-7.x', 'concurrent PR limit (1) reached']]);
    expect(platform.branches.has('tidemark/redis-7.x')).toEqual(false);
  });

  it('opens two PRs on a first run with the default config and holds the rest back by prHourlyLimit', async () => {
    const files = { ...START, 'apps/db.yaml': deployment('postgres:16.1') };
    const platform = new FakePlatform();
    const summary = await publish(platform, planFor(files, { nginx: '1.27.0', redis: '7.2.4', postgres: '16.4' }), ctx(files));
    expect(summary.opened.map((o) => o.branch)).toEqual(['tidemark/nginx-1.x', 'tidemark/redis-7.x']);
    expect(summary.skipped).toEqual([{ branch: 'tidemark/postgres-16.x', pr: null, detail: 'hourly PR limit (2) reached', heldBy: 'prHourlyLimit' }]);
    expect(platform.branches.has('tidemark/postgres-16.x')).toEqual(false);
  });

  it('opens every PR when the limits are set to 0', async () => {
    const files = { ...START, 'apps/db.yaml': deployment('postgres:16.1') };
    const summary = await publish(new FakePlatform(), planFor(files, { nginx: '1.27.0', redis: '7.2.4', postgres: '16.4' }), ctx(files, { prHourlyLimit: 0, prConcurrentLimit: 0 }));
    expect(summary.opened.map((o) => o.branch)).toEqual(['tidemark/nginx-1.x', 'tidemark/redis-7.x', 'tidemark/postgres-16.x']);
    expect(summary.skipped).toEqual([]);
  });

  it('counts PRs opened in the last hour against the hourly limit', async () => {
    const platform = new FakePlatform();
    await publish(platform, planFor(START, { nginx: '1.27.0' }), ctx(START));
    const summary = await publish(platform, planFor(START, { nginx: '1.27.0', redis: '7.2.4' }), ctx(START, { prHourlyLimit: 1 }));
    expect(summary.skipped.map((o) => [o.branch, o.detail])).toEqual([
      ['tidemark/nginx-1.x', 'up to date'],
      ['tidemark/redis-7.x', 'hourly PR limit (1) reached'],
    ]);
  });

  it('says on a dry run that would open more than prHourlyLimit allows that a real run holds the rest back', async () => {
    const logged: [string, Record<string, unknown>][] = [];
    const logger = { ...silentLogger, info: (msg: string, meta: Record<string, unknown> = {}) => void logged.push([msg, meta]) };
    const files = { ...START, 'apps/db.yaml': deployment('postgres:16.1') };
    const plan = planFor(files, { nginx: '1.27.0', redis: '7.2.4', postgres: '16.4' });
    const summary = await publish(untouchable(), plan, { ...ctx(files), logger, dryRun: true });
    expect(summary.wouldOpen).toHaveLength(3);
    expect(logged).toEqual([['a real run opens at most 2 new an hour (prHourlyLimit); the rest wait for later runs', { wouldOpen: 3, prHourlyLimit: 2, prConcurrentLimit: 10 }]]);
    logged.length = 0;
    await publish(untouchable(), plan, { ...ctx(files, { prHourlyLimit: 0 }), logger, dryRun: true });
    expect(logged).toEqual([]);
  });

  it('prints each branch diff on a dry run and touches nothing', async () => {
    const printed: string[] = [];
    const plan = planFor(START, { redis: '7.2.4' });
    const summary = await publish(untouchable(), plan, { ...ctx(START, {}, (s) => printed.push(s)), dryRun: true });
    const at = printed[0]!.indexOf('diff --git');
    expect(printed[0]!.slice(0, at)).toEqual(`# tidemark/redis-7.x: Update redis to 7.2.4\n\n${prBody(plan.branches[0]!, plan.branches[0]!.updates)}\n`);
    expect([printed[0]!.slice(at), ...printed.slice(1)]).toEqual([
      [
        'diff --git a/apps/cache.yaml b/apps/cache.yaml',
        '--- a/apps/cache.yaml',
        '+++ b/apps/cache.yaml',
        '@@ -7,4 +7,4 @@',
        '     spec:',
        '       containers:',
        '         - name: app',
        '-          image: redis:7.0.1',
        '+          image: redis:7.2.4',
        '',
      ].join('\n'),
    ]);
    expect(summary.skipped).toEqual([]);
    expect(summary.wouldOpen).toEqual([{ branch: 'tidemark/redis-7.x', pr: null, detail: 'dry run: nothing pushed' }]);
  });

  it('shows terminal control sequences in a dry-run diff as text, and quotes each file name on its header line as git does', async () => {
    const hostile = deployment('redis:7.0.1 # \u001b]52;c;ZXZpbA==\u0007 ok\rforged').replace('metadata:', 'metadata: # \u001b[2J');
    const files = { 'apps/a\n+++ b/forged.yaml': hostile };
    const printed: string[] = [];
    await publish(untouchable(), planFor(files, { redis: '7.2.4' }), { ...ctx(files, {}, (s) => printed.push(s)), dryRun: true });
    expect(printed[0]).toMatch(/^# tidemark\/redis-7\.x: Update redis to 7\.2\.4\n\nThis PR updates/);
    expect(printed[0]).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f]/);
    expect([printed[0]!.slice(printed[0]!.indexOf('diff --git')), ...printed.slice(1)]).toEqual([
      [
        'diff --git "a/apps/a\\n+++ b/forged.yaml" "b/apps/a\\n+++ b/forged.yaml"',
        '--- "a/apps/a\\n+++ b/forged.yaml"',
        '+++ "b/apps/a\\n+++ b/forged.yaml"',
        '@@ -7,4 +7,4 @@',
        '     spec:',
        '       containers:',
        '         - name: app',
        '-          image: redis:7.0.1 # \\u001b]52;c;ZXZpbA==\\u0007 ok\\u000dforged',
        '+          image: redis:7.2.4 # \\u001b]52;c;ZXZpbA==\\u0007 ok\\u000dforged',
        '',
      ].join('\n'),
    ]);
  });

  it('pushes branches without PRs on plain git and deletes branches no longer planned', async () => {
    const platform = new FakePlatform(false);
    const first = await publish(platform, planFor(START, { nginx: '1.27.0', redis: '7.2.4' }), ctx(START));
    expect(first.opened.map((o) => [o.branch, o.pr, o.detail])).toEqual([
      ['tidemark/nginx-1.x', null, 'branch pushed'],
      ['tidemark/redis-7.x', null, 'branch pushed'],
    ]);
    const second = await publish(platform, planFor(START, { nginx: '1.27.0' }), ctx(START));
    expect(second.closed.map((o) => [o.branch, o.detail])).toEqual([['tidemark/redis-7.x', 'no longer needed; branch deleted']]);
    expect(platform.calls).toEqual(['push tidemark/nginx-1.x', 'push tidemark/redis-7.x', 'delete tidemark/redis-7.x']);
  });

  it('refuses a branch named like the base branch and reports it as a failure', async () => {
    const platform = new FakePlatform();
    const plan = planFor(START, { redis: '7.2.4' });
    plan.branches[0]!.branchName = 'main';
    const summary = await publish(platform, plan, ctx(START));
    expect(platform.calls).toEqual([]);
    expect(summary.partialFailure).toEqual(true);
    expect(summary.problems.map((p) => p.message)).toEqual(['main: the branch name is the base branch main; refusing to push']);
  });

  it('edits the files of the base commit when the platform can read them, so a stale checkout reverts nothing', async () => {
    const onBase: Record<string, string> = { ...START, 'apps/cache.yaml': deployment('redis:7.0.2') };
    const platform = Object.assign(new FakePlatform(), { readFile: async (_sha: string, path: string) => onBase[path]! });
    const summary = await publish(platform, planFor(START, { redis: '7.2.4' }), ctx(START));
    expect(platform.calls).toEqual([]);
    expect(summary.skipped.map((o) => o.detail)).toEqual(['no file could be edited']);
    expect(summary.problems.map((p) => p.message)).toEqual(['could not update redis to 7.2.4: the file no longer reads the scanned version']);
  });

  it('goes on with the other branches when pushing one fails', async () => {
    const platform = new FakePlatform();
    const push = platform.commitFiles.bind(platform);
    platform.commitFiles = async (req) => {
      if (req.branch === 'tidemark/nginx-1.x') throw new PlatformError('GitHub: 409 reference update failed', { platform: 'github', status: 409 });
      return push(req);
    };
    const summary = await publish(platform, planFor(START, { nginx: '1.27.0', redis: '7.2.4' }), ctx(START));
    expect(summary.opened.map((o) => o.branch)).toEqual(['tidemark/redis-7.x']);
    expect(summary.skipped).toEqual([{ branch: 'tidemark/nginx-1.x', pr: null, detail: 'failed: GitHub: 409 reference update failed' }]);
    expect(summary.problems.map((p) => p.message)).toEqual(['tidemark/nginx-1.x: GitHub: 409 reference update failed']);
    expect(summary.partialFailure).toEqual(true);
  });

  it('uses the semantic commit prefix in titles and commit messages', async () => {
    const platform = new FakePlatform();
    await publish(platform, planFor(START, { redis: '7.2.4' }), ctx(START, { commitMessagePrefix: 'chore(deps)' }));
    expect(platform.pr(1).title).toEqual('chore(deps): update redis to 7.2.4');
    const [commit] = platform.branches.get('tidemark/redis-7.x')!.commits;
    expect(commit!.message.split('\n').slice(0, 3)).toEqual(['chore(deps): update redis to 7.2.4', '', '- redis 7.0.1 → 7.2.4 (apps/cache.yaml)']);
    expect(commit!.authorEmail).toEqual(DEFAULT_CONFIG.author.email);
  });
});

describe('publish past the repository deadline', () => {
  it('pushes nothing and opens no PR once the deadline passed, and throws its reason', async () => {
    const platform = new FakePlatform();
    const deadline = new AbortController();
    const commit = platform.commitFiles.bind(platform);
    // The deadline passes while the first branch is being pushed.
    platform.commitFiles = async (req) => {
      const sha = await commit(req);
      deadline.abort(new Error('timed out after 30m'));
      return sha;
    };
    const run = publish(platform, planFor(START, { nginx: '1.27.0', redis: '7.2.4' }), { ...ctx(START), signal: deadline.signal });
    await expect(run).rejects.toThrow('timed out after 30m');
    expect(platform.calls).toEqual(['push tidemark/nginx-1.x']);
  });

  it('starts nothing when the deadline passed before publishing', async () => {
    const platform = new FakePlatform();
    const deadline = new AbortController();
    deadline.abort(new Error('timed out after 30m'));
    await expect(publish(platform, planFor(START, { nginx: '1.27.0' }), { ...ctx(START), signal: deadline.signal })).rejects.toThrow('timed out after 30m');
    expect(platform.calls).toEqual([]);
  });
});
