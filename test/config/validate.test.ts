import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { parseConfigText } from '../../src/config/index.js';
import { CONFIG_SCHEMA, type SchemaNode } from '../../src/config/schema.js';
import { validate } from '../../src/config/validate.js';

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
});
