import { htmlInlineText, markdownCode, markdownLink, markdownText, releaseNotesMarkdown, safeHref } from '../escape.js';
import type { NotesOutcome, VersionNotes } from '../review/types.js';

/** What the notes section needs of one table row. */
export interface NotesRow {
  name: string;
  from: string;
  to: string;
  /** The releases/homepage links shown when no notes were read. */
  links: string[];
  outcome: NotesOutcome | undefined;
}

/** The most of one version's notes shown, before the body's overall limit applies. */
const MAX_VERSION_CHARS = 20_000;
export const NOTES_TRUNCATED = '_Release notes truncated to fit the platform\'s size limit._';

/**
 * `### Release notes`, one `####` per package and one collapsed `<details>` per version, within `budget` characters.
 * Versions that do not fit are cut, then left out, and the cut is said; an empty array when nothing is to be said.
 */
export function notesSection(rows: readonly NotesRow[], budget: number): string[] {
  const blocks = rows.map(packageBlock).filter((b): b is { head: string[]; versions: VersionNotes[]; platform: string } => b !== null);
  if (blocks.length === 0) return [];
  const out = ['', '### Release notes'];
  let used = out.join('\n').length + NOTES_TRUNCATED.length + 4;
  if (used > budget) return [];
  let truncated = false;
  for (const block of blocks) {
    const head = block.head.join('\n');
    if (used + head.length + 1 > budget) {
      truncated = true;
      break;
    }
    out.push(head);
    used += head.length + 1;
    for (const v of block.versions) {
      const rendered = versionBlock(v, block.platform, budget - used);
      if (rendered === null) {
        truncated = true;
        break;
      }
      if (rendered.cut) truncated = true;
      out.push(rendered.text);
      used += rendered.text.length + 1;
    }
  }
  if (truncated) out.push('', NOTES_TRUNCATED);
  return out;
}

function packageBlock(row: NotesRow): { head: string[]; versions: VersionNotes[]; platform: string } | null {
  const o = row.outcome;
  const title = `#### ${markdownCode(row.name)} ${markdownText(row.from)} → ${markdownText(row.to)}`;
  if (!o || !('notes' in o)) {
    if (o && 'failed' in o) return { head: ['', title, '', `Release notes could not be read (${markdownText(o.failed)}).${linksText(row.links, ' ')}`], versions: [], platform: '' };
    return row.links.length > 0 ? { head: ['', title, '', row.links.join(' · ')], versions: [], platform: '' } : null;
  }
  const { notes } = o;
  const platform = notes.source.kind === 'github' ? 'GitHub' : notes.source.kind === 'gitlab' ? 'GitLab' : 'the source';
  const links = [notes.compareUrl ? markdownLink('compare changes', notes.compareUrl) : null, ...row.links].filter((l): l is string => l !== null);
  const found = notes.from === 'none' ? ['No release notes found for these versions.'] : notes.from === 'changelog' ? ['From `CHANGELOG.md`:'] : [];
  const line = [...found, ...(links.length > 0 ? [links.join(' · ')] : [])].join(' ');
  return { head: ['', title, ...(line ? ['', line] : [])], versions: notes.versions, platform };
}

function linksText(links: readonly string[], sep: string): string {
  return links.length > 0 ? `${sep}${links.join(' · ')}` : '';
}

/**
 * One version as a collapsed section. The body is cut before sanitising, so the sanitiser can close what the cut left
 * open; sanitising may lengthen it (a zero-width space per mention), so the cap halves until it fits. Null when not
 * even the summary fits.
 */
function versionBlock(v: VersionNotes, platform: string, room: number): { text: string; cut: boolean } | null {
  const summary = [v.tag, v.title && v.title !== v.tag ? v.title : null, v.date ? `(${v.date})` : null].filter(Boolean).join(' — ').replace(' — (', ' (');
  const href = v.url ? safeHref(v.url) : null;
  const link = href ? `\n\n[Release on ${platform}](${href})` : '';
  const frame = (body: string) => `\n<details>\n<summary>${htmlInlineText(summary)}</summary>\n\n${body}${link}\n\n</details>`;
  let cap = Math.min(MAX_VERSION_CHARS, v.body.length);
  for (let i = 0; i < 12; i++) {
    const body = releaseNotesMarkdown(v.body, cap) || '_No notes._';
    const text = frame(body);
    if (text.length + 1 <= room) return { text, cut: cap < v.body.length };
    if (cap === 0) break;
    cap = Math.floor(cap / 2);
  }
  return null;
}
