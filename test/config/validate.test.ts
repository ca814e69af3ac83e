import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { parseConfigText } from '../../src/config/index.js';
import { CONFIG_SCHEMA, type SchemaNode } from '../../src/config/schema.js';
import { MAX_ISSUES, validate } from '../../src/config/validate.js';

const errorsOf = (text: string) => parseConfigText(text, '.tidemark.yaml').errors.map((e) => [e.line, e.message]);

describe('config validation (ajv against the schema)', () => {
  it('gives the same answers with config/schema.json, the file editors validate with, as with the schema in code', () => {
    const published = JSON.parse(readFileSync(new URL('../../config/schema.json', import.meta.url), 'utf8')) as SchemaNode;
    const bad = parse('rules:\n  - match:\n      managers: [kubernets]\n    sepratMajor: true\n    enabled: "yes"\nprHourlyLimit: -1\nbaseBranch: 3\n');
    const issues = validate(bad, CONFIG_SCHEMA);
    expect(issues.map((i) => i.message)).toEqual([
      'rules[0].match.managers[0]: "kubernets" is not one of kubernetes, helm-values, helm-chart, kustomize, flux, argocd, helmfile, docker-compose; did you mean "kubernetes"?',
      'unknown key "sepratMajor" in rules[0]; did you mean "separateMajor"?',
      'rules[0].enabled: expected a boolean, got a string',
      'prHourlyLimit: must be at least 0',
      'baseBranch: expected a string or null, got an integer',
    ]);
    expect(validate(bad, published)).toEqual(issues);
  });

  it('reports one problem per value: a wrong type, not also the enum or format it then fails', () => {
    expect(errorsOf('rules:\n  - rangeStrategy: 3\n    minimumReleaseAge: 7\n    allowedVersions: [1]\n')).toEqual([
      [2, 'rules[0].rangeStrategy: expected a string, got an integer'],
      [3, 'rules[0].minimumReleaseAge: expected a string, got an integer'],
      [4, 'rules[0].allowedVersions: expected a string, got an array'],
    ]);
  });

  it('lists the known keys when no key is close to a misspelt one', () => {
    expect(errorsOf('registries:\n  ghcr.io:\n    verify: false\n')).toEqual([
      [3, 'unknown key "verify" in registries.ghcr.io; known keys: insecure, usernameEnv, passwordEnv, tokenEnv, mirrorOf'],
    ]);
  });

  it('keeps a registry key that looks like a number a key, at its own line', () => {
    expect(errorsOf('registries:\n  "5000":\n    insecur: true\n')).toEqual([[3, 'unknown key "insecur" in registries.5000; did you mean "insecure"?']]);
  });

  it('reports problems in the order of the file, whatever the order of the schema', () => {
    expect(errorsOf('dashboard: maybe\nrules: {}\nbranchPrefix: 7\n')).toEqual([
      [1, 'dashboard: expected a boolean, got a string'],
      [2, 'rules: expected an array, got an object'],
      [3, 'branchPrefix: expected a string, got an integer'],
    ]);
  });

  it('checks JSON Schema keywords the schema may come to use, such as maxLength, with a message naming the path', () => {
    const schema = { type: 'object', properties: { name: { type: 'string', maxLength: 3 } } } as unknown as SchemaNode;
    expect(validate({ name: 'abcdef' }, schema)).toEqual([{ path: ['name'], message: 'name: must NOT have more than 3 characters' }]);
  });

  describe('a hostile config', () => {
    it(`reports the first ${MAX_ISSUES} of 19,000 unknown keys in file order, then how many more, and checks them in well under the time a quadratic placement takes`, () => {
      const value = Object.fromEntries(Array.from({ length: 19_000 }, (_, i) => [`k${i}`, 1]));
      const started = performance.now();
      const issues = validate(value, CONFIG_SCHEMA);
      const ms = performance.now() - started;
      expect(issues).toHaveLength(MAX_ISSUES + 1);
      expect(issues[0]!.message).toMatch(/^unknown key "k0"; /);
      expect(issues[MAX_ISSUES - 1]!.message).toMatch(/^unknown key "k99"; /);
      expect(issues[MAX_ISSUES]).toEqual({ path: [], message: `and ${19_000 - MAX_ISSUES} more problems in this file, not listed` });
      // Placing each issue by scanning its map's keys took over a minute here; indexed, a fraction of a second.
      expect(ms).toBeLessThan(5000);
    });

    it('reports a config of thousands of bad rules at its lines, capped, through the loader', () => {
      const text = 'rules:\n' + Array.from({ length: 3000 }, () => '  - {rangeStrategy: x, sepratMajor: 1}').join('\n') + '\n';
      const errors = errorsOf(text);
      expect(errors).toHaveLength(MAX_ISSUES + 1);
      expect(errors.slice(0, 2)).toEqual([
        [2, 'rules[0].rangeStrategy: "x" is not one of keep, pin, replace'],
        [2, 'unknown key "sepratMajor" in rules[0]; did you mean "separateMajor"?'],
      ]);
      expect(errors.at(-1)).toEqual([1, `and ${6000 - MAX_ISSUES} more problems in this file, not listed`]);
    });

    it('quotes at most 200 characters of a long value or key in a message', () => {
      const long = 'x'.repeat(500_000);
      const issues = validate({ [long]: 1, rules: [{ rangeStrategy: long, sourceUrl: long, minimumReleaseAge: long, allowedVersions: `${long} ~` }] }, CONFIG_SCHEMA);
      expect(issues).toHaveLength(5);
      for (const issue of issues) expect(issue.message.length).toBeLessThan(1000);
      expect(issues.map((i) => i.message.replace(/x{200}…/, 'X…'))).toEqual([
        expect.stringMatching(/^unknown key "X…"; known keys: \$schema, ignorePaths, rules/),
        'rules[0].rangeStrategy: "X…" is not one of keep, pin, replace',
        'rules[0].sourceUrl: "X…" is not an http(s) URL',
        'rules[0].minimumReleaseAge: "X…" is not a duration like "3 days", "12h", "30m" or "1 week"',
        expect.stringMatching(/^rules\[0\]\.allowedVersions: invalid semver range "x+X…$/),
      ]);
    });
  });
});
