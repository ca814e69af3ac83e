import { oneLine } from '../escape.js';
import { maskSecrets } from '../log.js';
import { countFailures, failureSentence, lookupProblems } from '../plan/failures.js';
import { heldBackSentences } from '../publish/limits.js';
import type { BranchOutcome, RunSummary } from '../run-types.js';
import type { Problem } from '../scan/types.js';

/**
 * The closing summary: counts, failed lookups by host (never counted as current), then one line per branch and per
 * problem. A dry run says what it would open. URL user info and the given secrets are masked in all of it.
 */
export function formatSummary(summary: RunSummary, dryRun = false, secrets: readonly string[] = []): string {
  const groups: [string, BranchOutcome[]][] = dryRun
    ? [
        ['would open', summary.wouldOpen ?? []],
        ['skipped', summary.skipped],
      ]
    : [
        ['opened', summary.opened],
        ['updated', summary.updated],
        ['closed', summary.closed],
        ['skipped', summary.skipped],
      ];
  const counts = groups.map(([label, list]) => (label === 'would open' ? `would open ${list.length}` : `${list.length} ${label}`)).join(', ');
  const problems = summary.problems.length === 1 ? '1 problem' : `${summary.problems.length} problems`;
  const lines = [`${dryRun ? 'Dry run of ' : ''}${summary.repo}: ${counts}, ${problems}${summary.partialFailure ? ' (partial failure)' : ''}`];
  const failures = countFailures(summary.plan);
  if (failures) lines.push(`  lookups  ${failureSentence(failures)}`);
  for (const held of heldBackSentences(summary.skipped)) lines.push(`  limits   ${held}`);
  const width = dryRun ? 10 : 8;
  for (const [label, list] of groups) {
    for (const o of list) lines.push(`  ${label.padEnd(width)} ${o.branch}${o.pr ? ` #${o.pr.number} ${o.pr.url}` : ''} — ${o.detail}`);
  }
  // Failed lookups are counted among the problems (as `plan` counts them) but named once per host on the `lookups` line.
  const lookups = new Set(lookupProblems(summary.plan).map(problemKey));
  for (const p of summary.problems) {
    if (!lookups.has(problemKey(p))) lines.push(`  ${'problem'.padEnd(width)} ${p.file ? `${p.file}:${p.line}: ` : ''}${p.message}`);
  }
  return maskSecrets(lines.map(oneLine).join('\n'), secrets) + '\n';
}

function problemKey(p: Problem): string {
  return `${p.file}\u0000${p.line}\u0000${p.message}`;
}

/**
 * `run --json`: one object on stdout, the contract documented in docs/output.md. Keys in this order; every list is
 * present (empty when there is nothing); `wouldOpen` is filled only by a dry run; `lookups` is null when none failed.
 */
export function summaryToJson(summary: RunSummary, dryRun: boolean): object {
  const failures = countFailures(summary.plan);
  const outcome = (o: BranchOutcome) => ({ branch: o.branch, pr: o.pr ? { number: o.pr.number, url: o.pr.url } : null, detail: o.detail });
  return {
    repo: summary.repo,
    dryRun,
    opened: summary.opened.map(outcome),
    updated: summary.updated.map(outcome),
    closed: summary.closed.map(outcome),
    skipped: summary.skipped.map(outcome),
    wouldOpen: (summary.wouldOpen ?? []).map(outcome),
    problems: summary.problems.map((p) => ({ file: p.file, line: p.line, message: p.message })),
    partialFailure: summary.partialFailure,
    lookups: failures && {
      failed: failures.failed,
      total: failures.total,
      hosts: failures.groups.map((g) => ({ host: g.host, problem: g.problem, count: g.count })),
    },
    branches: summary.plan.branches.map((b) => ({
      branch: b.branchName,
      title: b.title,
      updates: b.updates.map((u) => ({
        file: u.dependency.file,
        line: u.dependency.line,
        name: u.dependency.name,
        currentValue: u.dependency.currentValue,
        newValue: u.newValue,
        updateType: u.updateType,
      })),
    })),
  };
}

/** The JSON text of `summaryToJson`, with URL user info and the given secrets masked in every string. */
export function summaryJsonText(summary: RunSummary, dryRun: boolean, secrets: readonly string[] = []): string {
  return JSON.stringify(summaryToJson(summary, dryRun), (_key, value: unknown) => (typeof value === 'string' ? maskSecrets(value, secrets) : value), 2) + '\n';
}
