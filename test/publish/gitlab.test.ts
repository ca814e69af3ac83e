import nock from 'nock';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { PlatformError } from '../../src/errors.js';
import { GitLabPlatform } from '../../src/publish/gitlab.js';
import { recordingLogger } from '../helpers/github-fake.js';
import {
  GL_TEST_TIMING,
  gitlabApi,
  glBranch,
  glCommit,
  glCompare,
  glFile,
  glIssue,
  glMr,
  glNotFound,
  glPageHeaders,
  glProject,
  glProjectPath,
} from '../helpers/gitlab-fake.js';

const TOKEN = 'glpat-s3cretTokenValue0123';
const BOT = { name: 'tidemark[bot]', email: 'tidemark@users.noreply.github.com' };
const P = glProjectPath('g/p');

async function platform(logger = recordingLogger(), host: string | null = null) {
  const gl = await GitLabPlatform.create({ token: TOKEN, repo: 'g/p', host, logger, timing: GL_TEST_TIMING });
  return { gl, logger };
}

const prRequest = {
  branch: 'tidemark/nginx-1.x',
  base: 'main',
  title: 'Update nginx to 1.27.1',
  body: 'table',
  labels: [] as string[],
  reviewers: [] as string[],
  assignees: [] as string[],
  automerge: false,
};

beforeAll(() => {
  nock.disableNetConnect();
});

afterEach(() => {
  nock.cleanAll();
});

describe('GitLabPlatform branches', () => {
  it('reads the default branch and its head when no base branch is configured', async () => {
    const api = gitlabApi()
      .get(P)
      .matchHeader('private-token', TOKEN)
      .reply(200, glProject('g/p', { defaultBranch: 'trunk' }))
      .get(`${P}/repository/branches/trunk`)
      .reply(200, glBranch('trunk', 'base1'));
    const { gl } = await platform();
    expect(await gl.baseBranch(null)).toEqual({ name: 'trunk', sha: 'base1' });
    api.done();
  });

  it('talks to a self-managed host when given one', async () => {
    const api = gitlabApi('https://gitlab.example.com').get(`${P}/repository/branches/main`).reply(200, glBranch('main', 'base1'));
    const { gl } = await platform(recordingLogger(), 'https://gitlab.example.com/');
    expect(await gl.baseBranch('main')).toEqual({ name: 'main', sha: 'base1' });
    api.done();
  });

  it('fails with a 404 PlatformError when the base branch does not exist', async () => {
    const api = gitlabApi().get(`${P}/repository/branches/gone`).reply(404, glNotFound());
    const { gl } = await platform();
    const err = (await gl.baseBranch('gone').catch((e: unknown) => e)) as PlatformError;
    expect(err).toBeInstanceOf(PlatformError);
    expect([err.status, err.message]).toEqual([404, 'GitLab: base branch "gone" not found in g/p']);
    api.done();
  });

  it('returns null for a branch that does not exist', async () => {
    const api = gitlabApi().get(`${P}/repository/branches/tidemark%2Fnginx-1.x`).reply(404, glNotFound());
    const { gl } = await platform();
    expect(await gl.getBranch('tidemark/nginx-1.x', 'main')).toBeNull();
    api.done();
  });

  it('lists the branch commits not on base newest first, and whether it sits on the base head', async () => {
    const mine = glCommit('c1', 'Update nginx to 1.27.1', BOT, ['base1']);
    const human = glCommit('c2', 'tweak', { name: 'Ann', email: 'ann@example.com' }, ['c1']);
    const api = gitlabApi()
      .get(`${P}/repository/branches/tidemark%2Fnginx-1.x`)
      .reply(200, glBranch('tidemark/nginx-1.x', 'c2'))
      .get(`${P}/repository/compare`)
      .query({ from: 'main', to: 'tidemark/nginx-1.x' })
      .reply(200, glCompare([mine, human]))
      .get(`${P}/repository/compare`)
      .query({ from: 'tidemark/nginx-1.x', to: 'main' })
      .reply(200, glCompare([]));
    const { gl } = await platform();
    expect(await gl.getBranch('tidemark/nginx-1.x', 'main')).toEqual({
      name: 'tidemark/nginx-1.x',
      sha: 'c2',
      commits: [
        { sha: 'c2', message: 'tweak', authorName: 'Ann', authorEmail: 'ann@example.com' },
        { sha: 'c1', message: 'Update nginx to 1.27.1', authorName: BOT.name, authorEmail: BOT.email },
      ],
      upToDateWithBase: true,
    });
    api.done();
  });

  it('reports a branch whose base moved on as not up to date', async () => {
    const api = gitlabApi()
      .get(`${P}/repository/branches/tidemark%2Fa`)
      .reply(200, glBranch('tidemark/a', 'c1'))
      .get(`${P}/repository/compare`)
      .query({ from: 'main', to: 'tidemark/a' })
      .reply(200, glCompare([glCommit('c1', 'Update a', BOT, ['old'])]))
      .get(`${P}/repository/compare`)
      .query({ from: 'tidemark/a', to: 'main' })
      .reply(200, glCompare([glCommit('m1', 'other work', BOT, ['old'])]));
    const { gl } = await platform();
    expect((await gl.getBranch('tidemark/a', 'main'))?.upToDateWithBase).toBe(false);
    api.done();
  });

  it('commits files as one forced commit on the base sha, updating existing files and creating new ones', async () => {
    let sent: unknown;
    const api = gitlabApi()
      .get(`${P}/repository/files/apps%2Fweb%2Fdeploy.yaml`)
      .query({ ref: 'base1' })
      .reply(200, { file_name: 'deploy.yaml', file_path: 'apps/web/deploy.yaml', encoding: 'base64', content: '', ref: 'base1' })
      .get(`${P}/repository/files/apps%2Fweb%2Fnew.yaml`)
      .query({ ref: 'base1' })
      .reply(404, glNotFound('File'))
      .post(`${P}/repository/commits`, (b) => ((sent = b), true))
      .reply(201, glCommit('new1', 'Update nginx to 1.27.1', BOT, ['base1']));
    const { gl } = await platform();
    const sha = await gl.commitFiles({
      branch: 'tidemark/nginx-1.x',
      baseSha: 'base1',
      message: 'Update nginx to 1.27.1',
      files: [
        { path: 'apps/web/deploy.yaml', content: 'image: nginx:1.27.1\n' },
        { path: 'apps/web/new.yaml', content: 'x: 1\n' },
      ],
      author: BOT,
    });
    expect(sha).toBe('new1');
    expect(sent).toEqual({
      branch: 'tidemark/nginx-1.x',
      commit_message: 'Update nginx to 1.27.1',
      actions: [
        { action: 'update', file_path: 'apps/web/deploy.yaml', content: 'image: nginx:1.27.1\n' },
        { action: 'create', file_path: 'apps/web/new.yaml', content: 'x: 1\n' },
      ],
      start_sha: 'base1',
      force: true,
      author_name: BOT.name,
      author_email: BOT.email,
    });
    api.done();
  });

  it('lists its own branches by prefix across pages', async () => {
    const path = `${P}/repository/branches`;
    const q = { search: '^tidemark/' };
    const api = gitlabApi()
      .get(path)
      .query({ ...q, per_page: '100' })
      .reply(200, [glBranch('tidemark/a-1.x', 's1'), glBranch('feature/tidemark/x', 's0')], glPageHeaders(path, q, 1, 2, 100))
      .get(path)
      .query({ ...q, page: '2', per_page: '100' })
      .reply(200, [glBranch('tidemark/b', 's2')], glPageHeaders(path, q, 2, 2, 100));
    const { gl } = await platform();
    expect(await gl.listBranches('tidemark/')).toEqual(['tidemark/a-1.x', 'tidemark/b']);
    api.done();
  });

  it('deletes a branch and ignores one that is already gone', async () => {
    const api = gitlabApi()
      .delete(`${P}/repository/branches/tidemark%2Fa`)
      .reply(204)
      .delete(`${P}/repository/branches/tidemark%2Fb`)
      .reply(404, glNotFound());
    const { gl } = await platform();
    await gl.deleteBranch('tidemark/a');
    await gl.deleteBranch('tidemark/b');
    api.done();
  });
});

describe('GitLabPlatform file contents', () => {
  it('reads a file at a commit byte for byte, BOM, CRLF and non-ASCII included', async () => {
    const text = '\uFEFF# café\r\nimage: nginx:1.25.0   \r\n';
    const api = gitlabApi()
      .get(`${P}/repository/files/apps%2Fmy%20web%2Fdeploy.yaml`)
      .query({ ref: 'base1' })
      .reply(200, glFile('apps/my web/deploy.yaml', text, 'base1'));
    const { gl } = await platform();
    expect(await gl.readFile('base1', 'apps/my web/deploy.yaml')).toBe(text);
    api.done();
  });

  it('fails with a 404 PlatformError when the commit has no such file', async () => {
    const api = gitlabApi().get(`${P}/repository/files/apps%2Fgone.yaml`).query({ ref: 'base1' }).reply(404, glNotFound('File'));
    const { gl } = await platform();
    const err = (await gl.readFile('base1', 'apps/gone.yaml').catch((e: unknown) => e)) as PlatformError;
    expect([err.status, err.message]).toEqual([404, 'GitLab: apps/gone.yaml does not exist at base1 of g/p']);
    api.done();
  });

  it('commits a file it read at the base commit as an update without asking GitLab again', async () => {
    let sent: { actions?: unknown } = {};
    const api = gitlabApi()
      .get(`${P}/repository/files/deploy.yaml`)
      .query({ ref: 'base1' })
      .reply(200, glFile('deploy.yaml', 'image: nginx:1.25.0\n', 'base1'))
      .post(`${P}/repository/commits`, (b) => ((sent = b), true))
      .reply(201, glCommit('new1', 'm', BOT, ['base1']));
    const { gl } = await platform();
    await gl.readFile('base1', 'deploy.yaml');
    await gl.commitFiles({ branch: 'tidemark/a', baseSha: 'base1', message: 'm', files: [{ path: 'deploy.yaml', content: 'image: nginx:1.27.1\n' }], author: BOT });
    expect(sent.actions).toEqual([{ action: 'update', file_path: 'deploy.yaml', content: 'image: nginx:1.27.1\n' }]);
    api.done();
  });
});

describe('GitLabPlatform merge requests', () => {
  it('finds the newest MR for a source branch in any state and reads a merged one as merged', async () => {
    const api = gitlabApi()
      .get(`${P}/merge_requests`)
      .query({ source_branch: 'tidemark/nginx-1.x', order_by: 'created_at', sort: 'desc', per_page: '100' })
      .reply(200, [glMr({ iid: 9, branch: 'tidemark/nginx-1.x', state: 'merged', title: 'Update nginx' })]);
    const { gl } = await platform();
    expect(await gl.findPr('tidemark/nginx-1.x')).toEqual({
      number: 9,
      branch: 'tidemark/nginx-1.x',
      state: 'merged',
      title: 'Update nginx',
      body: 'body',
      url: 'https://gitlab.com/g/p/-/merge_requests/9',
      createdAt: '2026-01-01T00:00:00.000Z',
    });
    api.done();
  });

  it('returns null when no MR ever had that source branch', async () => {
    const api = gitlabApi().get(`${P}/merge_requests`).query(true).reply(200, []);
    const { gl } = await platform();
    expect(await gl.findPr('tidemark/none')).toBeNull();
    api.done();
  });

  it('lists open MRs across pages, keeping only its own branch prefix and not forks', async () => {
    const q = { state: 'opened' };
    const path = `${P}/merge_requests`;
    const api = gitlabApi()
      .get(path)
      .query({ ...q, per_page: '100' })
      .reply(200, [glMr({ iid: 1, branch: 'tidemark/a-1.x' }), glMr({ iid: 2, branch: 'feature/x' })], glPageHeaders(path, q, 1, 2, 100))
      .get(path)
      .query({ ...q, page: '2', per_page: '100' })
      .reply(
        200,
        [glMr({ iid: 3, branch: 'tidemark/b-2.x', description: null }), glMr({ iid: 4, branch: 'tidemark/c-1.x', sourceProjectId: 99 })],
        glPageHeaders(path, q, 2, 2, 100),
      );
    const { gl } = await platform();
    const prs = await gl.listOpenPrs('tidemark/');
    expect(prs.map((p) => [p.number, p.branch, p.body])).toEqual([
      [1, 'tidemark/a-1.x', 'body'],
      [3, 'tidemark/b-2.x', ''],
    ]);
    api.done();
  });

  it('opens an MR with labels, reviewers and assignees resolved to ids, and automerge once its pipeline exists', async () => {
    const sent: Record<string, unknown> = {};
    const api = gitlabApi()
      .get('/api/v4/users')
      .query({ username: 'ann' })
      .reply(200, [{ id: 11, username: 'ann', name: 'Ann', state: 'active' }])
      .get('/api/v4/users')
      .query({ username: 'ghost' })
      .reply(200, [])
      .get('/api/v4/users')
      .query({ username: 'bob' })
      .reply(200, [{ id: 12, username: 'bob', name: 'Bob', state: 'active' }])
      .post(`${P}/merge_requests`, (b) => ((sent.mr = b), true))
      .reply(201, glMr({ iid: 12, branch: prRequest.branch, title: prRequest.title, description: prRequest.body }))
      .get(`${P}/merge_requests/12`)
      .reply(200, { ...glMr({ iid: 12, branch: prRequest.branch }), sha: 'head1', head_pipeline: null })
      .get(`${P}/merge_requests/12`)
      .reply(200, { ...glMr({ iid: 12, branch: prRequest.branch }), sha: 'head1', head_pipeline: { id: 99, sha: 'head1', status: 'created' } })
      .put(`${P}/merge_requests/12/merge`, (b) => ((sent.merge = b), true))
      .reply(200, { ...glMr({ iid: 12, branch: prRequest.branch }), merge_when_pipeline_succeeds: true });
    const { gl, logger } = await platform();
    const pr = await gl.createPr({ ...prRequest, labels: ['dependencies', 'tidemark'], reviewers: ['@ann', 'ghost'], assignees: ['bob'], automerge: true });
    expect(pr).toEqual({
      number: 12,
      branch: 'tidemark/nginx-1.x',
      state: 'open',
      title: 'Update nginx to 1.27.1',
      body: 'table',
      url: 'https://gitlab.com/g/p/-/merge_requests/12',
      createdAt: '2026-01-01T00:00:00.000Z',
    });
    expect(sent).toEqual({
      mr: {
        source_branch: 'tidemark/nginx-1.x',
        target_branch: 'main',
        title: 'Update nginx to 1.27.1',
        description: 'table',
        remove_source_branch: true,
        labels: 'dependencies,tidemark',
        reviewer_ids: [11],
        assignee_ids: [12],
      },
      merge: { auto_merge: true, merge_when_pipeline_succeeds: true, should_remove_source_branch: true, sha: 'head1' },
    });
    expect(logger.records.filter((r) => r.level === 'warn').map((r) => [r.msg, r.meta])).toEqual([
      ['skipping unknown reviewer', { username: 'ghost' }],
    ]);
    api.done();
  });

  it('reuses and updates the open MR when GitLab answers 409 "Another open merge request already exists"', async () => {
    let edited: unknown;
    const api = gitlabApi()
      .post(`${P}/merge_requests`)
      .reply(409, { message: ['Another open merge request already exists for this source branch: !5'] })
      .get(`${P}/merge_requests`)
      .query(true)
      .reply(200, [glMr({ iid: 5, branch: prRequest.branch, title: 'Update nginx to 1.27.0' })])
      .put(`${P}/merge_requests/5`, (b) => ((edited = b), true))
      .reply(200, glMr({ iid: 5, branch: prRequest.branch }));
    const { gl } = await platform();
    expect(await gl.createPr(prRequest)).toEqual({
      number: 5,
      branch: prRequest.branch,
      state: 'open',
      title: prRequest.title,
      body: 'table',
      url: 'https://gitlab.com/g/p/-/merge_requests/5',
      createdAt: '2026-01-01T00:00:00.000Z',
    });
    expect(edited).toEqual({ title: prRequest.title, description: 'table' });
    api.done();
  });

  it('keeps the MR and warns when GitLab refuses to merge when the pipeline succeeds', async () => {
    const api = gitlabApi()
      .post(`${P}/merge_requests`)
      .reply(201, glMr({ iid: 12, branch: prRequest.branch }))
      .get(`${P}/merge_requests/12`)
      .reply(200, { ...glMr({ iid: 12, branch: prRequest.branch }), sha: 'head1', head_pipeline: { id: 99, status: 'running' } })
      .put(`${P}/merge_requests/12/merge`)
      .reply(405, { message: '405 Method Not Allowed' });
    const { gl, logger } = await platform();
    expect((await gl.createPr({ ...prRequest, automerge: true })).number).toBe(12);
    expect(logger.records.filter((r) => r.level === 'warn').map((r) => [r.msg, r.meta?.pr])).toEqual([['could not enable automerge', 12]]);
    api.done();
  });

  it('does not set automerge on an MR that never gets a pipeline, so nothing merges untested', async () => {
    const api = gitlabApi()
      .post(`${P}/merge_requests`)
      .reply(201, glMr({ iid: 12, branch: prRequest.branch }))
      .get(`${P}/merge_requests/12`)
      .times(3)
      .reply(200, { ...glMr({ iid: 12, branch: prRequest.branch }), sha: 'head1', head_pipeline: null });
    const logger = recordingLogger();
    const gl = await GitLabPlatform.create({ token: TOKEN, repo: 'g/p', logger, timing: { ...GL_TEST_TIMING, pipelineWaits: 3 } });
    expect((await gl.createPr({ ...prRequest, automerge: true })).number).toBe(12);
    expect(logger.records.filter((r) => r.level === 'warn').map((r) => [r.msg, r.meta?.pr])).toEqual([
      ['no pipeline on the merge request; automerge not set, so nothing merges untested', 12],
    ]);
    api.done();
  });

  it('fails with GitLab\'s message when it rejects an MR with 422', async () => {
    const api = gitlabApi()
      .post(`${P}/merge_requests`)
      .reply(422, { message: ['Validate branches Cannot Create: This merge request already exists: ["Update"]'] });
    const { gl } = await platform();
    const err = (await gl.createPr(prRequest).catch((e: unknown) => e)) as PlatformError;
    expect([err.status, err.message]).toEqual([
      422,
      'GitLab: open MR for tidemark/nginx-1.x: 422 rejected as invalid (Validate branches Cannot Create: This merge request already exists: ["Update"])',
    ]);
    api.done();
  });

  it('updates an MR title and description in place', async () => {
    let body: unknown;
    const api = gitlabApi()
      .put(`${P}/merge_requests/7`, (b) => ((body = b), true))
      .reply(200, glMr({ iid: 7, branch: 'tidemark/a' }));
    const { gl } = await platform();
    await gl.updatePr(7, { title: 'Update a to 2', body: 'new body' });
    expect(body).toEqual({ title: 'Update a to 2', description: 'new body' });
    api.done();
  });

  it('closes an MR after explaining why in a note', async () => {
    const order: unknown[] = [];
    const api = gitlabApi()
      .post(`${P}/merge_requests/7/notes`, (b) => (order.push(b), true))
      .reply(201, { id: 1, body: 'x', noteable_type: 'MergeRequest' })
      .put(`${P}/merge_requests/7`, (b) => (order.push(b), true))
      .reply(200, glMr({ iid: 7, branch: 'tidemark/a', state: 'closed' }));
    const { gl } = await platform();
    await gl.closePr(7, 'No longer needed.');
    expect(order).toEqual([{ body: 'No longer needed.' }, { state_event: 'close' }]);
    api.done();
  });
});

describe('GitLabPlatform dashboard issues', () => {
  it("finds its own open issue by exact title across pages", async () => {
    const path = `${P}/issues`;
    const q = { state: 'opened', search: 'Tidemark dashboard', in: 'title', author_id: '7' };
    const api = gitlabApi()
      .get('/api/v4/user')
      .reply(200, { id: 7, username: 'tidemark-bot', name: 'Tidemark', state: 'active' })
      .get(path)
      .query({ ...q, per_page: '100' })
      .reply(200, [glIssue({ iid: 31, title: 'Tidemark dashboard (old)' })], glPageHeaders(path, q, 1, 2, 100))
      .get(path)
      .query({ ...q, page: '2', per_page: '100' })
      .reply(200, [glIssue({ iid: 4, title: 'Tidemark dashboard', description: '- [x] ok' })], glPageHeaders(path, q, 2, 2, 100));
    const { gl } = await platform();
    expect(await gl.findIssue('Tidemark dashboard')).toEqual({ number: 4, title: 'Tidemark dashboard', body: '- [x] ok', state: 'open' });
    api.done();
  });

  it('creates and updates an issue', async () => {
    const sent: unknown[] = [];
    const api = gitlabApi()
      .post(`${P}/issues`, (b) => (sent.push(b), true))
      .reply(201, glIssue({ iid: 40, title: 'Tidemark dashboard', description: 'one' }))
      .put(`${P}/issues/40`, (b) => (sent.push(b), true))
      .reply(200, glIssue({ iid: 40, title: 'Tidemark dashboard', description: 'two' }));
    const { gl } = await platform();
    expect(await gl.createIssue('Tidemark dashboard', 'one')).toEqual({ number: 40, title: 'Tidemark dashboard', body: 'one', state: 'open' });
    await gl.updateIssue(40, 'two');
    expect(sent).toEqual([{ title: 'Tidemark dashboard', description: 'one' }, { description: 'two' }]);
    api.done();
  });
});

describe('GitLabPlatform retries and secrets', () => {
  it('retries a 500, honouring Retry-After, and succeeds', async () => {
    const api = gitlabApi()
      .get(`${P}/repository/branches/main`)
      .reply(500, { message: '500 Internal Server Error' })
      .get(`${P}/repository/branches/main`)
      .reply(503, { message: 'Service Unavailable' }, { 'retry-after': '2' })
      .get(`${P}/repository/branches/main`)
      .reply(200, glBranch('main', 'base1'));
    const { gl, logger } = await platform();
    expect(await gl.baseBranch('main')).toEqual({ name: 'main', sha: 'base1' });
    expect(logger.records.filter((r) => r.level === 'warn').map((r) => [r.meta?.status, r.meta?.retryAfter])).toEqual([
      [500, 1],
      [503, 2],
    ]);
    api.done();
  });

  it('rides out a 429 rate limit and succeeds', async () => {
    const api = gitlabApi()
      .post(`${P}/merge_requests/3/notes`)
      .reply(429, { message: 'Retry later' }, { 'retry-after': '1', 'ratelimit-remaining': '0' })
      .post(`${P}/merge_requests/3/notes`)
      .reply(201, { id: 1, body: 'hi' });
    const { gl } = await platform();
    await gl.comment(3, 'hi');
    api.done();
  });

  it('never puts the token in a log record, an error message or its cause', async () => {
    const api = gitlabApi()
      .post(`${P}/merge_requests`)
      .reply(401, { message: '401 Unauthorized' })
      .get(`${P}/repository/branches/main`)
      .reply(502, 'Bad Gateway', { 'content-type': 'text/plain' })
      .get(`${P}/repository/branches/main`)
      .reply(200, glBranch('main', 'base1'));
    const { gl, logger } = await platform();
    const err = (await gl.createPr(prRequest).catch((e: unknown) => e)) as PlatformError;
    await gl.baseBranch('main');
    expect(err.message).toBe('GitLab: open MR for tidemark/nginx-1.x: 401 unauthorized: check the token (401 Unauthorized)');
    logger.error('run failed', { error: err });
    expect(logger.text()).not.toContain(TOKEN);
    expect(JSON.stringify(err.cause)).not.toContain(TOKEN);
    expect(String((err.cause as Error).message)).not.toContain(TOKEN);
    api.done();
  });
});
