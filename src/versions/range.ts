import semver from 'semver';
import { compileLinear, PatternError, regexErrorText, type LinearRegex } from './pattern.js';
import type { ParsedVersion } from './types.js';

/** `/^1\.2/` or `/alpine$/i`: a regex literal written as a string in config or an inline control. */
const REGEX_LITERAL = /^\/(?<source>.+)\/(?<flags>[dgimsuvy]*)$/s;

export function isRegexLiteral(s: string): boolean {
  return REGEX_LITERAL.test(s);
}

/**
 * The linear-time regex of a `/…/` literal (flags i, m, s); throws PatternError (a SyntaxError) when its source is
 * not a regex RE2 runs, with the reason: `/a(?=b)/` → `lookahead is not supported: patterns run on a linear-time
 * engine (RE2 syntax)`.
 */
export function regexFromLiteral(s: string): LinearRegex {
  const g = REGEX_LITERAL.exec(s)?.groups;
  if (!g?.source) throw new PatternError(`not a /regex/: ${s}`);
  return compileMemo(g.source, g.flags ?? '');
}

/** Compiled patterns by source and flags, so a rule's regex compiles once per run, not once per tag it tests. */
const compiled = new Map<string, LinearRegex>();
// Above the config's MAX_CONFIG_PATTERNS: rules tested against every dependency must not evict one another.
const MAX_COMPILED = 2048;

/**
 * `compileLinear`, memoised: compiling costs tens of microseconds and the same few config patterns are tested against
 * every tag and dependency. A memo of a pure function (bounded, never consulted for anything but the same answer), not
 * state a run could observe; kept here rather than threaded through every caller of the rules.
 */
export function compileMemo(source: string, flags: string): LinearRegex {
  const key = `${flags}/${source}`;
  let re = compiled.get(key);
  if (!re) {
    re = compileLinear(source, flags);
    if (compiled.size >= MAX_COMPILED) compiled.clear();
    compiled.set(key, re);
  }
  return re;
}

/** A message when `s` is neither a valid `/regex/` nor a semver range, else null. */
export function rangeProblem(s: string): string | null {
  if (isRegexLiteral(s)) {
    try {
      regexFromLiteral(s);
      return null;
    } catch (err) {
      const shown = s.length > 64 ? `${s.slice(0, 60)}… (${s.length} characters)` : s;
      return `invalid regex ${shown}: ${regexErrorText(err)}`;
    }
  }
  return semver.validRange(s) === null ? `invalid semver range "${s}"` : null;
}

/** Whether `pattern` (a `/regex/` literal) matches `subject`; false when it is not a regex RE2 runs. */
export function literalMatches(pattern: string, subject: string): boolean {
  try {
    return regexFromLiteral(pattern).test(subject);
  } catch (err) {
    if (err instanceof PatternError) return false;
    throw err;
  }
}

/** A semver string for range checks: `1.25` → `1.25.0`, `17rc1` → `17.0.0-rc.1`. */
export function toSemver(v: ParsedVersion): string {
  const [major = 0, minor = 0, patch = 0] = v.release;
  const pre = v.prerelease ? '-' + v.prerelease.join('.') : '';
  return `${major}.${minor}.${patch}${pre}`;
}

/** Whether a version satisfies `allowed`: a `/regex/` tested against the raw tag, or a semver range. */
export function satisfiesAllowed(v: ParsedVersion, allowed: string): boolean {
  // A pattern RE2 cannot run allows nothing: narrower, never wider, than what was written (config loading reports it).
  if (isRegexLiteral(allowed)) return literalMatches(allowed, v.raw);
  return semver.satisfies(toSemver(v), allowed, { includePrerelease: true, loose: true });
}

/** Chart.yaml ranges: `1.x.x`, `~1.2`, `^1.0.0`, `>=1 <2`; a plain version is not a range. */
export function isVersionRange(value: string): boolean {
  const plain = value.replace(/^v/, '');
  if (semver.valid(plain) !== null || /^\d+(\.\d+){0,2}$/.test(plain)) return false;
  return semver.validRange(value) !== null;
}
