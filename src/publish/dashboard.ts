import type { TidemarkConfig } from '../config/types.js';
import { markdownCode, markdownCodeCell, markdownLink, markdownText } from '../escape.js';
import { PlatformError } from '../errors.js';
import type { Logger } from '../log.js';
import { countFailures, failureSentence } from '../plan/failures.js';
import type { BranchOutcome, RunSummary } from '../run-types.js';
import type { Problem } from '../scan/types.js';
import { APPROVABLE, heldPackages, type HeldPackage } from './dashboard/held.js';
import { heldBackSentences } from './limits.js';
import type { Platform } from './types.js';

export { classifyUnchanged, type HeldKind } from './dashboard/held.js';

/** The one issue per repository Tidemark keeps current when `dashboard: true`. */
export const DASHBOARD_TITLE = 'Tidemark dashboard';

const MARKER = '<!-- tidemark-dashboard -->';
/**
 * Package names that may be written into an approval marker: `ghcr.io/acme/web`, `docker.io/library/nginx`,
 * `oci://registry:5000/charts/app`. No `<`, `>`, spaces or `--`, so a name can neither close the comment nor start
 * another; any other name is listed without a checkbox.
 */
const MARKER_NAME = /^(?!.*--)[A-Za-z0-9][A-Za-z0-9._/:@+-]{0,254}$/;
/** `- [x] <!-- tidemark-approve:ghcr.io/acme/web --> **ghcr.io/acme/web** …` → ticked, name. */
const APPROVAL_LINE = /^[ \t]*[-*][ \t]+\[(?<mark>[ xX])\][ \t]*<!--[ \t]*tidemark-approve:(?<name>[^\s<>]+?)[ \t]*-->/gm;

/** Package names whose checkbox is ticked in a dashboard body. */
export function parseApprovals(body: string): Set<string> {
  const out = new Set<string>();
  for (const m of body.matchAll(APPROVAL_LINE)) {
    if (m.groups?.mark !== ' ' && m.groups?.name && MARKER_NAME.test(m.groups.name)) out.add(m.groups.name);
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

/** Never "every dependency is current" when lookups failed: those dependencies may well be behind. */
function pendingSection(summary: RunSummary): string[] {
  const lines = ['## Pending updates', ''];
  const failures = countFailures(summary.plan);
  const failed = failures
    ? [`**${markdownText(failureSentence(failures))}.** Their dependencies may have updates this run could not see.`, '']
    : [];
  if (summary.plan.branches.length === 0) {
    return [...lines, ...(failures ? ['None found.', '', ...failed] : ['None: every dependency Tidemark can update is current.', ''])];
  }
  lines.push('| Update | Branch | Pull request |', '| --- | --- | --- |');
  const outcomes = outcomesByBranch(summary);
  for (const b of summary.plan.branches) {
    lines.push(`| ${markdownText(b.title)} | ${markdownCodeCell(b.branchName)} | ${prCell(outcomes.get(b.branchName))} |`);
  }
  return [...lines, '', ...heldByLimits(summary), ...failed];
}

/** `**Held back by prHourlyLimit: 5 branches.**` and the branches, so a reader sees what the limits keep waiting and why. */
function heldByLimits(summary: RunSummary): string[] {
  const sentences = heldBackSentences(summary.skipped);
  if (sentences.length === 0) return [];
  const lines = [`**${sentences.map((s) => s.charAt(0).toUpperCase() + s.slice(1)).join('; ')}.** They open on later runs, as the limits allow:`, ''];
  for (const o of summary.skipped) if (o.heldBy) lines.push(`- ${markdownCode(o.branch)} (\`${o.heldBy}\`)`);
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
  const link = outcome.pr ? markdownLink(`#${outcome.pr.number}`, outcome.pr.url) : kind === 'skipped' ? 'not opened' : 'branch pushed';
  return kind === 'skipped' && outcome.detail ? `${link}: ${markdownText(outcome.detail)}` : link;
}

function heldSection(held: HeldPackage[], approved: ReadonlySet<string>): string[] {
  const lines = ['## Held back', ''];
  if (held.length === 0) return [...lines, 'Nothing is held back.', ''];
  for (const h of held) {
    const text = `**${markdownText(h.name)}** (${h.files.map(markdownCode).join(', ')}): ${markdownText(h.reason)}`;
    if (APPROVABLE.has(h.kind) && MARKER_NAME.test(h.name)) {
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
  for (const p of problems) lines.push(p.file === '' ? `- ${markdownText(p.message)}` : `- ${markdownCode(`${p.file}:${p.line}`)}: ${markdownText(p.message)}`);
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
