import { failedLookups } from '../plan/failures.js';
import type { Plan, Unchanged, Update } from '../plan/types.js';
import type { Dependency, Problem } from '../scan/types.js';
import { environmentOf } from './environment.js';
import type { FleetReport, RepoInput, ReportPackage, ReportRepository, ReportUse, UseStatus } from './types.js';
import { behindOf, highestVersion, NOT_BEHIND, type ReadVersion, UNKNOWN, versionReader, worse } from './versions.js';

/** Many repositories' plans (or why a repository has none) → the fleet view: every package and each of its uses. */
export function buildReport(inputs: readonly RepoInput[], generatedAt: Date): FleetReport {
  const repositories: ReportRepository[] = [];
  const packages = new Map<string, { name: string; datasource: Dependency['datasource']; uses: ReportUse[] }>();
  const read = versionReader();
  for (const [repoIndex, input] of inputs.entries()) {
    if ('error' in input) {
      repositories.push({ repo: input.repo, dependencies: 0, updates: 0, problems: [{ file: '', line: 0, message: input.error }], error: input.error });
      continue;
    }
    const { plan } = input;
    const uses = usesOf(plan, input.repo, repoIndex, read);
    repositories.push({ repo: input.repo, dependencies: uses.length, updates: plan.updates.length, problems: problemsOf(plan), error: null });
    for (const { dep, use } of uses) {
      const name = packageName(dep);
      const key = `${dep.datasource}\u0000${name}`;
      const entry = packages.get(key) ?? { name, datasource: dep.datasource, uses: [] };
      entry.uses.push(use);
      packages.set(key, entry);
    }
  }
  return { generatedAt, repositories, packages: [...packages.values()].map((p) => toPackage(p, read)).sort(byNameThenDatasource) };
}

/** The fleet's headline numbers, as the CLI's closing line and the page's summary both state them. */
export interface ReportCounts {
  /** Uses with an update. */
  behind: number;
  failedLookups: number;
  failedRepositories: number;
  /** Packages used at more than one version. */
  drift: number;
}

export function reportCounts(report: FleetReport): ReportCounts {
  const uses = report.packages.flatMap((p) => p.uses);
  return {
    behind: uses.filter((u) => u.status === 'update').length,
    failedLookups: uses.filter((u) => u.status === 'failed').length,
    failedRepositories: report.repositories.filter((r) => r.error !== null).length,
    drift: report.packages.filter((p) => p.drift).length,
  };
}

/**
 * The package name: an image as written (`ghcr.io/acme/web`); a chart after its repository URL without scheme or
 * credentials (`https://charts.example.com/stable` + `web` → `charts.example.com/stable/web`), so charts of the same
 * name from two repositories stay apart. A chart without a repository URL (local, unresolved) is its name alone.
 */
export function packageName(dep: Pick<Dependency, 'datasource' | 'name' | 'registryUrl'>): string {
  if (dep.datasource !== 'helm' || !dep.registryUrl) return dep.name;
  const rest = dep.registryUrl.replace(/^[a-z][a-z0-9+.-]*:\/\//i, '').replace(/\/+$/, '');
  const slash = rest.indexOf('/');
  const authority = slash === -1 ? rest : rest.slice(0, slash);
  // User info ends at the authority's last `@` (`ci:p@ss@host` is user `ci`, password `p@ss`).
  const base = rest.slice(authority.lastIndexOf('@') + 1);
  return `${base}/${dep.name}`;
}

interface Found {
  dep: Dependency;
  use: ReportUse;
}

/** One use per scanned dependency: the plan holds each in `updates` (once per target), `unchanged`, or both. */
function usesOf(plan: Plan, repo: string, repoIndex: number, read: ReadVersion): Found[] {
  const updates = new Map<Dependency, Update[]>();
  const unchanged = new Map<Dependency, Unchanged>();
  for (const u of plan.updates) updates.set(u.dependency, [...(updates.get(u.dependency) ?? []), u]);
  for (const u of plan.unchanged) unchanged.set(u.dependency, u);
  const failures = new Map(failedLookups(plan).map((f) => [f.dependency, `lookup failed: ${f.host} ${f.problem}`]));
  const deps = [...new Set([...updates.keys(), ...unchanged.keys()])];
  return deps.map((dep) => ({ dep, use: useOf(dep, updates.get(dep) ?? [], unchanged.get(dep), failures.get(dep) ?? null, { repo, repoIndex, read }) }));
}

function useOf(
  dep: Dependency, updates: Update[], stays: Unchanged | undefined, failure: string | null, at: { repo: string; repoIndex: number; read: ReadVersion },
): ReportUse {
  const { repo, repoIndex, read } = at;
  const base = {
    repo, repoIndex, file: dep.file, line: dep.line, environment: environmentOf(dep.file),
    currentValue: dep.currentValue, currentDigest: dep.currentDigest,
  };
  const scheme = dep.datasource === 'helm' ? 'semver' : 'docker';
  const target = highestUpdate(updates, scheme, read);
  if (target) {
    return { ...base, newValue: target.newValue, updateType: target.updateType, status: 'update', note: failure, behind: behindOf(dep.currentValue, target, scheme, read) };
  }
  const status = statusOf(stays, failure);
  const reasons = status === 'failed' ? [failure ?? stays?.reason ?? 'lookup failed'] : [status === 'current' ? null : stays?.reason, failure];
  const note = reasons.filter((r) => r).join('; ') || null;
  return { ...base, newValue: null, updateType: null, status, note, behind: status === 'failed' ? UNKNOWN : NOT_BEHIND };
}

function highestUpdate(updates: readonly Update[], scheme: 'docker' | 'semver', read: ReadVersion): Update | null {
  if (updates.length <= 1) return updates[0] ?? null;
  const top = highestVersion(updates.map((u) => u.newValue), scheme, { read });
  return updates.find((u) => u.newValue === top) ?? updates[0] ?? null;
}

function statusOf(stays: Unchanged | undefined, failure: string | null): UseStatus {
  switch (stays?.kind) {
    case 'lookup-failed':
      return 'failed';
    case 'skipped':
    case 'disabled':
      return 'skipped';
    case 'up-to-date':
      return 'current';
    case undefined:
      return failure || stays?.reason.startsWith('lookup failed') ? 'failed' : 'held';
    default:
      return 'held';
  }
}

function problemsOf(plan: Plan): Problem[] {
  const lookups = failedLookups(plan).map((f) => ({ file: f.dependency.file, line: f.dependency.line, message: `${f.dependency.name}: lookup failed: ${f.host} ${f.problem}` }));
  return [...plan.problems, ...lookups];
}

function toPackage(entry: { name: string; datasource: Dependency['datasource']; uses: ReportUse[] }, read: ReadVersion): ReportPackage {
  const uses = entry.uses.sort((a, b) => a.repoIndex - b.repoIndex || (a.file < b.file ? -1 : a.file > b.file ? 1 : a.line - b.line));
  return {
    name: entry.name,
    datasource: entry.datasource,
    newest: newestOf(uses, entry.datasource === 'helm' ? 'semver' : 'docker', read),
    drift: new Set(uses.map((u) => u.currentValue)).size > 1,
    uses,
    behind: uses.reduce((w, u) => worse(w, u.behind), NOT_BEHIND),
  };
}

/**
 * The highest version any use would move to; if none moves, the highest current version among the uses whose lookup
 * succeeded (floating tags are not versions); null when no lookup of this package succeeded.
 */
export function newestOf(uses: readonly ReportUse[], scheme: 'docker' | 'semver', read?: ReadVersion): string | null {
  const targets = uses.flatMap((u) => (u.newValue === null ? [] : [u.newValue]));
  if (targets.length > 0) return highestVersion(targets, scheme, { ...(read && { read }) });
  const lookedUp = uses.filter((u) => u.status === 'current' || u.status === 'held');
  return highestVersion(lookedUp.flatMap((u) => (u.currentValue === null ? [] : [u.currentValue])), scheme, { versionsOnly: true, ...(read && { read }) });
}

function byNameThenDatasource(a: ReportPackage, b: ReportPackage): number {
  if (a.name !== b.name) return a.name < b.name ? -1 : 1;
  return a.datasource < b.datasource ? -1 : a.datasource > b.datasource ? 1 : 0;
}
