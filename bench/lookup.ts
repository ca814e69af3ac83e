import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import jsYaml from 'js-yaml';
import { parse as yamlParse } from 'yaml';
import { DEFAULT_CONFIG } from '../src/config/types.js';
import { silentLogger } from '../src/log.js';
import { createReleaseSource } from '../src/lookup/index.js';
import { renderIndex } from '../test/helpers/helm-repo.js';
import { startRegistry } from '../test/helpers/registry.js';
import { ms, time } from './measure.js';

/** Sized for a 2-core machine shared with other work: about a minute in all. */
const REPOS = 200;
const TAGS_PER_REPO = 250;
const PAGE_CAP = 100;
const LATENCY_MS = 20;
const PER_HOST_CONCURRENCY = 6;
/** Each package is asked for this many times, as if several files pinned it. */
const USES_PER_PACKAGE = 3;

/**
 * Lookup benchmark: `REPOS` repositories of `TAGS_PER_REPO` tags in the real local registry behind a proxy that
 * paginates (cap `PAGE_CAP`) and adds `LATENCY_MS` per request. Reports requests against the minimum (one per
 * page), wall time against requests × latency ÷ concurrency, then a warm run past the TTL (304s instead of full
 * downloads) and one within it (no requests). Ends with index.yaml parse times, js-yaml against yaml.
 */
export async function benchLookup(): Promise<string> {
  const lines: string[] = [`lookup: ${REPOS} repositories × ${TAGS_PER_REPO} tags, page cap ${PAGE_CAP}, ${LATENCY_MS} ms latency per request`];
  // tmpfs when there is one: the test is about requests, not about how fast this disk creates 100k small files.
  const tempRoot = existsSync('/dev/shm') ? '/dev/shm' : tmpdir();
  const reg = await startRegistry({ paginate: PAGE_CAP, latencyMs: LATENCY_MS, tempRoot });
  const cacheDir = await mkdtemp(join(tempRoot, 'tidemark-bench-cache-'));
  try {
    const seedStart = performance.now();
    await reg.pushImage('bench/seed', 'seed');
    const tags = Array.from({ length: TAGS_PER_REPO }, (_, i) => `${Math.floor(i / 50)}.${i % 50}.0`);
    const repos = Array.from({ length: REPOS }, (_, i) => `bench/app-${String(i).padStart(3, '0')}`);
    await reg.seedTags('bench/template', { repo: 'bench/seed', tag: 'seed' }, tags);
    await reg.copyRepository('bench/template', repos);
    lines.push(`  seeded ${REPOS * TAGS_PER_REPO} tags in ${ms(performance.now() - seedStart)} (one pushed manifest, tags linked in storage)`);

    let now = Date.now();
    const opts = { config: DEFAULT_CONFIG, cacheDir, logger: silentLogger, now: () => now, perHostConcurrency: PER_HOST_CONCURRENCY, cacheTtlMs: 60_000 };
    const minimum = REPOS * Math.ceil(TAGS_PER_REPO / PAGE_CAP);
    const pkgs = repos.map((r) => ({ datasource: 'docker' as const, name: `${reg.host}/${r}`, registryUrl: null }));

    const cold = await timedRun(reg.requestCount, () => createReleaseSource(opts), pkgs);
    const ideal = (cold.requests * LATENCY_MS) / PER_HOST_CONCURRENCY;
    lines.push(`  cold:        ${cold.requests} requests (minimum ${minimum}), ${ms(cold.wall)} wall vs ${ms(ideal)} = requests × latency ÷ ${PER_HOST_CONCURRENCY}, ${cold.tags} tags`);
    lines.push(`               cache: ${fmtStats(cold.stats)}`);

    now += 120_000;
    const stale = await timedRun(reg.requestCount, () => createReleaseSource(opts), pkgs);
    lines.push(`  warm, stale: ${stale.requests} requests, ${ms(stale.wall)} wall; ${stale.stats.revalidated} full downloads avoided by 304 (${fmtStats(stale.stats)})`);

    const fresh = await timedRun(reg.requestCount, () => createReleaseSource(opts), pkgs);
    lines.push(`  warm, fresh: ${fresh.requests} requests, ${ms(fresh.wall)} wall; ${fresh.stats.fresh} pages served from disk (${fmtStats(fresh.stats)})`);
  } finally {
    await reg.stop();
    await rm(cacheDir, { recursive: true, force: true });
  }
  lines.push(...benchIndexParse());
  return lines.join('\n');
}

type Source = ReturnType<typeof createReleaseSource>;

async function timedRun(count: () => number, make: () => Source, pkgs: { datasource: 'docker'; name: string; registryUrl: null }[]) {
  const source = make();
  const before = count();
  const start = performance.now();
  const all = await Promise.all(pkgs.flatMap((p) => Array.from({ length: USES_PER_PACKAGE }, () => source.releases(p))));
  const wall = performance.now() - start;
  let tags = 0;
  for (let i = 0; i < all.length; i += USES_PER_PACKAGE) tags += all[i]?.releases.length ?? 0;
  return { requests: count() - before, wall, tags, stats: source.cacheStats() };
}

/** Parse time of a generated index.yaml (100 charts × 100 versions; Bitnami's real one is tens of MB). */
function benchIndexParse(): string[] {
  const charts: Record<string, { version: string; created: string }[]> = {};
  for (let c = 0; c < 100; c++) {
    charts[`chart-${c}`] = Array.from({ length: 100 }, (_, v) => ({ version: `${Math.floor(v / 10)}.${v % 10}.0`, created: '2026-01-01T00:00:00.123456789Z' }));
  }
  const text = renderIndex(charts, 'https://charts.example.test');
  const failsafe = time(() => jsYaml.load(text, { schema: jsYaml.FAILSAFE_SCHEMA }));
  const jsDefault = time(() => jsYaml.load(text));
  const eemeli = time(() => yamlParse(text));
  return [
    `index.yaml parse, ${(text.length / 1e6).toFixed(1)} MB (100 charts × 100 versions):`,
    `  js-yaml failsafe ${ms(failsafe)} (used), js-yaml default ${ms(jsDefault)}, yaml ${ms(eemeli)}`,
  ];
}

function fmtStats(s: { fresh: number; revalidated: number; downloaded: number }): string {
  return `${s.downloaded} downloaded, ${s.revalidated} revalidated (304), ${s.fresh} fresh`;
}
