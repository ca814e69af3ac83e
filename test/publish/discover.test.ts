import nock from 'nock';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { PlatformError } from '../../src/errors.js';
import { discoverRepositories, repoFilter } from '../../src/publish/discover.js';
import { GH_TEST_TIMING, ghLink, ghRepo, githubApi, recordingLogger } from '../helpers/github-fake.js';
import { GL_TEST_TIMING, gitlabApi, glProject } from '../helpers/gitlab-fake.js';

const GH_TOKEN = 'ghp_discoverTokenValue99';
const GL_TOKEN = 'glpat-discoverTokenValue99';

beforeAll(() => {
  nock.disableNetConnect();
});

afterEach(() => {
  nock.cleanAll();
});

describe('discoverRepositories on GitHub', () => {
  it('lists every repository the token can push to across pages, sorted, without archived ones', async () => {
    const q = { per_page: '100' };
    const api = githubApi()
      .get('/user/repos')
      .query(q)
      .reply(200, [ghRepo('acme', 'web'), ghRepo('acme', 'read-only', { push: false }), ghRepo('acme', 'Api')], {
        link: ghLink('/user/repos', q, 1, 2),
      })
      .get('/user/repos')
      .query({ ...q, page: '2' })
      .reply(200, [ghRepo('acme', 'old', { archived: true }), ghRepo('other', 'tool')], { link: ghLink('/user/repos', q, 2, 2) });
    const logger = recordingLogger();
    const repos = await discoverRepositories({ platform: 'github', token: GH_TOKEN, endpoint: null, logger, timing: GH_TEST_TIMING });
    expect(repos).toEqual(['acme/Api', 'acme/web', 'other/tool']);
    expect(logger.text()).not.toContain(GH_TOKEN);
    api.done();
  });

  it('filters by glob on owner/name, with exclusions', async () => {
    const api = githubApi()
      .get('/user/repos')
      .query(true)
      .reply(200, [ghRepo('acme', 'web'), ghRepo('acme', 'legacy-app'), ghRepo('other', 'tool')]);
    const repos = await discoverRepositories({
      platform: 'github',
      token: GH_TOKEN,
      endpoint: null,
      filter: 'acme/*, !acme/legacy-*',
      logger: recordingLogger(),
      timing: GH_TEST_TIMING,
    });
    expect(repos).toEqual(['acme/web']);
    api.done();
  });

  it('falls back to the installation repositories for a GitHub App token on GitHub Enterprise', async () => {
    const api = githubApi('https://ghe.test/api/v3')
      .get('/api/v3/user/repos')
      .query(true)
      .reply(403, { message: 'Resource not accessible by integration', documentation_url: 'https://docs.github.com/rest', status: '403' })
      .get('/api/v3/installation/repositories')
      .query(true)
      .reply(200, { total_count: 2, repository_selection: 'selected', repositories: [ghRepo('acme', 'web'), ghRepo('acme', 'api')] });
    const repos = await discoverRepositories({
      platform: 'github',
      token: GH_TOKEN,
      endpoint: 'https://ghe.test/api/v3',
      logger: recordingLogger(),
      timing: GH_TEST_TIMING,
    });
    expect(repos).toEqual(['acme/api', 'acme/web']);
    api.done();
  });

  it('fails with a PlatformError for a bad token', async () => {
    const api = githubApi().get('/user/repos').query(true).reply(401, { message: 'Bad credentials', documentation_url: 'https://docs.github.com/rest', status: '401' });
    const err = (await discoverRepositories({ platform: 'github', token: GH_TOKEN, endpoint: null, logger: recordingLogger(), timing: GH_TEST_TIMING }).catch(
      (e: unknown) => e,
    )) as PlatformError;
    expect(err).toBeInstanceOf(PlatformError);
    expect(err.status).toBe(401);
    api.done();
  });
});

describe('discoverRepositories on GitLab', () => {
  it('lists projects with at least Developer access across keyset pages, sorted', async () => {
    const q = { min_access_level: '30', archived: 'false', pagination: 'keyset', order_by: 'id', sort: 'asc', per_page: '100' };
    const api = gitlabApi('https://gitlab.example.com')
      .get('/api/v4/projects')
      .matchHeader('private-token', GL_TOKEN)
      .query(q)
      .reply(200, [glProject('platform/web', { id: 1 }), glProject('platform/sub/api', { id: 2 })], {
        link: `<https://gitlab.example.com/api/v4/projects?${new URLSearchParams({ ...q, id_after: '2' })}>; rel="next"`,
      })
      .get('/api/v4/projects')
      .query({ ...q, id_after: '2' })
      .reply(200, [glProject('apps/frontend', { id: 3 }), glProject('apps/old', { id: 4, archived: true })]);
    const repos = await discoverRepositories({
      platform: 'gitlab',
      token: GL_TOKEN,
      endpoint: 'https://gitlab.example.com',
      logger: recordingLogger(),
      timing: GL_TEST_TIMING,
    });
    expect(repos).toEqual(['apps/frontend', 'platform/sub/api', 'platform/web']);
    api.done();
  });

  it('matches subgroups only with a globstar', async () => {
    const api = gitlabApi()
      .get('/api/v4/projects')
      .query(true)
      .times(2)
      .reply(200, [glProject('platform/web'), glProject('platform/sub/api')]);
    const run = (filter: string) =>
      discoverRepositories({ platform: 'gitlab', token: GL_TOKEN, endpoint: null, filter, logger: recordingLogger(), timing: GL_TEST_TIMING });
    expect(await run('platform/*')).toEqual(['platform/web']);
    expect(await run('platform/**')).toEqual(['platform/sub/api', 'platform/web']);
    api.done();
  });
});

describe('repoFilter', () => {
  it('matches case-insensitively and keeps everything when empty', () => {
    expect(repoFilter('ACME/*')('acme/Web')).toBe(true);
    expect(repoFilter(undefined)('any/thing')).toBe(true);
    expect(repoFilter('!acme/*')('acme/web')).toBe(false);
    expect(repoFilter('!acme/*')('other/web')).toBe(true);
  });
});
