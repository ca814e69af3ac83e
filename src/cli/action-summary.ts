import { markdownCodeCell, markdownLink, markdownText } from '../escape.js';
import { countFailures, failureSentence } from '../plan/failures.js';
import { heldBackSentences } from '../publish/limits.js';
import type { Unchanged, Update } from '../plan/types.js';
import type { BranchOutcome, RunSummary } from '../run-types.js';
import type { Problem } from '../scan/types.js';

/**
 * The job summary: counts, failed lookups by host, one table row per planned update with its branch and PR, then
 * problems found in files. Every repository- or registry-written value is escaped (src/escape.ts).
 */
export function summaryMarkdown(summary: RunSummary, opts: { dryRun: boolean }): string {
  const lines = [`## Tidemark: ${markdownText(summary.repo)}`, ''];
  const counts = opts.dryRun
    ? `Would open ${summary.wouldOpen?.length ?? 0} · left alone ${summary.skipped.length} (dry run: nothing was pushed)`
    : `Opened ${summary.opened.length} · updated ${summary.updated.length} · closed ${summary.closed.length} · left alone ${summary.skipped.length}`;
  lines.push(counts, '');
  const prs = prsByBranch(summary);
  const rows: string[] = [];
  for (const branch of summary.plan.branches) {
    for (const u of branch.updates) rows.push(row(u, branch.branchName, prs.get(branch.branchName) ?? null));
  }
  const failures = countFailures(summary.plan);
  if (failures) lines.push(`**${markdownText(failureSentence(failures))}.**`, '');
  const held = heldBackSentences(summary.skipped);
  if (held.length > 0) lines.push(`${held.map((h) => h.charAt(0).toUpperCase() + h.slice(1)).join('; ')}: they open on later runs.`, '');
  if (rows.length === 0) {
    lines.push(failures ? 'No updates found.' : `No updates: ${unchangedSentence(summary.plan.unchanged)}.`, '');
  } else {
    lines.push('| Package | File | Update | Type | Branch | PR |', '| --- | --- | --- | --- | --- | --- |');
    for (const row of rows) lines.push(row);
    lines.push('');
  }
  if (summary.closed.length > 0) {
    lines.push('### Closed', '');
    for (const c of summary.closed) lines.push(`- ${code(c.branch)}: ${cell(c.detail)}${c.pr ? ` (${prLink(c.pr)})` : ''}`);
    lines.push('');
  }
  const problems = summary.problems.length > 0 ? summary.problems : summary.plan.problems;
  if (problems.length > 0) {
    // Loops, not `push(...)`: a repository with >100k problems would overflow the call stack.
    lines.push('### Problems', '');
    for (const p of problems) lines.push(problemLine(p));
    lines.push('');
  }
  return lines.join('\n');
}

export function configErrorMarkdown(message: string, problems: readonly Problem[]): string {
  return ['## Tidemark: configuration error', '', cell(message), '', ...problems.map(problemLine), ''].join('\n');
}

/**
 * Only dependencies looked up and found current are called current: `1 dependency is current; 2 are held back; 3 were not
 * looked up (unpinned, templated or disabled)`.
 */
function unchangedSentence(unchanged: readonly Unchanged[]): string {
  if (unchanged.length === 0) return 'no dependencies found';
  let current = 0;
  let held = 0;
  let skipped = 0;
  for (const u of unchanged) {
    if (u.kind === 'skipped' || u.kind === 'disabled') skipped++;
    else if (u.kind === undefined || u.kind === 'up-to-date') current++;
    else held++;
  }
  const parts = [`${current} ${current === 1 ? 'dependency is' : 'dependencies are'} current`];
  if (held > 0) parts.push(`${held} ${held === 1 ? 'is' : 'are'} held back`);
  if (skipped > 0) parts.push(`${skipped} ${skipped === 1 ? 'was' : 'were'} not looked up (unpinned, templated or disabled)`);
  return parts.join('; ');
}

function prsByBranch(summary: RunSummary): Map<string, BranchOutcome['pr']> {
  const out = new Map<string, BranchOutcome['pr']>();
  for (const o of [...summary.opened, ...summary.updated, ...summary.skipped]) if (o.pr) out.set(o.branch, o.pr);
  return out;
}

function row(u: Update, branch: string, pr: BranchOutcome['pr']): string {
  const d = u.dependency;
  const from = version(d.currentValue, d.currentDigest);
  const to = version(u.newValue, u.newDigest);
  const link = pr ? prLink(pr) : '';
  return `| ${code(d.name)} | ${code(`${d.file}:${d.line}`)} | ${code(from)} → ${code(to)} | ${markdownText(u.updateType)} | ${code(branch)} | ${link} |`;
}

/** `1.25.3@sha256:0123456789ab…`: a digest shortened to 12 hex digits, enough to tell two apart in a table. */
function version(value: string | null, digest: string | null): string {
  const short = digest ? digest.replace(/^(sha256:[0-9a-f]{12})[0-9a-f]+$/, '$1…') : null;
  if (value && short) return `${value}@${short}`;
  return value ?? short ?? '';
}

function problemLine(p: Problem): string {
  return `- ${code(`${p.file}:${p.line}`)} ${cell(p.message)}`;
}

function prLink(pr: { number: number; url: string }): string {
  return markdownLink(`#${pr.number}`, pr.url);
}

/** Inline code in a table cell that stays code whatever it holds. */
function code(text: string): string {
  return markdownCodeCell(text);
}

function cell(text: string): string {
  return markdownText(text);
}
