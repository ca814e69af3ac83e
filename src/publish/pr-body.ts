import type { TidemarkConfig } from '../config/types.js';
import type { BranchPlan, Change, Risk, Update } from '../plan/types.js';
import { commitText, markdownCode, markdownCodeCell, markdownLink, markdownText, oneLine, safeHref } from '../escape.js';
import { notesKey } from '../review/notes.js';
import { parseSource } from '../review/sources.js';
import type { BranchNotes, NotesOutcome } from '../review/types.js';
import { notesSection } from './pr-notes.js';
import { filesTrailerFor, identityOf, markerFor, trailerFor } from './identity.js';

interface Row {
  name: string;
  files: string[];
  from: string;
  to: string;
  updateType: string;
  /** Releases and homepage links (shown when no notes were read). */
  links: string[];
  reasons: string[];
  /** Each risk once, with the files whose values run into it (one package may be in several files, with different values). */
  risks: { risk: Risk; files: string[] }[];
  changes: Change[];
  outcome: NotesOutcome | undefined;
  /** Where the package name links: its source repository, else its homepage. */
  home: string | null;
  /** The values as written, without digests: release notes are about versions. */
  fromValue: string | null;
  toValue: string;
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
  const lines = rowsOf(applied, undefined).map((r) => `- ${commitText(r.name)} ${commitText(r.from)} → ${commitText(r.to)} (${r.files.map(commitText).join(', ')})`);
  return `${prTitle(branch, config)}\n\n${lines.join('\n')}\n\n${filesTrailerFor(applied)}\n${trailerFor(key)}\n`;
}

/** GitHub refuses a PR body over 65,536 characters; GitLab a description over 1,000,000. */
export const BODY_LIMITS = { github: 65_536, gitlab: 1_000_000 } as const;

export interface PrBodyOptions {
  /** Release notes per update (`notesKey`); absent or empty: links only. */
  notes?: BranchNotes;
  /** The platform's size limit in characters (default GitHub's). */
  limit?: number;
}

const CHANGES_TRUNCATED = '_Changes truncated to fit the platform\'s size limit._';
const RISKS_TRUNCATED = '_Risks truncated to fit the platform\'s size limit: `tidemark plan --explain NAME` lists them all._';

/**
 * The whole PR description: the table (packages linked to their source), why these versions, risks, changes, release
 * notes (one collapsed section per version), the configuration, and the hidden identity marker as the last line.
 * Kept under `limit`: release notes are cut first, then changes, then (only when they alone pass it) risks; never the
 * table, the reasons or the marker.
 */
export function prBody(branch: BranchPlan, applied: readonly Update[], opts: PrBodyOptions = {}): string {
  const limit = opts.limit ?? BODY_LIMITS.github;
  const rows = rowsOf(applied, opts.notes);
  const top = [...tableSection(rows), ...reasonsSection(rows)];
  const tail = [...configurationSection(applied), '', markerFor(identityOf(branch.branchName, applied)), ''];
  // Risks are cut only when they alone would pass the limit (a big group of charts with dozens each): the platform
  // would refuse the whole body.
  const risks = fitLines(risksSection(rows), limit - top.join('\n').length - tail.join('\n').length - 2, RISKS_TRUNCATED);
  const head = [...top, ...risks];
  const fixed = head.join('\n').length + tail.join('\n').length + 2;
  const changes = fitLines(changesSection(rows), limit - fixed, CHANGES_TRUNCATED);
  const used = fixed + changes.join('\n').length + 1;
  const moved = rows.filter((r) => r.fromValue !== null && r.fromValue !== r.toValue);
  const notes = notesSection(moved.map((r) => ({ name: r.name, from: r.fromValue ?? '', to: r.toValue, links: r.links, outcome: r.outcome })), limit - used);
  return [...head, ...changes, ...notes, ...tail].join('\n');
}

function tableSection(rows: readonly Row[]): string[] {
  const out = ['This PR updates the following dependencies:', '', '| Package | File(s) | Change | Type |', '|---|---|---|---|'];
  for (const r of rows) {
    const href = r.home ? safeHref(r.home) : null;
    const name = href ? `[${cell(r.name)}](${href})` : cell(r.name);
    out.push(`| ${name} | ${r.files.map(cell).join('<br>')} | ${cell(r.from)} → ${cell(r.to)} | ${markdownText(r.updateType)} |`);
  }
  return out;
}

function reasonsSection(rows: readonly Row[]): string[] {
  const reasons = rows.flatMap((r) => r.reasons.map((reason) => `- ${cell(r.name)}: ${markdownText(reason)}`));
  return reasons.length > 0 ? ['', '### Why these versions', '', ...reasons] : [];
}

/**
 * Each risk's path and message word for word (escaped, so they render as written). When the package is in several
 * files and the risk is not in all of them, the files it is in are named: their values differ.
 */
function risksSection(rows: readonly Row[]): string[] {
  const lines = rows.flatMap((r) =>
    r.risks.map(({ risk: k, files }) => {
      const where = files.length < r.files.length ? ` in ${files.map(cell).join(', ')}` : '';
      return `- ${cell(r.name)}${k.path !== undefined ? ` ${markdownCode(k.path)}` : ''}${where}: ${markdownText(k.message)} (${markdownText(k.kind)})`;
    }),
  );
  return lines.length > 0 ? ['', '### Risks', '', ...lines] : [];
}

/** The chart's `artifacthub.io/changes`, per package and then per kind. */
function changesSection(rows: readonly Row[]): string[] {
  const out: string[] = [];
  for (const r of rows) {
    if (r.changes.length === 0) continue;
    out.push('', `${cell(r.name)} ${markdownText(r.from)} → ${markdownText(r.to)}:`, '');
    const kinds = [...new Set(r.changes.map((c) => c.kind))].sort((a, b) => kindOrder(a) - kindOrder(b) || a.localeCompare(b));
    for (const kind of kinds) {
      for (const c of r.changes.filter((x) => x.kind === kind)) out.push(`- **${markdownText(kind)}**: ${markdownText(c.description)}`);
    }
  }
  return out.length > 0 ? ['', '### Changes', ...out] : [];
}

const KIND_ORDER = ['security', 'removed', 'deprecated', 'changed', 'added', 'fixed'];
function kindOrder(kind: string): number {
  const i = KIND_ORDER.indexOf(kind.toLowerCase());
  return i < 0 ? KIND_ORDER.length : i;
}

/** Whole lines while they fit in `room`, then the note that the rest was cut. */
function fitLines(lines: readonly string[], room: number, note: string): string[] {
  if (lines.join('\n').length + 1 <= room) return [...lines];
  const out: string[] = [];
  let used = note.length + 2;
  for (const line of lines) {
    if (used + line.length + 1 > room) break;
    out.push(line);
    used += line.length + 1;
  }
  return out.length > 0 ? [...out, '', note] : [];
}

/** Automerge and why, when Tidemark acts on the PR, and what closing it or pushing to it does. */
function configurationSection(applied: readonly Update[]): string[] {
  return [
    '',
    '### Configuration',
    '',
    `- ${automergeLine(applied)}`,
    '- **Schedule**: Tidemark refreshes this PR each time it runs (on its operator\'s schedule): rebased on the base branch, and moved on when a newer version comes out.',
    '- **Closing** this PR skips these versions: it is not reopened; a newer version opens a new PR.',
    '- **Pushing** a commit of your own takes the branch over: Tidemark stops updating it.',
    '',
    '---',
    'Opened by Tidemark.',
  ];
}

/** On, off and which rule said so; off because of risks says that, not just the rule that turned it on. */
function automergeLine(applied: readonly Update[]): string {
  const setBy = [...new Set(applied.map((u) => u.automergeFrom).filter((r): r is string => !!r))];
  const by = setBy.length > 0 ? ` (set by ${setBy.map(markdownText).join(', ')})` : '';
  if (applied.length > 0 && applied.every((u) => u.automerge)) return `**Automerge**: on${by}: the platform merges this PR once its checks pass.`;
  if (applied.some((u) => u.automergeHeldByRisks)) {
    return `**Automerge**: off: a rule turns it on${by}, but this PR has risks (above) and no rule matching them sets \`automergeRisky: true\`. Merge it by hand.`;
  }
  if (applied.some((u) => u.automerge)) return `**Automerge**: off: only some of these updates allow it${by}, and a PR merges as a whole.`;
  return `**Automerge**: off${by || ': no rule sets `automerge: true` for these updates'}. Merge it by hand.`;
}

function rowsOf(updates: readonly Update[], notes: BranchNotes | undefined): Row[] {
  const rows = new Map<string, Row>();
  for (const u of updates) {
    const dep = u.dependency;
    const from = version(dep.currentValue, dep.currentDigest);
    const to = version(u.newValue, u.newDigest ?? dep.currentDigest);
    const key = JSON.stringify([dep.name, dep.registryUrl, from, to]);
    const outcome = notes?.get(notesKey(u));
    const source = sourceOf(outcome);
    const links = releaseNotes({ sourceUrl: u.sourceUrl ?? source, homepage: u.homepage });
    const row: Row = rows.get(key) ?? { name: dep.name, files: [], from, to, updateType: u.updateType, links, reasons: [], risks: [], changes: [], outcome, home: homeOf(source, u), fromValue: dep.currentValue, toValue: u.newValue };
    if (!row.files.includes(dep.file)) row.files.push(dep.file);
    if (u.reason && !row.reasons.includes(u.reason)) row.reasons.push(u.reason);
    for (const r of u.risks ?? []) {
      const seen = row.risks.find(({ risk: x }) => x.kind === r.kind && x.path === r.path && x.message === r.message);
      if (!seen) row.risks.push({ risk: r, files: [dep.file] });
      else if (!seen.files.includes(dep.file)) seen.files.push(dep.file);
    }
    for (const c of u.changes ?? []) if (!row.changes.some((x) => x.kind === c.kind && x.description === c.description)) row.changes.push(c);
    rows.set(key, row);
  }
  return [...rows.values()];
}

/** The repository page (`https://github.com/acme/web`, not `…/web.git`), else the homepage; only a linkable URL. */
function homeOf(source: string | null, u: Update): string | null {
  const repo = u.sourceUrl ? parseSource(u.sourceUrl) : null;
  const declared = repo && repo.kind !== 'other' ? repo.webUrl : u.sourceUrl;
  return [source, declared, u.homepage].find((url) => url && safeHref(url) !== null) ?? null;
}

function sourceOf(outcome: NotesOutcome | undefined): string | null {
  if (!outcome) return null;
  if ('notes' in outcome) return outcome.notes.source.webUrl;
  return outcome.source?.webUrl ?? null;
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
