import { describe, expect, it } from 'vitest';
import { matchesRule, parseConfigText, type MatchSubject } from '../../src/config/index.js';
import { compileGlob, globMatches, globProblem, globsMatcher } from '../../src/config/glob.js';

const table = (glob: string, subjects: string[]) => subjects.map((s) => globMatches(glob, s));

describe('globs on a linear-time engine', () => {
  it('reads * within a segment, ** across segments, and ? as one character', () => {
    expect(table('ghcr.io/acme/*', ['ghcr.io/acme/web', 'ghcr.io/acme/web/x', 'ghcr.io/acmes/web'])).toEqual([true, false, false]);
    expect(table('**/postgresql', ['postgresql', 'docker.io/bitnami/postgresql', 'bitnami/postgresql-ha'])).toEqual([true, true, false]);
    expect(table('apps/prod/**', ['apps/prod', 'apps/prod/web.yaml', 'apps/prod/a/b.yaml', 'apps/production/x'])).toEqual([true, true, true, false]);
    expect(table('a/**/b', ['a/b', 'a/x/y/b', 'a/xb'])).toEqual([true, true, false]);
    expect(table('**', ['a', 'a/b/c'])).toEqual([true, true]);
    expect(table('a?c', ['abc', 'a/c', 'ac'])).toEqual([true, false, false]);
    expect(table('a**b', ['axxb', 'ax/b'])).toEqual([true, false]);
  });

  it('reads classes, braces, extglobs, escapes and a leading negation', () => {
    expect(table('[abc]*', ['apple', 'dog'])).toEqual([true, false]);
    expect(table('[!abc]*', ['apple', 'dog'])).toEqual([false, true]);
    expect(table('ghcr.io/acme/{web,api}', ['ghcr.io/acme/web', 'ghcr.io/acme/api', 'ghcr.io/acme/db'])).toEqual([true, true, false]);
    expect(table('a{b,c{d,e}}f', ['abf', 'acdf', 'acef', 'acf'])).toEqual([true, true, true, false]);
    expect(table('@(web|api)', ['web', 'api', 'webapi'])).toEqual([true, true, false]);
    expect(table('+(a)', ['a', 'aaa', ''])).toEqual([true, true, false]);
    expect(table('x\\*y', ['x*y', 'xay'])).toEqual([true, false]);
    expect(table('!bitnami/*', ['bitnami/redis', 'acme/web'])).toEqual([false, true]);
    expect(table('x[y', ['x[y'])).toEqual([true]);
    expect(compileGlob('docker.io/library/*').re.source).toEqual('^(?:docker\\.io/library/[^/]*)$');
  });

  it('refuses a negated extglob, which needs lookahead', () => {
    expect(globProblem('!(web)')).toEqual('invalid glob !(web): !(…) is not supported: patterns run on a linear-time engine (RE2 syntax)');
    expect(globMatches('!(web)', 'api')).toBe(false);
  });

  it('matches a glob of many stars against a long name without backtracking', () => {
    const glob = `${'*a'.repeat(12)}*b`;
    const name = 'a'.repeat(512);
    const subject: MatchSubject = { name, manager: 'kubernetes', datasource: 'docker', file: `apps/${name}.yaml`, currentValue: '1.0' };
    expect(matchesRule({ packageNames: [glob] }, subject)).toBe(false);
    expect(matchesRule({ paths: [glob] }, subject)).toBe(false);
    expect(matchesRule({ packageNames: [`${'*a'.repeat(12)}*`] }, subject)).toBe(true);
  });

  it('compiles each of many globs once, not once per path tested', () => {
    const matches = globsMatcher(Array.from({ length: 1000 }, (_, i) => `**/${'*a'.repeat(20)}x${i}/**`));
    const started = Date.now();
    for (let i = 0; i < 20; i++) expect(matches(`${'a'.repeat(200)}/f${i}.yaml`)).toBe(false);
    expect(matches(`${'a'.repeat(200)}x999/f.yaml`)).toBe(true);
    expect(Date.now() - started).toBeLessThan(3000);
  });
});

describe('globs in the config file', () => {
  it('reports a glob RE2 cannot run at its line, in packageNames, paths and ignorePaths', () => {
    const text = ['ignorePaths: ["!(vendor)/**"]', 'rules:', '  - match:', '      packageNames: ["!(nginx)"]', '      paths: ["apps/!(prod)/**"]', '    enabled: false'].join('\n');
    expect(parseConfigText(text, '.tidemark.yaml').errors.map((e) => [e.line, e.message])).toEqual([
      [1, 'ignorePaths[0]: invalid glob !(vendor)/**: !(…) is not supported: patterns run on a linear-time engine (RE2 syntax)'],
      [4, 'rules[0].match.packageNames[0]: invalid glob !(nginx): !(…) is not supported: patterns run on a linear-time engine (RE2 syntax)'],
      [5, 'rules[0].match.paths[0]: invalid glob apps/!(prod)/**: !(…) is not supported: patterns run on a linear-time engine (RE2 syntax)'],
    ]);
  });
});
