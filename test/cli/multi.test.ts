import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer as createHttpServer } from 'node:http';
import { createServer, type AddressInfo, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { authHeader, cloneUrl, gitClone } from '../../src/cli/clone.js';
import { exitCodeOf, formatDuration, formatResults, parseDuration, parseRepoList, parseShard, type RepoResult, runMany, selectShard, shardOf } from '../../src/cli/multi.js';
import { UsageError } from '../../src/errors.js';
import { createLogger, silentLogger } from '../../src/log.js';
import type { RunOptions } from '../../src/run-types.js';
import { makeBareRepos, summaryFor } from '../ship/git-repos.js';

const base = {
  platform: 'github' as const,
  token: null,
  endpoint: null,
  concurrency: 1,
  dryRun: false,
  configPath: null,
  cacheDir: null,
  planDir: null,
  logger: silentLogger,
};

let cleanups: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanups) c();
  cleanups = [];
});

describe('repository lists and shards', () => {
  it('splits a comma or space separated list and drops blanks and repeats', () => {
    expect(parseRepoList(' owner/a, owner/b,,owner/a\nowner/c ')).toEqual(['owner/a', 'owner/b', 'owner/c']);
  });

  it('reads a 1-based shard and rejects ones outside 1..n', () => {
    expect(parseShard('2/3')).toEqual({ index: 2, total: 3 });
    for (const bad of ['0/3', '4/3', '1/0', 'a/b', '1-3']) expect(() => parseShard(bad)).toThrow(UsageError);
  });

  it('puts every repository in exactly one shard', () => {
    const repos = Array.from({ length: 40 }, (_, i) => `org/service-${i}`);
    const shards = [1, 2, 3].map((index) => selectShard(repos, { index, total: 3 }));
    expect(shards.flat().sort()).toEqual([...repos].sort());
    for (const s of shards) expect(s.length).toBeGreaterThan(5);
  });

  it('keeps a repository in its shard whatever else is in the list, in any order or case', () => {
    const alone = selectShard(['org/api'], { index: shardOf('org/api', 4), total: 4 });
    const crowd = selectShard(['org/z', 'ORG/API', 'org/a', 'org/b'], { index: shardOf('org/api', 4), total: 4 });
    expect(alone).toEqual(['org/api']);
    expect(crowd).toContain('ORG/API');
  });

  it('assigns shards from sha256 of the name (as `sha256sum` computes it), so pods on different versions agree', () => {
    expect(['org/a', 'org/b', 'org/c', 'org/d', 'org/e'].map((r) => shardOf(r, 3))).toEqual([3, 1, 2, 2, 3]);
  });
});

describe('cloneUrl and authHeader', () => {
  it('derives the clone URL from the platform and its endpoint', () => {
    expect(cloneUrl('o/a', 'github', null, null)).toEqual('https://github.com/o/a.git');
    expect(cloneUrl('o/a', 'github', 'https://api.github.com', null)).toEqual('https://github.com/o/a.git');
    expect(cloneUrl('o/a', 'github', 'https://ghe.example.com/api/v3', null)).toEqual('https://ghe.example.com/o/a.git');
    expect(cloneUrl('g/sub/p', 'gitlab', 'https://gitlab.example.com/', null)).toEqual('https://gitlab.example.com/g/sub/p.git');
    expect(cloneUrl('o/a', 'gitlab', null, 'file:///srv/git/')).toEqual('file:///srv/git/o/a.git');
    expect(cloneUrl('https://git.example.com/x.git', 'git', null, null)).toEqual('https://git.example.com/x.git');
  });

  it('sends the token as basic auth for the platform user, and nothing for plain git', () => {
    expect(authHeader('github', 'tok123')).toEqual(`Authorization: Basic ${Buffer.from('x-access-token:tok123').toString('base64')}`);
    expect(authHeader('gitlab', 'tok123')).toEqual(`Authorization: Basic ${Buffer.from('oauth2:tok123').toString('base64')}`);
    expect(authHeader('git', 'tok123')).toEqual(null);
    expect(authHeader('github', null)).toEqual(null);
  });

  it('clones shallowly and leaves the token out of the clone', async () => {
    const bare = makeBareRepos({ 'o/a': { 'app.yaml': 'image: nginx:1.25\n' } });
    cleanups.push(bare.cleanup);
    const dir = join(bare.root, 'checkout');
    await gitClone({ url: `${bare.baseUrl}/o/a.git`, dir, platform: 'github', token: 'ghs_secret_value', shallow: true });
    expect(readFileSync(join(dir, 'app.yaml'), 'utf8')).toEqual('image: nginx:1.25\n');
    expect(existsSync(join(dir, '.git', 'shallow'))).toEqual(true);
    expect(readFileSync(join(dir, '.git', 'config'), 'utf8')).not.toContain('ghs_secret_value');
  });

  it('ends every git process of a clone that is aborted, so a stalled server holds no connection after the deadline', async () => {
    const open = new Set<Socket>();
    let closed = 0;
    const server = createServer((socket) => {
      open.add(socket);
      socket.resume();
      socket.on('close', () => {
        open.delete(socket);
        closed++;
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    cleanups.push(() => {
      for (const socket of open) socket.destroy();
      server.close();
    });
    const port = (server.address() as AddressInfo).port;
    const dir = mkdtempSync(join(tmpdir(), 'tidemark-stall-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const deadline = new AbortController();
    const clone = gitClone({ url: `http://127.0.0.1:${port}/o/a.git`, dir: join(dir, 'a'), platform: 'git', token: null, shallow: false, signal: deadline.signal });
    clone.catch(() => undefined);
    while (open.size === 0) await new Promise((resolve) => setTimeout(resolve, 20));
    deadline.abort();
    await expect(clone).rejects.toThrow(`git clone http://127.0.0.1:${port}/o/a.git failed`);
    for (let i = 0; i < 100 && open.size > 0; i++) await new Promise((resolve) => setTimeout(resolve, 20));
    expect({ open: open.size, closed }).toEqual({ open: 0, closed: 1 });
  });
});

describe('runMany', () => {
  it('clones each repository, runs it, and goes on past one that fails', async () => {
    const bare = makeBareRepos({ 'o/a': { 'a.yaml': 'a' }, 'o/c': { 'c.yaml': 'c' } });
    cleanups.push(bare.cleanup);
    const seen: { repo: string | null; files: string }[] = [];
    const results = await runMany({
      ...base,
      repos: ['o/a', 'o/missing', 'o/c'],
      gitBaseUrl: bare.baseUrl,
      run: async (opts: RunOptions) => {
        seen.push({ repo: opts.repo, files: readFileSync(join(opts.dir, `${opts.repo!.slice(2)}.yaml`), 'utf8') });
        return summaryFor(opts.repo!, { opened: 1 });
      },
    });
    expect(seen).toEqual([
      { repo: 'o/a', files: 'a' },
      { repo: 'o/c', files: 'c' },
    ]);
    expect(results.map((r) => [r.repo, r.status])).toEqual([
      ['o/a', 'ok'],
      ['o/missing', 'failed'],
      ['o/c', 'ok'],
    ]);
    expect(results[1]!.error).toMatch(/^git clone file:\/\/.*\/o\/missing\.git failed: /);
    expect(exitCodeOf(results)).toEqual(1);
  });

  it('never shows the password of a plain-git repository URL in results, summary or logs', async () => {
    const lines: string[] = [];
    const logger = createLogger({ format: 'json', write: (l) => lines.push(l) });
    const results = await runMany({
      ...base,
      platform: 'git',
      logger,
      repos: ['http://ci:s3cret-pass@127.0.0.1:9/o/a.git', 'https://ci:s3cret-pass@git.example.com/o/b.git'],
      gitBaseUrl: null,
      clone: async (req) => {
        if (req.url.includes('127.0.0.1')) return gitClone(req);
      },
      run: async (opts) => {
        opts.logger.info('running');
        return summaryFor('x');
      },
    });
    expect(results.map((r) => [r.repo, r.status])).toEqual([
      ['http://***@127.0.0.1:9/o/a.git', 'failed'],
      ['https://***@git.example.com/o/b.git', 'ok'],
    ]);
    const everything = [formatResults(results), JSON.stringify(results), ...lines].join('\n');
    expect(everything).not.toContain('s3cret-pass');
    expect(lines.some((l) => l.includes('"repo":"https://***@git.example.com/o/b.git"'))).toBe(true);
  });

  it('keeps each repository on one summary line when a git server sends lines of its own in an error', async () => {
    const pkt = (text: string) => `${(Buffer.byteLength(text) + 4).toString(16).padStart(4, '0')}${text}`;
    const server = createHttpServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/x-git-upload-pack-advertisement' });
      res.end(`${pkt('# service=git-upload-pack\n')}0000${pkt('ERR no access\n  o/other  ok       opened 3, updated 0, closed 0 (1.0s)')}`);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/o/a.git`;
    try {
      const results = await runMany({ ...base, platform: 'git', repos: [url], gitBaseUrl: null, run: async () => summaryFor('x') });
      expect(formatResults(results).split('\n')).toEqual([
        'Tidemark: 1 repository: 1 failed',
        `  ${url}  failed   git clone ${url} failed: fatal: remote error: no access   o/other  ok       opened 3, updated 0, closed 0 (1.0s)`,
      ]);
    } finally {
      server.close();
    }
  });

  it('names a plain-git repository\'s plan file without the password of its URL', async () => {
    const planOuts: (string | null)[] = [];
    await runMany({
      ...base,
      platform: 'git',
      planDir: '/plans',
      repos: ['https://ci:s3cret-pass@git.example.com/o/b.git'],
      gitBaseUrl: null,
      clone: async () => {},
      run: async (opts) => {
        planOuts.push(opts.planOut);
        return summaryFor('x');
      },
    });
    expect(planOuts).toEqual([join('/plans', 'git.example.com_o_b.git.json')]);
  });

  it('passes each run its own checkout and removes it afterwards', async () => {
    const dirs: string[] = [];
    await runMany({
      ...base,
      repos: ['o/a', 'o/b'],
      gitBaseUrl: null,
      clone: async () => {},
      run: async (opts) => {
        dirs.push(opts.dir);
        return summaryFor(opts.repo!);
      },
    });
    expect(new Set(dirs).size).toEqual(2);
    expect(dirs.map(existsSync)).toEqual([false, false]);
  });

  it('runs at most `concurrency` repositories at once', async () => {
    let active = 0;
    let peak = 0;
    const results = await runMany({
      ...base,
      repos: ['o/1', 'o/2', 'o/3', 'o/4', 'o/5'],
      gitBaseUrl: null,
      concurrency: 2,
      clone: async () => {},
      run: async (opts) => {
        active += 1;
        peak = Math.max(peak, active);
        await new Promise((r) => setTimeout(r, 20));
        active -= 1;
        return summaryFor(opts.repo!);
      },
    });
    expect(peak).toEqual(2);
    expect(results.map((r) => r.status)).toEqual(['ok', 'ok', 'ok', 'ok', 'ok']);
  });

  it('starts no repository once the signal aborts, and lists the ones left as skipped', async () => {
    const controller = new AbortController();
    const results = await runMany({
      ...base,
      repos: ['o/a', 'o/b', 'o/c'],
      gitBaseUrl: null,
      signal: controller.signal,
      clone: async () => {},
      run: async (opts) => {
        controller.abort();
        return summaryFor(opts.repo!, { updated: 2 });
      },
    });
    expect(results.map((r) => [r.repo, r.status])).toEqual([
      ['o/a', 'ok'],
      ['o/b', 'skipped'],
      ['o/c', 'skipped'],
    ]);
    expect(exitCodeOf(results)).toEqual(0);
  });
});

/**
 * A deadline timer the test fires by hand: each call is recorded, `fire(i)` makes the i-th expire, and a timer whose
 * repository finished first ends quietly (as the real one does).
 */
function manualTimers() {
  const timers: { ms: number; fire: () => void; ended: () => boolean }[] = [];
  const timer = (ms: number, signal: AbortSignal): Promise<void> =>
    new Promise((resolve) => {
      timers.push({ ms, fire: resolve, ended: () => signal.aborted });
      signal.addEventListener('abort', () => resolve(), { once: true });
    });
  return { timer, timers };
}

describe('the per-repository deadline', () => {
  it('fails a repository past its deadline, aborts its run, and goes on with the others', async () => {
    const { timer, timers } = manualTimers();
    const aborted: string[] = [];
    const results = await runMany({
      ...base,
      repos: ['o/a', 'o/slow', 'o/c'],
      gitBaseUrl: null,
      clone: async () => {},
      repoTimeoutMs: 30 * 60_000,
      timer,
      run: async (opts) => {
        if (opts.repo !== 'o/slow') return summaryFor(opts.repo!, { opened: 1 });
        timers.at(-1)!.fire();
        // A run that honours its signal: it stops with the signal's reason.
        await new Promise((r) => opts.signal!.addEventListener('abort', r, { once: true }));
        aborted.push(String((opts.signal!.reason as Error).message));
        throw opts.signal!.reason;
      },
    });
    expect(results.map((r) => [r.repo, r.status, r.error])).toEqual([
      ['o/a', 'ok', null],
      ['o/slow', 'failed', 'timed out after 30m'],
      ['o/c', 'ok', null],
    ]);
    expect(aborted).toEqual(['timed out after 30m']);
    expect(timers.map((t) => t.ms)).toEqual([1_800_000, 1_800_000, 1_800_000]);
    expect(formatResults(results).split('\n')[2]).toEqual('  o/slow  failed   timed out after 30m');
    expect(exitCodeOf(results)).toEqual(1);
  });

  it('does not wait for a run that ignores its signal and never returns', async () => {
    const { timer, timers } = manualTimers();
    const results = await runMany({
      ...base,
      repos: ['o/stuck', 'o/b'],
      gitBaseUrl: null,
      clone: async () => {},
      repoTimeoutMs: 90_000,
      timer,
      run: (opts) => {
        if (opts.repo === 'o/b') return Promise.resolve(summaryFor('o/b'));
        timers.at(-1)!.fire();
        return new Promise<never>(() => {});
      },
    });
    expect(results.map((r) => [r.repo, r.status, r.error])).toEqual([
      ['o/stuck', 'failed', 'timed out after 90s'],
      ['o/b', 'ok', null],
    ]);
  });

  it('counts the clone against the deadline and hands the clone the signal', async () => {
    const { timer, timers } = manualTimers();
    let cloneSignal: AbortSignal | undefined;
    const results = await runMany({
      ...base,
      repos: ['o/huge'],
      gitBaseUrl: null,
      timer,
      repoTimeoutMs: 60_000,
      clone: async (req) => {
        cloneSignal = req.signal;
        timers.at(-1)!.fire();
        await new Promise((r) => req.signal!.addEventListener('abort', r, { once: true }));
        throw new Error('git clone killed');
      },
      run: async () => {
        throw new Error('run must not start after the deadline');
      },
    });
    expect(results.map((r) => [r.status, r.error])).toEqual([['failed', 'timed out after 1m']]);
    expect(cloneSignal?.aborted).toEqual(true);
  });

  it('ends the timer of a repository that finished in time, without aborting it', async () => {
    const { timer, timers } = manualTimers();
    let signal: AbortSignal | undefined;
    await runMany({ ...base, repos: ['o/a'], gitBaseUrl: null, clone: async () => {}, timer, run: async (opts) => ((signal = opts.signal), summaryFor('o/a')) });
    expect([timers.map((t) => t.ended()), signal?.aborted]).toEqual([[true], false]);
  });

  it('reads durations in ms, s, m or h and writes them back in the largest whole unit', () => {
    expect(['500ms', '90s', '30m', '2h'].map((d) => parseDuration(d, '--repo-timeout'))).toEqual([500, 90_000, 1_800_000, 7_200_000]);
    expect([1_800_000, 90_000, 7_200_000, 1500].map(formatDuration)).toEqual(['30m', '90s', '2h', '1500ms']);
    for (const bad of ['', '30', '0m', '-5m', '1.5h', '30 minutes']) expect(() => parseDuration(bad, '--repo-timeout')).toThrow(UsageError);
  });
});

describe('formatResults', () => {
  it('lists each repository with its outcome under a tally', () => {
    const results: RepoResult[] = [
      { repo: 'org/api', status: 'ok', summary: summaryFor('org/api', { opened: 2, closed: 1 }), error: null, durationMs: 3100 },
      { repo: 'org/web', status: 'partial', summary: summaryFor('org/web', { updated: 1 }, true), error: null, durationMs: 250 },
      { repo: 'org/x', status: 'failed', summary: null, error: 'git clone failed', durationMs: 10 },
    ];
    expect(formatResults(results)).toEqual(
      [
        'Tidemark: 3 repositories: 1 ok, 1 partial, 1 failed',
        '  org/api  ok       opened 2, updated 0, closed 1 (3.1s)',
        '  org/web  partial  opened 0, updated 1, closed 0 (0.3s)',
        '  org/x    failed   git clone failed',
      ].join('\n'),
    );
  });

  it('says which hosts failed for a repository whose lookups failed, never only "partial"', () => {
    const summary = summaryFor('org/web', {}, true);
    const dep = (name: string, line: number) => ({ file: 'a.yaml', line, manager: 'kubernetes' as const, datasource: 'docker' as const, name, registryUrl: null, currentValue: '1.0.0', currentDigest: null, valueRange: null, digestRange: null });
    summary.plan.unchanged = [
      { dependency: dep('ghcr.io/a', 1), reason: 'lookup failed: ghcr.io could not be reached', kind: 'lookup-failed', failure: { host: 'ghcr.io', problem: 'could not be reached' } },
      { dependency: dep('nginx', 2), reason: 'up to date', kind: 'up-to-date' },
    ];
    expect(formatResults([{ repo: 'org/web', status: 'partial', summary, error: null, durationMs: 250 }]).split('\n')[1]).toEqual(
      '  org/web  partial  opened 0, updated 0, closed 0; 1 of 2 lookups failed: ghcr.io could not be reached (1) (0.3s)',
    );
  });
});
