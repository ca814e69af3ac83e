import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { compileGitignore } from '../../src/scan/gitignore.js';
import { readYamlFiles } from '../../src/scan/walk.js';

const root = mkdtempSync(join(tmpdir(), 'tidemark-gitignore-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** What real git says is ignored among `paths` under a `.gitignore` holding `text`. */
function gitIgnored(text: string, paths: string[]): string[] {
  const dir = mkdtempSync(join(root, 'repo-'));
  execFileSync('git', ['init', '-q', dir]);
  writeFileSync(join(dir, '.gitignore'), text);
  for (const p of paths) {
    mkdirSync(dirname(join(dir, p)), { recursive: true });
    writeFileSync(join(dir, p), 'x');
  }
  const out = execFileSync('git', ['ls-files', '--others', '--exclude-standard'], { cwd: dir, encoding: 'utf8' });
  const kept = new Set(out.split('\n').filter((l) => l !== ''));
  return paths.filter((p) => !kept.has(p));
}

/** What Tidemark's walker ignores: a path is out when it, or a directory above it, is ignored (as the walk prunes). */
function ourIgnored(text: string, paths: string[]): string[] {
  const ig = compileGitignore(text);
  return paths.filter((p) => {
    const parts = p.split('/');
    for (let i = 1; i < parts.length; i++) if (ig.ignores(parts.slice(0, i).join('/'), true)) return true;
    return ig.ignores(p, false);
  });
}

describe('compileGitignore', () => {
  it('re-includes a file under `dir/**`, since the directory itself is not ignored', () => {
    const text = 'foo/**\n!foo/keep.yaml\n';
    const paths = ['foo/keep.yaml', 'foo/drop.yaml', 'foo/sub/x.yaml', 'bar/foo/y.yaml'];
    expect(ourIgnored(text, paths)).toEqual(gitIgnored(text, paths));
    expect(ourIgnored(text, paths)).toEqual(['foo/drop.yaml', 'foo/sub/x.yaml']);
  });

  it('agrees with git on anchoring, directory-only patterns, negation and double stars', () => {
    const text = ['/top.yaml', 'logs/', 'sub/*.tmp.yaml', '*.skip.yaml', '!keep.skip.yaml', 'a/**/z.yaml', '**/deep/', ''].join('\n');
    const paths = ['top.yaml', 'x/top.yaml', 'logs/a.yaml', 'x/logs/b.yaml', 'sub/c.tmp.yaml', 'x/sub/c.tmp.yaml', 'q.skip.yaml',
      'keep.skip.yaml', 'a/z.yaml', 'a/b/c/z.yaml', 'm/deep/n.yaml', 'ok.yaml'];
    expect(ourIgnored(text, paths)).toEqual(gitIgnored(text, paths));
  });

  // Quadratic trimming of a 256 KiB line (the largest .gitignore read) takes tens of seconds; linear, milliseconds.
  it('reads a line of 256 KiB of spaces before a character without quadratic work', { timeout: 10_000 }, () => {
    const ig = compileGitignore(`${' '.repeat(256 * 1024)}x\nkeep.yaml   \n`);
    expect([ig.ignores('x', false), ig.ignores('keep.yaml', false)]).toEqual([false, true]);
  });

  it('does not follow a .gitignore that is a symlink to a file outside the repository, as git does not', async () => {
    const outside = mkdtempSync(join(root, 'outside-'));
    writeFileSync(join(outside, 'rules'), '*.yaml\n');
    const dir = mkdtempSync(join(root, 'repo-'));
    execFileSync('git', ['init', '-q', dir]);
    symlinkSync(join(outside, 'rules'), join(dir, '.gitignore'));
    writeFileSync(join(dir, 'app.yaml'), 'image: nginx:1.27.0\n');
    expect((await readYamlFiles(dir)).files.map((f) => f.path)).toEqual(['app.yaml']);
  });
});
