import nock from 'nock';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/log.js';
import { MemoryStore } from '../../src/lookup/cache.js';
import { ReleaseNotesReader, type BoundToken } from '../../src/review/release-notes.js';
import { parseSource, PUBLIC_HOSTS, type SourceHosts } from '../../src/review/sources.js';

beforeAll(() => nock.disableNetConnect());
afterEach(() => nock.cleanAll());
afterAll(() => nock.enableNetConnect());

/** A release as `GET /repos/{owner}/{repo}/releases` lists it (the fields Tidemark reads, plus some it does not). */
function ghRelease(tag: string, opts: { body?: string; draft?: boolean; prerelease?: boolean; name?: string } = {}) {
  return {
    id: Math.floor(Math.random() * 1e6),
    tag_name: tag,
    target_commitish: 'main',
    name: opts.name ?? tag,
    body: opts.body ?? `Notes for ${tag}`,
    html_url: `https://github.com/acme/web/releases/tag/${tag}`,
    created_at: '2025-01-01T00:00:00Z',
    published_at: '2025-01-02T10:00:00Z',
    draft: opts.draft ?? false,
    prerelease: opts.prerelease ?? false,
  };
}

/** A release as GitLab's `GET /projects/:id/releases` lists it. */
function glRelease(tag: string, project = 'group/app') {
  return {
    tag_name: tag,
    name: `Release ${tag}`,
    description: `GitLab notes for ${tag}`,
    created_at: '2025-02-01T00:00:00.000Z',
    released_at: '2025-02-02T00:00:00.000Z',
    upcoming_release: false,
    _links: { self: `https://gitlab.com/${project}/-/releases/${tag}` },
  };
}

const GITHUB_TOKEN: BoundToken = { kind: 'github', host: 'github.com', apiBase: 'https://api.github.com', token: 'ghs_secret' };

function reader(token: BoundToken | null = null, hosts: SourceHosts = PUBLIC_HOSTS, store = new MemoryStore()) {
  return new ReleaseNotesReader({ hosts, token, store, logger: silentLogger });
}

const web = parseSource('https://github.com/acme/web.git')!;

describe('GitHub releases', () => {
  it('reads the releases after the current version up to the new one, newest first, and stops paging once past the current', async () => {
    const seen: (string | undefined)[] = [];
    const scope = nock('https://api.github.com')
      .get('/repos/acme/web/releases')
      .query({ per_page: '50', page: '1' })
      .reply(function () {
        seen.push(this.req.headers['authorization'] as string | undefined);
        return [200, [ghRelease('v1.6.0', { draft: true }), ghRelease('v1.5.0'), ghRelease('v1.5.0-rc.1', { prerelease: true }), ghRelease('v1.4.3')], {
          link: '<https://api.github.com/repositories/1/releases?per_page=50&page=2>; rel="next", <https://api.github.com/repositories/1/releases?per_page=50&page=3>; rel="last"',
        }];
      })
      .get('/repos/acme/web/releases')
      .query({ per_page: '50', page: '2' })
      .reply(200, [ghRelease('1.4.2'), ghRelease('v1.4.1')], { link: '<https://api.github.com/repositories/1/releases?per_page=50&page=3>; rel="next"' });
    const outcome = await reader(GITHUB_TOKEN).notes({ source: web, packageName: 'ghcr.io/acme/web', from: '1.4.2', to: '1.5.0' });
    scope.done();
    expect(seen).toEqual(['token ghs_secret']);
    expect(outcome).toEqual({
      notes: {
        source: web,
        from: 'releases',
        compareUrl: 'https://github.com/acme/web/compare/1.4.2...v1.5.0',
        versions: [
          { version: '1.5.0', tag: 'v1.5.0', title: 'v1.5.0', body: 'Notes for v1.5.0', url: 'https://github.com/acme/web/releases/tag/v1.5.0', date: '2025-01-02' },
          { version: '1.4.3', tag: 'v1.4.3', title: 'v1.4.3', body: 'Notes for v1.4.3', url: 'https://github.com/acme/web/releases/tag/v1.4.3', date: '2025-01-02' },
        ],
      },
    });
  });

  it('takes only the package\'s own `name-1.2.3` tags in a repository of many charts', async () => {
    nock('https://api.github.com')
      .get('/repos/acme/charts/releases')
      .query(true)
      .reply(200, [ghRelease('podinfo-6.6.0'), ghRelease('other-9.0.0'), ghRelease('podinfo-6.5.4'), ghRelease('podinfo-6.5.3')]);
    const outcome = await reader().notes({ source: parseSource('https://github.com/acme/charts')!, packageName: 'podinfo', from: '6.5.3', to: '6.6.0' });
    expect('notes' in outcome && outcome.notes.versions.map((v) => v.tag)).toEqual(['podinfo-6.6.0', 'podinfo-6.5.4']);
    expect('notes' in outcome && outcome.notes.compareUrl).toEqual('https://github.com/acme/charts/compare/podinfo-6.5.3...podinfo-6.6.0');
  });

  it('spells the current version\'s tag like the new one\'s for the compare link when it has no release', async () => {
    nock('https://api.github.com').get('/repos/acme/web/releases').query(true).reply(200, [ghRelease('v2.1.0')]);
    const outcome = await reader().notes({ source: web, packageName: 'web', from: '2.0.0', to: '2.1.0' });
    expect('notes' in outcome && outcome.notes.compareUrl).toEqual('https://github.com/acme/web/compare/v2.0.0...v2.1.0');
  });

  it('falls back to the CHANGELOG.md sections of those versions when there are no releases', async () => {
    const changelog = '# Changelog\n\n## [Unreleased]\n- wip\n\n## [1.5.0] - 2025-03-01\n### Added\n- the thing\n\n## [1.4.3] - 2025-02-01\n- a fix\n\n## [1.4.2] - 2025-01-01\n- old\n';
    nock('https://api.github.com')
      .get('/repos/acme/web/releases').query(true).reply(200, [])
      .get('/repos/acme/web/contents/CHANGELOG.md').reply(200, changelog, { 'content-type': 'application/vnd.github.raw; charset=utf-8' });
    const outcome = await reader().notes({ source: web, packageName: 'web', from: '1.4.2', to: '1.5.0' });
    expect(outcome).toEqual({
      notes: {
        source: web,
        from: 'changelog',
        compareUrl: null,
        versions: [
          { version: '1.5.0', tag: '1.5.0', title: null, body: '### Added\n- the thing', url: null, date: '2025-03-01' },
          { version: '1.4.3', tag: '1.4.3', title: null, body: '- a fix', url: null, date: '2025-02-01' },
        ],
      },
    });
  });

  it('stops asking a host that rate-limited it, for the rest of the run, without retrying', async () => {
    let asked = 0;
    nock('https://api.github.com')
      .get(/\/repos\/acme\/.*\/releases/)
      .query(true)
      .times(5)
      .reply(() => {
        asked++;
        return [403, { message: 'API rate limit exceeded for 203.0.113.9.', documentation_url: 'https://docs.github.com/rest/overview/rate-limits-for-the-rest-api' }, { 'x-ratelimit-limit': '60', 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': '1893456000' }];
      });
    const r = reader();
    const first = await r.notes({ source: web, packageName: 'web', from: '1.0.0', to: '1.1.0' });
    const second = await r.notes({ source: parseSource('https://github.com/acme/api')!, packageName: 'api', from: '1.0.0', to: '1.1.0' });
    expect([first, second]).toEqual([
      { failed: 'rate limited', source: web },
      { failed: 'github.com rate limit reached earlier in this run', source: parseSource('https://github.com/acme/api') },
    ]);
    expect(asked).toEqual(1);
  });

  it('shares a rate limit with the other processes of a fleet run, for as long as the host asked', async () => {
    const marked = new Map<string, number>();
    const sharedLimits = { isExhausted: async (h: string) => marked.has(h), markExhausted: async (h: string, ms: number) => void marked.set(h, ms) };
    nock('https://api.github.com').get('/repos/acme/web/releases').query(true).once().reply(429, { message: 'slow down' }, { 'retry-after': '120' });
    const one = new ReleaseNotesReader({ hosts: PUBLIC_HOSTS, token: null, store: null, logger: silentLogger, sharedLimits });
    expect(await one.notes({ source: web, packageName: 'web', from: '1.0.0', to: '1.1.0' })).toEqual({ failed: 'rate limited', source: web });
    expect([...marked]).toEqual([['release-notes github.com', 120_000]]);
    const other = new ReleaseNotesReader({ hosts: PUBLIC_HOSTS, token: null, store: null, logger: silentLogger, sharedLimits });
    expect(await other.notes({ source: web, packageName: 'web', from: '1.0.0', to: '1.1.0' })).toEqual({ failed: 'github.com rate limit reached earlier in this run', source: web });
  });

  it('gives up on a server error after one request, as a failed outcome', async () => {
    let asked = 0;
    nock('https://api.github.com').get('/repos/acme/web/releases').query(true).times(3).reply(() => {
      asked++;
      return [500, { message: 'Server Error' }];
    });
    expect(await reader().notes({ source: web, packageName: 'web', from: '1.0.0', to: '1.1.0' })).toEqual({ failed: 'HTTP 500', source: web });
    expect(asked).toEqual(1);
  });

  it('gives up on a host that does not answer by the deadline', async () => {
    nock('https://api.github.com').get('/repos/acme/web/releases').query(true).delay(2_000).reply(200, []);
    const r = new ReleaseNotesReader({ hosts: PUBLIC_HOSTS, token: null, store: null, logger: silentLogger, timeoutMs: 100 });
    const started = Date.now();
    const outcome = await r.notes({ source: web, packageName: 'web', from: '1.0.0', to: '1.1.0' });
    expect('failed' in outcome).toBe(true);
    expect(Date.now() - started).toBeLessThan(1_500);
  });

  it('keeps notes across runs in the lookup cache: a second run asks nothing', async () => {
    const store = new MemoryStore();
    nock('https://api.github.com').get('/repos/acme/web/releases').query(true).once().reply(200, [ghRelease('v2.0.0'), ghRelease('v1.0.0')]);
    const first = await reader(null, PUBLIC_HOSTS, store).notes({ source: web, packageName: 'web', from: '1.0.0', to: '2.0.0' });
    const second = await reader(null, PUBLIC_HOSTS, store).notes({ source: web, packageName: 'web', from: '1.0.0', to: '2.0.0' });
    expect(second).toEqual(first);
    expect('notes' in second && second.notes.versions.map((v) => v.tag)).toEqual(['v2.0.0']);
  });
});

describe('GitLab releases', () => {
  const app = parseSource('https://gitlab.com/group/app/-/tree/main')!;

  it('follows X-Next-Page and reads tag_name, name, description, released_at and _links', async () => {
    nock('https://gitlab.com')
      .get('/api/v4/projects/group%2Fapp/releases')
      .query({ page: '1', per_page: '50' })
      .reply(200, [glRelease('v3.1.0'), glRelease('v3.0.1')], { 'x-next-page': '2', 'x-page': '1', 'x-per-page': '50', 'content-type': 'application/json' })
      .get('/api/v4/projects/group%2Fapp/releases')
      .query({ page: '2', per_page: '50' })
      .reply(200, [glRelease('v3.0.0')], { 'x-next-page': '', 'x-page': '2', 'content-type': 'application/json' });
    const outcome = await reader().notes({ source: app, packageName: 'registry.gitlab.com/group/app', from: '3.0.0', to: '3.1.0' });
    expect(outcome).toEqual({
      notes: {
        source: app,
        from: 'releases',
        compareUrl: 'https://gitlab.com/group/app/-/compare/v3.0.0...v3.1.0',
        versions: [
          { version: '3.1.0', tag: 'v3.1.0', title: 'Release v3.1.0', body: 'GitLab notes for v3.1.0', url: 'https://gitlab.com/group/app/-/releases/v3.1.0', date: '2025-02-02' },
          { version: '3.0.1', tag: 'v3.0.1', title: 'Release v3.0.1', body: 'GitLab notes for v3.0.1', url: 'https://gitlab.com/group/app/-/releases/v3.0.1', date: '2025-02-02' },
        ],
      },
    });
  });

  it('falls back to the raw CHANGELOG.md of the default branch', async () => {
    nock('https://gitlab.com')
      .get('/api/v4/projects/group%2Fapp/releases').query(true).reply(200, [], { 'content-type': 'application/json' })
      .get('/api/v4/projects/group%2Fapp/repository/files/CHANGELOG.md/raw').query({ ref: 'HEAD' })
      .reply(200, '## 2.0.0\n- big\n## 1.0.0\n- first\n', { 'content-type': 'text/plain' });
    const outcome = await reader().notes({ source: app, packageName: 'app', from: '1.0.0', to: '2.0.0' });
    expect('notes' in outcome && [outcome.notes.from, outcome.notes.versions.map((v) => [v.tag, v.body])]).toEqual(['changelog', [['2.0.0', '- big']]]);
  });

  it('does not retry a 429 (Gitbeaker would, ten times)', async () => {
    let asked = 0;
    nock('https://gitlab.com').get('/api/v4/projects/group%2Fapp/releases').query(true).times(10).reply(() => {
      asked++;
      return [429, { message: 'Retry later' }, { 'retry-after': '60', 'ratelimit-remaining': '0' }];
    });
    expect(await reader().notes({ source: app, packageName: 'app', from: '1.0.0', to: '1.1.0' })).toEqual({ failed: 'rate limited', source: app });
    expect(asked).toEqual(1);
  });
});

describe('tokens', () => {
  const headersOf = (req: { headers: Record<string, unknown> }) => ({ authorization: req.headers['authorization'], privateToken: req.headers['private-token'] });

  it('never sends the GitHub platform token to another host: a gitlab.com source is read anonymously', async () => {
    const seen: unknown[] = [];
    nock('https://gitlab.com').get('/api/v4/projects/group%2Fapp/releases').query(true).reply(function () {
      seen.push(headersOf(this.req));
      return [200, [glRelease('2.0.0')], { 'content-type': 'application/json' }];
    });
    await reader(GITHUB_TOKEN).notes({ source: parseSource('https://gitlab.com/group/app')!, packageName: 'app', from: '1.0.0', to: '2.0.0' });
    expect(seen).toEqual([{ authorization: undefined, privateToken: undefined }]);
  });

  it('sends a GitHub Enterprise token to its own host only: github.com is read anonymously', async () => {
    const ghe: BoundToken = { kind: 'github', host: 'ghe.example.com', apiBase: 'https://ghe.example.com/api/v3', token: 'ghe_secret' };
    const hosts = { github: ['github.com', 'ghe.example.com'], gitlab: ['gitlab.com'] };
    const seen: unknown[] = [];
    const record = function (this: { req: { headers: Record<string, unknown> } }) {
      seen.push(headersOf(this.req));
      return [200, [ghRelease('v2.0.0')]] as [number, unknown];
    };
    nock('https://api.github.com').get('/repos/acme/web/releases').query(true).reply(record);
    nock('https://ghe.example.com').get('/api/v3/repos/team/svc/releases').query(true).reply(record);
    const r = reader(ghe, hosts);
    await r.notes({ source: parseSource('https://github.com/acme/web', hosts)!, packageName: 'web', from: '1.0.0', to: '2.0.0' });
    await r.notes({ source: parseSource('https://ghe.example.com/team/svc', hosts)!, packageName: 'svc', from: '1.0.0', to: '2.0.0' });
    expect(seen).toEqual([{ authorization: undefined, privateToken: undefined }, { authorization: 'token ghe_secret', privateToken: undefined }]);
  });

  it('sends a GitLab token to the configured GitLab host only', async () => {
    const gl: BoundToken = { kind: 'gitlab', host: 'gitlab.example.com', apiBase: 'https://gitlab.example.com', token: 'glpat-secret' };
    const hosts = { github: ['github.com'], gitlab: ['gitlab.com', 'gitlab.example.com'] };
    const seen: unknown[] = [];
    const record = function (this: { req: { headers: Record<string, unknown> } }) {
      seen.push(headersOf(this.req));
      return [200, [glRelease('2.0.0')], { 'content-type': 'application/json' }] as [number, unknown, Record<string, string>];
    };
    nock('https://gitlab.example.com').get('/api/v4/projects/ops%2Fsvc/releases').query(true).reply(record);
    nock('https://gitlab.com').get('/api/v4/projects/group%2Fapp/releases').query(true).reply(record);
    const r = reader(gl, hosts);
    await r.notes({ source: parseSource('https://gitlab.example.com/ops/svc', hosts)!, packageName: 'svc', from: '1.0.0', to: '2.0.0' });
    await r.notes({ source: parseSource('https://gitlab.com/group/app', hosts)!, packageName: 'app', from: '1.0.0', to: '2.0.0' });
    expect(seen).toEqual([{ authorization: undefined, privateToken: 'glpat-secret' }, { authorization: undefined, privateToken: undefined }]);
  });
});
