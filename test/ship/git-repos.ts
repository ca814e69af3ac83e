import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { RunSummary } from '../../src/run-types.js';

const GIT_ENV = {
  ...process.env,
  GIT_AUTHOR_NAME: 'Test',
  GIT_AUTHOR_EMAIL: 'test@example.invalid',
  GIT_COMMITTER_NAME: 'Test',
  GIT_COMMITTER_EMAIL: 'test@example.invalid',
};

export function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', args, { cwd, env: GIT_ENV, encoding: 'utf8' });
}

/** Bare repositories `<root>/<owner>/<name>.git`, each with one commit holding `files`; `baseUrl` is `file://<root>`. */
export function makeBareRepos(repos: Record<string, Record<string, string>>): { root: string; baseUrl: string; cleanup: () => void } {
  const root = mkdtempSync(join(tmpdir(), 'tidemark-bare-'));
  for (const [name, files] of Object.entries(repos)) {
    const work = join(root, '_work', name);
    mkdirSync(work, { recursive: true });
    git(work, 'init', '-q', '-b', 'main');
    for (const [path, content] of Object.entries(files)) {
      mkdirSync(dirname(join(work, path)), { recursive: true });
      writeFileSync(join(work, path), content);
    }
    git(work, 'add', '-A');
    git(work, 'commit', '-q', '-m', 'initial');
    git(root, 'clone', '-q', '--bare', work, join(root, `${name}.git`));
  }
  rmSync(join(root, '_work'), { recursive: true, force: true });
  return { root, baseUrl: pathToFileURL(root).href, cleanup: () => rmSync(root, { recursive: true, force: true }) };
}

export function summaryFor(repo: string, counts: { opened?: number; updated?: number; closed?: number } = {}, partialFailure = false): RunSummary {
  const outcomes = (n: number, kind: string) =>
    Array.from({ length: n }, (_, i) => ({ branch: `tidemark/${kind}-${i}`, pr: { number: i + 1, url: `https://example.invalid/${i + 1}` }, detail: kind }));
  return {
    repo,
    opened: outcomes(counts.opened ?? 0, 'opened'),
    updated: outcomes(counts.updated ?? 0, 'updated'),
    closed: outcomes(counts.closed ?? 0, 'closed'),
    skipped: [],
    problems: [],
    partialFailure,
    plan: { updates: [], unchanged: [], problems: [], branches: [] },
  };
}
