import { describe, expect, it } from 'vitest';
import { compileLinear, PatternError, unsupportedConstruct } from '../../src/versions/pattern.js';
import { parseCustom } from '../../src/versions/parse.js';
import { pickTarget } from '../../src/versions/pick.js';
import { rangeProblem, regexFromLiteral, satisfiesAllowed } from '../../src/versions/range.js';
import { parseDockerTag } from '../../src/versions/parse.js';

const NOTE = 'patterns run on a linear-time engine (RE2 syntax)';
const problem = (pattern: string): string | null => {
  try {
    regexFromLiteral(pattern);
    return null;
  } catch (err) {
    return err instanceof PatternError ? err.message : `unexpected ${String(err)}`;
  }
};

describe('compileLinear', () => {
  it('matches like a JavaScript regex for the patterns rules use', () => {
    expect(compileLinear('^1\\.3\\.').test('1.3.0')).toBe(true);
    expect(compileLinear('alpine$', 'i').test('1.27-ALPINE')).toBe(true);
    expect(compileLinear('^a.b$', 's').test('a\nb')).toBe(true);
    expect(compileLinear('^b$', 'm').test('a\nb')).toBe(true);
    expect(compileLinear('^b$').test('a\nb')).toBe(false);
    expect(compileLinear('\\u0041\\u{42}').test('AB')).toBe(true);
  });

  it('reads named groups written the JavaScript way, with undefined for a group that took no part', () => {
    expect(compileLinear('^v?(?<major>\\d+)(?:\\.(?<minor>\\d+))?$').groups('v12')).toEqual({ major: '12', minor: undefined });
    expect(compileLinear('^(?<major>\\d+)$').groups('x')).toEqual(null);
  });

  it('refuses flags other than i, m and s', () => {
    expect(() => compileLinear('a', 'y')).toThrow(`flag y is not supported: ${NOTE} reads only i, m and s`);
    expect(() => compileLinear('a', 'g')).toThrow(PatternError);
  });

  it('says which construct a linear-time engine cannot run', () => {
    expect(['/a(?=b)/', '/a(?!b)/', '/(?<=a)b/', '/(?<!a)b/', '/(a)\\1/', '/(?<x>a)\\k<x>/', '/(?>a)/', '/a++/', '/a{2}+/'].map(problem)).toEqual([
      `lookahead is not supported: ${NOTE}`,
      `lookahead is not supported: ${NOTE}`,
      `lookbehind is not supported: ${NOTE}`,
      `lookbehind is not supported: ${NOTE}`,
      `backreference is not supported: ${NOTE}`,
      `backreference is not supported: ${NOTE}`,
      `atomic group is not supported: ${NOTE}`,
      `possessive quantifier is not supported: ${NOTE}`,
      `possessive quantifier is not supported: ${NOTE}`,
    ]);
  });

  it('reads escapes and character classes when looking for those constructs', () => {
    expect(['\\(?=a', '[(?=]', 'a\\++', '(?:a)+', '(?<major>\\d+)', '[\\1]'].map(unsupportedConstruct)).toEqual([null, null, null, null, null, null]);
  });

  it('reports a plain syntax error as JavaScript words it, and an RE2-only one with the engine named', () => {
    expect(problem('/(/')).toEqual('Unterminated group');
    expect(problem('/a{1001}/')).toEqual(`invalid repeat count: \`{1001}\`: ${NOTE}`);
  });
});

describe('patterns from config against hostile subjects', () => {
  const subject = `${'a'.repeat(100_000)}!`;

  it('tests /(a|aa)+$/ as allowedVersions against a 100k-character tag without hanging', () => {
    const version = { ...parseDockerTag('1.0.0')!, raw: subject };
    expect(satisfiesAllowed(version, '/(a|aa)+$/')).toBe(false);
  });

  it('reads a 100k-character candidate with a /(a|aa)+$/ versioning regex without hanging', () => {
    const re = compileLinear('^(?<major>\\d+)(a|aa)+$');
    expect(parseCustom(`1${subject}`, re)).toEqual(null);
    const result = pickTarget('1aa', ['2aa', `3${subject}`, `4${'a'.repeat(100_000)}`], { scheme: 'docker', versioning: '/^(?<major>\\d+)(a|aa)+$/' });
    expect(result.targets).toEqual([{ version: `4${'a'.repeat(100_000)}`, updateType: 'major' }]);
  });

  it('allows nothing when an allowedVersions pattern is one RE2 cannot run', () => {
    const version = parseDockerTag('1.3.0')!;
    expect(satisfiesAllowed(version, '/^1(?=\\.3)/')).toBe(false);
    expect(rangeProblem('/^1(?=\\.3)/')).toEqual(`invalid regex /^1(?=\\.3)/: lookahead is not supported: ${NOTE}`);
  });
});
