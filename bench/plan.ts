import { Session } from 'node:inspector/promises';
import { DEFAULT_CONFIG } from '../src/config/types.js';
import type { PackageRef, PackageReleases, ReleaseSource } from '../src/lookup/types.js';
import { createPlan } from '../src/plan/index.js';
import type { Dependency, ScanResult } from '../src/scan/types.js';
import { pickTarget, TagIndex } from '../src/versions/index.js';
import { ms } from './measure.js';

const IMAGES = 20;
const REFERENCES = 1_000;
const TAGS = 100;
const ROUNDS = 5;

/** Functions that read tags (parse.ts); their share of the profile is the figure the bench watches. */
const PARSING = new Set(['parseDockerTag', 'parseVersion', 'readSuffix', 'notVersionKind', 'isHashToken', 'isCalendar', 'splitIdentifiers']);

/**
 * `plan` at 1,000 references (to 20 images, 50 references each) × 100 tags per image: plan CPU time, and what share of
 * the CPU profile reads tags. Baseline in the same run: picking for every reference from the plain tag list, which
 * reads every tag again for each reference (what plan did before tags were read once per image).
 */
export async function benchPlan(): Promise<string> {
  const tags = new Map<string, string[]>();
  for (let i = 0; i < IMAGES; i++) tags.set(`ghcr.io/acme/service-${i}`, tagList(i));
  const scan = scanOf([...tags.keys()]);
  const source = memorySource(tags);
  const plan = () => createPlan(scan, source, DEFAULT_CONFIG, { now: new Date('2026-11-30T00:00:00Z') });
  const perReference = () => pickEach(scan, (name) => tags.get(name)!);
  const shared = () => {
    const indexes = new Map([...tags].map(([name, list]) => [name, new TagIndex(list)]));
    pickEach(scan, (name) => indexes.get(name)!);
  };
  await plan();
  let planMs = Infinity;
  let beforeMs = Infinity;
  let nowMs = Infinity;
  for (let i = 0; i < ROUNDS; i++) {
    planMs = Math.min(planMs, await cpu(plan));
    beforeMs = Math.min(beforeMs, await cpu(async () => perReference()));
    nowMs = Math.min(nowMs, await cpu(async () => shared()));
  }
  const profile = await profiled(plan);
  return [
    `plan: ${REFERENCES} references to ${IMAGES} images × ${TAGS} tags (CPU time, best of ${ROUNDS})`,
    `  createPlan: ${ms(planMs)}; reading tags is ${pct(profile.parsing)} of its CPU profile`,
    `  top self time: ${profile.top.map(([name, share]) => `${name} ${pct(share)}`).join(', ')}`,
    `  picking only, tags read per reference (before): ${ms(beforeMs)}; read once per image (now): ${ms(nowMs)} (${(beforeMs / nowMs).toFixed(1)}× less)`,
  ].join('\n');
}

/** 100 tags shaped like a real repository's: plain, -alpine, -bookworm, Bitnami-style revisions, CI builds, floating tags. */
function tagList(seed: number): string[] {
  const out = ['latest', 'stable', `sha256-${(seed % 10).toString().repeat(64)}.sig`];
  for (let minor = 0; out.length < TAGS; minor++) {
    const v = `${1 + (seed % 3)}.${minor}.${minor % 4}`;
    out.push(v, `${v}-alpine`, `${v}-bookworm`, `${v}-debian-12-r${minor + 1}`, `${v}-master-${700 + minor * 3}`);
  }
  return out.slice(0, TAGS);
}

function scanOf(names: string[]): ScanResult {
  const dependencies: Dependency[] = [];
  for (let i = 0; i < REFERENCES; i++) {
    const name = names[i % names.length]!;
    const current = ['1.2.2', '1.3.3-alpine', '1.4.0-bookworm', '1.2.2-debian-12-r3', '1.5.1-master-715'][i % 5]!;
    const value = current.replace(/^1/, String(1 + (names.indexOf(name) % 3)));
    dependencies.push({
      file: `apps/app-${i}.yaml`, line: 10, manager: 'kubernetes', datasource: 'docker', name, registryUrl: null,
      currentValue: value, currentDigest: null, valueRange: { start: 0, end: 0 }, digestRange: null, digestInsertAt: null,
    });
  }
  return { dependencies, problems: [] };
}

function memorySource(tags: Map<string, string[]>): ReleaseSource {
  return {
    releases: async (pkg: PackageRef): Promise<PackageReleases> => ({
      releases: (tags.get(pkg.name) ?? []).map((version) => ({ version, releaseTimestamp: null })),
      sourceUrl: null,
    }),
    digest: async () => null,
    releaseTime: async () => null,
  };
}

function pickEach(scan: ScanResult, candidates: (name: string) => readonly string[] | TagIndex): void {
  for (const d of scan.dependencies) pickTarget(d.currentValue!, candidates(d.name), { scheme: 'docker' });
}

async function cpu(fn: () => Promise<unknown>): Promise<number> {
  const start = process.cpuUsage();
  await fn();
  const used = process.cpuUsage(start);
  return (used.user + used.system) / 1000;
}

/** Runs `fn` under the V8 CPU profiler: the share of samples inside tag reading, and the top functions by self time. */
async function profiled(fn: () => Promise<unknown>): Promise<{ parsing: number; top: [string, number][] }> {
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.setSamplingInterval', { interval: 100 });
  await session.post('Profiler.start');
  for (let i = 0; i < ROUNDS; i++) await fn();
  const { profile } = await session.post('Profiler.stop');
  session.disconnect();
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const total = profile.nodes.reduce((s, n) => s + (n.callFrame.functionName === '(idle)' ? 0 : (n.hitCount ?? 0)), 0);
  // Inclusive samples under the outermost tag-reading frame, so regex time inside parseDockerTag counts as reading.
  const inside = (id: number, reading: boolean): number => {
    const node = byId.get(id)!;
    const here = reading || PARSING.has(node.callFrame.functionName);
    return (here ? (node.hitCount ?? 0) : 0) + (node.children ?? []).reduce((s, c) => s + inside(c, here), 0);
  };
  const self = new Map<string, number>();
  for (const n of profile.nodes) {
    const name = n.callFrame.functionName || '(anonymous)';
    if (name !== '(idle)') self.set(name, (self.get(name) ?? 0) + (n.hitCount ?? 0));
  }
  const top = [...self].sort((a, b) => b[1] - a[1]).slice(0, 5).map(([name, hits]): [string, number] => [name, hits / total]);
  return { parsing: inside(profile.nodes[0]!.id, false) / total, top };
}

function pct(v: number): string {
  return `${(v * 100).toFixed(1)}%`;
}
