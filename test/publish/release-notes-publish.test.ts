import { describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG } from '../../src/config/types.js';
import { silentLogger } from '../../src/log.js';
import type { BranchPlan, Plan, Update } from '../../src/plan/types.js';
import { publish } from '../../src/publish/lifecycle.js';
import { notesKey, type NotesProvider } from '../../src/review/notes.js';
import { parseSource } from '../../src/review/sources.js';
import type { NotesOutcome } from '../../src/review/types.js';
import { scanFiles } from '../../src/scan/index.js';
import { updateOf } from '../edit/update-fixture.js';
import { FakePlatform } from './fake-platform.js';

const FILES: Record<string, string> = {
  'apps/web.yaml': 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: web\nspec:\n  containers:\n    - name: web\n      image: ghcr.io/acme/web:1.4.2\n',
};
const source = parseSource('https://github.com/acme/web')!;

function plan(version: string): Plan {
  const updates = scanFiles(Object.entries(FILES).map(([path, text]) => ({ path, text }))).dependencies.map((d) => updateOf(d, version));
  const branches: BranchPlan[] = [{ branchName: 'tidemark/ghcr.io-acme-web-1.x', title: `Update ghcr.io/acme/web to ${version}`, updates }];
  return { updates, unchanged: [], problems: [], branches };
}

function ctx(releaseNotes: NotesProvider, dryRun = false, print: (s: string) => void = () => undefined) {
  return {
    dir: '/repo', config: DEFAULT_CONFIG, dryRun, logger: silentLogger, print, releaseNotes,
    readFile: async (path: string) => FILES[path] ?? Promise.reject(new Error(`ENOENT: ${path}`)),
  };
}

function notesOf(outcome: (u: Update) => NotesOutcome): { provider: NotesProvider; asked: number[] } {
  const asked: number[] = [];
  const provider: NotesProvider = async (updates) => {
    asked.push(updates.length);
    return new Map(updates.map((u) => [notesKey(u), outcome(u)]));
  };
  return { provider, asked };
}

const read = (u: Update): NotesOutcome => ({
  notes: { source, from: 'releases', compareUrl: null, versions: [{ version: u.newValue, tag: `v${u.newValue}`, title: null, body: `What is new in ${u.newValue}`, url: null, date: null }] },
});

describe('release notes while publishing', () => {
  it('opens the PR with the notes in its body', async () => {
    const platform = new FakePlatform();
    const { provider, asked } = notesOf(read);
    const summary = await publish(platform, plan('1.5.0'), ctx(provider));
    expect(summary.opened.map((o) => o.detail)).toEqual(['PR opened']);
    expect(asked).toEqual([1]);
    expect(platform.created[0]!.body).toContain('<summary>v1.5.0</summary>\n\nWhat is new in 1.5.0');
  });

  it('still opens the PR when the notes cannot be read, or the provider itself fails', async () => {
    const failing = notesOf(() => ({ failed: 'HTTP 500', source }));
    const platform = new FakePlatform();
    expect((await publish(platform, plan('1.5.0'), ctx(failing.provider))).opened.map((o) => o.detail)).toEqual(['PR opened']);
    expect(platform.created[0]!.body).toContain('Release notes could not be read (HTTP 500).');
    const throwing: NotesProvider = async () => {
      throw new Error('boom');
    };
    const other = new FakePlatform();
    const summary = await publish(other, plan('1.5.0'), ctx(throwing));
    expect([summary.opened.map((o) => o.detail), summary.partialFailure]).toEqual([['PR opened'], false]);
  });

  it('keeps the notes a PR already shows when they cannot be read on a later run', async () => {
    const platform = new FakePlatform();
    await publish(platform, plan('1.5.0'), ctx(notesOf(read).provider));
    const before = platform.prs[0]!.body;
    const summary = await publish(platform, plan('1.5.0'), ctx(notesOf(() => ({ failed: 'rate limited', source })).provider));
    expect(summary.skipped.map((o) => o.detail)).toEqual(['up to date']);
    expect(platform.prs[0]!.body).toEqual(before);
  });

  it('asks for no notes on plain git, where no PR shows them', async () => {
    const { provider, asked } = notesOf(read);
    const summary = await publish(new FakePlatform(false), plan('1.5.0'), ctx(provider));
    expect(summary.opened.map((o) => o.detail)).toEqual(['branch pushed']);
    expect(asked).toEqual([]);
  });

  it('prints the notes in the dry run, before the diff', async () => {
    const printed: string[] = [];
    await publish(new FakePlatform(), plan('1.5.0'), ctx(notesOf(read).provider, true, (s) => printed.push(s)));
    const text = printed.join('');
    expect(text.indexOf('What is new in 1.5.0')).toBeGreaterThan(0);
    expect(text.indexOf('What is new in 1.5.0')).toBeLessThan(text.indexOf('diff --git'));
  });
});
