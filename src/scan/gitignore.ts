import { compileGlob } from '../config/glob.js';
import type { LinearRegex } from '../versions/pattern.js';

/** Patterns read from one `.gitignore`; more are not read (the rest of the file is left out, so more is scanned). */
export const MAX_GITIGNORE_PATTERNS = 1000;

interface GitignoreRule {
  re: LinearRegex;
  negated: boolean;
  dirOnly: boolean;
}

/** One `.gitignore`, compiled: `ignores('a/b.yaml', false)` for a path relative to the file's directory. */
export interface Gitignore {
  ignores(rel: string, isDir: boolean): boolean;
}

/**
 * Compiles `.gitignore` text to RE2 through config/glob.ts, like every other pattern a repository writes: the `ignore`
 * package's backtracking regexes took minutes for `**\/a/**\/a/**\/…/c` against a 60-level directory chain.
 * Git's rules: `#` comments, `!` re-includes, a trailing `/` matches directories only, a `/` at the start or in the
 * middle anchors to the file's directory (else the pattern matches at any depth); matching ignores case, as before.
 * Example: `logs/` ignores `logs` and `x/logs`; `/top.yaml` only `top.yaml`; `sub/*.yaml` only `sub/a.yaml`.
 */
export function compileGitignore(text: string): Gitignore {
  const rules: GitignoreRule[] = [];
  for (const raw of text.split('\n')) {
    const rule = compileLine(raw);
    if (rule) rules.push(rule);
    if (rules.length >= MAX_GITIGNORE_PATTERNS) break;
  }
  return {
    ignores(rel, isDir) {
      let ignored = false;
      for (const rule of rules) {
        if (rule.dirOnly && !isDir) continue;
        if (rule.negated === ignored && rule.re.test(rel)) ignored = !rule.negated;
      }
      return ignored;
    },
  };
}

function compileLine(raw: string): GitignoreRule | null {
  let line = trimTrailingSpaces(raw.replace(/\r$/, ''));
  if (line === '' || line.startsWith('#')) return null;
  const negated = line.startsWith('!');
  if (negated) line = line.slice(1);
  const dirOnly = line.endsWith('/');
  if (dirOnly) line = line.replace(/\/+$/, '');
  if (line === '') return null;
  const anchored = line.includes('/');
  if (line.startsWith('/')) line = line.slice(1);
  // Braces, parentheses and a leading `!` are literal in `.gitignore`, unlike in config globs.
  let glob = line.replace(/[{}()]/g, '\\$&').replace(/^!/, '\\!');
  // `foo/**` is what is inside foo, not foo itself, so `!foo/keep.yaml` can re-include a file there.
  if (glob.endsWith('/**')) glob += '/*';
  try {
    return { re: compileGlob(anchored ? glob : `**/${glob}`, 'i').re, negated, dirOnly };
  } catch {
    return null;
  }
}

/** Trailing spaces are dropped unless escaped (`a\ ` keeps one); a loop, since a regex is quadratic on `   …x`. */
function trimTrailingSpaces(line: string): string {
  let end = line.length;
  while (end > 0 && line[end - 1] === ' ') end--;
  if (end < line.length && end > 0 && line[end - 1] === '\\') end++;
  return line.slice(0, end);
}
