import nock from 'nock';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG } from '../../src/config/types.js';
import type { Plan } from '../../src/plan/types.js';
import { GitHubPlatform } from '../../src/publish/github.js';
import { GH_TEST_TIMING, GitHubRepoFake, recordingLogger } from '../helpers/github-fake.js';
import { deployment, FILES, planFor, publishThrough } from './platform-lifecycle-fixture.js';

/**
 * The platform-independent lifecycle (src/publish/lifecycle.ts) driven through GitHubPlatform against a stateful
 * fake of the GitHub REST API: what a user sees on GitHub over several scheduled runs.
 */

async function run(repo: GitHubRepoFake, plan: Plan) {
  const logger = recordingLogger();
  const platform = await GitHubPlatform.create({ token: 'ghp_test', repo: repo.repo, logger, timing: GH_TEST_TIMING });
  return publishThrough(platform, repo.requests, plan, logger);
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
      'PATCH /git/refs/heads/tidemark/nginx-1.x',
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
});
