import nock from 'nock';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG } from '../../src/config/types.js';
import { RegistryError } from '../../src/errors.js';
import { silentLogger } from '../../src/log.js';
import { HttpClient, parseRetryAfter } from '../../src/lookup/http.js';
import { createReleaseSource } from '../../src/lookup/index.js';
import { countValuesPast } from '../../src/lookup/oci/tag-budget.js';

const image = (name: string) => ({ datasource: 'docker' as const, name, registryUrl: null });
const fast = { config: { ...DEFAULT_CONFIG, registries: {} }, cacheDir: null, logger: silentLogger, env: { DOCKER_CONFIG: '/nonexistent' }, backoffMs: 1 };

beforeAll(() => nock.disableNetConnect());
afterEach(() => nock.cleanAll());
afterAll(() => nock.enableNetConnect());

function recordingClient(opts: { retries?: number; timeoutMs?: number; maxRetryWaitMs?: number } = {}) {
  const waits: number[] = [];
  const http = new HttpClient({ logger: silentLogger, backoffMs: 100, sleep: async (ms) => void waits.push(ms), now: () => 0, ...opts });
  return { http, waits };
}

describe('retries', () => {
  it('waits as long as Retry-After says after a 429, then succeeds', async () => {
    const scope = nock('https://quay.io').get('/v2/x/tags/list').reply(429, 'slow down', { 'retry-after': '7' }).get('/v2/x/tags/list').reply(200, '{"tags":[]}');
    const { http, waits } = recordingClient();
    const res = await http.request({ url: 'https://quay.io/v2/x/tags/list' });
    expect([res.status, waits]).toEqual([200, [7000]]);
    scope.done();
  });

  it('gives up at once when Retry-After asks for longer than it will wait', async () => {
    const scope = nock('https://quay.io').get('/v2/x/tags/list').reply(429, '', { 'retry-after': '3600' });
    const { http, waits } = recordingClient({ maxRetryWaitMs: 60_000 });
    await expect(http.request({ url: 'https://quay.io/v2/x/tags/list' })).rejects.toMatchObject({ host: 'quay.io', status: 429 });
    expect(waits).toEqual([]);
    scope.done();
  });

  it('backs off exponentially on 5xx and reports the last status when they persist', async () => {
    const scope = nock('https://gcr.io').get('/v2/p/i/tags/list').times(4).reply(503, 'unavailable');
    const { http, waits } = recordingClient({ retries: 3 });
    const err = await http.request({ url: 'https://gcr.io/v2/p/i/tags/list' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RegistryError);
    expect(err).toMatchObject({ host: 'gcr.io', status: 503, message: 'gcr.io answered 503 for /v2/p/i/tags/list' });
    expect(waits).toEqual([100, 200, 400]);
    scope.done();
  });

  it('recovers from a 502 on the next attempt through the release source', async () => {
    const scope = nock('https://registry.example.com').get('/v2/a/tags/list?n=1000').reply(502).get('/v2/a/tags/list?n=1000').reply(200, { tags: ['2.0'] });
    const source = createReleaseSource(fast);
    expect((await source.releases(image('registry.example.com/a'))).releases).toEqual([{ version: '2.0' }]);
    scope.done();
  });

  it('reads Retry-After as seconds or as an HTTP date', () => {
    expect(parseRetryAfter('3', 0)).toEqual(3000);
    expect(parseRetryAfter('Thu, 01 Jan 1970 00:00:10 GMT', 4000)).toEqual(6000);
    expect(parseRetryAfter('soon', 0)).toEqual(null);
  });
});

describe('timeouts', () => {
  it('times out a slow response and retries it', async () => {
    const scope = nock('https://registry.example.com')
      .get('/v2/slow/tags/list?n=1000').delay(500).reply(200, { tags: ['late'] })
      .get('/v2/slow/tags/list?n=1000').reply(200, { tags: ['1.0'] });
    const source = createReleaseSource({ ...fast, timeoutMs: 50 });
    expect((await source.releases(image('registry.example.com/slow'))).releases).toEqual([{ version: '1.0' }]);
    scope.done();
  });

  it('reports a registry that never answers in time as timed out', async () => {
    const scope = nock('https://registry.example.com').get('/v2/slow/tags/list?n=1000').times(2).delay(500).reply(200, { tags: [] });
    const source = createReleaseSource({ ...fast, timeoutMs: 50, retries: 1 });
    await expect(source.releases(image('registry.example.com/slow'))).rejects.toMatchObject({
      host: 'registry.example.com', status: null, message: 'registry.example.com timed out',
    });
    scope.done();
  });
});

describe('broken bodies', () => {
  it('fails on a non-JSON tag list (a captive portal, an HTML error page)', async () => {
    const scope = nock('https://registry.example.com').get('/v2/a/tags/list?n=1000').reply(200, '<html>Sign in</html>');
    const source = createReleaseSource(fast);
    await expect(source.releases(image('registry.example.com/a'))).rejects.toMatchObject({
      host: 'registry.example.com', message: 'registry.example.com/a: invalid JSON in tag list',
    });
    scope.done();
  });

  it('fails on a truncated tag list instead of using half of it', async () => {
    const scope = nock('https://registry.example.com').get('/v2/a/tags/list?n=1000').reply(200, '{"tags":["1.0","1.');
    const source = createReleaseSource(fast);
    await expect(source.releases(image('registry.example.com/a'))).rejects.toBeInstanceOf(RegistryError);
    scope.done();
  });

  it('fails when the token service answers without a token', async () => {
    const scope = nock('https://registry.example.com')
      .get('/v2/a/tags/list?n=1000')
      .reply(401, '', { 'www-authenticate': 'Bearer realm="https://registry.example.com/token",service="r"' })
      .get('/token').query(true).reply(200, { nothing: true });
    const source = createReleaseSource(fast);
    await expect(source.releases(image('registry.example.com/a'))).rejects.toMatchObject({
      message: 'registry.example.com: token service registry.example.com sent no token',
    });
    scope.done();
  });
});

describe('response size', () => {
  it('refuses a body past the limit even when no Content-Length announces it, and does not retry', async () => {
    const huge = '{"tags":[' + '"1.0.0",'.repeat(2000) + '"1.0.1"]}';
    const scope = nock('https://hostile.example').get('/v2/x/tags/list').reply(200, () => Buffer.from(huge));
    const http = new HttpClient({ logger: silentLogger, maxBodyBytes: 4096, sleep: async () => {} });
    await expect(http.request({ url: 'https://hostile.example/v2/x/tags/list' })).rejects.toMatchObject({
      host: 'hostile.example',
      message: 'hostile.example sent a response larger than 4096 bytes',
    });
    scope.done();
  });

  it('refuses a declared Content-Length past the limit before reading the body', async () => {
    const scope = nock('https://hostile.example').get('/index.yaml').reply(200, 'apiVersion: v1\n', { 'content-length': String(10 * 1024 * 1024) });
    const http = new HttpClient({ logger: silentLogger, maxBodyBytes: 1024 * 1024, sleep: async () => {} });
    await expect(http.request({ url: 'https://hostile.example/index.yaml' })).rejects.toThrow(/larger than 1048576 bytes/);
    scope.done();
  });

  it('reads a body under the limit in full', async () => {
    const scope = nock('https://ok.example').get('/v2/x/tags/list').reply(200, '{"name":"x","tags":["1.0.0"]}');
    const http = new HttpClient({ logger: silentLogger, maxBodyBytes: 4096 });
    expect((await http.request({ url: 'https://ok.example/v2/x/tags/list' })).body).toEqual('{"name":"x","tags":["1.0.0"]}');
    scope.done();
  });
});

describe('tag list budget', () => {
  const page = (tags: string[], next: string): [number, { tags: string[] }, Record<string, string>] => [200, { tags }, { link: `<${next}>; rel="next"` }];

  it('fails a paged tag list that passes the tag budget instead of using the first pages', async () => {
    const scope = nock('https://quay.io')
      .get('/v2/a/tags/list?n=1000').reply(...page(['1.0', '1.1'], '/v2/a/tags/list?last=1.1&n=1000'))
      .get('/v2/a/tags/list?last=1.1&n=1000').reply(...page(['1.2', '1.3'], '/v2/a/tags/list?last=1.3&n=1000'));
    const source = createReleaseSource({ ...fast, tagLimits: { lookupTags: 3 } });
    await expect(source.releases(image('quay.io/a'))).rejects.toMatchObject({
      host: 'quay.io', message: 'quay.io/a: tag list too large (more than 3 tags in 2 pages); not using a partial list',
    });
    scope.done();
  });

  it('fails a tag list whose pages together pass the byte budget, before asking for the next page', async () => {
    const padded = { tags: ['1.0'], padding: 'x'.repeat(100) };
    const scope = nock('https://quay.io')
      .get('/v2/a/tags/list?n=1000').reply(200, padded, { link: '</v2/a/tags/list?last=1.0&n=1000>; rel="next"' })
      .get('/v2/a/tags/list?last=1.0&n=1000').reply(200, padded, { link: '</v2/a/tags/list?last=1.1&n=1000>; rel="next"' });
    const source = createReleaseSource({ ...fast, tagLimits: { lookupBytes: 200 } });
    await expect(source.releases(image('quay.io/a'))).rejects.toMatchObject({
      message: 'quay.io/a: tag list too large (more than 200 bytes in 2 pages); not using a partial list',
    });
    scope.done();
  });

  it('fails the lookups that would take the run past its tag budget, and gives a failed lookup’s share back', async () => {
    const scope = nock('https://quay.io')
      .get('/v2/a/tags/list?n=1000').reply(200, { tags: ['1', '2', '3'] })
      .get('/v2/b/tags/list?n=1000').reply(200, { tags: ['1', '2', '3'] })
      .get('/v2/c/tags/list?n=1000').reply(200, { tags: ['1', '2'] });
    const source = createReleaseSource({ ...fast, tagLimits: { runTags: 5 } });
    expect((await source.releases(image('quay.io/a'))).releases.length).toEqual(3);
    await expect(source.releases(image('quay.io/b'))).rejects.toMatchObject({
      message: "quay.io/b: tag list too large (the run's tag lists passed 5 tags in all); not using a partial list",
    });
    expect((await source.releases(image('quay.io/c'))).releases.length).toEqual(2);
    scope.done();
  });

  it('refuses a page with far more JSON values than tags it may take, before parsing it', async () => {
    const bomb = '{"tags":[' + Array(2000).fill('{}').join(',') + ']}';
    const scope = nock('https://quay.io').get('/v2/a/tags/list?n=1000').reply(200, bomb);
    const source = createReleaseSource({ ...fast, tagLimits: { lookupTags: 10 } });
    await expect(source.releases(image('quay.io/a'))).rejects.toMatchObject({
      message: 'quay.io/a: tag list too large (more than 10 values in 1 page); not using a partial list',
    });
    scope.done();
  });

  it('counts the values JSON.parse would make, ignoring separators inside strings', () => {
    expect(countValuesPast('{"name":"a","tags":["1.0","1.1"]}', 100)).toEqual(6);
    // The tags `a,b:[{` and `c"d,e`: four values, whatever the strings hold.
    expect(countValuesPast(JSON.stringify({ tags: ['a,b:[{', 'c"d,e'] }), 100)).toEqual(4);
    expect(countValuesPast('[' + '{},'.repeat(1000) + '{}]', 10)).toEqual(11);
  });

  it('reads a single page of 150,000 tags without overflowing the stack', async () => {
    const tags = Array.from({ length: 150_000 }, (_, i) => `v${i}`);
    const scope = nock('https://registry.example.com').get('/v2/big/tags/list?n=1000').reply(200, { tags });
    const source = createReleaseSource(fast);
    const { releases } = await source.releases(image('registry.example.com/big'));
    expect([releases.length, releases[149_999]]).toEqual([150_000, { version: 'v149999' }]);
    scope.done();
  });
});

describe('redirects to this machine', () => {
  it('refuses a redirect from a host elsewhere to one on this machine, and follows one between loopback hosts', async () => {
    const local = nock('https://127.0.0.1:8200').get('/v1/token').reply(200, '{"token":"local-secret"}');
    const remote = nock('https://registry.example.com').get('/token').reply(302, '', { location: 'https://127.0.0.1:8200/v1/token' });
    const loopback = nock('http://127.0.0.1:5000').get('/v2/x/tags/list').reply(302, '', { location: 'http://localhost:5001/v2/x/tags/list' });
    const other = nock('http://localhost:5001').get('/v2/x/tags/list').reply(200, '{"tags":[]}');
    const { http } = recordingClient({ retries: 0 });
    await expect(http.request({ url: 'https://registry.example.com/token' })).rejects.toThrow('registry.example.com redirected to this machine (127.0.0.1:8200)');
    expect((await http.request({ url: 'http://127.0.0.1:5000/v2/x/tags/list' })).status).toEqual(200);
    remote.done();
    loopback.done();
    other.done();
    expect(local.isDone()).toBe(false);
  });
});
