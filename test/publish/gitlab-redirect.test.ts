import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/log.js';
import { GitLabPlatform } from '../../src/publish/gitlab.js';
import { decodedForms, startRecordingServer, type RecordingServer } from '../helpers/recording-server.js';

const TOKEN = 'glpat-CANARY-redirect-5150';
const BRANCH = '{"name":"main","commit":{"id":"2222222222222222222222222222222222222222"}}';

/**
 * The operator's GitLab answering with a redirect: within its own origin (a renamed project) the token goes along;
 * to another origin (object storage, a hostile proxy in front of GitLab) it must not.
 */
describe('GitLab API redirects and the platform token', () => {
  let elsewhere: RecordingServer;
  let api: RecordingServer;

  beforeAll(async () => {
    elsewhere = await startRecordingServer((_req, res) => void res.writeHead(200, { 'content-type': 'application/json' }).end(BRANCH));
    api = await startRecordingServer((req, res) => {
      if (req.url.startsWith('/api/v4/projects/old%2Fname/')) return void res.writeHead(301, { location: req.url.replace('old%2Fname', 'acme%2Fgitops') }).end();
      if (req.url.startsWith('/api/v4/projects/acme%2Fgitops/')) return void res.writeHead(200, { 'content-type': 'application/json' }).end(BRANCH);
      res.writeHead(302, { location: `${elsewhere.url}${req.url}` }).end();
    });
  });

  afterAll(async () => {
    await api?.stop();
    await elsewhere?.stop();
  });

  it.each([
    ['an access token (PRIVATE-TOKEN)', false],
    ['a CI job token (JOB-TOKEN)', true],
  ])('does not carry %s to the host the API redirected to', async (_what, jobToken) => {
    elsewhere.requests.length = 0;
    const gitlab = await GitLabPlatform.create({ token: TOKEN, jobToken, repo: 'moved/away', host: api.url, logger: silentLogger });
    expect(await gitlab.baseBranch('main')).toEqual({ name: 'main', sha: '2'.repeat(40) });
    expect(api.requests.at(-1)!.headers[jobToken ? 'job-token' : 'private-token']).toEqual(TOKEN);
    expect(elsewhere.requests).toHaveLength(1);
    expect(elsewhere.requests.filter((r) => decodedForms(r).includes(TOKEN))).toEqual([]);
  });

  it('keeps the token on a redirect within the GitLab host (a renamed project)', async () => {
    api.requests.length = 0;
    const gitlab = await GitLabPlatform.create({ token: TOKEN, repo: 'old/name', host: api.url, logger: silentLogger });
    expect(await gitlab.baseBranch('main')).toEqual({ name: 'main', sha: '2'.repeat(40) });
    expect(api.requests.map((r) => [r.url.split('?')[0], r.headers['private-token']])).toEqual([
      ['/api/v4/projects/old%2Fname/repository/branches/main', TOKEN],
      ['/api/v4/projects/acme%2Fgitops/repository/branches/main', TOKEN],
    ]);
  });
});
