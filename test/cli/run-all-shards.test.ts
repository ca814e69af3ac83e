import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRedis, type TestRedis } from '../helpers/redis.js';
import { startRegistry, type TestRegistry } from '../helpers/registry.js';
import { makeBareRepos } from '../ship/git-repos.js';
import { selectShard } from '../../src/cli/multi.js';

const root = resolve(import.meta.dirname, '../..');
const IMAGES = ['team/web', 'team/api', 'team/worker'];
const TAGS = ['1.0.0', '1.1.0', '1.2.0', '1.3.0', '2.0.0'];
const REPOS = Array.from({ length: 9 }, (_, i) => `org/gitops-${i}`);
/** Pages of at most 2 tags: 5 tags are a chain of 3 requests per image. */
const PAGE = 2;

let cliDir: string;
let registry: TestRegistry;
let bare: ReturnType<typeof makeBareRepos>;

/** The CLI as one file, as a pod runs it (loading ioredis from node_modules like the container does). */
beforeAll(async () => {
  cliDir = mkdtempSync(join(tmpdir(), 'tidemark-cli-'));
  symlinkSync(join(root, 'node_modules'), join(cliDir, 'node_modules'));
  await build({
    absWorkingDir: root, entryPoints: ['src/cli/cli.ts'], outfile: join(cliDir, 'cli.mjs'), bundle: true, platform: 'node', format: 'esm',
    target: 'node20', packages: 'external', logLevel: 'warning',
  });
  registry = await startRegistry({ paginate: PAGE, latencyMs: 20 });
  for (const image of IMAGES) {
    await registry.pushImage(image, TAGS[0]!);
    await registry.seedTags(image, { repo: image, tag: TAGS[0]! }, TAGS.slice(1));
  }
  const deployment = (image: string) =>
    `apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: ${image.split('/')[1]}\nspec:\n  template:\n    spec:\n      containers:\n        - name: app\n          image: ${registry.host}/${image}:1.0.0\n`;
  // Every repository uses every image: without a shared cache each would list each image's tags again.
  bare = makeBareRepos(Object.fromEntries(REPOS.map((r) => [r, Object.fromEntries(IMAGES.map((img) => [`apps/${img.split('/')[1]}.yaml`, deployment(img)]))])));
}, 60_000);

afterAll(async () => {
  await registry?.stop();
  bare?.cleanup();
  if (cliDir) rmSync(cliDir, { recursive: true, force: true });
});

interface Pod {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** One pod of the Indexed Job: `JOB_COMPLETION_INDEX` from Kubernetes, the shard count and Redis from the manifest. */
function pod(index: number, redisUrl: string, onStderr?: (text: string) => void): Promise<Pod> {
  const child = spawn(process.execPath, [join(cliDir, 'cli.mjs'), 'run-all', '--platform', 'git', '--dry-run', '--concurrency', '2'], {
    env: {
      PATH: process.env['PATH'], HOME: cliDir,
      JOB_COMPLETION_INDEX: String(index), TIDEMARK_SHARD_COUNT: '3', TIDEMARK_REDIS_URL: redisUrl,
      TIDEMARK_REPOS: REPOS.map((r) => `${bare.baseUrl}/${r}.git`).join(','), TIDEMARK_LOG_FORMAT: 'json',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => {
    stderr += d.toString();
    onStderr?.(stderr);
  });
  return new Promise((done) => child.on('exit', (code) => done({ code, stdout, stderr })));
}

/** `  file:///…/org/gitops-3.git  ok       opened 0, …` → `org/gitops-3 ok`. */
function summaryLines(stdout: string): string[] {
  return [...stdout.matchAll(/^ {2}\S+\/(?<repo>org\/gitops-\d)\.git\s+(?<status>\w+)\s/gm)].map((m) => `${m.groups!['repo']} ${m.groups!['status']}`);
}

function warnings(stderr: string, msg: string): number {
  return stderr.trim().split('\n').filter((l) => (JSON.parse(l) as { msg: string }).msg.startsWith(msg)).length;
}

describe('run-all as an Indexed Job sharing one Redis', () => {
  it('handles each repository in exactly one pod and lists each image once in all, through a password-protected Redis', async () => {
    const redis: TestRedis = await startRedis({ password: 'pod-shared-S3cret' });
    try {
      const before = registry.requests().length;
      const pods = await Promise.all([0, 1, 2].map((i) => pod(i, redis.url)));
      expect(pods.map((p) => ({ code: p.code, stderr: p.code === 0 ? '' : p.stderr }))).toEqual([0, 1, 2].map(() => ({ code: 0, stderr: '' })));
      const handled = pods.flatMap((p) => summaryLines(p.stdout));
      expect(handled.sort()).toEqual(REPOS.map((r) => `${r} ok`).sort());
      // Each pod handled exactly the repositories its shard holds (membership hangs on a hash of the clone URL, whose
      // port changes per run, so a shard may be empty), and printed the update for each.
      const urls = REPOS.map((r) => `${bare.baseUrl}/${r}.git`);
      pods.forEach((p, i) => {
        const mine = selectShard(urls, { index: i + 1, total: 3 }).map((u) => `${/org\/gitops-\d/.exec(u)![0]} ok`);
        expect(summaryLines(p.stdout).sort()).toEqual(mine.sort());
        expect(p.stdout.split(`+          image: ${registry.host}/team/web:2.0.0`).length - 1).toEqual(mine.length);
      });
      for (const p of pods) expect(p.stderr).not.toContain('S3cret');
      // Redis stayed up for every pod (a pod that lost it would fetch on its own, and say so).
      expect(pods.map((p) => warnings(p.stderr, 'shared cache unavailable'))).toEqual([0, 0, 0]);
      const tagLists = registry.requests().slice(before).filter((r) => r.includes('/tags/list'));
      // One chain per image: its first page and the two `Link`s after it, each asked once across all three pods.
      expect(tagLists.sort()).toEqual([...new Set(tagLists)].sort());
      expect(tagLists.length).toEqual(IMAGES.length * Math.ceil(TAGS.length / PAGE));
    } finally {
      await redis.stop();
    }
  }, 120_000);

  it('finishes every repository when Redis is killed mid-run, each pod warning at most once', async () => {
    const redis = await startRedis();
    let killed: Promise<void> | null = null;
    const seen = [false, false, false];
    // Killed as soon as every pod has begun its run: each is connected or connecting, and its lookups come after.
    const pods = await Promise.all(
      [0, 1, 2].map((i) =>
        pod(i, redis.url, (text) => {
          if (text.includes('"run started"')) seen[i] = true;
          if (seen.every(Boolean) && !killed) killed = redis.kill();
        }),
      ),
    );
    await killed;
    expect(killed).not.toEqual(null);
    expect(pods.map((p) => p.code)).toEqual([0, 0, 0]);
    expect(pods.flatMap((p) => summaryLines(p.stdout)).sort()).toEqual(REPOS.map((r) => `${r} ok`).sort());
    // A pod whose last Redis command came before the kill has nothing to warn about; the others say it once.
    const warned = pods.map((p) => warnings(p.stderr, 'shared cache unavailable'));
    for (const w of warned) expect(w).toBeLessThanOrEqual(1);
    expect(warned.reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(1);
  }, 120_000);
});
