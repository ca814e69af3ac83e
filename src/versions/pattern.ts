import { RE2JS } from 're2js';

/**
 * Patterns written by repositories (`/regex/` in rules, `versioning`, `# tidemark: allowedVersions=/…/`) run on RE2
 * (re2js): time linear in the subject whatever the pattern, so `/(a|aa)+$/` against a 100k-character tag cannot hang a
 * run. RE2 has no backreferences or lookaround; those are refused when the config is loaded, with the reason.
 */
export interface LinearRegex {
  /** The pattern as written (before JS escapes were translated). */
  readonly source: string;
  readonly flags: string;
  /** Whether the pattern matches anywhere in `subject`, like `RegExp.prototype.test`. */
  test(subject: string): boolean;
  /** The named groups of the first match (`{ major: '1', minor: undefined }`), or null when there is no match. */
  groups(subject: string): Record<string, string | undefined> | null;
}

/** A pattern that RE2 cannot run, or that is not a regex at all; `message` says why. */
export class PatternError extends SyntaxError {
  constructor(message: string) {
    super(message);
    this.name = 'PatternError';
  }
}

const FLAGS: Record<string, number> = { i: RE2JS.CASE_INSENSITIVE, m: RE2JS.MULTILINE, s: RE2JS.DOTALL };

/** Longest pattern source compiled (after a glob's translation); real ones are well under a hundred characters. */
export const MAX_PATTERN_LENGTH = 4096;

export const LINEAR_ENGINE_NOTE = 'patterns run on a linear-time engine (RE2 syntax)';

/**
 * Compiles `source` with flags among `i`, `m`, `s` on RE2; throws PatternError with a readable reason otherwise.
 * JavaScript's `\u0041` and `\u{1F600}` escapes are accepted (written as RE2's `\x{…}`); named groups `(?<major>\d+)`
 * work as in JavaScript. Example: compileLinear('^v?(?<major>\\d+)$').groups('v12') → `{ major: '12' }`.
 */
export function compileLinear(source: string, flags = ''): LinearRegex {
  // Linear to match, but not to compile: `(a|b)?` repeated in a 600 KB inline control took 4 s and 200 MB to compile.
  if (source.length > MAX_PATTERN_LENGTH) {
    throw new PatternError(`the pattern is ${source.length} characters long; at most ${MAX_PATTERN_LENGTH}`);
  }
  let bits = 0;
  for (const flag of flags) {
    const bit = FLAGS[flag];
    if (bit === undefined) throw new PatternError(`flag ${flag} is not supported: ${LINEAR_ENGINE_NOTE} reads only i, m and s`);
    bits |= bit;
  }
  let re: RE2JS;
  try {
    re = RE2JS.compile(translateJsEscapes(source), bits);
  } catch (err) {
    throw new PatternError(explainRejection(source, err));
  }
  return {
    source,
    flags,
    test: (subject) => re.test(subject),
    groups: (subject) => {
      // re2js types `exec` as `any[]`; it returns a RegExpExecArray-shaped array with `groups` (JS semantics).
      const m = re.exec(subject) as RegExpExecArray | null;
      return m ? { ...m.groups } : null;
    },
  };
}

/** Why RE2 refused `source`: the JavaScript-only construct when there is one, else the syntax error itself. */
function explainRejection(source: string, err: unknown): string {
  const construct = unsupportedConstruct(source);
  if (construct) return `${construct} is not supported: ${LINEAR_ENGINE_NOTE}`;
  try {
    new RegExp(source);
  } catch (jsErr) {
    // Plain syntax errors read as JavaScript reports them: `Unterminated group`.
    return regexErrorText(jsErr);
  }
  const text = (err instanceof Error ? err.message : String(err)).replace(/^error parsing regexp: /, '');
  return `${text}: ${LINEAR_ENGINE_NOTE}`;
}

/** `Invalid regular expression: /(/: Unterminated group` → `Unterminated group`; a PatternError's reason as is. */
export function regexErrorText(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  return message.replace(/^Invalid regular expression: \/.*\/[a-z]*: /s, '');
}

/**
 * The backtracking-only construct in a pattern, by one scan that skips escapes and character classes:
 * `a(?=b)` → lookahead, `(?<!a)b` → lookbehind, `(a)\1` or `\k<x>` → backreference, `(?>a)` → atomic group,
 * `a++` → possessive quantifier; null when there is none.
 */
export function unsupportedConstruct(source: string): string | null {
  let inClass = false;
  for (let i = 0; i < source.length; i++) {
    const c = source[i];
    const next = source[i + 1] ?? '';
    if (c === '\\') {
      if (!inClass && (/[1-9]/.test(next) || (next === 'k' && source[i + 2] === '<'))) return 'backreference';
      i++;
    } else if (inClass) {
      if (c === ']') inClass = false;
    } else if (c === '[') {
      inClass = true;
    } else if (c === '(' && next === '?') {
      const kind = groupKind(source.slice(i + 2, i + 4));
      if (kind) return kind;
    } else if (c !== undefined && '*+?}'.includes(c) && next === '+' && !(c === '?' && source[i - 1] === '(')) {
      return 'possessive quantifier';
    }
  }
  return null;
}

function groupKind(after: string): string | null {
  if (after.startsWith('=') || after.startsWith('!')) return 'lookahead';
  if (after === '<=' || after === '<!') return 'lookbehind';
  if (after.startsWith('>')) return 'atomic group';
  return null;
}

/** `\u0041` → `\x{0041}`, `\u{1F600}` → `\x{1F600}`; every other escape is left as written. */
function translateJsEscapes(source: string): string {
  if (!source.includes('\\u')) return source;
  let out = '';
  for (let i = 0; i < source.length; i++) {
    const c = source[i];
    if (c !== '\\') {
      out += c;
      continue;
    }
    const rest = source.slice(i + 1, i + 12);
    const m = /^u(?:(?<four>[0-9A-Fa-f]{4})|\{(?<any>[0-9A-Fa-f]{1,6})\})/.exec(rest);
    const hex = m?.groups?.['four'] ?? m?.groups?.['any'];
    if (m && hex) {
      out += `\\x{${hex}}`;
      i += m[0].length;
    } else {
      out += c + (source[i + 1] ?? '');
      i++;
    }
  }
  return out;
}
