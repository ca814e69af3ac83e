import { Writable } from 'node:stream';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { type CronDeps, cronMain } from '../../src/cli/cron.js';
import { terminalProgress } from '../../src/cli/flags.js';
import { createProgress, noProgress, type Progress } from '../../src/cli/progress.js';
import { DEFAULT_CONFIG } from '../../src/config/types.js';
import { createPlan } from '../../src/plan/index.js';
import type { ProgressEvent } from '../../src/progress.js';
import type { Dependency } from '../../src/scan/types.js';
import { makeBareRepos, summaryFor } from '../ship/git-repos.js';
import { FakeReleaseSource } from '../plan/fake-source.js';

/** A stream that says it is a terminal (as `process.stderr` does on one) and keeps what is written to it. */
function fakeTerminal(isTTY = true): Writable & { isTTY: boolean; columns: number; text: () => string; cursorTo: () => boolean; moveCursor: () => boolean; clearLine: () => boolean } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer | string, _enc, done) {
      chunks.push(String(chunk));
      done();
    },
  });
  return Object.assign(stream, {
    isTTY,
    columns: 80,
    text: () => chunks.join(''),
    // What a tty.WriteStream offers for redrawing a line; ora calls them to clear its spinner.
    cursorTo: () => true,
    moveCursor: () => true,
    clearLine: () => true,
  });
}

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanups.splice(0)) c();
});

describe('the progress display', () => {
  it('draws a spinner line on a terminal, one line, with escape sequences and secrets taken out', async () => {
    const terminal = fakeTerminal();
    const progress = createProgress({ stream: terminal, forPeople: true, secrets: ['tok-12345'], interactive: true });
    progress.update('acme/web: lookups 3/10');
    await vi.waitFor(() => expect(terminal.text()).toContain('lookups 3/10'));
    progress.update('evil\u001b[2J\nname tok-12345: publishing 1 branch');
    await vi.waitFor(() => expect(terminal.text()).toContain('publishing 1 branch'));
    progress.stop();
    const written = terminal.text();
    expect(written).toContain('acme/web: lookups 3/10');
    expect(written).toContain('evil [2J name ***: publishing 1 branch');
    expect(written).not.toContain('tok-12345');
    expect(written).not.toContain('\u001b[2J');
  });

  it('lets no control sequence from repository or registry text act on the terminal: C1 CSI, OSC 52 clipboard, OSC 8 links, carriage return, backspace, bell', async () => {
    const terminal = fakeTerminal();
    const progress = createProgress({ stream: terminal, forPeople: true, interactive: true });
    const hostile = 'acme/\u009b2Jweb\u001b]52;c;cm0gLXJmIH4=\u0007 \u001b]8;;https://evil.test\u001b\\link\u001b]8;;\u001b\\ \rfake\bx\u0007\u2028: lookups 1/2';
    progress.update(hostile);
    await vi.waitFor(() => expect(terminal.text()).toContain('lookups 1/2'));
    progress.stop();
    const fromUs = terminal.text().split('acme/')[1]!.split('lookups 1/2')[0]!;
    expect(fromUs).toEqual(' 2Jweb ]52;c;cm0gLXJmIH4=   ]8;;https://evil.test \\link ]8;; \\  fake x : ');
  });

  it('writes nothing off a terminal, on a terminal that reports no width, or when the output is JSON', async () => {
    for (const [stream, forPeople] of [
      [fakeTerminal(false), true],
      [Object.assign(fakeTerminal(true), { columns: 0 }), true],
      [fakeTerminal(true), false],
    ] as const) {
      const progress = createProgress({ stream, forPeople, interactive: true });
      progress.update('scanning');
      await new Promise((r) => setTimeout(r, 50));
      progress.stop();
      expect(stream.text()).toEqual('');
    }
  });

  it('draws nothing when stopped before the spinner library has loaded (a command that ends at once)', async () => {
    const terminal = fakeTerminal();
    const progress = createProgress({ stream: terminal, forPeople: true, interactive: true });
    progress.update('scanning');
    progress.stop();
    await new Promise((r) => setTimeout(r, 100));
    expect(terminal.text()).toEqual('');
  });

  it('is on for plan and run only with text logs and no --json', () => {
    const tty = fakeTerminal();
    expect(terminalProgress({ logFormat: 'auto' }, [], tty)).not.toBe(noProgress);
    expect(terminalProgress({ logFormat: 'auto', json: true }, [], tty)).toBe(noProgress);
    expect(terminalProgress({ logFormat: 'json' }, [], tty)).toBe(noProgress);
    expect(terminalProgress({ logFormat: 'text' }, [], fakeTerminal(false))).toBe(noProgress);
  });
});

describe('progress events', () => {
  const image = (name: string, line: number): Dependency => ({
    file: 'a.yaml', line, manager: 'kubernetes', datasource: 'docker', name, registryUrl: null, currentValue: '1.0.0', currentDigest: null,
    valueRange: { start: 0, end: 0 }, digestRange: null, digestInsertAt: null,
  });

  it('count lookups per package, each once, up to the total', async () => {
    const events: ProgressEvent[] = [];
    const source = new FakeReleaseSource({ a: { tags: ['1.0.0'] }, b: { tags: ['1.0.0', '1.1.0'] } });
    await createPlan({ dependencies: [image('a', 1), image('b', 2), image('a', 3)], problems: [] }, source, DEFAULT_CONFIG, { onProgress: (e) => events.push(e) });
    expect(events).toEqual([
      { phase: 'lookup', done: 0, total: 2 },
      { phase: 'lookup', done: 1, total: 2 },
      { phase: 'lookup', done: 2, total: 2 },
    ]);
  });

  it('show run-all on a terminal which repository is in which phase, and stop before the summary', async () => {
    const bare = makeBareRepos({ 'org/a': { 'x.yaml': 'a' } });
    cleanups.push(bare.cleanup);
    const shown: string[] = [];
    const order: string[] = [];
    const progress: Progress = { update: (t) => void shown.push(t), stop: () => void order.push('stop') };
    const deps: CronDeps = {
      run: async (opts) => {
        opts.onProgress?.({ phase: 'scan' });
        opts.onProgress?.({ phase: 'lookup', done: 1, total: 4 });
        opts.onProgress?.({ phase: 'publish', branches: 2 });
        return summaryFor(opts.repo!);
      },
      discover: async () => [],
      env: { TIDEMARK_TOKEN: 'test-token' },
      signal: new AbortController().signal,
      writeErr: () => {},
      print: () => void order.push('summary'),
      isTTY: true,
      progress,
    };
    expect(await cronMain({ repos: 'org/a', gitUrl: bare.baseUrl, logFormat: 'text' }, deps)).toEqual(0);
    expect(shown).toEqual(['0/1 done · org/a: scanning', '0/1 done · org/a: lookups 1/4', '0/1 done · org/a: publishing 2 branches']);
    expect(order).toEqual(['stop', 'summary']);
    shown.length = 0;
    expect(await cronMain({ repos: 'org/a', gitUrl: bare.baseUrl, logFormat: 'json' }, { ...deps, writeErr: () => {} })).toEqual(0);
    expect(shown).toEqual([]);
  });
});
