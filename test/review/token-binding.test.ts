import type { ServerResponse } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/log.js';
import type { Update } from '../../src/plan/types.js';
import type { PlatformKind } from '../../src/publish/types.js';
import { ReleaseNotesReader } from '../../src/review/release-notes.js';
import { releaseNotesForRun } from '../../src/review/run-notes.js';
import { parseSource } from '../../src/review/sources.js';
import { decodedForms, startRecordingServer, type RecordedRequest, type RecordingServer } from '../helpers/recording-server.js';

const TOKEN = 'platform-token-CANARY-7731';

interface Seen {
  url: string;
  headers: Record<string, string>;
}

/** A fetch that answers every request with an empty list (no releases) or a 404 (no changelog), recording what was asked. */
function recordingFetch(seen: Seen[]): typeof fetch {
  return async (input, init) => {
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    seen.push({ url, headers: Object.fromEntries(new Headers(init?.headers).entries()) });
    if (/\/releases(\?|$)/.test(url)) return new Response('[]', { status: 200, headers: { 'content-type': 'application/json' } });
    return new Response('{"message":"Not Found"}', { status: 404, headers: { 'content-type': 'application/json' } });
  };
}

function update(sourceUrl: string, over: Partial<Update> = {}): Update {
  return {
    dependency: { name: 'ghcr.io/acme/web', datasource: 'docker', currentValue: '1.0.0', registryUrl: null } as unknown as Update['dependency'],
    newValue: '2.0.0',
    newDigest: null,
    updateType: 'major',
    group: null,
    reason: '',
    labels: [],
    reviewers: [],
    assignees: [],
    automerge: false,
    sourceUrl,
    homepage: null,
    ...over,
  };
}

/** Every request that carried the token, in any header or the URL, by its origin. */
function tokenOrigins(seen: Seen[]): string[] {
  return seen.filter((s) => JSON.stringify(s).includes(TOKEN)).map((s) => new URL(s.url).origin);
}

async function askFor(platform: PlatformKind, endpoint: string | null, updates: Update[], imageSource?: string, jobToken = false): Promise<Seen[]> {
  const seen: Seen[] = [];
  const provider = releaseNotesForRun({
    platform,
    endpoint,
    token: TOKEN,
    jobToken,
    cacheDir: null,
    logger: silentLogger,
    fetch: recordingFetch(seen),
    ...(imageSource !== undefined && { imageSource: async () => imageSource }),
  });
  await provider(updates);
  return seen;
}

/** Spellings a repository (rule `sourceUrl`), a chart (`sources`, `home`) or an image label can write, none of them github.com. */
const NOT_GITHUB = [
  'https://github.com.evil.test/acme/web',
  'https://api.github.com@evil.test/acme/web',
  'https://github.com@evil.test/acme/web',
  'https://evil.test/x/github.com/acme/web',
  'https://evil.test/?u=https://github.com/acme/web',
  'https://evil.test#@github.com/acme/web',
  'https://github.com./acme/web',
  'https://gіthub.com/acme/web', // Cyrillic і: xn--gthub-…
  'https://github.com%2eevil.test/acme/web',
  'https://evilgithub.com/acme/web',
  'git@evil.test:acme/web.git',
  'git+https://evil.test/acme/web.git',
  'https://127.0.0.1/acme/web',
  'https://169.254.169.254/acme/web',
  'file:///etc/passwd',
];

describe('the platform token and hostile source URLs', () => {
  it.each(NOT_GITHUB)('a GitHub token is sent nowhere for %s', async (url) => {
    const seen = await askFor('github', null, [update(url)]);
    expect(tokenOrigins(seen)).toEqual([]);
  });

  it.each(NOT_GITHUB.map((u) => u.replaceAll('github', 'gitlab')))('a GitLab token is sent nowhere for %s', async (url) => {
    const seen = await askFor('gitlab', null, [update(url)]);
    expect(tokenOrigins(seen)).toEqual([]);
  });

  it.each([
    'https://GITHUB.COM/acme/web',
    'https://www.github.com/acme/web',
    'https://github.com:8443/acme/web',
    'http://github.com/acme/web',
    'https://user:pw@github.com/acme/web',
  ])('a GitHub token goes only to https://api.github.com for %s (its port, scheme and user info never choose the API)', async (url) => {
    const seen = await askFor('github', null, [update(url)]);
    expect(seen.length).toBeGreaterThan(0);
    expect(new Set(seen.map((s) => new URL(s.url).origin))).toEqual(new Set(['https://api.github.com']));
    expect(tokenOrigins(seen).every((o) => o === 'https://api.github.com')).toBe(true);
    expect(tokenOrigins(seen).length).toBeGreaterThan(0);
  });

  it('an image label and a chart home that name another host do not get the token, a label naming github.com does', async () => {
    const seen = await askFor('github', null, [update('https://github.com.evil.test/acme/web', { homepage: 'https://api.github.com@evil.test/a/b' })], 'https://github.com/acme/web');
    expect(new Set(tokenOrigins(seen))).toEqual(new Set(['https://api.github.com']));
    const hostile = await askFor('github', null, [update('https://evil.test/a/b', { homepage: 'https://github.com.evil.test/a/b' })], 'https://evil.test/github.com/acme/web');
    expect(tokenOrigins(hostile)).toEqual([]);
  });

  it('a GitHub Enterprise token goes to the operator\'s API only, never to github.com, a look-alike host or another port\'s API', async () => {
    const endpoint = 'https://ghe.example.com:8443/api/v3';
    const seen = await askFor('github', endpoint, [
      update('https://github.com/acme/web'),
      update('https://ghe.example.com.evil.test/team/svc', { dependency: { name: 'b', datasource: 'docker', currentValue: '1.0.0', registryUrl: null } as never }),
      update('https://evil.test/api/v3/team/svc', { dependency: { name: 'c', datasource: 'docker', currentValue: '1.0.0', registryUrl: null } as never }),
      update('https://GHE.example.com:9999/team/svc', { dependency: { name: 'd', datasource: 'docker', currentValue: '1.0.0', registryUrl: null } as never }),
    ]);
    expect(tokenOrigins(seen).length).toBeGreaterThan(0);
    expect(new Set(tokenOrigins(seen))).toEqual(new Set(['https://ghe.example.com:8443']));
    expect(seen.filter((s) => s.url.startsWith('https://api.github.com/')).every((s) => s.headers['authorization'] === undefined)).toBe(true);
    expect(seen.some((s) => s.url.startsWith('https://api.github.com/'))).toBe(true);
  });

  it('a GitLab token on a self-managed host is never sent to gitlab.com or a GitHub source', async () => {
    const seen = await askFor('gitlab', 'https://gitlab.example.com', [
      update('https://gitlab.com/group/app'),
      update('https://github.com/acme/web', { dependency: { name: 'b', datasource: 'docker', currentValue: '1.0.0', registryUrl: null } as never }),
      update('https://gitlab.example.com/ops/svc', { dependency: { name: 'c', datasource: 'docker', currentValue: '1.0.0', registryUrl: null } as never }),
    ]);
    expect(new Set(tokenOrigins(seen))).toEqual(new Set(['https://gitlab.example.com']));
    expect(seen.some((s) => s.url.startsWith('https://gitlab.com/'))).toBe(true);
    expect(seen.some((s) => s.url.startsWith('https://api.github.com/'))).toBe(true);
  });

  it('sends a CI job token as JOB-TOKEN to the GitLab host only, never to gitlab.com or GitHub', async () => {
    const seen = await askFor('gitlab', 'https://gitlab.example.com', [
      update('https://gitlab.example.com/ops/svc'),
      update('https://gitlab.com/group/app', { dependency: { name: 'b', datasource: 'docker', currentValue: '1.0.0', registryUrl: null } as never }),
      update('https://github.com/acme/web', { dependency: { name: 'c', datasource: 'docker', currentValue: '1.0.0', registryUrl: null } as never }),
    ], undefined, true);
    expect(new Set(tokenOrigins(seen))).toEqual(new Set(['https://gitlab.example.com']));
    const toGitLab = seen.filter((s) => s.url.startsWith('https://gitlab.example.com/'));
    expect(toGitLab.length).toBeGreaterThan(0);
    expect(toGitLab.every((s) => s.headers['job-token'] === TOKEN && s.headers['private-token'] === undefined)).toBe(true);
  });

  it('plain git sends no token to any release-notes host', async () => {
    const seen = await askFor('git', null, [update('https://github.com/acme/web')]);
    expect(seen.length).toBeGreaterThan(0);
    expect(tokenOrigins(seen)).toEqual([]);
  });
});

describe('a redirect from the bound API to another host', () => {
  let api: RecordingServer;
  let elsewhere: RecordingServer;

  beforeAll(async () => {
    elsewhere = await startRecordingServer((_req, res: ServerResponse) => void res.writeHead(200, { 'content-type': 'application/json' }).end('[]'));
    // Another port is another origin: what a cross-host redirect would be.
    api = await startRecordingServer((req: RecordedRequest, res: ServerResponse) => void res.writeHead(302, { location: `${elsewhere.url}${req.url}` }).end());
  });

  afterAll(async () => {
    await api?.stop();
    await elsewhere?.stop();
  });

  const leaked = (): RecordedRequest[] => elsewhere.requests.filter((r) => decodedForms(r).includes(TOKEN));

  it('does not carry a GitHub token to the host the API redirected to', async () => {
    const hosts = { github: ['127.0.0.1'], gitlab: [] };
    const reader = new ReleaseNotesReader({ hosts, token: { kind: 'github', host: '127.0.0.1', apiBase: api.url, token: TOKEN }, store: null, logger: silentLogger });
    await reader.notes({ source: parseSource(`http://${api.host}/acme/web`, hosts)!, packageName: 'web', from: '1.0.0', to: '2.0.0' });
    expect(api.requests.length).toBeGreaterThan(0);
    expect(decodedForms(api.requests[0]!)).toContain(TOKEN);
    expect(leaked()).toEqual([]);
  });

  it('does not carry a GitLab token (PRIVATE-TOKEN) to the host the API redirected to', async () => {
    const hosts = { github: [], gitlab: ['127.0.0.1'] };
    const reader = new ReleaseNotesReader({ hosts, token: { kind: 'gitlab', host: '127.0.0.1', apiBase: api.url, token: TOKEN }, store: null, logger: silentLogger });
    await reader.notes({ source: parseSource(`http://${api.host}/group/app`, hosts)!, packageName: 'app', from: '1.0.0', to: '2.0.0' });
    expect(api.requests.some((r) => r.headers['private-token'] === TOKEN)).toBe(true);
    expect(leaked()).toEqual([]);
  });
});
