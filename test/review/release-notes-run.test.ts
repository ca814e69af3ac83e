import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import nock from 'nock';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { main } from '../../src/cli/main.js';
import { silentLogger } from '../../src/log.js';
import { operatorReleaseNotes } from '../../src/review/run-notes.js';
import { run } from '../../src/run.js';
import type { RunOptions } from '../../src/run-types.js';
import { chartArchive } from '../helpers/chart-archive.js';
import { startHelmRepo, type TestHelmRepo } from '../helpers/helm-repo.js';

/** Every request nock saw that went to no loopback server: what an air-gapped install must never send. */
const outside: string[] = [];
const record = (req: { method?: string; host?: string; path?: string; options?: { host?: string; path?: string } }): void => {
  const host = req.options?.host ?? req.host ?? '';
  if (!/^127\.0\.0\.1(:\d+)?$/.test(host)) outside.push(`${req.method ?? 'GET'} ${host}${req.options?.path ?? req.path ?? ''}`);
};

let helm: TestHelmRepo;
let dir: string;

beforeAll(async () => {
  nock.disableNetConnect();
  nock.enableNetConnect(/^127\.0\.0\.1(:\d+)?$/);
  nock.emitter.on('no match', record);
  const served = ['2.0.0', '1.0.0'].map((version) => ({ version, archive: chartArchive({ name: 'podinfo', version, values: 'replicaCount: 1\n' }) }));
  helm = await startHelmRepo({ podinfo: served });
  dir = await mkdtemp(path.join(tmpdir(), 'tidemark-notes-off-'));
  await writeFile(path.join(dir, 'kustomization.yaml'), `helmCharts:\n  - name: podinfo\n    repo: ${helm.url}\n    version: 1.0.0\n`);
});

afterEach(async () => {
  outside.length = 0;
  nock.cleanAll();
  await rm(path.join(dir, '.tidemark.yaml'), { force: true });
});

afterAll(async () => {
  nock.emitter.removeListener('no match', record);
  nock.enableNetConnect();
  await helm?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

async function dryRun(extra: Partial<RunOptions> = {}): Promise<string> {
  let printed = '';
  await run({
    dir, platform: 'github', repo: 'acme/gitops', endpoint: null, token: 'ghs_platform_token', remote: null, dryRun: true, configPath: null,
    cacheDir: null, planOut: null, logger: silentLogger, print: (text) => void (printed += text), ...extra,
  });
  return printed;
}

/** Releases as GitHub lists them, newest first. */
const RELEASES = [
  { tag_name: 'podinfo-2.0.0', name: 'podinfo-2.0.0', body: 'Notes for 2.0.0', html_url: 'https://github.com/example/podinfo/releases/tag/podinfo-2.0.0', published_at: '2025-01-02T10:00:00Z', draft: false, prerelease: false },
  { tag_name: 'podinfo-1.0.0', name: 'podinfo-1.0.0', body: 'Notes for 1.0.0', html_url: 'https://github.com/example/podinfo/releases/tag/podinfo-1.0.0', published_at: '2025-01-01T10:00:00Z', draft: false, prerelease: false },
];

describe('release notes can be turned off for installs that reach no code host', () => {
  it('reads the chart\'s GitHub releases into the PR body when on (the default)', async () => {
    const scope = nock('https://api.github.com').get('/repos/example/podinfo/releases').query(true).reply(200, RELEASES);
    const body = await dryRun();
    scope.done();
    expect(body).toContain('<summary>podinfo-2.0.0 (2025-01-02)</summary>\n\nNotes for 2.0.0');
    expect(outside).toEqual([]);
  });

  it('asks no host for notes under the config\'s `releaseNotes: false`, and still links the releases page', async () => {
    await writeFile(path.join(dir, '.tidemark.yaml'), 'releaseNotes: false\n');
    const body = await dryRun();
    expect(outside).toEqual([]);
    expect(body).not.toContain('<details>');
    expect(body).not.toContain('could not be read');
    expect(body).toContain('#### `podinfo` 1.0.0 → 2.0.0\n\n[releases](https://github.com/example/podinfo/releases) · [homepage](https://charts.example.test/podinfo)\n');
  });

  it('asks no host for notes when the operator says off, whatever the repository config says', async () => {
    await writeFile(path.join(dir, '.tidemark.yaml'), 'releaseNotes: true\n');
    const body = await dryRun({ releaseNotes: false });
    expect(outside).toEqual([]);
    expect(body).not.toContain('<details>');
  });

  it('reads TIDEMARK_RELEASE_NOTES=off in tidemark run', async () => {
    vi.stubEnv('TIDEMARK_RELEASE_NOTES', 'off');
    let out = '';
    const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      out += String(chunk);
      return true;
    });
    const errSpy = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      expect(await main(['run', dir, '--platform', 'git', '--dry-run', '--no-cache', '--log-level', 'error'])).toBe(0);
    } finally {
      spy.mockRestore();
      errSpy.mockRestore();
      vi.unstubAllEnvs();
    }
    expect(outside).toEqual([]);
    expect(out).toContain('#### `podinfo` 1.0.0 → 2.0.0');
    expect(out).not.toContain('<details>');
  });

  it('takes on/off spellings and refuses anything else with a clear message', () => {
    expect(['', 'on', 'TRUE', '1', 'yes'].map((v) => operatorReleaseNotes({ TIDEMARK_RELEASE_NOTES: v }))).toEqual([true, true, true, true, true]);
    expect(['off', 'False', '0', 'no'].map((v) => operatorReleaseNotes({ TIDEMARK_RELEASE_NOTES: v }))).toEqual([false, false, false, false]);
    expect(operatorReleaseNotes({})).toBe(true);
    expect(() => operatorReleaseNotes({ TIDEMARK_RELEASE_NOTES: 'sometimes' })).toThrow('TIDEMARK_RELEASE_NOTES must be on or off, not "sometimes"');
  });
});

describe('a dry run prints the body the platform would get', () => {
  const big = Array.from({ length: 8 }, (_, i) => ({ ...RELEASES[0]!, tag_name: `podinfo-1.${9 - i}.0`, name: null, body: `${'Long notes. '.repeat(1500)}${i}` }));
  const releases = [RELEASES[0]!, ...big, RELEASES[1]!];

  it('cuts long release notes at GitHub\'s limit for --platform github, and not for --platform gitlab', async () => {
    nock('https://api.github.com').get('/repos/example/podinfo/releases').query(true).times(2).reply(200, releases);
    const github = await dryRun();
    const gitlab = await dryRun({ platform: 'gitlab', repo: 'acme/gitops', token: null });
    const bodyOf = (printed: string) => printed.slice(printed.indexOf('\n\n') + 2, printed.indexOf('\ndiff --git'));
    expect(bodyOf(github).length).toBeLessThanOrEqual(65_536);
    expect(github).toContain('Release notes truncated to fit the platform\'s size limit');
    expect(bodyOf(gitlab).length).toBeGreaterThan(65_536);
    expect(gitlab).not.toContain('truncated');
    expect(gitlab.match(/<details>/g)).toHaveLength(9);
  });
});

