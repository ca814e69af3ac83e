import pLimit from 'p-limit';
import { effectiveSettings, imageNameSpellings, type EffectiveSettings } from '../config/rules.js';
import type { TidemarkConfig } from '../config/types.js';
import { silentLogger, type Logger } from '../log.js';
import type { PackageRef, PackageReleases, ReleaseSource } from '../lookup/types.js';
import type { Dependency, ScanResult } from '../scan/types.js';
import { withoutCredentials } from '../log.js';
import { TagIndex } from '../versions/tags.js';
import { ReleaseAges } from './age.js';
import { countFailures, lookupFailureOf, type FailedLookup } from './failures.js';
import { groupBranches } from './branches.js';
import { planDependency, subjectOf, type DependencyResult } from './dependency.js';
import { planRange } from './range.js';
import { skipReasonText } from './reasons.js';
import type { Explanation, Plan, Unchanged, Update } from './types.js';
import type { OnProgress } from '../progress.js';

export { planToJson, explain, explanationText } from './json.js';
export { groupBranches, sanitize } from './branches.js';
export type { Explanation, Plan } from './types.js';

export interface PlanOptions {
  now?: Date;
  /** Package names ticked on the dashboard: they bypass `enabled: false` and the minimum release age. */
  approved?: ReadonlySet<string>;
  logger?: Logger;
  /** Record every candidate's verdict for dependencies with this name (`--explain`). */
  explain?: string | null;
  /** Told `lookup` N of M as each package's lookup ends (M: packages to look up, each once). */
  onProgress?: OnProgress;
}

interface Active {
  dep: Dependency;
  settings: EffectiveSettings;
  approved: boolean;
}

/**
 * Scan result + registries + rules → what moves where, and why everything else stays. Each package is looked up once;
 * a failed lookup leaves only that package's dependencies unchanged ("lookup failed: …") and sets `partialFailure`.
 */
export async function createPlan(scan: ScanResult, source: ReleaseSource, config: TidemarkConfig, opts: PlanOptions = {}): Promise<Plan> {
  const logger = opts.logger ?? silentLogger;
  const now = opts.now ?? new Date();
  const unchanged: Unchanged[] = [];
  const packages = new Map<string, { pkg: PackageRef; deps: Active[] }>();
  for (const dep of scan.dependencies) {
    const settled = settle(dep, config, opts.approved);
    if ('reason' in settled) {
      unchanged.push(settled);
      continue;
    }
    const pkg: PackageRef = { datasource: dep.datasource, name: dep.name, registryUrl: dep.registryUrl };
    const key = `${pkg.datasource} ${pkg.registryUrl ?? ''} ${pkg.name}`;
    const entry = packages.get(key) ?? { pkg, deps: [] };
    entry.deps.push(settled);
    packages.set(key, entry);
  }
  const updates: Update[] = [];
  const explanations: Explanation[] = [];
  let partialFailure = false;
  const failedLookups: FailedLookup[] = [];
  let lookedUp = 0;
  // Above any per-host limit, so the HTTP client's limits (not this one) decide what is in flight.
  const limit = pLimit(64);
  let packagesDone = 0;
  opts.onProgress?.({ phase: 'lookup', done: 0, total: packages.size });
  await Promise.all(
    [...packages.values()].map(({ pkg, deps }) =>
      limit(async () => {
        const results = await planPackage(pkg, deps, source, config, { now, logger, explain: opts.explain || null });
        opts.onProgress?.({ phase: 'lookup', done: ++packagesDone, total: packages.size });
        for (const [i, r] of results.entries()) {
          const { dep } = deps[i]!;
          lookedUp++;
          for (const u of r.updates) updates.push(u);
          if (r.unchanged) unchanged.push(r.unchanged);
          if (r.failure) {
            partialFailure = true;
            failedLookups.push({ dependency: dep, host: r.failure.host, problem: r.failure.problem, message: r.failure.message });
          }
          if (opts.explain && namedAs(dep, opts.explain)) explanations.push(explanationOf(dep, r));
        }
      }),
    ),
  );
  const sortedUpdates = updates.sort(byPosition((u) => u.dependency));
  const plan: Plan = {
    updates: sortedUpdates,
    unchanged: unchanged.sort(byPosition((u) => u.dependency)),
    problems: scan.problems,
    branches: groupBranches(sortedUpdates, config.branchPrefix),
    partialFailure,
    failedLookups: failedLookups.sort(byPosition((f) => f.dependency)),
    lookedUp,
    ...(opts.explain ? { explanations: explanations.sort(byPosition((e) => e)) } : {}),
  };
  warnPerHost(plan, logger);
  return plan;
}

/**
 * One warning per failing host and problem, with a count, instead of one per package: a registry that is down costs
 * one line (`quay.io: 70 lookups failed: answered 500`), not seventy. Each package's error is logged at debug level.
 */
function warnPerHost(plan: Plan, logger: Logger): void {
  for (const g of countFailures(plan)?.groups ?? []) {
    logger.warn(`${g.host}: ${g.count} ${g.count === 1 ? 'lookup' : 'lookups'} failed: ${g.problem}`, { host: g.host, failed: g.count, problem: g.problem });
  }
}

/** A dependency that stays without a lookup (skipped by the scanner, disabled by a rule), or its settings. */
function settle(dep: Dependency, config: TidemarkConfig, approved: ReadonlySet<string> | undefined): Active | Unchanged {
  // A range is looked up like a version: `rangeStrategy` decides whether it is kept, pinned or replaced.
  const settings = effectiveSettings(config.rules, subjectOf(dep), dep.controls);
  if (dep.skipReason && !isRange(dep) && !followsDigest(dep, settings)) return { dependency: dep, reason: skipReasonText(dep), kind: 'skipped' };
  const isApproved = approved?.has(dep.name) ?? false;
  if (!settings.enabled && !isApproved) return { dependency: dep, reason: `disabled by ${settings.disabledBy}`, kind: 'disabled' };
  return { dep, settings, approved: isApproved };
}

async function planPackage(
  pkg: PackageRef, deps: Active[], source: ReleaseSource, config: TidemarkConfig, run: { now: Date; logger: Logger; explain: string | null },
): Promise<DependencyResult[]> {
  const { now, logger } = run;
  let releases: PackageReleases;
  try {
    releases = await source.releases(pkg);
  } catch (err) {
    logger.debug('lookup failed', { package: pkg.name, error: errorText(err) });
    return deps.map(({ dep }) => failed(dep, err));
  }
  logger.debug('looked up', { package: pkg.name, releases: releases.releases.length });
  const ages = new ReleaseAges(source, pkg, releases, now);
  // Read once here, not once per reference: 1,000 references to one image share one reading of its tags.
  const tags = new TagIndex(releases.releases.map((r) => r.version));
  const out: DependencyResult[] = [];
  for (const { dep, settings, approved } of deps) {
    try {
      const explain = run.explain !== null && namedAs(dep, run.explain);
      const input = { dep, pkg, releases, tags, source, rules: config.rules, settings, approved, ages, explain };
      const r = isRange(dep) ? await planRange(input, dep.currentValue) : await planDependency(input);
      if (r.failure && !r.unchanged) logger.debug('an update was held back: its digest could not be read', { package: pkg.name, file: dep.file });
      out.push(r);
    } catch (err) {
      logger.debug('lookup failed', { package: pkg.name, file: dep.file, error: errorText(err) });
      out.push(failed(dep, err));
    }
  }
  return out;
}

/**
 * A floating tag pinned by digest (`nginx:latest@sha256:…`), or one pinDigests should pin: its digest is what moves,
 * as Renovate does for Dockerfiles. `nginx:latest` without a digest and without pinDigests stays skipped.
 */
function followsDigest(dep: Dependency, settings: EffectiveSettings): boolean {
  if (dep.skipReason !== 'unpinned' || dep.datasource !== 'docker' || dep.currentValue === null) return false;
  return dep.currentDigest !== null || (settings.pinDigests && dep.digestInsertAt != null);
}

function isRange(dep: Dependency): dep is Dependency & { currentValue: string } {
  return dep.skipReason === 'version-range' && dep.currentValue !== null;
}

/** The dependency stays with the reason; the failing host is kept as data for the summaries (not in `plan --json`). */
function failed(dep: Dependency, err: unknown): DependencyResult {
  const failure = lookupFailureOf(err);
  const message = errorText(err);
  return {
    updates: [],
    unchanged: { dependency: dep, reason: `lookup failed: ${message}`, kind: 'lookup-failed', failure },
    candidates: [],
    failure: { ...failure, message },
  };
}

/** Error messages may carry a registry URL with user info (`https://user:pass@charts.example`); never repeat it. */
function errorText(err: unknown): string {
  return withoutCredentials(err instanceof Error ? err.message : String(err));
}

/** `--explain nginx` finds `docker.io/library/nginx` too: any spelling of a Docker Hub image names it. */
export function namedAs(dep: { name: string; datasource: string }, name: string): boolean {
  if (dep.name === name) return true;
  if (dep.datasource !== 'docker') return false;
  const asked = new Set(imageNameSpellings(name));
  return imageNameSpellings(dep.name).some((n) => asked.has(n));
}

function explanationOf(dep: Dependency, r: DependencyResult): Explanation {
  const outcome = r.updates.length
    ? r.updates.map((u) => `${u.updateType} update to ${u.newValue}: ${u.reason}`).join('; ')
    : `stays: ${r.unchanged?.reason ?? 'up to date'}`;
  return { file: dep.file, line: dep.line, name: dep.name, currentValue: dep.currentValue, outcome, candidates: r.candidates };
}

function byPosition<T>(get: (x: T) => { file: string; line: number }): (a: T, b: T) => number {
  return (a, b) => {
    const x = get(a);
    const y = get(b);
    return x.file < y.file ? -1 : x.file > y.file ? 1 : x.line - y.line;
  };
}
