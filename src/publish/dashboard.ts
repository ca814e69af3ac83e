import type { TidemarkConfig } from '../config/types.js';
import { PlatformError } from '../errors.js';
import type { Logger } from '../log.js';
import type { BranchOutcome, RunSummary } from '../run-types.js';
import type { Problem } from '../scan/types.js';
import { APPROVABLE, heldPackages, type HeldPackage } from './dashboard/held.js';
import type { Platform } from './types.js';

export { classifyUnchanged, type HeldKind } from './dashboard/held.js';

/** The one issue per repository Tidemark keeps current when `dashboard: true`. */
export const DASHBOARD_TITLE = 'Tidemark dashboard';

const MARKER = '<!-- tidemark-dashboard -->';
/** `- [x] <!-- tidemark-approve:ghcr.io/acme/web --> **ghcr.io/acme/web** …` → ticked, name. */
const APPROVAL_LINE = /^[ \t]*[-*][ \t]+\[(?<mark>[ xX])\][ \t]*<!--[ \t]*tidemark-approve:(?<name>[^\s]+?)[ \t]*-->/gm;

/** Package names whose checkbox is ticked in a dashboard body. */
export function parseApprovals(body: string): Set<string> {
  const out = new Set<string>();
  for (const m of body.matchAll(APPROVAL_LINE)) {
    if (m.groups?.mark !== ' ' && m.groups?.name) out.add(m.groups.name);
  }
  return out;
}

/** Package names the user approved on the existing dashboard; empty when there is none or no issue tracker. */
export async function readDashboardApprovals(platform: Platform): Promise<Set<string>> {
  if (platform.kind === 'git') return new Set();
  const issue = await platform.findIssue(DASHBOARD_TITLE);
  return issue ? parseApprovals(issue.body) : new Set();
}

/**
 * The dashboard body: pending updates with their PRs, updates held back and why (a checkbox where an approval
 * could open it; `approved` keeps ticks the user set for updates still held), and problems found in files.
 */
export function renderDashboard(summary: RunSummary, approved: ReadonlySet<string> = new Set()): string {
  const parts = [
    'Tidemark keeps this issue up to date on every run.',
    'Tick a box under **Held back** and the next run opens that update.',
    '',
    ...pendingSection(summary),
    ...heldSection(heldPackages(summary.plan.unchanged), approved),
    ...problemsSection(allProblems(summary)),
    MARKER,
  ];
  return parts.join('\n') + '\n';
}

/**
 * Creates or updates the dashboard issue; does nothing when the config does not ask for one or on plain git.
 * A repository with issues turned off (GitHub 410, GitLab 403) gets a warning, not a failed run; other
 * failures throw a PlatformError.
 */
export async function syncDashboard(platform: Platform, summary: RunSummary, config: TidemarkConfig, logger?: Logger): Promise<void> {
  if (!config.dashboard || platform.kind === 'git') return;
  try {
    await writeDashboard(platform, summary);
  } catch (err) {
    if (!(err instanceof PlatformError) || (err.status !== 410 && err.status !== 403)) throw err;
    logger?.warn('cannot keep the dashboard: issues are disabled or not allowed for this token', { status: err.status });
  }
}

async function writeDashboard(platform: Platform, summary: RunSummary): Promise<void> {
  const existing = await platform.findIssue(DASHBOARD_TITLE);
  const body = renderDashboard(summary, existing ? parseApprovals(existing.body) : new Set());
  if (!existing) {
    await platform.createIssue(DASHBOARD_TITLE, body);
    return;
  }
  if (existing.body !== body) await platform.updateIssue(existing.number, body);
}

function pendingSection(summary: RunSummary): string[] {
  const lines = ['## Pending updates', ''];
  if (summary.plan.branches.length === 0) return [...lines, 'None: every dependency Tidemark can update is current.', ''];
  lines.push('| Update | Branch | Pull request |', '| --- | --- | --- |');
  const outcomes = outcomesByBranch(summary);
  for (const b of summary.plan.branches) {
    lines.push(`| ${cell(b.title)} | \`${cell(b.branchName)}\` | ${prCell(outcomes.get(b.branchName))} |`);
  }
  return [...lines, ''];
}

function outcomesByBranch(summary: RunSummary): Map<string, { kind: string; outcome: BranchOutcome }> {
  const map = new Map<string, { kind: string; outcome: BranchOutcome }>();
  const kinds = [['opened', summary.opened], ['updated', summary.updated], ['skipped', summary.skipped]] as const;
  for (const [kind, list] of kinds) for (const outcome of list) map.set(outcome.branch, { kind, outcome });
  return map;
}

/** `[#12](url)` when there is a PR, with the skip reason when the run left the branch alone. */
function prCell(entry: { kind: string; outcome: BranchOutcome } | undefined): string {
  if (!entry) return 'not opened yet';
  const { kind, outcome } = entry;
  const link = outcome.pr ? `[#${outcome.pr.number}](${outcome.pr.url})` : kind === 'skipped' ? 'not opened' : 'branch pushed';
  return kind === 'skipped' && outcome.detail ? `${link}: ${cell(outcome.detail)}` : link;
}

function heldSection(held: HeldPackage[], approved: ReadonlySet<string>): string[] {
  const lines = ['## Held back', ''];
  if (held.length === 0) return [...lines, 'Nothing is held back.', ''];
  for (const h of held) {
    const text = `**${inline(h.name)}** (${h.files.map((f) => `\`${inline(f)}\``).join(', ')}): ${inline(h.reason)}`;
    if (APPROVABLE.has(h.kind)) {
      const box = approved.has(h.name) ? 'x' : ' ';
      lines.push(`- [${box}] <!-- tidemark-approve:${h.name} --> ${text}`);
    } else {
      lines.push(`- ${text}`);
    }
  }
  return [...lines, ''];
}

function problemsSection(problems: Problem[]): string[] {
  const lines = ['## Problems found in files', ''];
  if (problems.length === 0) return [...lines, 'None.', ''];
  for (const p of problems) lines.push(`- \`${inline(p.file)}:${p.line}\`: ${inline(p.message)}`);
  return [...lines, ''];
}

/** The run's problems and the plan's, once each, in file and line order. */
function allProblems(summary: RunSummary): Problem[] {
  const seen = new Set<string>();
  const out: Problem[] = [];
  for (const p of [...summary.problems, ...summary.plan.problems]) {
    const key = `${p.file}\u0000${p.line}\u0000${p.message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(p);
  }
  return out.sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : a.line - b.line));
}

/** One line, no HTML comment openers a user's text could use to forge an approval marker. */
function inline(text: string): string {
  return text.replace(/\s*\n\s*/g, ' ').replace(/<!--/g, '&lt;!--');
}

function cell(text: string): string {
  return inline(text).replace(/\|/g, '\\|');
}
