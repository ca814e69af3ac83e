import { createServer, type Server } from 'node:net';
import nock from 'nock';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PlatformError } from '../../src/errors.js';
import { connectionFailure } from '../../src/publish/connection.js';
import { GitHubPlatform } from '../../src/publish/github.js';
import { GitLabPlatform } from '../../src/publish/gitlab.js';
import { GH_TEST_TIMING, recordingLogger } from '../helpers/github-fake.js';
import { GL_TEST_TIMING } from '../helpers/gitlab-fake.js';

/** A port on 127.0.0.1 where nothing listens: bound, then closed. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

let port: number;

beforeAll(async () => {
  port = await closedPort();
  nock.disableNetConnect();
  nock.enableNetConnect('127.0.0.1');
});

afterAll(() => {
  nock.enableNetConnect();
});

async function failure(call: () => Promise<unknown>): Promise<{ err: PlatformError; ms: number }> {
  const started = Date.now();
  const err = await call().then(
    () => null,
    (e: unknown) => e,
  );
  if (!(err instanceof PlatformError)) throw new Error(`expected a PlatformError, got ${String(err)}`);
  return { err, ms: Date.now() - started };
}

describe('a platform API that cannot be reached', () => {
  it('GitHub: says it could not connect, at once, instead of retrying for 15 s and reporting a 500', async () => {
    // Real retry timing (1 s units): a retried 500 would take 1 + 4 + 9 s.
    const logger = recordingLogger();
    const gh = await GitHubPlatform.create({ token: 'ghp_test', repo: 'o/r', baseUrl: `http://127.0.0.1:${port}/api/v3`, logger });
    const { err, ms } = await failure(() => gh.baseBranch('main'));
    expect(err.message).toBe(`GitHub: read branch main: could not connect to 127.0.0.1:${port}: ECONNREFUSED`);
    expect(err.status).toBeNull();
    expect(logger.records.map((r) => [r.level, r.msg, r.meta?.detail])).toEqual([
      ['warn', 'GitHub request got no answer', expect.stringMatching(/^GET \/repos\/o\/r\/git\/ref\/heads%2Fmain - no answer in \d+ms$/)],
    ]);
    expect(ms).toBeLessThan(900);
  });

  it('GitLab: says it could not connect, at once, and keeps the socket error as the cause without the token', async () => {
    const gl = await GitLabPlatform.create({ token: 'glpat-secret0123456789', repo: 'g/p', host: `http://127.0.0.1:${port}`, logger: recordingLogger() });
    const { err, ms } = await failure(() => gl.baseBranch('main'));
    expect(err.message).toBe(`GitLab: read branch main: could not connect to 127.0.0.1:${port}: ECONNREFUSED`);
    expect(err.status).toBeNull();
    expect(String((err.cause as Error).message)).toMatch(/^ECONNREFUSED: connect ECONNREFUSED 127\.0\.0\.1:\d+$/);
    expect(JSON.stringify(err, Object.getOwnPropertyNames(err))).not.toContain('glpat-secret');
    expect(ms).toBeLessThan(900);
  });
});

/** A server on 127.0.0.1 that accepts each connection and drops it at once: the client sees the socket close, no answer. */
async function droppingServer(): Promise<{ server: Server; port: number; connections: () => number }> {
  let count = 0;
  const server = createServer((socket) => {
    count++;
    socket.destroy();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, port: (server.address() as { port: number }).port, connections: () => count };
}

describe('a platform API that drops the connection', () => {
  it('is asked again, like a 5xx, then reported as a connection failure on both platforms', async () => {
    const { server, port: at, connections } = await droppingServer();
    try {
      const gh = await GitHubPlatform.create({ token: 'ghp_test', repo: 'o/r', baseUrl: `http://127.0.0.1:${at}`, logger: recordingLogger(), timing: GH_TEST_TIMING });
      const github = await failure(() => gh.baseBranch('main'));
      expect(github.err.message).toMatch(new RegExp(`^GitHub: read branch main: could not connect to 127\\.0\\.0\\.1:${at}: [A-Za-z_ ]+$`));
      expect(connections()).toBe(4);
      const gl = await GitLabPlatform.create({ token: 'glpat-test', repo: 'g/p', host: `http://127.0.0.1:${at}`, logger: recordingLogger(), timing: GL_TEST_TIMING });
      const gitlab = await failure(() => gl.baseBranch('main'));
      expect(gitlab.err.message).toMatch(new RegExp(`^GitLab: read branch main: could not connect to 127\\.0\\.0\\.1:${at}: [A-Za-z_ ]+$`));
      expect(connections()).toBe(8);
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});

describe('connectionFailure', () => {
  const fetchFailed = (cause: unknown) => new TypeError('fetch failed', { cause });
  const coded = (message: string, code: string) => Object.assign(new Error(message), { code });

  it('reads the socket error behind fetch, also when a name has several addresses', () => {
    const both = Object.assign(new AggregateError([coded('connect ECONNREFUSED ::1:443', 'ECONNREFUSED'), coded('connect ECONNREFUSED 127.0.0.1:443', 'ECONNREFUSED')]), { code: 'ECONNREFUSED' });
    expect(connectionFailure(fetchFailed(both))).toEqual({ code: 'ECONNREFUSED', permanent: true });
    expect(connectionFailure(fetchFailed(coded('getaddrinfo ENOTFOUND api.github.invalid', 'ENOTFOUND')))).toEqual({ code: 'ENOTFOUND', permanent: true });
  });

  it('treats a reset or timed-out connection as worth retrying', () => {
    expect(connectionFailure(fetchFailed(coded('read ECONNRESET', 'ECONNRESET')))).toEqual({ code: 'ECONNRESET', permanent: false });
    expect(connectionFailure(fetchFailed(new Error('other side closed')))).toEqual({ code: 'network error', permanent: false });
  });

  it('is null for an HTTP answer, however bad', () => {
    expect(connectionFailure(Object.assign(new Error('Server Error'), { status: 500, response: { status: 500 } }))).toBeNull();
  });
});

