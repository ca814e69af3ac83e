import { formatPatch, structuredPatch } from 'diff';

const CONTEXT = 3;

/**
 * A unified diff of one file as `git diff` writes it (three lines of context, a `diff --git` header), computed and
 * formatted by the `diff` library. File names are C-quoted as git quotes them, so a name holding a line break cannot
 * add header lines: `a\n+++ b/x` → `"a/a\n+++ b/x"`. The file's text is returned as is: callers escape it for where
 * it goes (`terminalText` on a terminal). Empty when nothing changed.
 */
export function unifiedDiff(path: string, before: string, after: string): string {
  if (before === after) return '';
  const patch = structuredPatch(`a/${path}`, `b/${path}`, before, after, undefined, undefined, { context: CONTEXT });
  return formatPatch({ ...patch, isGit: true });
}
