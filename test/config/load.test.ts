import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG, loadConfig, parseConfigText } from '../../src/config/index.js';

const errorsOf = (text: string) => parseConfigText(text, '.tidemark.yaml').errors;

describe('parseConfigText', () => {
  it('applies defaults to an empty file', () => {
    expect(parseConfigText('', '.tidemark.yaml')).toEqual({ config: DEFAULT_CONFIG, errors: [], warnings: [] });
  });

  it('keeps the user settings and fills in the rest', () => {
    const { config, errors } = parseConfigText('branchPrefix: deps/\nauthor:\n  name: bot\nrules:\n  - group: all\n', 'x.yaml');
    expect(errors).toEqual([]);
    expect(config).toEqual({
      ...DEFAULT_CONFIG,
      branchPrefix: 'deps/',
      author: { name: 'bot', email: DEFAULT_CONFIG.author.email },
      rules: [{ group: 'all' }],
    });
  });

  it('suggests the key meant by a misspelt one, at its line', () => {
    const text = 'rules:\n  - match:\n      packageNames: [nginx]\n    sepratMajor: false\n';
    expect(errorsOf(text)).toEqual([
      { file: '.tidemark.yaml', line: 4, message: 'unknown key "sepratMajor" in rules[0]; did you mean "separateMajor"?' },
    ]);
  });

  it('suggests top-level keys too', () => {
    expect(errorsOf('ignorePath:\n  - vendor/**\n')).toEqual([
      { file: '.tidemark.yaml', line: 1, message: 'unknown key "ignorePath"; did you mean "ignorePaths"?' },
    ]);
  });

  it('reports wrong types with the path and line of the value', () => {
    const text = 'prHourlyLimit: 2\nrules:\n  - enabled: "no"\n  - labels: deps\n';
    expect(errorsOf(text)).toEqual([
      { file: '.tidemark.yaml', line: 3, message: 'rules[0].enabled: expected a boolean, got a string' },
      { file: '.tidemark.yaml', line: 4, message: 'rules[1].labels: expected an array, got a string' },
    ]);
  });

  it('reports a bad regex in versioning, allowedVersions and package names', () => {
    const text = [
      'rules:',
      '  - versioning: "^(?<major>\\\\d+"',
      '  - allowedVersions: /(/',
      '    match:',
      '      packageNames: ["/[a-/"]',
    ].join('\n');
    const errors = errorsOf(text);
    expect(errors.map((e) => [e.line, e.message])).toEqual([
      [2, 'rules[0].versioning: invalid regex ^(?<major>\\d+: Unterminated group'],
      [3, 'rules[1].allowedVersions: invalid regex /(/: Unterminated group'],
      [5, 'rules[1].match.packageNames[0]: invalid regex /[a-/: Unterminated character class'],
    ]);
  });

  it('reports a bad semver range and a bad duration', () => {
    const text = 'rules:\n  - allowedVersions: "one point two"\n    minimumReleaseAge: 3 fortnights\n';
    expect(errorsOf(text)).toEqual([
      { file: '.tidemark.yaml', line: 2, message: 'rules[0].allowedVersions: invalid semver range "one point two"' },
      {
        file: '.tidemark.yaml', line: 3,
        message: 'rules[0].minimumReleaseAge: "3 fortnights" is not a duration like "3 days", "12h", "30m" or "1 week"',
      },
    ]);
  });

  it('takes a rule\'s sourceUrl only as an http(s) URL', () => {
    const text = 'rules:\n  - sourceUrl: https://github.com/acme/web\n  - sourceUrl: "file:///etc/passwd"\n';
    expect(errorsOf(text)).toEqual([{ file: '.tidemark.yaml', line: 3, message: 'rules[1].sourceUrl: "file:///etc/passwd" is not an http(s) URL' }]);
  });

  it('suggests the manager meant by a misspelt one', () => {
    expect(errorsOf('rules:\n  - match:\n      managers: [kubernets]\n')).toEqual([
      {
        file: '.tidemark.yaml', line: 3,
        message: 'rules[0].match.managers[0]: "kubernets" is not one of kubernetes, helm-values, helm-chart, kustomize, flux, argocd, helmfile, docker-compose; did you mean "kubernetes"?',
      },
    ]);
  });

  it('suggests the rangeStrategy meant by a misspelt one', () => {
    expect(errorsOf('rules:\n  - match:\n      managers: [helm-chart]\n    rangeStrategy: replaced\n')).toEqual([
      { file: '.tidemark.yaml', line: 4, message: 'rules[0].rangeStrategy: "replaced" is not one of keep, pin, replace; did you mean "replace"?' },
    ]);
  });

  it('checks every registry entry', () => {
    expect(errorsOf('registries:\n  ghcr.io:\n    tokenEnv: T\n    insecur: true\n')).toEqual([
      { file: '.tidemark.yaml', line: 4, message: 'unknown key "insecur" in registries.ghcr.io; did you mean "insecure"?' },
    ]);
  });

  it('accepts an old file that names credential variables, drops them and warns at each line', () => {
    const text = [
      'registries:',
      '  evil.example:',
      '    tokenEnv: GITHUB_TOKEN',
      '    insecure: true',
      '  charts.evil.example:',
      '    usernameEnv: AWS_ACCESS_KEY_ID',
      '    passwordEnv: AWS_SECRET_ACCESS_KEY',
      '  mirror.gcr.io:',
      '    mirrorOf: docker.io',
      '',
    ].join('\n');
    const why = 'ignored: a repository cannot choose credentials; the operator binds them with host rules, see docs/security.md';
    expect(parseConfigText(text, '.tidemark.yaml')).toEqual({
      config: {
        ...DEFAULT_CONFIG,
        registries: { 'evil.example': { insecure: true }, 'charts.evil.example': {}, 'mirror.gcr.io': { mirrorOf: 'docker.io' } },
      },
      errors: [],
      warnings: [
        { file: '.tidemark.yaml', line: 3, message: `registries.evil.example.tokenEnv ${why}` },
        { file: '.tidemark.yaml', line: 6, message: `registries.charts.evil.example.usernameEnv ${why}` },
        { file: '.tidemark.yaml', line: 7, message: `registries.charts.evil.example.passwordEnv ${why}` },
      ],
    });
  });

  it('reports YAML syntax errors with their line', () => {
    const errors = errorsOf('rules:\n  - group: a\n    labels: [x\n');
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ file: '.tidemark.yaml', line: 4 });
  });

  it('refuses a file of over 20000 YAML items before parsing it', () => {
    const started = Date.now();
    expect(errorsOf(`ignorePaths: [${'a,'.repeat(500_000)}a]\n`)).toEqual([
      { file: '.tidemark.yaml', line: 1, message: 'the file has over 20000 YAML items (lines and flow entries); not read' },
    ]);
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it('reports an alias bomb as a config error instead of throwing', () => {
    const lines = ['a0: &a0 [x, x, x, x, x, x, x, x, x, x]'];
    for (let i = 1; i < 12; i++) lines.push(`a${i}: &a${i} [${Array(10).fill(`*a${i - 1}`).join(', ')}]`);
    expect(errorsOf(lines.join('\n'))).toEqual([
      { file: '.tidemark.yaml', line: 1, message: 'Excessive alias count indicates a resource exhaustion attack' },
    ]);
  });

  it('refuses more than 1000 patterns, or 65536 characters of them, before compiling any', () => {
    const globs = (n: number, glob: (i: number) => string) => `ignorePaths:\n${Array.from({ length: n }, (_, i) => `  - "${glob(i)}"\n`).join('')}`;
    const started = Date.now();
    expect(errorsOf(globs(1001, (i) => `**/${'*a'.repeat(20)}x${i}/**`))).toEqual([
      { file: '.tidemark.yaml', line: 1, message: 'the file has 1001 patterns (globs and regexes); at most 1000 are read' },
    ]);
    const rules = `rules:\n  - match: {packageNames: ["${'*a'.repeat(40_000)}"]}\n    allowedVersions: "<2"\n`;
    expect(errorsOf(rules)).toEqual([
      { file: '.tidemark.yaml', line: 1, message: 'the file has 80002 characters of patterns (globs and regexes); at most 65536 are read' },
    ]);
    expect(Date.now() - started).toBeLessThan(1000);
    expect(errorsOf(globs(1000, (i) => `apps/x${i}/**`))).toEqual([]);
  });

  it('reports duplicate keys', () => {
    expect(errorsOf('branchPrefix: a/\nbranchPrefix: b/\n')).toEqual([
      { file: '.tidemark.yaml', line: 2, message: 'Map keys must be unique' },
    ]);
  });
});

describe('loadConfig', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'tidemark-config-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('returns the defaults when there is no config file', async () => {
    expect(await loadConfig(dir)).toEqual({ config: DEFAULT_CONFIG, errors: [], warnings: [], file: null });
  });

  it('finds .github/tidemark.yaml', async () => {
    await mkdir(path.join(dir, '.github'));
    await writeFile(path.join(dir, '.github/tidemark.yaml'), 'dashboard: true\n');
    const loaded = await loadConfig(dir);
    expect(loaded).toMatchObject({ file: '.github/tidemark.yaml', errors: [], config: { dashboard: true } });
  });

  it('prefers .tidemark.yaml and warns about the other file', async () => {
    await mkdir(path.join(dir, '.github'));
    await writeFile(path.join(dir, '.tidemark.yaml'), 'dashboard: true\n');
    await writeFile(path.join(dir, '.github/tidemark.yaml'), 'dashboard: false\n');
    const loaded = await loadConfig(dir);
    expect(loaded.file).toEqual('.tidemark.yaml');
    expect(loaded.warnings).toEqual([{ file: '.github/tidemark.yaml', line: 0, message: 'ignored: .tidemark.yaml is used' }]);
  });

  it('reads an explicit path and reports a missing one as an error', async () => {
    await writeFile(path.join(dir, 'custom.yaml'), 'branchPrefix: x/\n');
    expect((await loadConfig(dir, 'custom.yaml')).config.branchPrefix).toEqual('x/');
    expect(await loadConfig(dir, 'nope.yaml')).toEqual({
      config: DEFAULT_CONFIG, errors: [{ file: 'nope.yaml', line: 0, message: 'config file not found' }], warnings: [], file: null,
    });
  });
});
