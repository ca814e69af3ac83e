import { oneLine } from '../escape.js';

const CONTEXT = 3;

interface Hunk {
  /** 0-based first line of the hunk in both files (edits keep line counts, see below). */
  start: number;
  end: number;
}

/**
 * A unified diff (`git diff` style) of one file. Splice edits replace tokens inside lines and never add or remove
 * a line, so lines are compared pairwise; when the line counts differ the whole file is one hunk.
 */
export function unifiedDiff(path: string, before: string, after: string): string {
  if (before === after) return '';
  const a = splitLines(before);
  const b = splitLines(after);
  const shown = oneLine(path); // a file name holding a line break cannot add header lines: `a\n+++ b/x` → `a +++ b/x`
  const header = `diff --git a/${shown} b/${shown}\n--- a/${shown}\n+++ b/${shown}\n`;
  if (a.length !== b.length) return header + hunkText(a, b, 0, a.length, 0, b.length, before, after);
  let out = header;
  for (const h of hunksOf(a, b)) out += hunkText(a, b, h.start, h.end, h.start, h.end, before, after);
  return out;
}

function splitLines(text: string): string[] {
  if (text === '') return [];
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  return lines;
}

function hunksOf(a: string[], b: string[]): Hunk[] {
  const hunks: Hunk[] = [];
  for (let i = 0; i < a.length; i++) {
    if (a[i] === b[i]) continue;
    const start = Math.max(0, i - CONTEXT);
    const end = Math.min(a.length, i + 1 + CONTEXT);
    const last = hunks[hunks.length - 1];
    if (last && start <= last.end) last.end = end;
    else hunks.push({ start, end });
  }
  return hunks;
}

function hunkText(a: string[], b: string[], aStart: number, aEnd: number, bStart: number, bEnd: number, before: string, after: string): string {
  const lines: string[] = [`@@ -${range(aStart, aEnd)} +${range(bStart, bEnd)} @@`];
  const sameCount = a.length === b.length;
  const removed: string[] = [];
  const added: string[] = [];
  const flush = (): void => {
    // Loops, not `push(...)`: a hunk of >100k lines would overflow the call stack.
    for (const l of removed) lines.push(l);
    for (const l of added) lines.push(l);
    removed.length = 0;
    added.length = 0;
  };
  for (let i = aStart, j = bStart; i < aEnd || j < bEnd; i++, j++) {
    const left = i < aEnd ? a[i] : undefined;
    const right = j < bEnd ? b[j] : undefined;
    if (sameCount && left === right) {
      flush();
      lines.push(' ' + left + noNewline(a, i, before));
      continue;
    }
    if (left !== undefined) removed.push('-' + left + noNewline(a, i, before));
    if (right !== undefined) added.push('+' + right + noNewline(b, j, after));
  }
  flush();
  return lines.join('\n') + '\n';
}

function noNewline(lines: string[], index: number, text: string): string {
  return index === lines.length - 1 && !text.endsWith('\n') ? '\n\\ No newline at end of file' : '';
}

function range(start: number, end: number): string {
  const count = end - start;
  const first = count === 0 ? start : start + 1;
  return count === 1 ? `${first}` : `${first},${count}`;
}
