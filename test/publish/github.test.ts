import nock from 'nock';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { PlatformError } from '../../src/errors.js';
import { GitHubPlatform } from '../../src/publish/github.js';
import {
  GH_TEST_TIMING,
  ghCommit,
  ghCompare,
  ghGitCommit,
  ghIssue,
  ghLink,
  ghNotFound,
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
      files: [{ path: 'apps/web/deploy.yaml', content: 'image: nginx:1.27.1\n' }],
      author: BOT,
    });
    expect(sha).toBe('new1');
    expect(bodies).toEqual({
      tree: {
        base_tree: 'tree0',
        tree: [{ path: 'apps/web/deploy.yaml', mode: '100644', type: 'blob', content: 'image: nginx:1.27.1\n' }],
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
