import nock from 'nock';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG } from '../../src/config/types.js';
import type { Plan } from '../../src/plan/types.js';
import { GitLabPlatform } from '../../src/publish/gitlab.js';
import { recordingLogger } from '../helpers/github-fake.js';
import { GL_TEST_TIMING, GitLabRepoFake } from '../helpers/gitlab-fake.js';
import { deployment, FILES, planFor, publishThrough, withRule } from './platform-lifecycle-fixture.js';

/**
 * The platform-independent lifecycle (src/publish/lifecycle.ts) driven through GitLabPlatform against a stateful
 * fake of the GitLab API: what a user sees on GitLab over several scheduled runs.
 */

async function run(repo: GitLabRepoFake, plan: Plan, opts: { dashboard?: boolean } = {}) {
  const logger = recordingLogger();
  const platform = await GitLabPlatform.create({ token: 'glpat-test', repo: repo.project, logger, timing: { ...GL_TEST_TIMING, pipelineWaits: 2 } });
  return publishThrough(platform, repo.requests, plan, logger, opts);
}

beforeAll(() => {
  nock.disableNetConnect();
});

afterEach(() => {
  nock.cleanAll();
});

describe('publish on GitLab', () => {
  it('opens one MR per branch, each a single commit on the base updating every file the package is in', async () => {
    const repo = new GitLabRepoFake('g/p', FILES);
    repo.install();
    const first = await run(repo, planFor(FILES, { nginx: '1.27.0' }));
    expect(first.summary).toEqual({ opened: [['tidemark/nginx-1.x', 1, 'PR opened']], updated: [], closed: [], skipped: [] });
    expect([first.problems, first.partialFailure]).toEqual([[], false]);
    expect(first.writes).toEqual(['POST /repository/commits', 'POST /merge_requests']);
    const commit = repo.requests.find((r) => r.call === 'POST /repository/commits')!.body as Record<string, unknown>;
    const message = String(commit.commit_message);
    expect({ ...commit, commit_message: message.split('\n')[0] }).toEqual({
      branch: 'tidemark/nginx-1.x',
      commit_message: 'Update nginx to 1.27.0',
      actions: [
        { action: 'update', file_path: 'apps/web.yaml', content: deployment('nginx:1.27.0') },
        { action: 'update', file_path: 'overlays/prod/web.yaml', content: deployment('nginx:1.27.0') },
      ],
      start_sha: repo.branches.get('main'),
      force: true,
      author_name: DEFAULT_CONFIG.author.name,
      author_email: DEFAULT_CONFIG.author.email,
    });
    expect(message).toMatch(/\n\nTidemark-Files: apps\/web.yaml, overlays\/prod\/web.yaml\nTidemark-Update: [0-9a-f]+\n$/);
    const mr = repo.mrs[0]!;
    expect([mr.branch, mr.target, mr.state, mr.title, mr.labels]).toEqual(['tidemark/nginx-1.x', 'main', 'opened', 'Update nginx to 1.27.0', ['dependencies']]);
    expect(mr.description).toContain('| `nginx` | `apps/web.yaml`<br>`overlays/prod/web.yaml` | `1.25.3` → `1.27.0` | minor |');
    expect(mr.description).toContain('<!-- tidemark:update {"branch":"tidemark/nginx-1.x","updates":["nginx@1.27.0"],"files":["apps/web.yaml","overlays/prod/web.yaml"]} -->');
    expect(first.logger.records.filter((r) => r.level === 'warn' || r.level === 'error')).toEqual([]);
  });

  it('changes nothing when run again with the same plan', async () => {
    const repo = new GitLabRepoFake('g/p', FILES);
    repo.install();
    const plan = planFor(FILES, { nginx: '1.27.0', redis: '7.2.4' });
    await run(repo, plan);
    const head = repo.branches.get('tidemark/nginx-1.x');
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
    expect(repo.branches.get('tidemark/nginx-1.x')).toBe(head);
  });

  it('moves the branch and edits the MR in place when a newer version appears', async () => {
    const repo = new GitLabRepoFake('g/p', FILES);
    repo.install();
    await run(repo, planFor(FILES, { nginx: '1.27.0' }));
    const third = await run(repo, planFor(FILES, { nginx: '1.27.1' }));
    expect(third.summary).toEqual({ opened: [], updated: [['tidemark/nginx-1.x', 1, 'branch regenerated']], closed: [], skipped: [] });
    expect(third.writes).toEqual(['POST /repository/commits', 'PUT /merge_requests/1']);
    expect(repo.mrs.map((m) => [m.iid, m.state, m.title])).toEqual([[1, 'opened', 'Update nginx to 1.27.1']]);
    expect(repo.mrs[0]!.description).toContain('"updates":["nginx@1.27.1"]');
    // Still one commit on the base: the old one is replaced, not stacked on.
    const head = repo.commits.get(repo.branches.get('tidemark/nginx-1.x')!)!;
    expect(head.parentIds).toEqual([repo.branches.get('main')]);
    expect(repo.fileOn('tidemark/nginx-1.x', 'overlays/prod/web.yaml')).toBe(deployment('nginx:1.27.1'));
  });

  it('does not reopen an MR the user closed for the same update, but opens one for a newer major', async () => {
    const repo = new GitLabRepoFake('g/p', FILES);
    repo.install();
    await run(repo, planFor(FILES, { nginx: '1.27.0' }));
    repo.closeMr(1);
    const again = await run(repo, planFor(FILES, { nginx: '1.27.0' }));
    expect(again.summary).toEqual({ opened: [], updated: [], closed: [], skipped: [['tidemark/nginx-1.x', 1, 'PR closed by the user; not reopened']] });
    expect(again.writes).toEqual([]);
    const major = await run(repo, planFor(FILES, { nginx: '2.0.0' }));
    expect(major.summary.opened).toEqual([['tidemark/nginx-2.x', 2, 'PR opened']]);
    expect(repo.mrs.map((m) => [m.iid, m.branch, m.state])).toEqual([
      [1, 'tidemark/nginx-1.x', 'closed'],
      [2, 'tidemark/nginx-2.x', 'opened'],
    ]);
  });

  it('ignores an MR from a fork whose branch has the name of its own, even one carrying a copy of its marker', async () => {
    const marker = '<!-- tidemark:update {"branch":"tidemark/nginx-1.x","updates":["nginx@1.27.0"]} -->';
    const repo = new GitLabRepoFake('g/p', FILES);
    repo.install();
    repo.forkMr({ branch: 'tidemark/nginx-1.x', title: 'Update nginx to 1.27.0', description: `closed to block it\n\n${marker}\n`, state: 'closed' });
    const first = await run(repo, planFor(FILES, { nginx: '1.27.0' }));
    expect(first.summary.opened).toEqual([['tidemark/nginx-1.x', 2, 'PR opened']]);
    repo.closeMr(2);
    repo.forkMr({ branch: 'tidemark/nginx-1.x', title: 'Update nginx to 1.27.0', description: `my code\n\n${marker}\n`, state: 'opened' });
    const second = await run(repo, planFor(FILES, { nginx: '1.27.0' }));
    expect(second.summary.skipped).toEqual([['tidemark/nginx-1.x', 2, 'PR closed by the user; not reopened']]);
    const third = await run(repo, planFor(FILES, { nginx: '1.27.1' }));
    expect([third.summary.opened, third.writes]).toEqual([[['tidemark/nginx-1.x', 4, 'PR opened']], ['POST /repository/commits', 'POST /merge_requests']]);
    expect(repo.mrs.map((m) => [m.iid, m.state, m.description.startsWith('my code')])).toEqual([
      [1, 'closed', false],
      [2, 'closed', false],
      [3, 'opened', true],
      [4, 'opened', false],
    ]);
  });

  it('edits the base commit, not a stale checkout, and never reverts a change someone made there', async () => {
    const repo = new GitLabRepoFake('g/p', FILES);
    repo.install();
    const owned = FILES['apps/web.yaml'].replace('name: web # keep', 'name: web # keep (owned by team-a)');
    repo.pushCommit('main', 'Name the owner', { name: 'Ann', email: 'ann@example.com' }, { 'apps/web.yaml': owned });
    // The plan was scanned from a checkout taken before Ann's commit: its byte ranges no longer fit apps/web.yaml.
    const result = await run(repo, planFor(FILES, { nginx: '1.27.0' }));
    expect(result.summary.opened).toEqual([['tidemark/nginx-1.x', 1, 'PR opened']]);
    expect(result.problems).toEqual([{ file: 'apps/web.yaml', line: 10, message: 'could not update nginx to 1.27.0: the file no longer reads the scanned version' }]);
    expect(repo.fileOn('tidemark/nginx-1.x', 'apps/web.yaml')).toBe(owned);
    expect(repo.fileOn('tidemark/nginx-1.x', 'overlays/prod/web.yaml')).toBe(deployment('nginx:1.27.0'));
  });

  it('closes its MR with a note and deletes the branch when the plan no longer wants it', async () => {
    const repo = new GitLabRepoFake('g/p', FILES);
    repo.install();
    await run(repo, planFor(FILES, { nginx: '1.27.0' }));
    const later = await run(repo, planFor(FILES, {}));
    expect(later.summary.closed).toEqual([['tidemark/nginx-1.x', 1, 'no longer needed; PR closed and branch deleted']]);
    expect(later.writes).toEqual(['POST /merge_requests/1/notes', 'PUT /merge_requests/1', 'DELETE /repository/branches/tidemark/nginx-1.x']);
    expect(repo.mrs[0]!.state).toBe('closed');
    expect(repo.branches.has('tidemark/nginx-1.x')).toBe(false);
  });

  it('requests reviewers and assignees by id, sets merge when pipeline succeeds on the head commit, and keeps the dashboard issue current', async () => {
    const repo = new GitLabRepoFake('g/p', FILES, 'main', { users: { ann: 11, bob: 12 }, pipelines: true });
    repo.install();
    const plan = withRule(planFor(FILES, { nginx: '1.27.0' }), { reviewers: ['@ann'], assignees: ['bob'], automerge: true });
    const first = await run(repo, plan, { dashboard: true });
    expect([first.summary.opened, first.problems]).toEqual([[['tidemark/nginx-1.x', 1, 'PR opened']], []]);
    expect(first.writes).toEqual(['POST /repository/commits', 'POST /merge_requests', 'PUT /merge_requests/1/merge', 'POST /issues']);
    const mr = repo.mrs[0]!;
    expect([mr.reviewerIds, mr.assigneeIds, mr.autoMerge]).toEqual([[11], [12], { sha: repo.branches.get('tidemark/nginx-1.x') }]);
    expect(repo.issues.map((i) => [i.iid, i.title, i.state])).toEqual([[1, 'Tidemark dashboard', 'opened']]);
    expect(repo.issues[0]!.description).toContain('| Update nginx to 1.27.0 | `tidemark/nginx-1.x` | [\\#1](https://gitlab.com/g/p/-/merge_requests/1) |');
    // The next run finds its issue (by the token's user id and title) and edits it in place; then nothing changes.
    const second = await run(repo, plan, { dashboard: true });
    expect(second.writes).toEqual(['PUT /issues/1']);
    expect(repo.issues[0]!.description).toContain('[\\#1](https://gitlab.com/g/p/-/merge_requests/1): up to date |');
    expect((await run(repo, plan, { dashboard: true })).writes).toEqual([]);
  });

  it('says on the dashboard why automerge cannot work when the project runs no pipeline', async () => {
    const repo = new GitLabRepoFake('g/p', FILES);
    repo.install();
    const first = await run(repo, withRule(planFor(FILES, { nginx: '1.27.0' }), { automerge: true }), { dashboard: true });
    expect(first.summary.opened).toEqual([['tidemark/nginx-1.x', 1, 'PR opened']]);
    // Never `PUT …/merge` without a pipeline: GitLab would merge at once, untested.
    expect(first.writes).toEqual(['POST /repository/commits', 'POST /merge_requests', 'POST /issues']);
    expect(first.partialFailure).toBe(false);
    expect(first.problems.map((p) => p.message)).toEqual([
      'tidemark/nginx-1.x: automerge not enabled: the merge request has no pipeline, and GitLab merges at once what has none: add a CI/CD pipeline that runs for merge requests (or branches); the MR waits for a manual merge',
    ]);
    expect(repo.issues[0]!.description).toContain('## Problems found in files\n\n- tidemark/nginx-1.x: automerge not enabled: the merge request has no pipeline');
  });

  it('skips a reviewer GitLab does not know, with a warning, and still opens the MR', async () => {
    const repo = new GitLabRepoFake('g/p', FILES, 'main', { users: { ann: 11 } });
    repo.install();
    const first = await run(repo, withRule(planFor(FILES, { nginx: '1.27.0' }), { reviewers: ['ann', 'ghost'] }));
    expect(repo.mrs[0]!.reviewerIds).toEqual([11]);
    expect(first.logger.records.filter((r) => r.level === 'warn').map((r) => [r.msg, r.meta])).toEqual([['skipping unknown reviewer', { username: 'ghost' }]]);
  });

  it('prunes a Tidemark branch left without any PR once the plan no longer wants it, and nothing else', async () => {
    const repo = new GitLabRepoFake('g/p', FILES);
    repo.install();
    // A run pushed the branch, then could not open the PR.
    repo.failNext('POST /merge_requests', 403);
    const failed = await run(repo, planFor(FILES, { nginx: '1.27.0' }));
    expect([failed.summary.opened, failed.partialFailure, repo.branches.has('tidemark/nginx-1.x')]).toEqual([[], true, true]);
    // Someone's own branch under the prefix, and a PR the user closed: neither is touched.
    repo.branches.set('tidemark/mine-1.x', repo.branches.get('main')!);
    repo.pushCommit('tidemark/mine-1.x', 'My experiment', { name: 'Ann', email: 'ann@example.com' }, { 'apps/x.yaml': 'x: 1\n' });
    const later = await run(repo, planFor(FILES, { redis: '7.2.4' }));
    expect(later.summary.closed).toEqual([['tidemark/nginx-1.x', null, 'no PR and no longer needed; branch deleted']]);
    expect([later.problems, later.partialFailure]).toEqual([[], false]);
    repo.closeMr(1);
    const quiet = await run(repo, planFor(FILES, {}));
    expect([quiet.summary.closed, quiet.writes]).toEqual([[], []]);
    expect([...repo.branches.keys()].sort()).toEqual(['main', 'tidemark/mine-1.x', 'tidemark/redis-7.x']);
    // The closed PR still keeps its update skipped.
    const again = await run(repo, planFor(FILES, { redis: '7.2.4' }));
    expect(again.summary.skipped).toEqual([['tidemark/redis-7.x', 1, 'PR closed by the user; not reopened']]);
    expect(again.writes).toEqual([]);
  });
});
