import { describe, expect, it } from 'vitest';
import { matchesRule, parseConfigText, type MatchSubject } from '../../src/config/index.js';

const NOTE = 'patterns run on a linear-time engine (RE2 syntax)';
const errorsOf = (text: string) => parseConfigText(text, '.tidemark.yaml').errors.map((e) => [e.line, e.message]);

describe('regexes in the config file', () => {
  it('reports lookaround and backreferences at file:line, saying why', () => {
    const text = [
      'rules:',
      '  - versioning: "^(?<major>\\\\d+)(?=-)"',
      '  - allowedVersions: /^1\\.(?!0)/',
      '    match:',
      '      packageNames: ["/(?<=ghcr.io/)acme/"]',
      '      currentVersion: /(\\d)\\1/',
    ].join('\n');
    expect(errorsOf(text)).toEqual([
      [2, `rules[0].versioning: invalid regex ^(?<major>\\d+)(?=-): lookahead is not supported: ${NOTE}`],
      [3, `rules[1].allowedVersions: invalid regex /^1\\.(?!0)/: lookahead is not supported: ${NOTE}`],
      [5, `rules[1].match.packageNames[0]: invalid regex /(?<=ghcr.io/)acme/: lookbehind is not supported: ${NOTE}`],
      [6, `rules[1].match.currentVersion: invalid regex /(\\d)\\1/: backreference is not supported: ${NOTE}`],
    ]);
  });

  it('reports a flag RE2 does not read, and accepts i, m and s', () => {
    expect(errorsOf('rules:\n  - allowedVersions: /^1/y\n')).toEqual([
      [2, `rules[0].allowedVersions: invalid regex /^1/y: flag y is not supported: ${NOTE} reads only i, m and s`],
    ]);
    expect(errorsOf('rules:\n  - allowedVersions: /^1/ims\n    versioning: /^(?<major>\\d+)$/i\n')).toEqual([]);
  });

  it('keeps named groups for versioning', () => {
    expect(errorsOf('rules:\n  - versioning: "^main-[0-9a-f]+-(?<build>\\\\d+)$"\n')).toEqual([]);
  });
});

describe('rules with a catastrophic pattern', () => {
  const long = `${'a'.repeat(100_000)}!`;
  const subject: MatchSubject = { name: long, manager: 'kubernetes', datasource: 'docker', file: 'a.yaml', currentValue: long };

  it('match /(a|aa)+$/ in packageNames and currentVersion against 100k-character values without hanging', () => {
    expect(matchesRule({ packageNames: ['/(a|aa)+$/'] }, subject)).toBe(false);
    expect(matchesRule({ currentVersion: '/(a|aa)+$/' }, subject)).toBe(false);
    expect(matchesRule({ packageNames: ['/(a|aa)+!$/'], currentVersion: '/^(a|aa)+!$/' }, subject)).toBe(true);
  });
});
