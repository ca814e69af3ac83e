import type { ValidateFunction } from 'ajv';
import pLimit from 'p-limit';
import semver from 'semver';
import { effectiveSettings } from '../config/rules.js';
import type { TidemarkConfig } from '../config/types.js';
import { silentLogger, withoutCredentials, type Logger } from '../log.js';
import type { ChartFiles } from '../lookup/helm/chart-files.js';
import type { PackageRef, PackageReleases } from '../lookup/types.js';
import { groupBranches } from '../plan/branches.js';
import { subjectOf } from '../plan/dependency.js';
import type { Change, Plan, Risk, Update } from '../plan/types.js';
import type { Problem } from '../scan/types.js';
import { chartFacts, type ChartFacts } from './chart-facts.js';
import { kubeVersionRisk, removedValueRisks } from './risks.js';
import { coalesceValues, compileValuesSchema, schemaRisks } from './schema.js';
import { assertAffordable } from './schema-cost.js';
import { userValuesFor, type ReadRepoFile, type UserValues } from './user-values.js';

/** What the review asks of the lookup stage (a `LookupSource` is one). */
export interface ReviewSource {
  releases(pkg: PackageRef): Promise<PackageReleases>;
  chartFiles(pkg: PackageRef, version: string): Promise<ChartFiles>;
}

export interface ReviewOptions {
  source: ReviewSource;
  readFile: ReadRepoFile;
  config: TidemarkConfig;
  logger?: Logger;
  /** Versions between the current and the new one whose changes are read (the newest of them); default 20. */
  maxIntermediateVersions?: number;
  /** Updates reviewed at once; the HTTP client's own limits still apply. Default 4. */
  concurrency?: number;
}

export const DEFAULT_MAX_INTERMEDIATE_VERSIONS = 20;

/**
 * Chart updates against their charts: for every Helm chart update, the current and the new chart's archives are
 * read and the user's values checked (`risks`), and the `artifacthub.io/changes` of every version after the current
 * one up to the new one collected (`changes`). An update with risks gets the configured `riskLabel` and loses
 * `automerge` unless a rule sets `automergeRisky`. A chart that cannot be read is a problem on the dependency's line,
 * never a reason to hold the update back, and never a partial failure (the update itself was planned).
 */
export async function reviewPlan(plan: Plan, opts: ReviewOptions): Promise<Plan> {
  const logger = opts.logger ?? silentLogger;
  const facts = new Map<string, Promise<ChartFacts>>();
  const factsOf = (pkg: PackageRef, version: string): Promise<ChartFacts> => {
    const key = `${pkg.registryUrl ?? ''} ${pkg.name} ${version}`;
    let p = facts.get(key);
    if (!p) {
      p = opts.source.chartFiles(pkg, version).then(chartFacts);
      facts.set(key, p);
    }
    return p;
  };
  // A chart's schema is compiled once per run, however many files use the chart (a big one takes seconds).
  const schemas = new Map<string, ValidateFunction | Error>();
  const compile = (text: string): ValidateFunction => {
    let v = schemas.get(text);
    if (!v) {
      try {
        v = compileValuesSchema(text);
      } catch (err) {
        v = err instanceof Error ? err : new Error(String(err));
      }
      schemas.set(text, v);
    }
    if (v instanceof Error) throw v;
    return v;
  };
  const limit = pLimit(opts.concurrency ?? 4);
  const problems: Problem[] = [];
  const updates = await Promise.all(
    plan.updates.map((u) =>
      limit(async () => {
        if (!reviewable(u)) return u;
        const found = await reviewUpdate(u, factsOf, opts, compile, logger);
        for (const p of found.problems) problems.push(p);
        return adjusted({ ...u, risks: found.risks, changes: found.changes }, opts.config);
      }),
    ),
  );
  // A dependency may get two updates (the newest minor and a major): its explanation lists what each found, apart.
  const explanations = plan.explanations?.map((e) => {
    const reviews = updates
      .filter((x) => x.dependency.file === e.file && x.dependency.line === e.line && x.dependency.name === e.name)
      .map((u) => ({ newValue: u.newValue, risks: u.risks ?? [], changes: u.changes ?? [] }));
    return reviews.some((r) => r.risks.length || r.changes.length) ? { ...e, reviews } : e;
  });
  return {
    ...plan,
    updates,
    problems: [...plan.problems, ...problems.sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : a.line - b.line))],
    branches: groupBranches(updates, opts.config.branchPrefix),
    ...(explanations && { explanations }),
  };
}

/** A chart moving from one version to another (not a range, a digest or a pin). */
function reviewable(u: Update): boolean {
  const cur = u.dependency.currentValue;
  return u.dependency.datasource === 'helm' && cur !== null && cur !== u.newValue && !!semver.valid(cur) && !!semver.valid(u.newValue);
}

interface Found {
  risks: Risk[];
  changes: Change[];
  problems: Problem[];
}

async function reviewUpdate(
  u: Update, factsOf: (pkg: PackageRef, v: string) => Promise<ChartFacts>, opts: ReviewOptions, compile: (schema: string) => ValidateFunction,
  logger: Logger,
): Promise<Found> {
  const dep = u.dependency;
  const pkg: PackageRef = { datasource: 'helm', name: dep.name, registryUrl: dep.registryUrl };
  const cur = dep.currentValue ?? '';
  const problems: Problem[] = [];
  const problem = (message: string): void => void problems.push({ file: dep.file, line: dep.line, message: withoutCredentials(message) });
  const [was, now] = await Promise.allSettled([factsOf(pkg, cur), factsOf(pkg, u.newValue)]);
  let risks: Risk[] = [];
  if (was.status === 'rejected' || now.status === 'rejected') {
    const [v, err] = was.status === 'rejected' ? [cur, was.reason] : [u.newValue, (now as PromiseRejectedResult).reason];
    problem(`${dep.name} ${v}: chart not reviewed, its archive could not be read: ${errorText(err)}`);
    logger.warn('chart archive could not be read', { chart: dep.name, version: v, error: errorText(err) });
  } else if (was.value.valuesProblem || now.value.valuesProblem) {
    const [v, why] = was.value.valuesProblem ? [cur, was.value.valuesProblem] : [u.newValue, now.value.valuesProblem];
    problem(`${dep.name} ${v}: values not reviewed: ${why}`);
    risks = kubeVersionRisk(was.value.kubeVersion, now.value.kubeVersion, cur, u.newValue);
  } else {
    const values = await valueRisks(u, was.value, now.value, opts, compile, problem);
    risks = [...values, ...kubeVersionRisk(was.value.kubeVersion, now.value.kubeVersion, cur, u.newValue)];
  }
  const changes = await changesBetween(pkg, cur, u.newValue, factsOf, opts, problem);
  return { risks, changes, problems };
}

async function valueRisks(
  u: Update, was: ChartFacts, now: ChartFacts, opts: ReviewOptions, compile: (schema: string) => ValidateFunction, problem: (m: string) => void,
): Promise<Risk[]> {
  let user: UserValues | null;
  try {
    user = await userValuesFor(u.dependency, opts.readFile);
  } catch (err) {
    problem(`${u.dependency.name} ${u.newValue}: your values were not checked: ${errorText(err)}`);
    return [];
  }
  if (!user) return [];
  const risks = removedValueRisks(user.values, was.defaults, now.defaults, u.newValue);
  if (!user.complete || now.schema === null) return risks;
  try {
    const validate = compile(now.schema);
    const merged = coalesceValues(now.defaults, user.values);
    assertAffordable(validate.schema, merged);
    return [...risks, ...schemaRisks(validate, merged, u.newValue)];
  } catch (err) {
    problem(`${u.dependency.name} ${u.newValue}: ${errorText(err)}; values not checked against it`);
  }
  return risks;
}

/**
 * `artifacthub.io/changes` of every version after `from` up to and including `to`, oldest first, read from each
 * version's own archive. Pre-releases in between are left out, and at most `maxIntermediateVersions` (the newest) besides `to`.
 */
async function changesBetween(
  pkg: PackageRef, from: string, to: string, factsOf: (pkg: PackageRef, v: string) => Promise<ChartFacts>, opts: ReviewOptions,
  problem: (m: string) => void,
): Promise<Change[]> {
  const max = opts.maxIntermediateVersions ?? DEFAULT_MAX_INTERMEDIATE_VERSIONS;
  const releases = await opts.source.releases(pkg).catch(() => ({ releases: [] }) as PackageReleases);
  const between = releases.releases
    .map((r) => r.version)
    .filter((v) => v !== to && semver.valid(v) && !semver.prerelease(v) && semver.gt(v, from) && semver.lt(v, to))
    .sort(semver.compare)
    .slice(-max);
  const out: Change[] = [];
  for (const v of [...between, to]) {
    try {
      for (const c of (await factsOf(pkg, v)).changes) out.push(c);
    } catch (err) {
      // The new version's failure is already the update's problem; an intermediate one says its changes are missing.
      if (v !== to) problem(`${pkg.name} ${v}: changes not read, its archive could not be read: ${errorText(err)}`);
    }
  }
  return out;
}

/** Risks add the configured label and take `automerge` away unless a rule says `automergeRisky: true`. */
function adjusted(u: Update, config: TidemarkConfig): Update {
  if (!u.risks?.length) return u;
  const labels = config.riskLabel && !u.labels.includes(config.riskLabel) ? [...u.labels, config.riskLabel] : u.labels;
  const settings = effectiveSettings(config.rules, { ...subjectOf(u.dependency), updateType: u.updateType }, u.dependency.controls);
  const held = u.automerge && !settings.automergeRisky;
  return { ...u, labels, automerge: u.automerge && settings.automergeRisky, ...(held && { automergeHeldByRisks: true }) };
}

function errorText(err: unknown): string {
  return withoutCredentials(err instanceof Error ? err.message : String(err));
}
