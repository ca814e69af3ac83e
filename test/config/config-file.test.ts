import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { runPlan } from '../../src/cli/commands/plan.js';
import { main } from '../../src/cli/main.js';
import { DEFAULT_CONFIG, loadConfig } from '../../src/config/index.js';
import { ConfigError } from '../../src/errors.js';
import { silentLogger } from '../../src/log.js';

let base: string;
let repo: string;
let outside: string;
beforeEach(async () => {
  base = await mkdtemp(path.join(tmpdir(), 'tidemark-config-file-'));
  repo = path.join(base, 'repo');
  outside = path.join(base, 'outside');
  await mkdir(repo);
  await mkdir(outside);
  await writeFile(path.join(outside, 'secret.yaml'), 'branchPrefix: stolen/\n');
});
afterEach(async () => {
  await rm(base, { recursive: true, force: true });
});

const refused = (file: string, message: string) => ({ config: DEFAULT_CONFIG, errors: [{ file, line: 0, message }], warnings: [], file: null });

describe('loadConfig and the no-escape rule', () => {
  it('refuses a .tidemark.yaml that is a symlink out of the repository', async () => {
    await symlink(path.join(outside, 'secret.yaml'), path.join(repo, '.tidemark.yaml'));
    expect(await loadConfig(repo)).toEqual(refused('.tidemark.yaml', '.tidemark.yaml is a symlink to a file outside the repository; not read'));
  });

  it('refuses a config reached through a symlinked directory that leaves the tree, and a --config path outside it', async () => {
    await writeFile(path.join(outside, 'tidemark.yaml'), 'dashboard: true\n');
    await symlink(outside, path.join(repo, '.github'));
    expect(await loadConfig(repo)).toEqual(refused('.github/tidemark.yaml', '.github/tidemark.yaml is reached through a symlinked directory that leaves the repository; not read'));
    expect(await loadConfig(repo, '../outside/secret.yaml')).toEqual(refused('../outside/secret.yaml', '../outside/secret.yaml is outside the repository; not read'));
  });

  it('reads a symlink that stays inside the repository', async () => {
    await mkdir(path.join(repo, 'ci'));
    await writeFile(path.join(repo, 'ci/tidemark.yaml'), 'branchPrefix: bot/\n');
    await symlink('ci/tidemark.yaml', path.join(repo, '.tidemark.yaml'));
    expect((await loadConfig(repo)).config.branchPrefix).toEqual('bot/');
  });

  it('refuses a directory, a FIFO, a broken symlink and a loop in its place without hanging', async () => {
    await mkdir(path.join(repo, '.tidemark.yaml'));
    expect(await loadConfig(repo)).toEqual(refused('.tidemark.yaml', '.tidemark.yaml is a directory, not a regular file; not read'));
    await rm(path.join(repo, '.tidemark.yaml'), { recursive: true });
    execFileSync('mkfifo', [path.join(repo, '.tidemark.yaml')]);
    expect(await loadConfig(repo)).toEqual(refused('.tidemark.yaml', '.tidemark.yaml is a FIFO, not a regular file; not read'));
    expect(await loadConfig(repo, '.tidemark.yaml')).toEqual(refused('.tidemark.yaml', '.tidemark.yaml is a FIFO, not a regular file; not read'));
    await rm(path.join(repo, '.tidemark.yaml'));
    await symlink('nowhere.yaml', path.join(repo, '.tidemark.yaml'));
    expect(await loadConfig(repo)).toEqual(refused('.tidemark.yaml', '.tidemark.yaml is a broken symlink; not read'));
    await rm(path.join(repo, '.tidemark.yaml'));
    await symlink('.tidemark.yml', path.join(repo, '.tidemark.yaml'));
    await symlink('.tidemark.yaml', path.join(repo, '.tidemark.yml'));
    expect(await loadConfig(repo)).toEqual(refused('.tidemark.yaml', '.tidemark.yaml is a symlink loop; not read'));
  });

  it('refuses a config file over 1 MiB', async () => {
    await writeFile(path.join(repo, '.tidemark.yaml'), `# ${'x'.repeat(1024 * 1024)}\n`);
    expect(await loadConfig(repo)).toEqual(refused('.tidemark.yaml', '.tidemark.yaml is 1048579 bytes, over the 1048576 byte limit; not read'));
  });
});

describe('a config that escapes the tree, end to end', () => {
  it('is a config error in plan', async () => {
    await symlink(path.join(outside, 'secret.yaml'), path.join(repo, '.tidemark.yaml'));
    const err = await runPlan(repo, { cache: false }, { print: () => undefined, logger: silentLogger, env: {} }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).problems).toEqual([{ file: '.tidemark.yaml', line: 0, message: '.tidemark.yaml is a symlink to a file outside the repository; not read' }]);
  });

  it('prints each config problem on one line, whatever key the file spells', async () => {
    await writeFile(path.join(repo, '.tidemark.yaml'), '"bad\\e[2J\\n  .tidemark.yaml:9: all fine": 1\n');
    const err: string[] = [];
    const spy = vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
      err.push(String(chunk));
      return true;
    });
    let code: number;
    try {
      code = await main(['plan', repo, '--no-cache']);
    } finally {
      spy.mockRestore();
    }
    expect([code, err.join('').split('\n').slice(0, 2)]).toEqual([
      2,
      ['tidemark: invalid config file .tidemark.yaml', '  .tidemark.yaml:1: unknown key "bad [2J   .tidemark.yaml:9: all fine"; known keys: $schema, ignorePaths, rules, registries, branchPrefix, commitMessagePrefix, author, prConcurrentLimit, prHourlyLimit, dashboard, riskLabel, releaseNotes, baseBranch'],
    ]);
  });

  it('exits with 2 from tidemark run and says why', async () => {
    await symlink(path.join(outside, 'secret.yaml'), path.join(repo, '.tidemark.yaml'));
    const err: string[] = [];
    const spy = vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
      err.push(String(chunk));
      return true;
    });
    let code: number;
    try {
      code = await main(['run', repo, '--platform', 'git', '--dry-run', '--no-cache', '--log-level', 'error']);
    } finally {
      spy.mockRestore();
    }
    expect(code).toEqual(2);
    expect(err.join('')).toEqual('tidemark: invalid config file\n  .tidemark.yaml:0: .tidemark.yaml is a symlink to a file outside the repository; not read\n');
  });
});
