import { RegistryError } from '../errors.js';
import { withoutCredentials } from '../log.js';
import type { Dependency, Problem } from '../scan/types.js';
import type { Plan } from './types.js';

/**
 * Why one dependency's lookup failed, as data: the host that failed and what it did, in words that read after the
 * host name (`ghcr.io` `could not be reached`, `quay.io` `answered 500`). Internal: `plan --json` never carries it.
 */
export interface LookupFailure {
  host: string;
  problem: string;
}

/** A failed lookup and the dependency it left unchanged (or whose second target it held back). */
export interface FailedLookup extends LookupFailure {
  dependency: Dependency;
  /** The error's message, for the problems list. */
  message: string;
}

/**
 * Host and problem of a lookup error. `RegistryError{host: 'quay.io', status: 500}` → `quay.io` `answered 500`;
 * a refused connection or an open circuit → `could not be reached`; a timeout → `timed out`.
 */
export function lookupFailureOf(err: unknown): LookupFailure {
  if (!(err instanceof RegistryError)) return { host: 'unknown host', problem: 'failed' };
  const host = err.host || 'unknown host';
  const text = err.message;
  if (err.status !== null && err.status >= 400) return { host, problem: `answered ${err.status}` };
  if (/timed out|time budget|request budget/i.test(text)) return { host, problem: 'timed out' };
  if (/could not be reached|circuit|refused|not reachable|unreachable/i.test(text) || err.status === null && err.cause !== undefined) {
    return { host, problem: 'could not be reached' };
  }
  return { host, problem: 'sent an answer Tidemark could not use' };
}

/** How many lookups failed, out of how many, grouped by host and problem (largest group first). */
export interface FailureCount {
  failed: number;
  total: number;
  groups: { host: string; problem: string; count: number }[];
}

/**
 * Counts per dependency (each image or chart reference in a file that was looked up), the same unit the summaries
 * use for "N dependencies are current". Null when no lookup failed.
 */
export function countFailures(plan: Plan): FailureCount | null {
  const failed = failedLookups(plan);
  if (failed.length === 0) return null;
  const byDep = new Map<string, FailedLookup>();
  for (const f of failed) byDep.set(depKey(f.dependency), byDep.get(depKey(f.dependency)) ?? f);
  const groups = new Map<string, { host: string; problem: string; count: number }>();
  for (const f of byDep.values()) {
    const key = `${f.host}\u0000${f.problem}`;
    const g = groups.get(key) ?? { host: f.host, problem: f.problem, count: 0 };
    g.count++;
    groups.set(key, g);
  }
  const sorted = [...groups.values()].sort((a, b) => b.count - a.count || (a.host < b.host ? -1 : a.host > b.host ? 1 : 0));
  return { failed: byDep.size, total: Math.max(byDep.size, lookedUp(plan)), groups: sorted };
}

/** `99 of 101 lookups failed: ghcr.io could not be reached (98), quay.io answered 500 (1)`; no more than 10 groups named. */
export function failureSentence(count: FailureCount): string {
  const named = count.groups.slice(0, 10).map((g) => `${g.host} ${g.problem} (${g.count})`);
  const rest = count.groups.length - named.length;
  if (rest > 0) named.push(`${rest} more ${rest === 1 ? 'host' : 'hosts'}`);
  return `${count.failed} of ${count.total} ${count.total === 1 ? 'lookup' : 'lookups'} failed: ${named.join(', ')}`;
}

/** The plan's failed lookups; for a plan built without them (tests, older code) its `lookup-failed` entries. */
export function failedLookups(plan: Plan): FailedLookup[] {
  if (plan.failedLookups) return plan.failedLookups;
  return plan.unchanged
    .filter((u) => u.kind === 'lookup-failed' || u.failure !== undefined || (u.kind === undefined && u.reason.startsWith('lookup failed')))
    .map((u) => ({ dependency: u.dependency, host: u.failure?.host ?? 'unknown host', problem: u.failure?.problem ?? 'failed', message: u.reason }));
}

/** Dependencies that needed a lookup: those with updates, and unchanged ones the scanner or a rule did not settle first. */
function lookedUp(plan: Plan): number {
  if (plan.lookedUp !== undefined) return plan.lookedUp;
  const keys = new Set<string>();
  for (const u of plan.updates) keys.add(depKey(u.dependency));
  for (const u of plan.unchanged) if (u.kind !== 'skipped' && u.kind !== 'disabled') keys.add(depKey(u.dependency));
  return keys.size;
}

function depKey(d: Dependency): string {
  return `${d.file}\u0000${d.line}\u0000${d.name}`;
}

/**
 * Every failed lookup as a problem with file and line: a dependency left unchanged because its registry failed, and a
 * digest that failed beside another held-back reason. `plan` and `run` both count these, so on the same repository
 * they say the same number of problems.
 */
export function lookupProblems(plan: Plan): Problem[] {
  return failedLookups(plan).map((f) => ({
    file: f.dependency.file,
    line: f.dependency.line,
    message: withoutCredentials(`${f.dependency.name}: lookup failed: ${f.message.replace(/^lookup failed: /, '')}`),
  }));
}

/** The problems a plan has: what scanning found wrong, then every failed lookup. */
export function planProblems(plan: Plan): Problem[] {
  return [...plan.problems, ...lookupProblems(plan)];
}
