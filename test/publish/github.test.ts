import nock from 'nock';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { PlatformError } from '../../src/errors.js';
import { DEFAULT_CONFIG } from '../../src/config/types.js';
import type { Plan, Update } from '../../src/plan/types.js';
import { GitHubPlatform } from '../../src/publish/github.js';
import { publish } from '../../src/publish/index.js';
import {
  GH_TEST_TIMING,
  ghBlob,
  ghCommit,
  ghContent,
  ghCompare,
  ghGitCommit,
  ghIssue,
  ghLink,
  ghTree,
  ghNotFound,
  ghPath,
  mockCommitFiles,
  ghPrimaryRateLimit,
  ghPull,
  ghRef,
  ghRepo,
  ghSecondaryRateLimit,
  ghValidationFailed,
  githubApi,
  recordingLogger,
} from '../helpers/github-fake.js';

const TOKEN = 'ghp_s3cretTokenValue0123456789';
const BOT = { name: 'tidemark[bot]', email: 'tidemark@users.noreply.github.com' };

async function platform(logger = recordingLogger(), baseUrl: string | null = null) {
  const gh = await GitHubPlatform.create({ token: TOKEN, repo: 'o/r', baseUrl, logger, timing: GH_TEST_TIMING });
  return { gh, logger };
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

describe('GitHubPlatform branches', () => {
  it('reads the default branch and its head when no base branch is configured', async () => {
    const api = githubApi()
      .get('/repos/o/r')
      .matchHeader('authorization', `token ${TOKEN}`)
      .reply(200, ghRepo('o', 'r', { defaultBranch: 'trunk' }))
      .get('/repos/o/r/git/ref/heads%2Ftrunk')
      .reply(200, ghRef('o', 'r', 'trunk', 'base1'));
    const { gh } = await platform();
    expect(await gh.baseBranch(null)).toEqual({ name: 'trunk', sha: 'base1' });
    api.done();
  });

  it('talks to a GitHub Enterprise API root when given one', async () => {
    const api = githubApi('https://ghe.test/api/v3')
      .get('/api/v3/repos/o/r/git/ref/heads%2Fmain')
      .reply(200, ghRef('o', 'r', 'main', 'base1'));
    const { gh } = await platform(recordingLogger(), 'https://ghe.test/api/v3/');
    expect(await gh.baseBranch('main')).toEqual({ name: 'main', sha: 'base1' });
    api.done();
  });

  it('fails with a 404 PlatformError when the base branch does not exist', async () => {
    const api = githubApi().get('/repos/o/r/git/ref/heads%2Fgone').reply(404, ghNotFound());
    const { gh } = await platform();
    const err = await gh.baseBranch('gone').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PlatformError);
    expect((err as PlatformError).status).toBe(404);
    expect((err as PlatformError).message).toBe('GitHub: base branch "gone" not found in o/r');
    api.done();
  });

  it('returns null for a branch that does not exist', async () => {
    const api = githubApi().get('/repos/o/r/git/ref/heads%2Ftidemark%2Fnginx-1.x').reply(404, ghNotFound());
    const { gh } = await platform();
    expect(await gh.getBranch('tidemark/nginx-1.x', 'main')).toBeNull();
    api.done();
  });

  it('lists the branch commits that are not on base, newest first, and whether it sits on the base head', async () => {
    const mine = ghCommit('c1', 'Update nginx to 1.27.1', BOT);
    const human = ghCommit('c2', 'tweak', { name: 'Ann', email: 'ann@example.com' });
    const api = githubApi()
      .get('/repos/o/r/git/ref/heads%2Ftidemark%2Fnginx-1.x')
      .reply(200, ghRef('o', 'r', 'tidemark/nginx-1.x', 'c2'))
      .get('/repos/o/r/compare/main...tidemark%2Fnginx-1.x')
      .reply(200, ghCompare([mine, human], 0));
    const { gh } = await platform();
    expect(await gh.getBranch('tidemark/nginx-1.x', 'main')).toEqual({
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
    const api = githubApi()
      .get('/repos/o/r/git/ref/heads%2Ftidemark%2Fnginx-1.x')
      .reply(200, ghRef('o', 'r', 'tidemark/nginx-1.x', 'c1'))
      .get('/repos/o/r/compare/main...tidemark%2Fnginx-1.x')
      .reply(200, ghCompare([ghCommit('c1', 'Update nginx', BOT)], 3));
    const { gh } = await platform();
    expect((await gh.getBranch('tidemark/nginx-1.x', 'main'))?.upToDateWithBase).toBe(false);
    api.done();
  });

  it('commits files as one commit on the base and force-moves the branch to it', async () => {
    const bodies: Record<string, unknown> = {};
    const api = githubApi()
      .get('/repos/o/r/git/commits/base1')
      .reply(200, ghGitCommit('base1', 'tree0'))
      .get('/repos/o/r/git/trees/tree0')
      .query({ recursive: 'true' })
      .reply(200, ghTree('tree0', { 'apps/web/deploy.yaml': '100644', 'apps/web/run.sh': '100755' }))
      .post('/repos/o/r/git/trees', (b) => ((bodies.tree = b), true))
      .reply(201, { sha: 'tree1', tree: [] })
      .post('/repos/o/r/git/commits', (b) => ((bodies.commit = b), true))
      .reply(201, ghGitCommit('new1', 'tree1', 'Update nginx', ['base1']))
      .patch('/repos/o/r/git/refs/heads%2Ftidemark%2Fnginx-1.x', (b) => ((bodies.ref = b), true))
      .reply(200, ghRef('o', 'r', 'tidemark/nginx-1.x', 'new1'));
    const { gh } = await platform();
    const sha = await gh.commitFiles({
      branch: 'tidemark/nginx-1.x',
      baseSha: 'base1',
      message: 'Update nginx to 1.27.1',
      files: [
        { path: 'apps/web/deploy.yaml', content: 'image: nginx:1.27.1\n' },
        { path: 'apps/web/run.sh', content: '#!/bin/sh\nexec nginx:1.27.1\n' },
      ],
      author: BOT,
    });
    expect(sha).toBe('new1');
    expect(bodies).toEqual({
      tree: {
        base_tree: 'tree0',
        // The executable keeps its mode: 100644 would drop its x bit in the PR.
        tree: [
          { path: 'apps/web/deploy.yaml', mode: '100644', type: 'blob', content: 'image: nginx:1.27.1\n' },
          { path: 'apps/web/run.sh', mode: '100755', type: 'blob', content: '#!/bin/sh\nexec nginx:1.27.1\n' },
        ],
      },
      commit: { message: 'Update nginx to 1.27.1', tree: 'tree1', parents: ['base1'], author: BOT },
      ref: { sha: 'new1', force: true },
    });
    api.done();
  });

  it('creates the branch when GitHub says the reference does not exist yet', async () => {
    let created: unknown;
    const api = githubApi()
      .get('/repos/o/r/git/commits/base1')
      .reply(200, ghGitCommit('base1', 'tree0'))
      .get('/repos/o/r/git/trees/tree0')
      .query({ recursive: 'true' })
      .reply(200, ghTree('tree0', {}))
      .post('/repos/o/r/git/trees')
      .reply(201, { sha: 'tree1', tree: [] })
      .post('/repos/o/r/git/commits')
      .reply(201, ghGitCommit('new1', 'tree1'))
      .patch('/repos/o/r/git/refs/heads%2Ftidemark%2Fnew')
      .reply(422, { message: 'Reference does not exist', documentation_url: 'https://docs.github.com/rest/git/refs#update-a-reference', status: '422' })
      .post('/repos/o/r/git/refs', (b) => ((created = b), true))
      .reply(201, ghRef('o', 'r', 'tidemark/new', 'new1'));
    const { gh } = await platform();
    const sha = await gh.commitFiles({ branch: 'tidemark/new', baseSha: 'base1', message: 'm', files: [{ path: 'a.yaml', content: 'x' }], author: BOT });
    expect(sha).toBe('new1');
    expect(created).toEqual({ ref: 'refs/heads/tidemark/new', sha: 'new1' });
    api.done();
  });

  it('creates a branch it saw missing with POST alone, and moves it instead when someone created it meanwhile', async () => {
    const refs: string[] = [];
    const api = githubApi()
      .get(ghPath.ref('o/r', 'tidemark/new'))
      .reply(404, ghNotFound())
      .get('/repos/o/r/git/commits/base1')
      .reply(200, ghGitCommit('base1', 'tree0'))
      .get('/repos/o/r/git/trees/tree0')
      .query({ recursive: 'true' })
      .reply(200, ghTree('tree0', {}))
      .post('/repos/o/r/git/trees')
      .reply(201, { sha: 'tree1', tree: [] })
      .post('/repos/o/r/git/commits')
      .reply(201, ghGitCommit('new1', 'tree1'))
      .post('/repos/o/r/git/refs', () => (refs.push('POST'), true))
      .reply(422, ghValidationFailed('Reference already exists', 'Reference'))
      .patch(ghPath.refs('o/r', 'tidemark/new'), () => (refs.push('PATCH'), true))
      .reply(200, ghRef('o', 'r', 'tidemark/new', 'new1'));
    const { gh } = await platform();
    expect(await gh.getBranch('tidemark/new', 'main')).toBeNull();
    await gh.commitFiles({ branch: 'tidemark/new', baseSha: 'base1', message: 'm', files: [{ path: 'a.yaml', content: 'x' }], author: BOT });
    expect(refs).toEqual(['POST', 'PATCH']);
    api.done();
  });

  it('commits through the reusable commit flow of the fake, creating a new branch', async () => {
    const bodies: Record<string, unknown> = {};
    const api = mockCommitFiles(githubApi(), {
      repo: 'o/r',
      branch: 'tidemark/redis-7.x',
      baseSha: 'b0',
      newSha: 'n1',
      branchExists: 'unseen',
      onBody: (kind, body) => (bodies[kind] = body),
    });
    const { gh } = await platform();
    const sha = await gh.commitFiles({ branch: 'tidemark/redis-7.x', baseSha: 'b0', message: 'm', files: [{ path: 'r.yaml', content: 'tag: 7.4.1\n' }], author: BOT });
    expect(sha).toBe('n1');
    expect(bodies.ref).toEqual({ ref: 'refs/heads/tidemark/redis-7.x', sha: 'n1' });
    expect(ghPath.compare('o/r', 'main', 'tidemark/redis-7.x')).toBe('/repos/o/r/compare/main...tidemark%2Fredis-7.x');
    api.done();
  });

  it('explains a 409 from an empty repository', async () => {
    const api = githubApi()
      .get('/repos/o/r/git/commits/base1')
      .reply(409, { message: 'Git Repository is empty.', documentation_url: 'https://docs.github.com/rest/git/commits#get-a-commit-object', status: '409' });
    const { gh } = await platform();
    const err = (await gh
      .commitFiles({ branch: 'tidemark/x', baseSha: 'base1', message: 'm', files: [], author: BOT })
      .catch((e: unknown) => e)) as PlatformError;
    expect(err.status).toBe(409);
    expect(err.message).toBe(
      'GitHub: read commit base1: 409 conflict: the repository is empty or the ref moved (Git Repository is empty.)',
    );
    api.done();
  });

  it('lists its own branches by prefix in one request, as the matching-refs endpoint takes no paging parameters', async () => {
    const path = '/repos/o/r/git/matching-refs/heads%2Ftidemark%2F';
    const api = githubApi()
      .get(path)
      .reply(200, [ghRef('o', 'r', 'tidemark/a-1.x', 's1'), ghRef('o', 'r', 'tidemark/b', 's2')]);
    const { gh } = await platform();
    expect(await gh.listBranches('tidemark/')).toEqual(['tidemark/a-1.x', 'tidemark/b']);
    api.done();
  });

  it('deletes a branch and ignores one that is already gone', async () => {
    const api = githubApi()
      .delete('/repos/o/r/git/refs/heads%2Ftidemark%2Fa')
      .reply(204)
      .delete('/repos/o/r/git/refs/heads%2Ftidemark%2Fb')
      .reply(422, { message: 'Reference does not exist', documentation_url: 'https://docs.github.com/rest/git/refs#delete-a-reference', status: '422' });
    const { gh } = await platform();
    await gh.deleteBranch('tidemark/a');
    await gh.deleteBranch('tidemark/b');
    api.done();
  });
});

describe('GitHubPlatform file contents', () => {
  it('reads a file at a commit byte for byte, BOM, CRLF and non-ASCII included', async () => {
    const text = '\uFEFF# café\r\nimage: nginx:1.25.0   \r\n\n# ' + 'x'.repeat(100) + '\n';
    const api = githubApi()
      .get('/repos/o/r/contents/apps/my%20web/deploy.yaml')
      .query({ ref: 'base1' })
      .reply(200, ghContent('apps/my web/deploy.yaml', text, { ref: 'base1' }));
    const { gh } = await platform();
    expect(await gh.readFile('base1', 'apps/my web/deploy.yaml')).toBe(text);
    api.done();
  });

  it('reads a file over 1 MB from the blobs API, as the contents API leaves it out', async () => {
    const text = `image: nginx:1.25.0\n${'# padding\n'.repeat(120_000)}`;
    const api = githubApi()
      .get('/repos/o/r/contents/big.yaml')
      .query({ ref: 'base1' })
      .reply(200, ghContent('big.yaml', text, { sha: 'b1g' }))
      .get('/repos/o/r/git/blobs/b1g')
      .reply(200, ghBlob('b1g', text));
    const { gh } = await platform();
    expect(await gh.readFile('base1', 'big.yaml')).toBe(text);
    api.done();
  });

  it('reads an empty file without asking for its blob', async () => {
    const api = githubApi().get('/repos/o/r/contents/empty.yaml').query({ ref: 'base1' }).reply(200, ghContent('empty.yaml', ''));
    const { gh } = await platform();
    expect(await gh.readFile('base1', 'empty.yaml')).toBe('');
    api.done();
  });

  it('fails with a 404 PlatformError, logged at debug only, when the commit has no such file', async () => {
    const api = githubApi()
      .get('/repos/o/r/contents/apps/gone.yaml')
      .query({ ref: 'base1' })
      .reply(404, ghNotFound('https://docs.github.com/rest/repos/contents#get-repository-content'));
    const { gh, logger } = await platform();
    const err = (await gh.readFile('base1', 'apps/gone.yaml').catch((e: unknown) => e)) as PlatformError;
    expect([err.status, err.message]).toEqual([404, 'GitHub: apps/gone.yaml does not exist at base1 of o/r']);
    expect(logger.records.map((r) => r.level)).toEqual(['debug']);
    api.done();
  });

  it('refuses a path that is a directory', async () => {
    const api = githubApi()
      .get('/repos/o/r/contents/apps')
      .query({ ref: 'base1' })
      .reply(200, [{ ...ghContent('apps/a.yaml', 'x'), content: undefined, encoding: undefined }]);
    const { gh } = await platform();
    const err = (await gh.readFile('base1', 'apps').catch((e: unknown) => e)) as PlatformError;
    expect(err.message).toBe('GitHub: read apps at base1: it is a dir, not a file');
    api.done();
  });
});

describe('GitHubPlatform logging', () => {
  it('logs expected 404 and 422 answers at debug, never as errors', async () => {
    const api = githubApi()
      .get(ghPath.ref('o/r', 'tidemark/new'))
      .reply(404, ghNotFound())
      .post('/repos/o/r/pulls')
      .reply(422, ghValidationFailed('A pull request already exists for o:tidemark/new.'))
      .get('/repos/o/r/pulls')
      .query(true)
      .reply(200, [ghPull({ number: 5, branch: 'tidemark/new' })])
      .patch('/repos/o/r/pulls/5')
      .reply(200, ghPull({ number: 5, branch: 'tidemark/new' }));
    mockCommitFiles(api, { repo: 'o/r', branch: 'tidemark/new', baseSha: 'b0', newSha: 'n1', branchExists: false });
    const { gh, logger } = await platform();
    expect(await gh.getBranch('tidemark/new', 'main')).toBeNull();
    await gh.commitFiles({ branch: 'tidemark/new', baseSha: 'b0', message: 'm', files: [{ path: 'a.yaml', content: 'x' }], author: BOT });
    await gh.createPr({ ...prRequest, branch: 'tidemark/new' });
    const failed = logger.records.filter((r) => r.msg === 'GitHub request failed');
    expect(failed.map((r) => [r.level, String(r.meta?.detail).replace(/ with id .*/, '')])).toEqual([
      ['debug', 'GET /repos/o/r/git/ref/heads%2Ftidemark%2Fnew - 404'],
      ['debug', 'POST /repos/o/r/pulls - 422'],
    ]);
    expect(logger.records.filter((r) => r.level === 'warn' || r.level === 'error')).toEqual([]);
    api.done();
  });

  it('warns about a server error it retries', async () => {
    const api = githubApi()
      .get(ghPath.ref('o/r', 'main'))
      .reply(502, { message: 'Server Error' })
      .get(ghPath.ref('o/r', 'main'))
      .reply(200, ghRef('o', 'r', 'main', 'base1'));
    const { gh, logger } = await platform();
    await gh.baseBranch('main');
    expect(logger.records.filter((r) => r.level !== 'debug').map((r) => [r.level, r.msg, String(r.meta?.detail).replace(/ with id .*/, '')])).toEqual([
      ['warn', 'GitHub server error', 'GET /repos/o/r/git/ref/heads%2Fmain - 502'],
    ]);
    api.done();
  });
});

describe('GitHubPlatform pull requests', () => {
  it('finds the newest PR for a head branch in any state and reads a merged one as merged', async () => {
    const api = githubApi()
      .get('/repos/o/r/pulls')
      .query({ head: 'o:tidemark/nginx-1.x', state: 'all', sort: 'created', direction: 'desc', per_page: '10' })
      .reply(200, [ghPull({ number: 9, branch: 'tidemark/nginx-1.x', state: 'closed', merged: true, title: 'Update nginx' })]);
    const { gh } = await platform();
    expect(await gh.findPr('tidemark/nginx-1.x')).toEqual({
      number: 9,
      branch: 'tidemark/nginx-1.x',
      state: 'merged',
      title: 'Update nginx',
      body: 'body',
      url: 'https://github.com/o/r/pull/9',
      createdAt: '2026-01-01T00:00:00Z',
    });
    api.done();
  });

  it('returns null when no PR ever had that head branch', async () => {
    const api = githubApi().get('/repos/o/r/pulls').query(true).reply(200, []);
    const { gh } = await platform();
    expect(await gh.findPr('tidemark/none')).toBeNull();
    api.done();
  });

  it('lists open PRs across pages, keeping only its own branch prefix and not forks', async () => {
    const q = { state: 'open', per_page: '100' };
    const api = githubApi()
      .get('/repos/o/r/pulls')
      .query(q)
      .reply(
        200,
        [ghPull({ number: 1, branch: 'tidemark/a-1.x' }), ghPull({ number: 2, branch: 'feature/x' })],
        { link: ghLink('/repos/o/r/pulls', q, 1, 2) },
      )
      .get('/repos/o/r/pulls')
      .query({ ...q, page: '2' })
      .reply(
        200,
        [ghPull({ number: 3, branch: 'tidemark/b-2.x', body: null }), ghPull({ number: 4, branch: 'tidemark/c-1.x', headRepo: 'fork/r' })],
        { link: ghLink('/repos/o/r/pulls', q, 2, 2) },
      );
    const { gh } = await platform();
    const prs = await gh.listOpenPrs('tidemark/');
    expect(prs.map((p) => [p.number, p.branch, p.body])).toEqual([
      [1, 'tidemark/a-1.x', 'body'],
      [3, 'tidemark/b-2.x', ''],
    ]);
    api.done();
  });

  it('does not count a PR whose fork was deleted as its own: anyone could fill the PR limits with them', async () => {
    const gone = (n: number) => ({ ...ghPull({ number: n, branch: `tidemark/x-${n}` }), head: { label: 'unknown', ref: `tidemark/x-${n}`, sha: 'headsha', repo: null } });
    const api = githubApi()
      .get('/repos/o/r/pulls')
      .query({ state: 'open', per_page: '100' })
      .reply(200, [gone(1), gone(2), ghPull({ number: 3, branch: 'tidemark/a-1.x' })]);
    const { gh } = await platform();
    expect((await gh.listOpenPrs('tidemark/')).map((p) => p.number)).toEqual([3]);
    api.done();
  });

  it('opens a PR with labels, user and team reviewers, assignees and auto-merge', async () => {
    const sent: Record<string, unknown> = {};
    const api = githubApi()
      .post('/repos/o/r/pulls', (b) => ((sent.pr = b), true))
      .reply(201, ghPull({ number: 12, branch: prRequest.branch, title: prRequest.title, body: prRequest.body }))
      .post('/repos/o/r/issues/12/labels', (b) => ((sent.labels = b), true))
      .reply(200, [{ id: 1, name: 'dependencies' }])
      .post('/repos/o/r/pulls/12/requested_reviewers', (b) => ((sent.reviewers = b), true))
      .reply(201, ghPull({ number: 12, branch: prRequest.branch }))
      .post('/repos/o/r/issues/12/assignees', (b) => ((sent.assignees = b), true))
      .reply(201, ghIssue({ number: 12, title: prRequest.title }))
      .get('/repos/o/r')
      .reply(200, ghRepo('o', 'r'))
      .post('/graphql', (b) => ((sent.graphql = b), true))
      .reply(200, { data: { enablePullRequestAutoMerge: { clientMutationId: null } } });
    const { gh, logger } = await platform();
    const pr = await gh.createPr({
      ...prRequest,
      labels: ['dependencies'],
      reviewers: ['ann', 'acme/platform'],
      assignees: ['bob'],
      automerge: true,
    });
    expect(pr).toEqual({
      number: 12,
      branch: 'tidemark/nginx-1.x',
      state: 'open',
      title: 'Update nginx to 1.27.1',
      body: 'table',
      url: 'https://github.com/o/r/pull/12',
      createdAt: '2026-01-01T00:00:00Z',
    });
    expect(sent.pr).toEqual({ head: 'tidemark/nginx-1.x', base: 'main', title: 'Update nginx to 1.27.1', body: 'table' });
    expect(sent.labels).toEqual({ labels: ['dependencies'] });
    expect(sent.reviewers).toEqual({ reviewers: ['ann'], team_reviewers: ['platform'] });
    expect(sent.assignees).toEqual({ assignees: ['bob'] });
    expect((sent.graphql as { variables: unknown }).variables).toEqual({ pullRequestId: 'PR_node_12', mergeMethod: 'MERGE' });
    expect(logger.records.filter((r) => r.level === 'warn')).toEqual([]);
    api.done();
  });

  it('asks auto-merge to squash in a repository that allows no merge commits', async () => {
    let variables: unknown;
    const api = githubApi()
      .post('/repos/o/r/pulls')
      .reply(201, ghPull({ number: 12, branch: prRequest.branch }))
      .get('/repos/o/r')
      .reply(200, ghRepo('o', 'r', { merge: { commit: false, squash: true, rebase: true } }))
      .post('/graphql', (b) => ((variables = b.variables), true))
      .reply(200, { data: { enablePullRequestAutoMerge: { clientMutationId: null } } });
    const { gh, logger } = await platform();
    await gh.createPr({ ...prRequest, automerge: true });
    expect(variables).toEqual({ pullRequestId: 'PR_node_12', mergeMethod: 'SQUASH' });
    expect(logger.records.filter((r) => r.level === 'warn')).toEqual([]);
    api.done();
  });

  it('leaves the merge method to GitHub when the token cannot see the repository settings', async () => {
    let variables: unknown;
    const { allow_merge_commit: _m, allow_squash_merge: _s, allow_rebase_merge: _r, ...readOnly } = ghRepo('o', 'r', { push: false });
    const api = githubApi()
      .post('/repos/o/r/pulls')
      .reply(201, ghPull({ number: 12, branch: prRequest.branch }))
      .get('/repos/o/r')
      .reply(200, readOnly)
      .post('/graphql', (b) => ((variables = b.variables), true))
      .reply(200, { data: { enablePullRequestAutoMerge: { clientMutationId: null } } });
    const { gh } = await platform();
    await gh.createPr({ ...prRequest, automerge: true });
    expect(variables).toEqual({ pullRequestId: 'PR_node_12' });
    api.done();
  });

  it('reuses and updates the open PR when GitHub answers 422 "A pull request already exists"', async () => {
    let patched: unknown;
    const api = githubApi()
      .post('/repos/o/r/pulls')
      .reply(422, ghValidationFailed('A pull request already exists for o:tidemark/nginx-1.x.'))
      .get('/repos/o/r/pulls')
      .query(true)
      .reply(200, [ghPull({ number: 5, branch: prRequest.branch, title: 'Update nginx to 1.27.0' })])
      .patch('/repos/o/r/pulls/5', (b) => ((patched = b), true))
      .reply(200, ghPull({ number: 5, branch: prRequest.branch }));
    const { gh } = await platform();
    const pr = await gh.createPr(prRequest);
    expect(pr).toEqual({ number: 5, branch: prRequest.branch, state: 'open', title: prRequest.title, body: 'table', url: 'https://github.com/o/r/pull/5', createdAt: '2026-01-01T00:00:00Z' });
    expect(patched).toEqual({ title: prRequest.title, body: 'table' });
    api.done();
  });

  it('fails with the validation message when GitHub rejects a PR for another reason', async () => {
    const api = githubApi()
      .post('/repos/o/r/pulls')
      .reply(422, ghValidationFailed('No commits between main and tidemark/nginx-1.x'));
    const { gh } = await platform();
    const err = (await gh.createPr(prRequest).catch((e: unknown) => e)) as PlatformError;
    expect(err).toBeInstanceOf(PlatformError);
    expect(err.status).toBe(422);
    expect(err.message).toBe(
      'GitHub: open PR for tidemark/nginx-1.x: 422 rejected as invalid (Validation Failed: No commits between main and tidemark/nginx-1.x)',
    );
    api.done();
  });

  it('keeps the PR and warns when reviewers or auto-merge cannot be set', async () => {
    const api = githubApi()
      .post('/repos/o/r/pulls')
      .reply(201, ghPull({ number: 12, branch: prRequest.branch }))
      .post('/repos/o/r/pulls/12/requested_reviewers')
      .reply(422, ghValidationFailed('Reviews may only be requested from collaborators.', 'PullRequest'))
      .get('/repos/o/r')
      .reply(200, ghRepo('o', 'r'))
      .post('/graphql')
      .reply(200, {
        data: { enablePullRequestAutoMerge: null },
        errors: [{ type: 'UNPROCESSABLE', path: ['enablePullRequestAutoMerge'], message: 'Pull request Auto merge is not allowed for this repository' }],
      });
    const { gh, logger } = await platform();
    const pr = await gh.createPr({ ...prRequest, reviewers: ['stranger'], automerge: true });
    expect(pr.number).toBe(12);
    expect(logger.records.filter((r) => r.level === 'warn').map((r) => [r.msg, r.meta?.pr])).toEqual([
      ['could not request reviewers', 12],
      ['could not enable automerge', 12],
    ]);
    api.done();
  });

  it('updates a PR title and body in place', async () => {
    let body: unknown;
    const api = githubApi()
      .patch('/repos/o/r/pulls/7', (b) => ((body = b), true))
      .reply(200, ghPull({ number: 7, branch: 'tidemark/a' }));
    const { gh } = await platform();
    await gh.updatePr(7, { title: 'Update a to 2', body: 'new body' });
    expect(body).toEqual({ title: 'Update a to 2', body: 'new body' });
    api.done();
  });

  it('closes a PR after explaining why in a comment', async () => {
    const order: string[] = [];
    const api = githubApi()
      .post('/repos/o/r/issues/7/comments', (b) => (order.push(`comment:${b.body}`), true))
      .reply(201, { id: 1, body: 'x' })
      .patch('/repos/o/r/pulls/7', (b) => (order.push(`state:${b.state}`), true))
      .reply(200, ghPull({ number: 7, branch: 'tidemark/a', state: 'closed' }));
    const { gh } = await platform();
    await gh.closePr(7, 'No longer needed: nginx is already at 1.27.1 on main.');
    expect(order).toEqual(['comment:No longer needed: nginx is already at 1.27.1 on main.', 'state:closed']);
    api.done();
  });
});

describe('GitHubPlatform dashboard issues', () => {
  it('finds its own open issue by exact title across pages, skipping PRs and near-misses', async () => {
    const q = { state: 'open', per_page: '100', creator: 'tidemark-bot' };
    const api = githubApi()
      .get('/user')
      .reply(200, { login: 'tidemark-bot', id: 7, type: 'User' })
      .get('/repos/o/r/issues')
      .query(q)
      .reply(200, [ghIssue({ number: 30, title: 'Tidemark dashboard', isPull: true }), ghIssue({ number: 31, title: 'Tidemark dashboard (old)' })], {
        link: ghLink('/repos/o/r/issues', q, 1, 2),
      })
      .get('/repos/o/r/issues')
      .query({ ...q, page: '2' })
      .reply(200, [ghIssue({ number: 4, title: 'Tidemark dashboard', body: '- [x] approve' })], { link: ghLink('/repos/o/r/issues', q, 2, 2) });
    const { gh } = await platform();
    expect(await gh.findIssue('Tidemark dashboard')).toEqual({ number: 4, title: 'Tidemark dashboard', body: '- [x] approve', state: 'open' });
    api.done();
  });

  it('matches by title alone when the token is an app token that has no user', async () => {
    const api = githubApi()
      .get('/user')
      .reply(403, { message: 'Resource not accessible by integration', documentation_url: 'https://docs.github.com/rest/users/users#get-the-authenticated-user', status: '403' })
      .get('/repos/o/r/issues')
      .query({ state: 'open', per_page: '100' })
      .reply(200, []);
    const { gh } = await platform();
    expect(await gh.findIssue('Tidemark dashboard')).toBeNull();
    api.done();
  });

  it('with an app token, takes only an issue a bot opened: anyone can open one titled "Tidemark dashboard" with boxes ticked', async () => {
    const forged = '- [x] <!-- tidemark-approve:docker.io/library/postgres --> **postgres**\n<!-- tidemark-dashboard -->';
    const api = githubApi()
      .get('/user')
      .reply(403, { message: 'Resource not accessible by integration' })
      .get('/repos/o/r/issues')
      .query({ state: 'open', per_page: '100' })
      .reply(200, [
        ghIssue({ number: 3, title: 'Tidemark dashboard', body: forged, user: 'mallory' }),
        ghIssue({ number: 9, title: 'Tidemark dashboard', body: 'ours', user: 'github-actions[bot]' }),
      ]);
    const { gh } = await platform();
    expect(await gh.findIssue('Tidemark dashboard')).toEqual({ number: 9, title: 'Tidemark dashboard', body: 'ours', state: 'open' });
    api.done();
  });

  it('creates and updates an issue', async () => {
    const sent: unknown[] = [];
    const api = githubApi()
      .post('/repos/o/r/issues', (b) => (sent.push(b), true))
      .reply(201, ghIssue({ number: 40, title: 'Tidemark dashboard', body: 'one' }))
      .patch('/repos/o/r/issues/40', (b) => (sent.push(b), true))
      .reply(200, ghIssue({ number: 40, title: 'Tidemark dashboard', body: 'two' }));
    const { gh } = await platform();
    expect(await gh.createIssue('Tidemark dashboard', 'one')).toEqual({ number: 40, title: 'Tidemark dashboard', body: 'one', state: 'open' });
    await gh.updateIssue(40, 'two');
    expect(sent).toEqual([{ title: 'Tidemark dashboard', body: 'one' }, { body: 'two' }]);
    api.done();
  });
});

describe('GitHubPlatform retries and secrets', () => {
  it('retries a 500 and succeeds', async () => {
    const api = githubApi()
      .get('/repos/o/r/git/ref/heads%2Fmain')
      .reply(500, { message: 'Server Error' })
      .get('/repos/o/r/git/ref/heads%2Fmain')
      .reply(200, ghRef('o', 'r', 'main', 'base1'));
    const { gh } = await platform();
    expect(await gh.baseBranch('main')).toEqual({ name: 'main', sha: 'base1' });
    api.done();
  });

  it('waits out a secondary rate limit and succeeds, with a warning', async () => {
    const api = githubApi()
      .post('/repos/o/r/issues/3/comments')
      .reply(...ghSecondaryRateLimit(2))
      .post('/repos/o/r/issues/3/comments')
      .reply(201, { id: 1, body: 'hi' });
    const { gh, logger } = await platform();
    await gh.comment(3, 'hi');
    expect(logger.records.filter((r) => r.level === 'warn').map((r) => [r.msg, r.meta?.retryAfter])).toEqual([
      ['GitHub secondary rate limit hit', 2],
    ]);
    api.done();
  });

  it('waits out an exhausted primary rate limit and succeeds', async () => {
    const api = githubApi()
      .get('/repos/o/r/git/ref/heads%2Fmain')
      .reply(...ghPrimaryRateLimit())
      .get('/repos/o/r/git/ref/heads%2Fmain')
      .reply(200, ghRef('o', 'r', 'main', 'base1'));
    const { gh, logger } = await platform();
    expect(await gh.baseBranch('main')).toEqual({ name: 'main', sha: 'base1' });
    expect(logger.records.map((r) => r.msg)).toContain('GitHub primary rate limit hit');
    api.done();
  });

  it('gives up on a rate limit that never lifts with a 403 PlatformError', async () => {
    const api = githubApi().post('/repos/o/r/issues/3/comments').times(4).reply(...ghSecondaryRateLimit(1));
    const { gh } = await platform();
    const err = (await gh.comment(3, 'hi').catch((e: unknown) => e)) as PlatformError;
    expect(err.status).toBe(403);
    api.done();
  });

  it('never puts the token in a log record or an error message', async () => {
    const api = githubApi()
      .post('/repos/o/r/pulls')
      .reply(401, { message: 'Bad credentials', documentation_url: 'https://docs.github.com/rest', status: '401' })
      .post('/repos/o/r/issues/3/comments')
      .reply(...ghSecondaryRateLimit(1))
      .post('/repos/o/r/issues/3/comments')
      .reply(201, { id: 1 });
    const { gh, logger } = await platform();
    const err = (await gh.createPr(prRequest).catch((e: unknown) => e)) as PlatformError;
    await gh.comment(3, 'hi');
    expect(err.message).toBe('GitHub: open PR for tidemark/nginx-1.x: 401 bad credentials: check the token (Bad credentials)');
    logger.error('run failed', { error: err });
    expect(logger.records.length).toBeGreaterThan(1);
    expect(logger.text()).not.toContain(TOKEN);
    expect(JSON.stringify(err.cause)).not.toContain(TOKEN);
    api.done();
  });
});

describe('GitHubPlatform with the publish lifecycle', () => {
  it('lets the publish lifecycle open a labelled PR on a new branch, with one commit on the base', async () => {
    const text = 'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  template:\n    spec:\n      containers:\n        - name: web\n          image: nginx:1.25.0\n';
    const at = text.indexOf('1.25.0');
    const update: Update = {
      dependency: { file: 'deploy.yaml', line: 10, manager: 'kubernetes', datasource: 'docker', name: 'nginx', registryUrl: null, currentValue: '1.25.0', currentDigest: null, valueRange: { start: at, end: at + 6 }, digestRange: null },
      newValue: '1.27.1', newDigest: null, updateType: 'minor', group: null, reason: 'newest', labels: ['deps'], reviewers: [], assignees: [], automerge: false, sourceUrl: null, homepage: null,
    };
    const plan: Plan = { updates: [update], unchanged: [], problems: [], branches: [{ branchName: 'tidemark/nginx-1.x', title: 'Update nginx to 1.27.1', updates: [update] }] };
    const api = githubApi()
      .get('/repos/o/r').reply(200, ghRepo('o', 'r'))
      .get(ghPath.ref('o/r', 'main')).reply(200, ghRef('o', 'r', 'main', 'base1'))
      .get('/repos/o/r/pulls').query({ state: 'open', per_page: '100' }).reply(200, [])
      .get('/repos/o/r/git/matching-refs/heads%2Ftidemark%2F').reply(200, [])
      .get('/repos/o/r/pulls').query(true).reply(200, [])
      .get('/repos/o/r/contents/deploy.yaml').query({ ref: 'base1' }).reply(200, ghContent('deploy.yaml', text, { ref: 'base1' }))
      .post('/repos/o/r/pulls').reply(201, ghPull({ number: 3, branch: 'tidemark/nginx-1.x' }))
      .post('/repos/o/r/issues/3/labels').reply(200, []);
    const bodies: Record<string, unknown> = {};
    mockCommitFiles(api, { repo: 'o/r', branch: 'tidemark/nginx-1.x', baseSha: 'base1', newSha: 'n1', branchExists: false, onBody: (k, b) => (bodies[k] = b) });
    const logger = recordingLogger();
    const gh = await GitHubPlatform.create({ token: 'ghp_xxxxxxxxxxxx', repo: 'o/r', logger, timing: GH_TEST_TIMING });
    const summary = await publish(gh, plan, { dir: '/nonexistent', config: DEFAULT_CONFIG, dryRun: false, logger, print: () => {}, readFile: async () => { throw new Error('edits start from the remote base, not the checkout'); } });
    expect(summary).toEqual({
      opened: [{ branch: 'tidemark/nginx-1.x', pr: { number: 3, url: 'https://github.com/o/r/pull/3' }, detail: 'PR opened' }],
      updated: [],
      closed: [],
      skipped: [],
      problems: [],
      partialFailure: false,
    });
    expect(bodies.tree).toEqual({ base_tree: 'tree-base1', tree: [{ path: 'deploy.yaml', mode: '100644', type: 'blob', content: text.replace('1.25.0', '1.27.1') }] });
    expect(logger.records.filter((r) => r.level === 'warn' || r.level === 'error')).toEqual([]);
    api.done();
  });
});
