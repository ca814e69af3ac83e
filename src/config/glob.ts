import { compileMemo } from '../versions/range.js';
import { LINEAR_ENGINE_NOTE, PatternError, type LinearRegex } from '../versions/pattern.js';

/**
 * Globs written by repositories (`packageNames`, `paths`, `ignorePaths`) run on RE2 like their regexes: picomatch
 * compiles `*a*a*a*a*a*a*a*b` to a backtracking regex that takes seconds on a 60-character name and hours on a longer
 * one. The syntax is picomatch's as these settings use it (with `dot: true`):
 * `*` any run of characters but `/`, `?` one of them, `**` as a whole segment any number of segments,
 * `[abc]`/`[!abc]` classes, `{a,b}` alternatives, `@(a|b)`, `?(a)`, `*(a)`, `+(a)` extglobs, `\` escapes,
 * and a leading `!` negating the whole glob. `!(a)` needs lookahead and is refused.
 * Example: `ghcr.io/acme/*` → `^(?:ghcr\.io/acme/[^/]*)$`; `apps/prod/**` also matches `apps/prod` itself.
 */
export function compileGlob(glob: string, flags = ''): { re: LinearRegex; negated: boolean } {
  const negated = glob.startsWith('!') && !glob.startsWith('!(');
  const body = negated ? glob.slice(1) : glob;
  return { re: compileMemo(`^(?:${translate(body)})$`, flags), negated };
}

/** Whether `subject` matches `glob`; a glob RE2 cannot run (config loading reports it) matches nothing. */
export function globMatches(glob: string, subject: string): boolean {
  let compiled: { re: LinearRegex; negated: boolean };
  try {
    compiled = compileGlob(glob);
  } catch (err) {
    if (err instanceof PatternError) return false;
    throw err;
  }
  return compiled.re.test(subject) !== compiled.negated;
}

/** One predicate for several globs: true when any matches. Each compiles once, here, not once per subject. */
export function globsMatcher(globs: readonly string[]): (subject: string) => boolean {
  const compiled: { re: LinearRegex; negated: boolean }[] = [];
  for (const glob of globs) {
    try {
      compiled.push(compileGlob(glob));
    } catch (err) {
      if (!(err instanceof PatternError)) throw err;
    }
  }
  return (subject) => compiled.some(({ re, negated }) => re.test(subject) !== negated);
}

/** A message when `glob` is not one RE2 can run, else null. */
export function globProblem(glob: string): string | null {
  try {
    compileGlob(glob);
    return null;
  } catch (err) {
    return `invalid glob ${glob}: ${err instanceof Error ? err.message : String(err)}`;
  }
}

const REGEX_META = /[.+^$|()[\]{}\\*?]/;
const EXTGLOB: Record<string, string> = { '@': '', '?': '?', '*': '*', '+': '+' };

/** The RE2 source of a glob body, by one pass with a stack of open groups. */
function translate(glob: string): string {
  const closers = matchingClosers(glob);
  const open: { kind: 'brace' | 'ext'; quantifier: string }[] = [];
  let out = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i] ?? '';
    const next = glob[i + 1] ?? '';
    if (c === '\\') {
      out += escapeLiteral(next || '\\');
      i++;
    } else if ('@?*+!'.includes(c) && next === '(' && closers.has(i + 1)) {
      if (c === '!') throw new PatternError(`!(…) is not supported: ${LINEAR_ENGINE_NOTE}`);
      open.push({ kind: 'ext', quantifier: EXTGLOB[c] ?? '' });
      out += '(?:';
      i++;
    } else if (c === '*') {
      const run = starRun(glob, i);
      if (!isWholeSegment(glob, i, run)) out += '[^/]*';
      else if (glob[i + run] === '/') out += '(?:.*/)?';
      else if (out.endsWith('/')) out = `${out.slice(0, -1)}(?:/.*)?`;
      else out += '.*';
      // `**/` takes its slash with it: `**/x` matches `x` too.
      i += run - 1 + (isWholeSegment(glob, i, run) && glob[i + run] === '/' ? 1 : 0);
    } else if (c === '?') {
      out += '[^/]';
    } else if (c === '[' && closers.has(i)) {
      const end = closers.get(i)!;
      out += charClass(glob.slice(i + 1, end));
      i = end;
    } else if (c === '{' && closers.has(i)) {
      open.push({ kind: 'brace', quantifier: '' });
      out += '(?:';
    } else if ((c === ',' && open.at(-1)?.kind === 'brace') || (c === '|' && open.at(-1)?.kind === 'ext')) {
      out += '|';
    } else if ((c === '}' && open.at(-1)?.kind === 'brace') || (c === ')' && open.at(-1)?.kind === 'ext')) {
      out += `)${open.pop()?.quantifier ?? ''}`;
    } else {
      out += escapeLiteral(c);
    }
  }
  return out;
}

/** How many `*` start at `i`. */
function starRun(glob: string, i: number): number {
  let j = i;
  while (glob[j] === '*') j++;
  return j - i;
}

/**
 * `**` as a whole path segment: alone any path; before a slash any leading directories (none too); after one, the
 * directory and everything under it (`apps/prod/**` matches `apps/prod`). Anywhere else (`a**b`) it is one `*`.
 */
function isWholeSegment(glob: string, i: number, run: number): boolean {
  return run >= 2 && (i === 0 || glob[i - 1] === '/') && (i + run === glob.length || glob[i + run] === '/');
}

/** Positions of `[`, `{` and extglob `(` that have a matching closer, mapped to it; anything else is literal. */
function matchingClosers(glob: string): Map<number, number> {
  const out = new Map<number, number>();
  const stack: { at: number; closer: string }[] = [];
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i];
    if (c === '\\') {
      i++;
    } else if (c === '[') {
      // A class ends at the first `]` after its first character (`[]a]` holds `]`).
      const end = glob.indexOf(']', i + (glob[i + 1] === '!' || glob[i + 1] === '^' ? 3 : 2));
      if (end !== -1) {
        out.set(i, end);
        i = end;
      }
    } else if (c === '{' || (c === '(' && i > 0 && '@?*+!'.includes(glob[i - 1] ?? ''))) {
      stack.push({ at: i, closer: c === '{' ? '}' : ')' });
    } else if (c === stack.at(-1)?.closer) {
      out.set(stack.pop()!.at, i);
    }
  }
  return out;
}

/** `abc` → `[abc]`, `!abc` → `[^abc]`; backslashes and RE2-special characters inside are kept literal. */
function charClass(body: string): string {
  const negated = body.startsWith('!') || body.startsWith('^');
  const chars = negated ? body.slice(1) : body;
  let out = '';
  for (const ch of chars) out += ch === '\\' || ch === '[' || ch === ']' ? `\\${ch}` : ch;
  return `[${negated ? '^' : ''}${out}]`;
}

function escapeLiteral(c: string): string {
  return REGEX_META.test(c) ? `\\${c}` : c;
}
