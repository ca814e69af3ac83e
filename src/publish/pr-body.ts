import type { TidemarkConfig } from '../config/types.js';
import type { BranchPlan, Update } from '../plan/types.js';
import { commitText, markdownCodeCell, markdownLink, markdownText, oneLine } from '../escape.js';
import { filesTrailerFor, identityOf, markerFor, trailerFor } from './identity.js';

interface Row {
  name: string;
  files: string[];
  from: string;
  to: string;
  updateType: string;
  notes: string[];
  reasons: string[];
}

/**
 * The PR (and commit) title, on one line: `chore(deps): update nginx to 1.27.0` with a prefix, the plan's title
 * without. Platforms show titles as plain text, so only line breaks and control characters are removed.
 */
export function prTitle(branch: BranchPlan, config: Pick<TidemarkConfig, 'commitMessagePrefix'>): string {
  const title = oneLine(branch.title).trim();
  const prefix = oneLine(config.commitMessagePrefix ?? '').trim();
  if (!prefix) return title;
  return `${prefix}: ${title.charAt(0).toLowerCase()}${title.slice(1)}`;
}

/**
 * Subject, one line per update, and the trailers that let later runs recognise the commit. Every entry line starts
 * with `- ` and untrusted text stays on its line, so nothing a registry or repository wrote can pose as a trailer.
 */
export function commitMessage(branch: BranchPlan, applied: readonly Update[], config: Pick<TidemarkConfig, 'commitMessagePrefix'>, key: string): string {
  const lines = rowsOf(applied).map((r) => `- ${commitText(r.name)} ${commitText(r.from)} → ${commitText(r.to)} (${r.files.map(commitText).join(', ')})`);
  return `${prTitle(branch, config)}\n\n${lines.join('\n')}\n\n${filesTrailerFor(applied)}\n${trailerFor(key)}\n`;
}

/** The whole PR description: table, release-notes links, reasons, and the hidden identity marker. */
export function prBody(branch: BranchPlan, applied: readonly Update[]): string {
  const rows = rowsOf(applied);
  const out = ['This PR updates the following dependencies:', '', '| Package | File(s) | Change | Type |', '|---|---|---|---|'];
  for (const r of rows) {
    out.push(`| ${cell(r.name)} | ${r.files.map(cell).join('<br>')} | ${cell(r.from)} → ${cell(r.to)} | ${markdownText(r.updateType)} |`);
  }
  const notes = rows.filter((r) => r.notes.length > 0);
  if (notes.length > 0) {
    out.push('', '### Release notes', '');
    for (const r of notes) out.push(`- ${cell(r.name)}: ${r.notes.join(' · ')}`);
  }
  const reasons = rows.flatMap((r) => r.reasons.map((reason) => `- ${cell(r.name)}: ${markdownText(reason)}`));
  if (reasons.length > 0) {
    out.push('', '### Why these versions', '');
    for (const r of reasons) out.push(r);
  }
  out.push(
    '',
    '---',
    'Opened by Tidemark. It updates this branch while it holds only its own commits; push a commit of your own to take it over. Close this PR to skip this update.',
    '',
    markerFor(identityOf(branch.branchName, applied)),
    '',
  );
  return out.join('\n');
}

function rowsOf(updates: readonly Update[]): Row[] {
  const rows = new Map<string, Row>();
  for (const u of updates) {
    const dep = u.dependency;
    const from = version(dep.currentValue, dep.currentDigest);
    const to = version(u.newValue, u.newDigest ?? dep.currentDigest);
    const key = JSON.stringify([dep.name, dep.registryUrl, from, to]);
    const row = rows.get(key) ?? { name: dep.name, files: [], from, to, updateType: u.updateType, notes: releaseNotes(u), reasons: [] };
    if (!row.files.includes(dep.file)) row.files.push(dep.file);
    if (u.reason && !row.reasons.includes(u.reason)) row.reasons.push(u.reason);
    rows.set(key, row);
  }
  return [...rows.values()];
}

/** `1.25.3@sha256:0a1b2c3d4e5f` — digests shortened to 12 hex digits for reading. */
function version(value: string | null, digest: string | null): string {
  const short = digest ? digest.replace(/^(?<algo>sha256:)(?<hex>[0-9a-f]{12})[0-9a-f]+$/, '$<algo>$<hex>') : null;
  if (value && short) return `${value}@${short}`;
  return value ?? short ?? '(none)';
}

/**
 * A GitHub source (`https://github.com/acme/web.git`) links to its releases page; any other http(s) URL is linked
 * as it is, and anything else (`javascript:…`) is shown as text. Registry-written, so every URL goes through
 * markdownLink.
 */
export function releaseNotes(update: Pick<Update, 'sourceUrl' | 'homepage'>): string[] {
  const links: string[] = [];
  if (update.sourceUrl) {
    const gh = /^(?:git\+)?https?:\/\/github\.com\/(?<owner>[A-Za-z0-9_.-]+)\/(?<repo>[A-Za-z0-9_.-]+?)(?:\.git)?(?:[/#?].*)?$/.exec(update.sourceUrl);
    if (gh?.groups) links.push(markdownLink('releases', `https://github.com/${gh.groups.owner}/${gh.groups.repo}/releases`));
    else links.push(markdownLink('source', update.sourceUrl));
  }
  if (update.homepage && update.homepage !== update.sourceUrl) links.push(markdownLink('homepage', update.homepage));
  return links;
}

/** Registry- and repository-written values in the table: code that stays code, pipes escaped. */
function cell(text: string): string {
  return markdownCodeCell(text);
}
