import { EventEmitter } from 'node:events';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { type Clock, type CronDeps, type CronFlags, cronMain, stopOnSignals, systemClock } from '../../src/cli/cron.js';
import { main } from '../../src/cli/main.js';
import { StopRequested } from '../../src/cli/signals.js';
import { UsageError } from '../../src/errors.js';
import { silentLogger } from '../../src/log.js';
import type { RunOptions } from '../../src/run-types.js';
import { makeBareRepos, summaryFor } from '../ship/git-repos.js';

/** Time moves only when the loop sleeps; every sleep is recorded. */
function fakeClock(start: string): Clock & { sleeps: number[] } {
  let t = new Date(start).getTime();
  const sleeps: number[] = [];
  return {
    sleeps,
    now: () => new Date(t),
    sleep: async (ms) => {
      sleeps.push(ms);
      t += ms;
    },
  };
}

function harness(overrides: Partial<CronDeps> = {}) {
  const controller = new AbortController();
  const logs: Record<string, unknown>[] = [];
  const printed: string[] = [];
  const deps: CronDeps = {
    run: async (opts) => summaryFor(opts.repo!),
    discover: async () => [],
    env: { TIDEMARK_TOKEN: 'test-token' },
    signal: controller.signal,
    writeErr: (line) => logs.push(JSON.parse(line) as Record<string, unknown>),
    print: (text) => printed.push(text),
    isTTY: false,
    clone: async () => {},
    ...overrides,
  };
  return { controller, logs, printed, deps };
}

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanups.splice(0)) c();
  vi.useRealTimers();
});

describe('cronMain, one-shot', () => {
  it('runs a failing repository among three: the others still run, the summary lists each, the exit code is 1', async () => {
    const bare = makeBareRepos({ 'org/a': { 'x.yaml': 'a' }, 'org/b': { 'x.yaml': 'b' }, 'org/c': { 'x.yaml': 'c' } });
    cleanups.push(bare.cleanup);
    const ran: string[] = [];
    const h = harness({
      clone: undefined,
      run: async (opts: RunOptions) => {
        ran.push(opts.repo!);
        if (opts.repo === 'org/b') throw new Error('registry.example.com answered 500');
        return summaryFor(opts.repo!, { opened: 1 });
      },
    });
    const code = await cronMain({ repos: 'org/a,org/b,org/c', gitUrl: bare.baseUrl }, h.deps);
    expect(code).toEqual(1);
    expect(ran).toEqual(['org/a', 'org/b', 'org/c']);
    expect(h.printed).toHaveLength(1);
    expect(h.printed[0]!.replace(/\(\d+\.\ds\)/g, '(Ns)')).toEqual(
      [
        'Tidemark: 3 repositories: 2 ok, 1 failed',
        '  org/a  ok       opened 1, updated 0, closed 0 (Ns)',
        '  org/b  failed   registry.example.com answered 500',
        '  org/c  ok       opened 1, updated 0, closed 0 (Ns)',
      ].join('\n'),
    );
    const finished = h.logs.filter((l) => l.msg === 'repository finished').map((l) => [l.level, l.repo, l.status]);
    expect(finished).toEqual([
      ['info', 'org/a', 'ok'],
      ['error', 'org/b', 'failed'],
      ['info', 'org/c', 'ok'],
    ]);
  });

  it('gives up on a repository past --repo-timeout, lists it as timed out, runs the others, and exits 1', async () => {
    const timers: { ms: number; fire: () => void }[] = [];
    const repoTimer = (ms: number, signal: AbortSignal): Promise<void> =>
      new Promise((resolve) => {
        timers.push({ ms, fire: resolve });
        signal.addEventListener('abort', () => resolve(), { once: true });
      });
    const h = harness({
      repoTimer,
      run: async (opts) => {
        if (opts.repo !== 'org/b') return summaryFor(opts.repo!, { opened: 1 });
        timers.at(-1)!.fire();
        return new Promise<never>(() => {});
      },
    });
    const code = await cronMain({ repos: 'org/a,org/b,org/c', repoTimeout: '90s' }, h.deps);
    expect(code).toEqual(1);
    expect(timers.map((t) => t.ms)).toEqual([90_000, 90_000, 90_000]);
    expect(h.printed[0]!.replace(/\(\d+\.\ds\)/g, '(Ns)')).toEqual(
      [
        'Tidemark: 3 repositories: 2 ok, 1 failed',
        '  org/a  ok       opened 1, updated 0, closed 0 (Ns)',
        '  org/b  failed   timed out after 90s',
        '  org/c  ok       opened 1, updated 0, closed 0 (Ns)',
      ].join('\n'),
    );
    expect(h.logs.filter((l) => l.msg === 'repository timed out; its work is aborted').map((l) => [l.repo, l.error])).toEqual([['org/b', 'timed out after 90s']]);
  });

  it('passes TIDEMARK_RELEASE_NOTES=off to every repository\'s run, and refuses a value it cannot read', async () => {
    const asked: (boolean | undefined)[] = [];
    const run = async (opts: RunOptions) => (asked.push(opts.releaseNotes), summaryFor(opts.repo!));
    expect(await cronMain({ repos: 'org/a,org/b' }, harness({ run, env: { TIDEMARK_TOKEN: 'ghp_test', TIDEMARK_RELEASE_NOTES: 'off' } }).deps)).toEqual(0);
    expect(await cronMain({ repos: 'org/c' }, harness({ run, env: { TIDEMARK_TOKEN: 'ghp_test' } }).deps)).toEqual(0);
    expect(asked).toEqual([false, false, undefined]);
    await expect(cronMain({ repos: 'org/a' }, harness({ run, env: { TIDEMARK_TOKEN: 'ghp_test', TIDEMARK_RELEASE_NOTES: 'later' } }).deps)).rejects.toThrow('TIDEMARK_RELEASE_NOTES must be on or off, not "later"');
  });

  it('gives each repository 30 minutes unless told otherwise, and refuses a duration it cannot read', async () => {
    const asked: number[] = [];
    const h = harness({ repoTimer: (ms, signal) => new Promise((r) => (asked.push(ms), signal.addEventListener('abort', () => r(), { once: true }))) });
    expect(await cronMain({ repos: 'org/a' }, h.deps)).toEqual(0);
    expect(asked).toEqual([1_800_000]);
    await expect(cronMain({ repos: 'org/a', repoTimeout: 'soon' }, h.deps)).rejects.toThrow(UsageError);
  });

  it('discovers repositories with the token from the environment and keeps only its shard', async () => {
    const discovered = ['org/a', 'org/b', 'org/c', 'org/d', 'org/e'];
    const calls: unknown[] = [];
    const ran: string[] = [];
    const h = harness({
      env: { GITHUB_TOKEN: 'ghp_abcdefgh' },
      discover: async ({ platform, token, endpoint, filter }) => {
        calls.push({ platform, token, endpoint, filter });
        return discovered;
      },
      run: async (opts) => {
        ran.push(opts.repo!);
        expect(opts.token).toEqual('ghp_abcdefgh');
        return summaryFor(opts.repo!);
      },
    });
    const code = await cronMain({ autodiscover: true, autodiscoverFilter: 'org/*', shard: '2/3' }, h.deps);
    expect(code).toEqual(0);
    expect(calls).toEqual([{ platform: 'github', token: 'ghp_abcdefgh', endpoint: null, filter: 'org/*' }]);
    // sha256 shards of org/a..e over 3 are 3 1 2 2 3 (see multi.test.ts).
    expect(ran).toEqual(['org/c', 'org/d']);
  });

  it('runs only the shard of the Indexed Job pod: JOB_COMPLETION_INDEX 1 of TIDEMARK_SHARD_COUNT 3 is shard 2/3', async () => {
    const ran: string[] = [];
    const h = harness({ env: { JOB_COMPLETION_INDEX: '1', TIDEMARK_TOKEN: 'test-token' }, run: async (opts) => (ran.push(opts.repo!), summaryFor(opts.repo!)) });
    expect(await cronMain({ repos: 'org/a,org/b,org/c,org/d,org/e', shardCount: '3' }, h.deps)).toEqual(0);
    expect(ran).toEqual(['org/c', 'org/d']);
    expect(h.logs.find((l) => l['msg'] === 'run started')).toMatchObject({ repositories: 2, shard: '2/3' });
  });

  it('writes JSON log lines off a terminal and a progress line per repository on one', async () => {
    const lines: string[] = [];
    const h = harness({ isTTY: true, writeErr: (l) => lines.push(l) });
    await cronMain({ repos: 'org/a,org/b' }, h.deps);
    expect(lines.filter((l) => l.startsWith('['))).toEqual([expect.stringMatching(/^\[1\/2\] org\/a ok  opened 0/), expect.stringMatching(/^\[2\/2\] org\/b ok  opened 0/)]);
    expect(lines.some((l) => l.startsWith('INFO  run started'))).toEqual(true);
  });

  it('never logs the token', async () => {
    const lines: string[] = [];
    const h = harness({
      env: { TIDEMARK_TOKEN: 'glpat-supersecret' },
      writeErr: (l) => lines.push(l),
      run: async () => {
        throw new Error('401 for glpat-supersecret');
      },
    });
    await cronMain({ repos: 'g/p', platform: 'gitlab', logFormat: 'text' }, h.deps);
    expect(lines.join('\n')).toContain('401 for ***');
    expect(lines.join('\n')).not.toContain('supersecret');
  });

  it('masks the token and keeps one line per repository in the progress lines and the final summary', async () => {
    const lines: string[] = [];
    const h = harness({
      env: { TIDEMARK_TOKEN: 'glpat-supersecret' },
      isTTY: true,
      writeErr: (l) => lines.push(l),
      run: async () => {
        throw new Error('401 for glpat-supersecret\n[2/2] org/forged ok  opened 9');
      },
    });
    await cronMain({ repos: 'g/p', platform: 'gitlab', logFormat: 'text' }, h.deps);
    expect([lines.filter((l) => l.startsWith('[')), h.printed]).toEqual([
      ['[1/1] g/p failed  401 for *** [2/2] org/forged ok  opened 9'],
      ['Tidemark: 1 repository: 1 failed\n  g/p  failed   401 for *** [2/2] org/forged ok  opened 9'],
    ]);
  });

  it.each<[CronFlags, RegExp]>([
    [{}, /give --repos/],
    [{ repos: 'a/b', platform: 'svn' }, /--platform "svn"/],
    [{ repos: 'a/b', concurrency: '0' }, /--concurrency "0"/],
    [{ repos: 'a/b', shard: '3/2' }, /--shard "3\/2"/],
    [{ repos: 'a/b', shardCount: '2' }, /--shard-count needs JOB_COMPLETION_INDEX/],
    [{ repos: 'a/b', schedule: '* * *' }, /expected 5 fields/],
    [{ repos: 'a/b', schedule: '0 0 30 2 *' }, /schedule "0 0 30 2 \*" never fires/],
    [{ repos: 'a/b', schedule: '0 6 * * *', timezone: 'Europe/Nowhere' }, /unknown time zone "Europe\/Nowhere"/],
    [{ repos: 'a/b', logFormat: 'xml' }, /--log-format "xml"/],
    [{ autodiscover: true, dryRun: true }, /--autodiscover needs a token/],
    [{ autodiscover: true, platform: 'git' }, /--autodiscover needs --platform github or gitlab/],
  ])('rejects bad settings %j as a usage error', async (flags, message) => {
    const h = harness({ env: {} });
    const result = cronMain(flags, h.deps);
    await expect(result).rejects.toThrow(UsageError);
    await expect(result).rejects.toThrow(message);
  });
});

describe('run-all without a platform token', () => {
  it.each([
    ['github', /--platform github needs a token: set TIDEMARK_TOKEN, GITHUB_TOKEN or GH_TOKEN/],
    ['gitlab', /--platform gitlab needs a token: set TIDEMARK_TOKEN, GITLAB_TOKEN or CI_JOB_TOKEN/],
  ])('on %s is a usage error naming every variable, before any repository is cloned', async (platform, message) => {
    const cloned: string[] = [];
    const h = harness({ env: {}, clone: async (url) => void cloned.push(String(url)) });
    const result = cronMain({ repos: 'org/a,org/b', platform }, h.deps);
    await expect(result).rejects.toThrow(UsageError);
    await expect(result).rejects.toThrow(message);
    expect(cloned).toEqual([]);
    expect(h.printed).toEqual([]);
  });

  it('is fine for a dry run, which publishes nothing and says how many branches it would open', async () => {
    const wouldOpen = ['tidemark/web-1.x', 'tidemark/redis-7.x'].map((branch) => ({ branch, pr: null, detail: 'dry run: nothing pushed' }));
    const h = harness({ env: {}, run: async (opts) => ({ ...summaryFor(opts.repo!), wouldOpen }) });
    expect(await cronMain({ repos: 'org/a', dryRun: true }, h.deps)).toEqual(0);
    expect(h.printed[0]!.replace(/\(\d+\.\ds\)/g, '(Ns)')).toEqual(['Tidemark: 1 repository: 1 ok', '  org/a  ok       would open 2 (Ns)'].join('\n'));
    const finished = h.logs.find((l) => l.msg === 'repository finished')!;
    expect([finished.opened, finished.updated, finished.closed, finished.wouldOpen]).toEqual([0, 0, 0, 2]);
  });
});

describe('tidemark run-all with a schedule that never fires', () => {
  it('exits 2 at once and says so, instead of idling for ever', async () => {
    let stderr = '';
    const spy = vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => ((stderr += String(chunk)), true));
    try {
      expect(await main(['run-all', '--repos', 'org/a', '--schedule', '0 0 30 2 *', '--log-level', 'error'])).toEqual(2);
    } finally {
      spy.mockRestore();
    }
    expect(stderr).toContain('tidemark: schedule "0 0 30 2 *" never fires');
  });
});

describe('cronMain, scheduled', () => {
  it('sleeps until each fire time and runs twice in fake time, then stops on the signal', async () => {
    const clock = fakeClock('2026-03-04T10:07:30Z');
    const runs: string[] = [];
    const h = harness({ clock });
    h.deps.run = async (opts) => {
      runs.push(`${clock.now().toISOString()} ${opts.repo}`);
      if (runs.length === 4) h.controller.abort(new StopRequested('SIGTERM'));
      return summaryFor(opts.repo!);
    };
    const code = await cronMain({ repos: 'org/a,org/b', schedule: '*/15 * * * *' }, h.deps);
    // Stopped during the second run: it finished, and the exit code says a signal ended the process.
    expect(code).toEqual(143);
    expect(runs).toEqual([
      '2026-03-04T10:15:00.000Z org/a',
      '2026-03-04T10:15:00.000Z org/b',
      '2026-03-04T10:30:00.000Z org/a',
      '2026-03-04T10:30:00.000Z org/b',
    ]);
    expect(clock.sleeps).toEqual([450_000, 900_000]);
    expect(h.logs.filter((l) => l.msg === 'next run').map((l) => l.at)).toEqual(['2026-03-04T10:15:00.000Z', '2026-03-04T10:30:00.000Z']);
    expect(h.logs.filter((l) => l.msg === 'run finished').map((l) => l.ok)).toEqual([2, 2]);
    expect(h.logs.at(-1)).toMatchObject({ msg: 'stopping', reason: 'signal' });
  });

  it('reads the schedule in TIDEMARK_TIMEZONE: 06:00 in Berlin is 05:00Z in winter', async () => {
    const clock = fakeClock('2026-03-04T10:07:30Z');
    const h = harness({ clock });
    const runs: string[] = [];
    h.deps.run = async (opts) => {
      runs.push(clock.now().toISOString());
      h.controller.abort();
      return summaryFor(opts.repo!);
    };
    await cronMain({ repos: 'org/a', schedule: '0 6 * * *', timezone: 'Europe/Berlin' }, h.deps);
    expect(runs).toEqual(['2026-03-05T05:00:00.000Z']);
    expect(h.logs.find((l) => l.msg === 'scheduled mode')).toMatchObject({ schedule: '0 6 * * *', timezone: 'Europe/Berlin' });
  });

  it('logs a run that fails as a whole and keeps to the schedule', async () => {
    const clock = fakeClock('2026-03-04T10:59:00Z');
    let discoveries = 0;
    const h = harness({ clock, env: { GITHUB_TOKEN: 'ghp_abcdefgh' } });
    h.deps.discover = async () => {
      discoveries += 1;
      if (discoveries === 1) throw new Error('api.github.com unreachable');
      h.controller.abort(new StopRequested('SIGTERM'));
      return ['org/a'];
    };
    const code = await cronMain({ autodiscover: true, schedule: '@hourly' }, h.deps);
    expect(code).toEqual(143);
    expect(h.logs.filter((l) => l.level === 'error').map((l) => [l.msg, l.error])).toEqual([['run failed', 'api.github.com unreachable']]);
    expect(h.logs.filter((l) => l.msg === 'next run').map((l) => l.at)).toEqual(['2026-03-04T11:00:00.000Z', '2026-03-04T12:00:00.000Z']);
  });

  it('exits 0 when stopped while waiting, whatever an earlier run returned', async () => {
    const clock = fakeClock('2026-03-04T10:59:00Z');
    const h = harness({ clock });
    let runs = 0;
    h.deps.run = async (opts) => {
      runs += 1;
      return summaryFor(opts.repo!, { opened: 0 }, true);
    };
    const sleep = clock.sleep;
    clock.sleep = async (ms, signal) => {
      // The second wait is cut short by SIGTERM, after a partial (exit 1) run.
      if (runs === 1) return h.controller.abort(new StopRequested('SIGTERM'));
      return sleep(ms, signal);
    };
    const code = await cronMain({ repos: 'org/a', schedule: '@hourly' }, h.deps);
    expect([runs, code]).toEqual([1, 0]);
  });

  it('waits in steps setTimeout can hold when the next run is months away', async () => {
    const clock = fakeClock('2026-03-04T10:00:00Z');
    const h = harness({ clock });
    h.deps.run = async (opts) => {
      h.controller.abort();
      return summaryFor(opts.repo!);
    };
    await cronMain({ repos: 'org/a', schedule: '@yearly' }, h.deps);
    expect(clock.sleeps.every((ms) => ms <= 2_147_483_647)).toEqual(true);
    expect(clock.sleeps.reduce((a, b) => a + b, 0)).toEqual(new Date('2027-01-01T00:00:00Z').getTime() - new Date('2026-03-04T10:00:00Z').getTime());
  });
});

describe('SIGTERM', () => {
  it('finishes the repository in progress, starts no other, and exits 143 (128 + SIGTERM)', async () => {
    const proc = new EventEmitter();
    const stop = stopOnSignals(silentLogger, proc);
    const ran: string[] = [];
    const h = harness({ signal: stop.signal });
    h.deps.run = async (opts) => {
      ran.push(opts.repo!);
      proc.emit('SIGTERM');
      await new Promise((r) => setTimeout(r, 10));
      return summaryFor(opts.repo!, { opened: 1 });
    };
    const code = await cronMain({ repos: 'org/a,org/b,org/c' }, h.deps);
    stop.dispose();
    expect(code).toEqual(143);
    expect(ran).toEqual(['org/a']);
    expect(h.printed[0]!.split('\n').slice(0, 1)).toEqual(['Tidemark: 3 repositories: 1 ok, 2 skipped']);
    expect(h.printed[0]).toContain('org/b  skipped  stopping: not started');
    expect(proc.listenerCount('SIGTERM')).toEqual(0);
  });

  it('exits at once with 128 + the signal number on a second signal', () => {
    const proc = new EventEmitter();
    const exits: number[] = [];
    const stop = stopOnSignals(silentLogger, proc, (code) => exits.push(code));
    proc.emit('SIGINT', 'SIGINT');
    expect([stop.signal.aborted, exits]).toEqual([true, []]);
    proc.emit('SIGINT', 'SIGINT');
    proc.emit('SIGTERM', 'SIGTERM');
    stop.dispose();
    expect(exits).toEqual([130, 143]);
  });

  it('ends a scheduled wait at once with the real clock, without running', async () => {
    vi.useFakeTimers({ now: new Date('2026-03-04T10:00:00Z') });
    const stop = stopOnSignals(silentLogger);
    cleanups.push(stop.dispose);
    const h = harness({ signal: stop.signal, clock: systemClock });
    let ran = 0;
    h.deps.run = async (opts) => {
      ran += 1;
      return summaryFor(opts.repo!);
    };
    const done = cronMain({ repos: 'org/a', schedule: '0 12 * * *' }, h.deps);
    await vi.advanceTimersByTimeAsync(60 * 60_000);
    process.emit('SIGTERM');
    await expect(done).resolves.toEqual(0);
    expect(ran).toEqual(0);
    expect(vi.getTimerCount()).toEqual(0);
    expect(h.logs.map((l) => l.msg)).toEqual(['scheduled mode', 'next run', 'stopping']);
  });
});
