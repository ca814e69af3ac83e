import { spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, sep } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRegistry, type TestRegistry } from '../helpers/registry.js';
import { repoRoot } from './dockerfile.js';
import { git, makeBareRepos } from './git-repos.js';

/**
 * What the Dockerfile's runtime stage relies on, without Docker: the packed files (package.json `files`) plus
 * `npm ci --omit=dev` must be enough to run the built entry. `npm ci --offline` is tried first; when the local npm
 * cache lacks a package (no network here), the production packages the lockfile lists are copied from node_modules,
 * which is the same set `npm ci --omit=dev` installs.
 */
interface Lock {
  packages: Record<string, { dev?: boolean; devOptional?: boolean; link?: boolean }>;
}
const pkg = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { bin: Record<string, string>; files: string[] };

let dir = '';

function installProductionDeps(target: string): string {
  const npm = spawnSync('npm', ['ci', '--omit=dev', '--ignore-scripts', '--offline', '--no-audit', '--no-fund'], { cwd: target, encoding: 'utf8' });
  if (npm.status === 0) return 'npm ci --offline';
  rmSync(join(target, 'node_modules'), { recursive: true, force: true });
  const lock = JSON.parse(readFileSync(join(repoRoot, 'package-lock.json'), 'utf8')) as Lock;
  for (const [path, entry] of Object.entries(lock.packages)) {
    if (path === '' || entry.dev || entry.devOptional || entry.link) continue;
    cpSync(join(repoRoot, path), join(target, path), { recursive: true, dereference: true });
  }
  return 'lockfile copy';
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'tidemark-prod-'));
  cpSync(join(repoRoot, 'package.json'), join(dir, 'package.json'));
  cpSync(join(repoRoot, 'package-lock.json'), join(dir, 'package-lock.json'));
  const tsc = spawnSync(process.execPath, [join(repoRoot, 'node_modules/typescript/bin/tsc'), '-p', join(repoRoot, 'tsconfig.build.json'), '--outDir', join(dir, 'dist'), '--sourceMap', 'false'], {
    encoding: 'utf8',
  });
  if (!existsSync(join(dir, pkg.bin.tidemark!))) throw new Error(`build failed: ${tsc.stdout}${tsc.stderr}`);
  for (const f of pkg.files.filter((f) => f !== 'dist')) if (existsSync(join(repoRoot, f))) cpSync(join(repoRoot, f), join(dir, f), { recursive: true });
  installProductionDeps(dir);
}, 240_000);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

function tidemark(args: string[], env: NodeJS.ProcessEnv = {}) {
  return spawnSync(process.execPath, [join(dir, pkg.bin.tidemark!), ...args], {
    cwd: dir,
    encoding: 'utf8',
    env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env },
    timeout: 120_000,
  });
}

describe('the built entry with production dependencies only', () => {
  it('has no dev dependency installed', () => {
    expect(['typescript', 'vitest', 'esbuild', 'nock'].filter((p) => existsSync(join(dir, 'node_modules', p)))).toEqual([]);
    expect(existsSync(join(dir, 'node_modules', 'yaml'))).toEqual(true);
  });

  it('prints help listing the container command', () => {
    const r = tidemark(['--help']);
    expect(r.status).toEqual(0);
    expect(r.stdout).toMatch(/^\s+run-all \[options\]/m);
    const sub = tidemark(['run-all', '--help']);
    expect(sub.status).toEqual(0);
    expect(sub.stdout).toContain('env: TIDEMARK_SCHEDULE');
  });

  it('stays up with a schedule and exits 0 on SIGTERM', async () => {
    const child = spawn(process.execPath, [join(dir, pkg.bin.tidemark!), 'run-all'], {
      env: { PATH: process.env.PATH, HOME: process.env.HOME, TIDEMARK_REPOS: 'org/a', TIDEMARK_TOKEN: 'test-token', TIDEMARK_SCHEDULE: '@yearly' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    await new Promise<void>((resolve) => {
      child.stderr.on('data', (d: Buffer) => {
        stderr += d.toString();
        if (stderr.includes('"next run"')) resolve();
      });
    });
    child.kill('SIGTERM');
    expect(await exited).toEqual(0);
    const msgs = stderr.trim().split('\n').map((l) => (JSON.parse(l) as { msg: string }).msg);
    expect(msgs).toEqual(['scheduled mode', 'next run', 'signal received: finishing the current repositories, starting no new one', 'stopping']);
  });

  describe('a one-shot run-all over a tiny repository', () => {
    let registry: TestRegistry;
    let bare: ReturnType<typeof makeBareRepos>;
    beforeAll(async () => {
      registry = await startRegistry();
      await registry.pushImage('team/app', '1.0.0');
      await registry.pushImage('team/app', '1.1.0');
      bare = makeBareRepos({
        'tiny/gitops': {
          'apps/app.yaml': `apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: app\nspec:\n  template:\n    spec:\n      containers:\n        - name: app\n          image: ${registry.host}/team/app:1.0.0\n`,
        },
      });
    });
    afterAll(async () => {
      await registry?.stop();
      bare?.cleanup();
    });

    it('clones, plans the update, prints its diff and a summary line, and exits 0', () => {
      const cache = join(dir, 'cache');
      mkdirSync(cache);
      const r = tidemark(['run-all', '--platform', 'git', '--repos', `${bare.baseUrl}/tiny/gitops.git`, '--dry-run', '--cache-dir', cache], {});
      expect({ status: r.status, stderr: r.status === 0 ? '' : r.stderr }).toEqual({ status: 0, stderr: '' });
      expect(r.stdout).toContain(`+          image: ${registry.host}/team/app:1.1.0`);
      expect(r.stdout).toMatch(/^Tidemark: 1 repository: 1 ok$/m);
      const logs = r.stderr.trim().split('\n').map((l) => JSON.parse(l) as { msg: string; repo?: string; status?: string });
      expect(logs.find((l) => l.msg === 'repository finished')).toMatchObject({ repo: `${bare.baseUrl}/tiny/gitops.git`, status: 'ok' });
    });

    it('pushes the update branch to a plain git remote when not a dry run', () => {
      const r = tidemark(['run-all', '--platform', 'git', '--repos', `${bare.baseUrl}/tiny/gitops.git`, '--log-format', 'text'], {});
      expect({ status: r.status, stderr: r.status === 0 ? '' : r.stderr }).toEqual({ status: 0, stderr: '' });
      expect(r.stdout).toMatch(/^  \S+tiny\/gitops\.git  ok       opened 1, updated 0, closed 0/m);
      const heads = git(bare.root, '--git-dir', join(bare.root, 'tiny/gitops.git'), 'for-each-ref', '--format=%(refname)', 'refs/heads');
      expect(heads.trim().split('\n')).toEqual(['refs/heads/main', `refs/heads/tidemark/127.0.0.1-${registry.host.split(':')[1]}-team-app-1.x`]);
    });
  });
});

describe('the npm package (`npm pack`), which `npm install -g ./tidemark-*.tgz` installs', () => {
  // npm packs the README whatever `files` says; the build above copies only `files`.
  beforeAll(() => cpSync(join(repoRoot, 'README.md'), join(dir, 'README.md')));

  /** What `npm pack` would put in the tarball of the built package in `dir`, by npm's own rules (`files`, always-included files). */
  function packedFiles(): string[] {
    const r = spawnSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: dir, encoding: 'utf8', timeout: 60_000 });
    expect(r.status, r.stderr).toEqual(0);
    const [report] = JSON.parse(r.stdout) as { files: { path: string; mode: number }[] }[];
    return report!.files.map((f) => f.path);
  }

  it('holds the bin target, every compiled module of src/, the config schema and the README', () => {
    const files = new Set(packedFiles());
    expect(files.has(pkg.bin.tidemark!)).toEqual(true);
    expect(['package.json', 'README.md', 'config/schema.json'].filter((f) => !files.has(f))).toEqual([]);
    const sources = (readdirSync(join(repoRoot, 'src'), { recursive: true }) as string[])
      .filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts'))
      .map((f) => `src/${f.split(sep).join('/')}`);
    expect(sources.length).toBeGreaterThan(50);
    expect(sources.map((f) => `dist/${f.replace(/\.ts$/, '.js')}`).filter((f) => !files.has(f))).toEqual([]);
  });

  it('holds no TypeScript sources, tests, fixtures or dependencies', () => {
    const stray = packedFiles().filter((f) => /^(src|test|fixtures|docs|node_modules)\//.test(f) || (f.endsWith('.ts') && !f.endsWith('.d.ts')));
    expect(stray).toEqual([]);
  });

  it('runs its bin from another directory: --version and scan of a GitOps checkout', () => {
    const gitops = mkdtempSync(join(tmpdir(), 'tidemark-elsewhere-'));
    try {
      mkdirSync(join(gitops, 'apps'));
      writeFileSync(join(gitops, 'apps', 'pod.yaml'), 'apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n    - image: nginx:1.25.3\n');
      const bin = join(dir, pkg.bin.tidemark!);
      const version = spawnSync(process.execPath, [bin, '--version'], { cwd: gitops, encoding: 'utf8' });
      expect(version.stdout.trim()).toEqual((JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { version: string }).version);
      const scan = spawnSync(process.execPath, [bin, 'scan'], { cwd: gitops, encoding: 'utf8' });
      expect(scan.status).toEqual(0);
      expect(scan.stdout).toContain('apps/pod.yaml:6  kubernetes  nginx  1.25.3');
    } finally {
      rmSync(gitops, { recursive: true, force: true });
    }
  });
});
