import nock from 'nock';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG } from '../../src/config/types.js';
import type { Plan } from '../../src/plan/types.js';
import { GitHubPlatform } from '../../src/publish/github.js';
import { GH_TEST_TIMING, GitHubRepoFake, recordingLogger } from '../helpers/github-fake.js';
import { deployment, FILES, planFor, publishThrough, withRule } from './platform-lifecycle-fixture.js';

/**
 * The platform-independent lifecycle (src/publish/lifecycle.ts) driven through GitHubPlatform against a stateful
 * fake of the GitHub REST API: what a user sees on GitHub over several scheduled runs.
 */

async function run(repo: GitHubRepoFake, plan: Plan, opts: { dashboard?: boolean } = {}) {
  const logger = recordingLogger();
  const platform = await GitHubPlatform.create({ token: 'ghp_test', repo: repo.repo, logger, timing: GH_TEST_TIMING });
  return publishThrough(platform, repo.requests, plan, logger, opts);
}

beforeAll(() => {
  nock.disableNetConnect();
});

afterEach(() => {
  nock.cleanAll();
});

describe('publish on GitHub', () => {
  it('opens one labelled PR per branch, each a single commit on the base updating every file the package is in', async () => {
    const repo = new GitHubRepoFake('o/r', FILES);
    repo.install();
    const first = await run(repo, planFor(FILES, { nginx: '1.27.0' }));
    expect(first.summary).toEqual({ opened: [['tidemark/nginx-1.x', 1, 'PR opened']], updated: [], closed: [], skipped: [] });
    expect([first.problems, first.partialFailure]).toEqual([[], false]);
    expect(first.writes).toEqual([
      'POST /git/trees',
      'POST /git/commits',
      'POST /git/refs',
      'POST /pulls',
      'POST /issues/1/labels',
    ]);
    const head = repo.commits.get(repo.refs.get('tidemark/nginx-1.x')!)!;
    expect([head.parents, head.author, head.message.split('\n')[0]]).toEqual([[repo.refs.get('main')], DEFAULT_CONFIG.author, 'Update nginx to 1.27.0']);
    expect(repo.fileOn('tidemark/nginx-1.x', 'apps/web.yaml')).toBe(deployment('nginx:1.27.0'));
    expect(repo.fileOn('tidemark/nginx-1.x', 'overlays/prod/web.yaml')).toBe(deployment('nginx:1.27.0'));
    expect(repo.fileOn('tidemark/nginx-1.x', 'apps/cache.yaml')).toBe(FILES['apps/cache.yaml']);
    expect(repo.pulls.map((p) => [p.number, p.branch, p.base, p.state, p.title, p.labels])).toEqual([
      [1, 'tidemark/nginx-1.x', 'main', 'open', 'Update nginx to 1.27.0', ['dependencies']],
    ]);
    // Branch not there yet, ref to create: expected answers, not errors in the Actions log.
    expect(first.logger.records.filter((r) => r.level === 'warn' || r.level === 'error')).toEqual([]);
  });

  it('creates each new branch with one POST: no write that is bound to fail, as writes count toward secondary rate limits', async () => {
    const repo = new GitHubRepoFake('o/r', FILES);
    repo.install();
    const first = await run(repo, planFor(FILES, { nginx: '1.27.0', redis: '7.2.4' }));
    expect(first.summary.opened.map(([branch]) => branch)).toEqual(['tidemark/nginx-1.x', 'tidemark/redis-7.x']);
    expect(first.writes.filter((w) => w.startsWith('PATCH /git/refs') || w === 'POST /git/refs')).toEqual(['POST /git/refs', 'POST /git/refs']);
    expect(repo.requests.filter((r) => r.call.startsWith('PATCH /git/refs'))).toEqual([]);
    // The branch listing already said they do not exist: no ref is read to learn it again.
    expect(repo.requests.filter((r) => r.call.startsWith('GET /git/ref/heads/tidemark/'))).toEqual([]);
  });

  it('keeps an executable file executable, and never writes over a symlink', async () => {
    const files = { ...FILES, 'bin/web.yaml': deployment('nginx:1.25.3'), 'current.yaml': 'apps/web.yaml' };
    const repo = new GitHubRepoFake('o/r', files, 'main', { modes: { 'bin/web.yaml': '100755', 'current.yaml': '120000' } });
    repo.install();
    // As a scan that followed the link inside the repository sees it: `current.yaml` reads as its target.
    const scanned = { ...FILES, 'bin/web.yaml': deployment('nginx:1.25.3'), 'current.yaml': deployment('nginx:1.25.3') };
    const first = await run(repo, planFor(scanned, { nginx: '1.27.0' }));
    expect([first.summary.opened, first.problems]).toEqual([[['tidemark/nginx-1.x', 1, 'PR opened']], []]);
    expect(repo.fileOn('tidemark/nginx-1.x', 'bin/web.yaml')).toBe(deployment('nginx:1.27.0'));
    expect(repo.fileOn('tidemark/nginx-1.x', 'apps/web.yaml')).toBe(deployment('nginx:1.27.0'));
    const modes = ['bin/web.yaml', 'apps/web.yaml', 'current.yaml'].map((p) => repo.modeOn('tidemark/nginx-1.x', p));
    expect(modes).toEqual(['100755', '100644', '120000']);
    // The link is left as it is: still pointing at its target, which the same commit updated.
    expect(repo.fileOn('tidemark/nginx-1.x', 'current.yaml')).toBe('apps/web.yaml');
    expect(first.logger.records.filter((r) => r.level === 'warn').map((r) => [r.msg, r.meta?.path])).toEqual([
      ['not writing a path that is not a regular file in the repository', 'current.yaml'],
    ]);
  });

  it('refuses a commit that would only write over a symlink, as a failed branch', async () => {
    const files = { ...FILES, 'current.yaml': 'apps/web.yaml' };
    const repo = new GitHubRepoFake('o/r', files, 'main', { modes: { 'current.yaml': '120000' } });
    repo.install();
    const refused = await run(repo, planFor({ 'current.yaml': deployment('nginx:1.25.3') }, { nginx: '1.27.0' }));
    expect(refused.problems.map((p) => p.message)).toEqual([
      'tidemark/nginx-1.x: GitHub: current.yaml is a symlink in the repository; Tidemark edits regular files only',
    ]);
    expect(repo.refs.has('tidemark/nginx-1.x')).toBe(false);
  });

  it('finds the modes of a tree GitHub truncates by reading it one directory at a time', async () => {
    const files = { ...FILES, 'bin/web.yaml': deployment('nginx:1.25.3') };
    const repo = new GitHubRepoFake('o/r', files, 'main', { modes: { 'bin/web.yaml': '100755' }, truncateTrees: true });
    repo.install();
    await run(repo, planFor(files, { nginx: '1.27.0' }));
    expect(repo.modeOn('tidemark/nginx-1.x', 'bin/web.yaml')).toBe('100755');
    expect(repo.modeOn('tidemark/nginx-1.x', 'overlays/prod/web.yaml')).toBe('100644');
  });

  it('changes nothing when run again with the same plan', async () => {
    const repo = new GitHubRepoFake('o/r', FILES);
    repo.install();
    const plan = planFor(FILES, { nginx: '1.27.0', redis: '7.2.4' });
    await run(repo, plan);
    const head = repo.refs.get('tidemark/nginx-1.x');
    const second = await run(repo, plan);
    expect(second.summary).toEqual({
      opened: [],
      updated: [],
      closed: [],
      skipped: [
        ['tidemark/nginx-1.x', 1, 'up to date'],
        ['tidemark/redis-7.x', 2, 'up to date'],
      ],
    });
    expect(second.writes).toEqual([]);
    expect(repo.refs.get('tidemark/nginx-1.x')).toBe(head);
  });

  it('moves the branch and edits the PR in place when a newer version appears', async () => {
    const repo = new GitHubRepoFake('o/r', FILES);
    repo.install();
    await run(repo, planFor(FILES, { nginx: '1.27.0' }));
    const third = await run(repo, planFor(FILES, { nginx: '1.27.1' }));
    expect(third.summary).toEqual({ opened: [], updated: [['tidemark/nginx-1.x', 1, 'branch regenerated']], closed: [], skipped: [] });
    expect(third.writes).toEqual(['POST /git/trees', 'POST /git/commits', 'PATCH /git/refs/heads/tidemark/nginx-1.x', 'PATCH /pulls/1']);
    expect(repo.pulls.map((p) => [p.number, p.state, p.title])).toEqual([[1, 'open', 'Update nginx to 1.27.1']]);
    expect(repo.pulls[0]!.body).toContain('"updates":["nginx@1.27.1"]');
    expect(repo.commits.get(repo.refs.get('tidemark/nginx-1.x')!)!.parents).toEqual([repo.refs.get('main')]);
  });

  it('does not reopen a PR the user closed for the same update', async () => {
    const repo = new GitHubRepoFake('o/r', FILES);
    repo.install();
    await run(repo, planFor(FILES, { nginx: '1.27.0' }));
    repo.closePull(1);
    const again = await run(repo, planFor(FILES, { nginx: '1.27.0' }));
    expect(again.summary).toEqual({ opened: [], updated: [], closed: [], skipped: [['tidemark/nginx-1.x', 1, 'PR closed by the user; not reopened']] });
    expect(again.writes).toEqual([]);
  });

  it('never force-pushes over a human commit and comments on the PR once', async () => {
    const repo = new GitHubRepoFake('o/r', FILES);
    repo.install();
    await run(repo, planFor(FILES, { nginx: '1.27.0' }));
    const human = repo.pushCommit('tidemark/nginx-1.x', 'Pin a probe', { name: 'Ann', email: 'ann@example.com' }, { 'apps/probe.yaml': 'x: 1\n' });
    const newer = await run(repo, planFor(FILES, { nginx: '1.27.1' }));
    expect(newer.summary.skipped).toEqual([['tidemark/nginx-1.x', 1, 'branch has commits by someone else; not rewritten; commented']]);
    expect(newer.writes).toEqual(['POST /issues/1/comments', 'PATCH /pulls/1']);
    expect(repo.refs.get('tidemark/nginx-1.x')).toBe(human);
    const quiet = await run(repo, planFor(FILES, { nginx: '1.27.1' }));
    expect(quiet.writes).toEqual([]);
    expect(repo.comments.map((c) => c.number)).toEqual([1]);
  });

  it('requests user and team reviewers, assigns, enables auto-merge and keeps the dashboard issue current', async () => {
    const repo = new GitHubRepoFake('o/r', FILES);
    repo.install();
    const plan = withRule(planFor(FILES, { nginx: '1.27.0' }), { reviewers: ['ann', 'o/platform'], assignees: ['bob'], automerge: true });
    const first = await run(repo, plan, { dashboard: true });
    expect([first.summary.opened, first.problems]).toEqual([[['tidemark/nginx-1.x', 1, 'PR opened']], []]);
    expect(first.writes).toEqual([
      'POST /git/trees',
      'POST /git/commits',
      'POST /git/refs',
      'POST /pulls',
      'POST /issues/1/labels',
      'POST /pulls/1/requested_reviewers',
      'POST /issues/1/assignees',
      'POST /graphql',
      'POST /issues',
    ]);
    const pr = repo.pulls[0]!;
    expect([pr.reviewers, pr.teamReviewers, pr.assignees, pr.autoMerge]).toEqual([['ann'], ['platform'], ['bob'], { mergeMethod: 'MERGE' }]);
    expect(repo.issues.map((i) => [i.number, i.title, i.state])).toEqual([[2, 'Tidemark dashboard', 'open']]);
    expect(repo.issues[0]!.body).toContain('| Update nginx to 1.27.0 | `tidemark/nginx-1.x` | [\\#1](https://github.com/o/r/pull/1) |');
    // The next run finds its issue (newest-first listing, filtered by the token's login) and edits it in place.
    const second = await run(repo, plan, { dashboard: true });
    expect(second.writes).toEqual(['PATCH /issues/2']);
    expect(repo.issues).toHaveLength(1);
    expect(repo.issues[0]!.body).toContain('| [\\#1](https://github.com/o/r/pull/1): up to date |');
    const third = await run(repo, plan, { dashboard: true });
    expect(third.writes).toEqual([]);
  });

  it('says on the dashboard why automerge cannot work when the repository does not allow auto-merge', async () => {
    const repo = new GitHubRepoFake('o/r', FILES, 'main', { autoMerge: false });
    repo.install();
    const first = await run(repo, withRule(planFor(FILES, { nginx: '1.27.0' }), { automerge: true }), { dashboard: true });
    expect(first.summary.opened).toEqual([['tidemark/nginx-1.x', 1, 'PR opened']]);
    // No mutation GitHub would refuse; the PR is open and waits for a person.
    expect(repo.graphql).toEqual([]);
    expect(first.partialFailure).toBe(false);
    const reason = 'tidemark/nginx-1.x: automerge not enabled: the repository does not allow auto-merge (Settings → General → Pull Requests → "Allow auto-merge"); the PR waits for a manual merge';
    expect(first.problems.map((p) => p.message)).toEqual([reason]);
    expect(repo.issues[0]!.body).toContain('## Problems found in files\n\n- tidemark/nginx-1.x: automerge not enabled: the repository does not allow auto-merge');
  });

  it('prunes a Tidemark branch left without any PR once the plan no longer wants it, and nothing else', async () => {
    const repo = new GitHubRepoFake('o/r', FILES);
    repo.install();
    // A run pushed the branch, then could not open the PR.
    repo.failNext('POST /pulls', 500, 4);
    const failed = await run(repo, planFor(FILES, { nginx: '1.27.0' }));
    expect([failed.summary.opened, failed.partialFailure, repo.refs.has('tidemark/nginx-1.x')]).toEqual([[], true, true]);
    // Someone's own branch under the prefix, and a PR the user closed: neither is touched.
    repo.refs.set('tidemark/mine-1.x', repo.refs.get('main')!);
    repo.pushCommit('tidemark/mine-1.x', 'My experiment', { name: 'Ann', email: 'ann@example.com' }, { 'apps/x.yaml': 'x: 1\n' });
    const later = await run(repo, planFor(FILES, { redis: '7.2.4' }));
    expect(later.summary.closed).toEqual([['tidemark/nginx-1.x', null, 'no PR and no longer needed; branch deleted']]);
    expect([later.problems, later.partialFailure]).toEqual([[], false]);
    repo.closePull(1);
    const quiet = await run(repo, planFor(FILES, {}));
    expect([quiet.summary.closed, quiet.writes]).toEqual([[], []]);
    expect([...repo.refs.keys()].sort()).toEqual(['main', 'tidemark/mine-1.x', 'tidemark/redis-7.x']);
    // The closed PR still keeps its update skipped.
    const again = await run(repo, planFor(FILES, { redis: '7.2.4' }));
    expect(again.summary.skipped).toEqual([['tidemark/redis-7.x', 1, 'PR closed by the user; not reopened']]);
    expect(again.writes).toEqual([]);
  });
});
