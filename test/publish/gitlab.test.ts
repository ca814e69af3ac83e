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
