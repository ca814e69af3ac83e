import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { terminalText } from '../../src/escape.js';
import { unifiedDiff } from '../../src/publish/diff.js';

/** Applies the diff with `git apply` to prove it is a real patch. */
function gitApply(path: string, before: string, diff: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'tidemark-diff-'));
  try {
    writeFileSync(join(dir, path), before);
    writeFileSync(join(dir, 'p.diff'), diff);
    execFileSync('git', ['apply', '--unsafe-paths', 'p.diff'], { cwd: dir });
    return readFileSync(join(dir, path), 'utf8');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const lines = (n: number) => Array.from({ length: n }, (_, i) => `line ${i + 1}`);

describe('unifiedDiff', () => {
  it('shows far-apart changes as separate hunks with three lines of context', () => {
    const a = lines(20);
    const b = [...a];
    b[1] = 'changed 2';
    b[15] = 'changed 16';
    const before = a.join('\n') + '\n';
    const after = b.join('\n') + '\n';
    const diff = unifiedDiff('f.yaml', before, after);
    expect(diff).toEqual(
      [
        'diff --git a/f.yaml b/f.yaml',
        '--- a/f.yaml',
        '+++ b/f.yaml',
        '@@ -1,5 +1,5 @@',
        ' line 1',
        '-line 2',
        '+changed 2',
        ' line 3',
        ' line 4',
        ' line 5',
        '@@ -13,7 +13,7 @@',
        ' line 13',
        ' line 14',
        ' line 15',
        '-line 16',
        '+changed 16',
        ' line 17',
        ' line 18',
        ' line 19',
        '',
      ].join('\n'),
    );
    expect(gitApply('f.yaml', before, diff)).toEqual(after);
  });

  it('marks a last line without a newline and keeps CRLF', () => {
    const before = 'a: 1\r\nb: 2';
    const after = 'a: 1\r\nb: 3';
    const diff = unifiedDiff('f.yaml', before, after);
    expect(diff).toEqual('diff --git a/f.yaml b/f.yaml\n--- a/f.yaml\n+++ b/f.yaml\n@@ -1,2 +1,2 @@\n a: 1\r\n-b: 2\n\\ No newline at end of file\n+b: 3\n\\ No newline at end of file\n');
    expect(gitApply('f.yaml', before, diff)).toEqual(after);
  });

  it('prints nothing for an unchanged file and only the added line when line counts differ', () => {
    expect(unifiedDiff('f', 'x\n', 'x\n')).toEqual('');
    const diff = unifiedDiff('f', 'a\nb\n', 'a\nb\nc\n');
    expect(diff).toEqual('diff --git a/f b/f\n--- a/f\n+++ b/f\n@@ -1,2 +1,3 @@\n a\n b\n+c\n');
    expect(gitApply('f', 'a\nb\n', diff)).toEqual('a\nb\nc\n');
  });

  it('diffs a file that was empty, as git does', () => {
    const diff = unifiedDiff('f', '', 'a\n');
    expect(diff).toEqual('diff --git a/f b/f\n--- a/f\n+++ b/f\n@@ -0,0 +1,1 @@\n+a\n');
    expect(gitApply('f', '', diff)).toEqual('a\n');
  });

  it('quotes a file name as git does, so it stays on one line, and leaves control characters in the text for the caller to escape', () => {
    const diff = unifiedDiff('a\n+++ b/x', 'tag: 1\u001b[2J\n', 'tag: 2\u001b[2J\n');
    expect(diff.split('\n').slice(0, 3)).toEqual(['diff --git "a/a\\n+++ b/x" "b/a\\n+++ b/x"', '--- "a/a\\n+++ b/x"', '+++ "b/a\\n+++ b/x"']);
    expect(terminalText(diff)).toContain('-tag: 1\\u001b[2J\n+tag: 2\\u001b[2J\n');
  });
});
