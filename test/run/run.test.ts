import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { main } from '../../src/cli/main.js';
import { ConfigError } from '../../src/errors.js';
import { silentLogger } from '../../src/log.js';
import { run } from '../../src/run.js';

let dirs: string[] = [];
afterEach(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
  dirs = [];
  vi.unstubAllEnvs();
});

function repoWith(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'tidemark-run-'));
  dirs.push(dir);
  for (const [path, text] of Object.entries(files)) writeFileSync(join(dir, path), text);
  return dir;
}

async function quietMain(argv: string[]): Promise<{ code: number; stderr: string }> {
  const err: string[] = [];
  const spy = vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
    err.push(String(chunk));
    return true;
  });
  try {
    return { code: await main(argv), stderr: err.join('') };
  } finally {
    spy.mockRestore();
  }
}

describe('run', () => {
  it('throws a ConfigError with file and line for an invalid config', async () => {
    const dir = repoWith({ '.tidemark.yaml': 'prConcurrentLimit: lots\n' });
    const err = await run({ dir, platform: 'git', repo: null, endpoint: null, token: null, remote: null, dryRun: true, configPath: null, cacheDir: null, planOut: null, logger: silentLogger }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).problems.map((p) => [p.file, p.line])).toEqual([['.tidemark.yaml', 1]]);
  });

  it('refuses a group reviewer for GitLab at config load, naming the rule and line, since merge request reviewers are users', async () => {
    const config = 'rules:\n  - match: { packageNames: [nginx] }\n    reviewers: [ann, "platform/sre"]\n';
    const dir = repoWith({ '.tidemark.yaml': config });
    const base = { dir, repo: 'g/p', endpoint: null, token: null, remote: null, dryRun: true, configPath: null, cacheDir: null, planOut: null, logger: silentLogger, print: () => undefined };
    const err = await run({ ...base, platform: 'gitlab' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).problems).toEqual([
      {
        file: '.tidemark.yaml',
        line: 3,
        message:
          'rules[0].reviewers: "platform/sre" is a group, and GitLab merge request reviewers are users only; list the people by username, or require the group with an approval rule or CODEOWNERS',
      },
    ]);
    // The same config is fine on GitHub, where `org/team` requests a team review.
    await expect(run({ ...base, platform: 'github', repo: 'o/r' })).resolves.toMatchObject({ partialFailure: false });
  });

  it('names a --remote URL without its password in the summary', async () => {
    const dir = repoWith({ 'app.yaml': 'kind: Pod\n' });
    const summary = await run({ dir, platform: 'git', repo: null, endpoint: null, token: null, remote: 'https://ci:s3cret-pass@git.example.com/o/a.git', dryRun: true, configPath: null, cacheDir: null, planOut: null, logger: silentLogger, print: () => undefined });
    expect(summary.repo).toEqual('https://***@git.example.com/o/a.git');
  });
});

describe('run past its deadline', () => {
  it('stops between stages with the deadline as the reason, printing nothing', async () => {
    const dir = repoWith({ 'app.yaml': 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: a\nspec:\n  containers:\n    - name: a\n      image: 127.0.0.1:9/a:1.0\n' });
    const deadline = new AbortController();
    deadline.abort(new Error('timed out after 30m'));
    const printed: string[] = [];
    const opts = { dir, platform: 'git' as const, repo: null, endpoint: null, token: null, remote: null, dryRun: true, configPath: null, cacheDir: null, planOut: null, logger: silentLogger };
    await expect(run({ ...opts, print: (t) => void printed.push(t), signal: deadline.signal })).rejects.toThrow('timed out after 30m');
    expect(printed).toEqual([]);
  });
});

describe('tidemark run', () => {
  it('exits with 2 on an invalid config', async () => {
    const dir = repoWith({ '.tidemark.yaml': 'prConcurrentLimit: lots\n' });
    const { code, stderr } = await quietMain(['run', dir, '--platform', 'git', '--dry-run', '--log-level', 'error']);
    expect(code).toEqual(2);
    expect(stderr).toContain('.tidemark.yaml:1:');
  });

  it('exits with 2 when GitHub is asked for without a token, naming every variable it reads', async () => {
    for (const name of ['TIDEMARK_TOKEN', 'GITHUB_TOKEN', 'GH_TOKEN']) vi.stubEnv(name, '');
    const dir = repoWith({ 'app.yaml': 'kind: Pod\n' });
    execFileSync('git', ['init', '-q', dir]);
    const { code, stderr } = await quietMain(['run', dir, '--platform', 'github', '--repo', 'acme/gitops', '--log-level', 'error']);
    expect(code).toEqual(2);
    expect(stderr).toEqual('tidemark: --platform github needs a token: set TIDEMARK_TOKEN, GITHUB_TOKEN or GH_TOKEN (read in that order)\n');
  });

  it.each(['git', 'github'])('exits with 2 on a directory that is not a git checkout (--platform %s), before anything else', async (platform) => {
    vi.stubEnv('GITHUB_TOKEN', 'ghp_unused');
    const dir = repoWith({ 'app.yaml': 'kind: Pod\n' });
    const { code, stderr } = await quietMain(['run', dir, '--platform', platform, '--repo', 'acme/gitops', '--log-level', 'error']);
    expect(code).toEqual(2);
    expect(stderr).toEqual(`tidemark: ${dir} is not a git checkout: run needs a clone of the repository (run --dry-run, plan and scan read any directory)\n`);
  });

  it('exits with 2 on a directory that does not exist', async () => {
    const { code, stderr } = await quietMain(['run', join(tmpdir(), 'tidemark-no-such-dir'), '--platform', 'git', '--log-level', 'error']);
    expect(code).toEqual(2);
    expect(stderr).toContain('not a directory');
  });

  it('exits with 1 and says so when a registry cannot be reached', async () => {
    const dir = repoWith({ 'pod.yaml': 'apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n    - image: 127.0.0.1:1/acme/web:1.0.0\n' });
    const out: string[] = [];
    const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      out.push(String(chunk));
      return true;
    });
    try {
      const { code } = await quietMain(['run', dir, '--platform', 'git', '--dry-run', '--log-level', 'error']);
      expect(code).toEqual(1);
    } finally {
      spy.mockRestore();
    }
    expect(out.join('').split('\n')).toEqual([
      `Dry run of ${dir}: would open 0, 0 skipped, 1 problem (partial failure)`,
      '  lookups  1 of 1 lookup failed: 127.0.0.1:1 could not be reached (1)',
      '',
    ]);
  });

  it('exits with 2 for an unknown platform', async () => {
    const { code, stderr } = await quietMain(['run', '.', '--platform', 'gitea']);
    expect(code).toEqual(2);
    expect(stderr).toEqual('tidemark: --platform "gitea": expected github, gitlab or git\n');
  });
});

describe('tidemark run stopped by a signal', () => {
  it('finishes the repository on SIGTERM, prints its summary, and exits 143', async () => {
    // The registry is asked once the run is under way: SIGTERM arrives then, as from `kubectl delete pod`.
    const server = createServer((_req, res) => {
      process.emit('SIGTERM');
      res.writeHead(404, { 'content-type': 'application/json' }).end('{"errors":[{"code":"NAME_UNKNOWN"}]}');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as AddressInfo).port;
    const dir = repoWith({ 'pod.yaml': `apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n    - image: 127.0.0.1:${port}/acme/web:1.0.0\n` });
    const out: string[] = [];
    const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => (out.push(String(chunk)), true));
    try {
      const { code, stderr } = await quietMain(['run', dir, '--platform', 'git', '--dry-run', '--no-cache', '--log-level', 'info', '--log-format', 'json']);
      expect(code).toEqual(143);
      expect(stderr).toContain('"msg":"signal received: finishing the current repositories, starting no new one"');
    } finally {
      spy.mockRestore();
      server.close();
    }
    expect(out.join('')).toContain(`Dry run of ${dir}: would open 0`);
    expect(process.listenerCount('SIGTERM')).toEqual(0);
  });
});

describe('honest failure counts', () => {
  it('counts failed lookups by host in the run summary, never as current, and exits with 1', async () => {
    const server = createServer((_req, res) => res.writeHead(403, { 'content-type': 'text/plain' }).end('forbidden'));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as AddressInfo).port;
    const images = ['127.0.0.1:1/acme/a:1.0.0', '127.0.0.1:1/acme/b:1.0.0', '127.0.0.1:1/acme/c:1.0.0', `127.0.0.1:${port}/acme/d:1.0.0`];
    const containers = images.map((image) => `    - image: ${image}\n`).join('');
    const dir = repoWith({ 'pod.yaml': `apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n${containers}` });
    const out: string[] = [];
    const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      out.push(String(chunk));
      return true;
    });
    try {
      const { code } = await quietMain(['run', dir, '--platform', 'git', '--dry-run', '--no-cache', '--log-level', 'error']);
      expect(code).toEqual(1);
    } finally {
      spy.mockRestore();
      server.close();
    }
    expect(out.join('').split('\n').slice(0, 2)).toEqual([
      `Dry run of ${dir}: would open 0, 0 skipped, 4 problems (partial failure)`,
      `  lookups  4 of 4 lookups failed: 127.0.0.1:1 could not be reached (3), 127.0.0.1:${port} answered 403 (1)`,
    ]);
  });
});

/** stdout and the exit code of one CLI call; stderr (log lines) is dropped. */
async function stdoutOf(argv: string[]): Promise<{ code: number; stdout: string }> {
  const out: string[] = [];
  const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    out.push(String(chunk));
    return true;
  });
  try {
    const { code } = await quietMain(argv);
    return { code, stdout: out.join('') };
  } finally {
    spy.mockRestore();
  }
}

describe('plan and run on the same repository', () => {
  it('count the same problems: scan problems and every failed lookup', async () => {
    const images = ['127.0.0.1:1/acme/a:1.0.0', '127.0.0.1:1/acme/b:1.0.0', '127.0.0.1:1/acme/c:1.0.0'];
    const containers = images.map((image) => `    - image: ${image}\n`).join('');
    const dir = repoWith({
      'pod.yaml': `apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n${containers}`,
      'broken.yaml': 'kind: Pod\nspec: [unclosed\n',
    });
    const plan = await stdoutOf(['plan', dir, '--no-cache']);
    const ran = await stdoutOf(['run', dir, '--platform', 'git', '--dry-run', '--no-cache', '--log-level', 'error']);
    const planned = /, (\d+) problems?[;.]/.exec(plan.stdout.trim().split('\n').at(-1)!)?.[1];
    const counted = / (\d+) problems? \(partial failure\)$/.exec(ran.stdout.split('\n')[0]!)?.[1];
    expect([plan.code, ran.code, planned, counted]).toEqual([1, 1, '4', '4']);
    expect(ran.stdout).toContain('  problem    broken.yaml:');
  });
});

describe('run --json', () => {
  it('prints one JSON summary object and no diff', async () => {
    const dir = repoWith({ 'pod.yaml': 'apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n    - image: 127.0.0.1:1/acme/web:1.0.0\n' });
    const { code, stdout } = await stdoutOf(['run', dir, '--platform', 'git', '--dry-run', '--json', '--no-cache', '--log-level', 'error']);
    expect(code).toEqual(1);
    expect(JSON.parse(stdout)).toEqual({
      repo: dir,
      dryRun: true,
      opened: [],
      updated: [],
      closed: [],
      skipped: [],
      wouldOpen: [],
      problems: [{ file: 'pod.yaml', line: 6, message: '127.0.0.1:1/acme/web: lookup failed: 127.0.0.1:1 could not be reached' }],
      partialFailure: true,
      lookups: { failed: 1, total: 1, hosts: [{ host: '127.0.0.1:1', problem: 'could not be reached', count: 1 }] },
      branches: [],
    });
  });
});

describe('run progress', () => {
  it('tells each phase in order: scan, lookups N of M, publish', async () => {
    const dir = repoWith({ 'pod.yaml': 'apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n    - image: 127.0.0.1:1/acme/web:1.0.0\n' });
    const events: unknown[] = [];
    const opts = { dir, platform: 'git' as const, repo: null, endpoint: null, token: null, remote: null, dryRun: true, configPath: null, cacheDir: null, planOut: null, logger: silentLogger };
    await run({ ...opts, print: () => {}, onProgress: (e) => void events.push(e) });
    expect(events).toEqual([
      { phase: 'scan' },
      { phase: 'lookup', done: 0, total: 1 },
      { phase: 'lookup', done: 1, total: 1 },
      { phase: 'publish', branches: 0 },
    ]);
  });
});
