import semver from 'semver';
import type { ParsedVersion } from './types.js';

/** `/^1\.2/` or `/alpine$/i`: a regex literal written as a string in config or an inline control. */
const REGEX_LITERAL = /^\/(?<source>.+)\/(?<flags>[dgimsuvy]*)$/s;

export function isRegexLiteral(s: string): boolean {
  return REGEX_LITERAL.test(s);
}

/** The RegExp of a `/…/` literal; throws SyntaxError when its source is not a valid regex. */
export function regexFromLiteral(s: string): RegExp {
  const g = REGEX_LITERAL.exec(s)?.groups;
  if (!g?.source) throw new SyntaxError(`not a /regex/: ${s}`);
  return new RegExp(g.source, (g.flags ?? '').replace('g', ''));
}

/** A message when `s` is neither a valid `/regex/` nor a semver range, else null. */
export function rangeProblem(s: string): string | null {
  if (isRegexLiteral(s)) {
    try {
      regexFromLiteral(s);
      return null;
    } catch (err) {
      return `invalid regex ${s}: ${regexErrorText(err)}`;
    }
  }
  return semver.validRange(s) === null ? `invalid semver range "${s}"` : null;
}

/** `Invalid regular expression: /(/: Unterminated group` → `Unterminated group`. */
export function regexErrorText(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  return message.replace(/^Invalid regular expression: \/.*\/[a-z]*: /s, '');
}

/** A semver string for range checks: `1.25` → `1.25.0`, `17rc1` → `17.0.0-rc.1`. */
export function toSemver(v: ParsedVersion): string {
  const [major = 0, minor = 0, patch = 0] = v.release;
  const pre = v.prerelease ? '-' + v.prerelease.join('.') : '';
  return `${major}.${minor}.${patch}${pre}`;
}

/** Whether a version satisfies `allowed`: a `/regex/` tested against the raw tag, or a semver range. */
export function satisfiesAllowed(v: ParsedVersion, allowed: string): boolean {
  if (isRegexLiteral(allowed)) return regexFromLiteral(allowed).test(v.raw);
  return semver.satisfies(toSemver(v), allowed, { includePrerelease: true, loose: true });
}

/** Chart.yaml ranges: `1.x.x`, `~1.2`, `^1.0.0`, `>=1 <2`; a plain version is not a range. */
export function isVersionRange(value: string): boolean {
  const plain = value.replace(/^v/, '');
  if (semver.valid(plain) !== null || /^\d+(\.\d+){0,2}$/.test(plain)) return false;
  return semver.validRange(value) !== null;
}
