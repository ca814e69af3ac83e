import { createHash } from 'node:crypto';
import { oneLine } from '../escape.js';
import type { Update } from '../plan/types.js';
import type { FileChange } from './types.js';

/**
 * What a branch proposes, written into the PR body as a hidden marker so that later runs recognise it:
 * `<!-- tidemark:update {"branch":"tidemark/nginx-1.x","updates":["nginx@1.27.0"]} -->`.
 * Two PRs are "the same update" when their `updates` lists are equal, whichever files they touch.
 */
export interface UpdateIdentity {
  branch: string;
  updates: string[];
  /** Files the branch edits: a PR whose file could not be read this run is not judged stale. */
  files?: string[];
}

/** Whole lines, matched only at the fixed places Tidemark writes them (see markerLines). */
const MARKER = /^<!-- tidemark:update (?<json>\{.*\}) -->$/;
const BLOCKED = /^<!-- tidemark:blocked (?<key>[0-9a-f]+) -->$/;
const TRAILER = /^Tidemark-Update: (?<key>[0-9a-f]+)$/m;
const FILES_TRAILER = /^Tidemark-Files: (?<files>.+)$/m;
/** `Signed-off-by: A <a@b>`, `Tidemark-Update: 0f`: one line of a git trailer block. */
const TRAILER_LINE = /^[A-Za-z0-9][A-Za-z0-9-]*:[ \t]?\S/;

/** `nginx@1.27.0`, `nginx@1.27.0@sha256:…` for a digest, sorted and without repeats. */
export function identityOf(branch: string, updates: readonly Update[]): UpdateIdentity {
  const ids = new Set<string>();
  for (const u of updates) ids.add(`${u.dependency.name}@${u.newValue}${u.newDigest ? `@${u.newDigest}` : ''}`);
  return { branch, updates: [...ids].sort(), files: filesOf(updates) };
}

export function sameIdentity(a: UpdateIdentity | null, b: UpdateIdentity): boolean {
  return a !== null && a.branch === b.branch && JSON.stringify(a.updates) === JSON.stringify(b.updates);
}

/**
 * The marker line, always the last line Tidemark writes in a PR body. `<`, `>`, `&` and line separators inside
 * names are JSON-escaped (`\u003e`), so a name cannot close the comment: the marker is one line and one comment.
 */
export function markerFor(id: UpdateIdentity): string {
  const json = JSON.stringify(id).replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  return `<!-- tidemark:update ${json} -->`;
}

/** Notes Tidemark appends after the marker as a PR's state changes (`stale.ts`): blocked by foreign commits, abandoned. */
const STATE_NOTE = /^<!-- tidemark:(?:blocked [0-9a-f]+|abandoned) -->$/;

/**
 * The end of a body as Tidemark writes it: the state notes appended last (last first), and the line before them, where
 * the identity marker stands. Lines are trimmed (platforms may add CRLF or trailing spaces); empty lines are
 * skipped. Bounded: only the last MiB (more than any platform keeps) and a few notes are looked at.
 */
function tail(body: string): { notes: string[]; marker: string | undefined } {
  const notes: string[] = [];
  const lines = body.slice(-1024 * 1024).split(/\r?\n|\r/);
  for (let i = lines.length - 1; i >= 0; i--) {
    const line = lines[i]!.trim();
    if (line === '') continue;
    if (!STATE_NOTE.test(line) || notes.length >= 8) return { notes, marker: line };
    notes.push(line);
  }
  return { notes, marker: undefined };
}

/**
 * Reads the identity from the one place Tidemark writes it: the last non-empty line of the body, or the line before
 * the state notes appended after it (`<!-- tidemark:blocked … -->`, `<!-- tidemark:abandoned -->`). A marker
 * anywhere else (quoted, forged in text above) is not read; escaping keeps untrusted text from writing
 * `<!-- tidemark:` at all.
 */
export function parseMarker(body: string): UpdateIdentity | null {
  const line = tail(body).marker;
  const json = line === undefined ? undefined : MARKER.exec(line)?.groups?.json;
  if (!json) return null;
  try {
    const value = JSON.parse(json) as Partial<UpdateIdentity>;
    if (typeof value.branch !== 'string' || !Array.isArray(value.updates)) return null;
    const strings = (list: unknown[]) => list.filter((u): u is string => typeof u === 'string');
    const id: UpdateIdentity = { branch: value.branch, updates: strings(value.updates) };
    if (Array.isArray(value.files)) id.files = strings(value.files);
    return id;
  } catch {
    return null;
  }
}

/**
 * A fingerprint of a branch's content: each touched file before and after the edit. Equal fingerprints mean the
 * branch's commit, replayed on today's base, is byte-identical and merges without conflict.
 */
export function contentKey(files: readonly { path: string; before: string; after: string }[]): string {
  const hash = createHash('sha256');
  for (const f of [...files].sort((a, b) => a.path.localeCompare(b.path))) {
    hash.update(`${f.path}\0${f.before.length}\0${f.before}\0${f.after.length}\0${f.after}\0`);
  }
  return hash.digest('hex').slice(0, 20);
}

/** The trailer a Tidemark commit carries, `Tidemark-Update: 3f2a…`. */
export function trailerFor(key: string): string {
  return `Tidemark-Update: ${key}`;
}

/** Read from the trailer block only (the message's last paragraph), where git and Tidemark put trailers. */
export function parseTrailer(message: string): string | null {
  return TRAILER.exec(trailerBlock(message))?.groups?.key ?? null;
}

/** `Tidemark-Files: apps/a.yaml, apps/b.yaml`: what a plain-git branch (no PR to carry a marker) edits. */
export function filesTrailerFor(updates: readonly Update[]): string {
  return `Tidemark-Files: ${filesOf(updates).map(oneLine).join(', ')}`;
}

export function parseFilesTrailer(message: string): string[] {
  const list = FILES_TRAILER.exec(trailerBlock(message))?.groups?.files;
  return list ? list.split(', ').filter((f) => f !== '') : [];
}

/**
 * `Subject\n\n- entry\n\nTidemark-Files: a\nTidemark-Update: 0f` → the last two lines. CRLF and trailing space
 * tolerated. The last paragraph is a trailer block only when every line is a trailer (`Key: value`), a folded
 * continuation or git's `(cherry picked from commit …)`: a paragraph of prose quoting `Tidemark-Update: 0f` is not.
 */
function trailerBlock(message: string): string {
  const paragraphs = message.replace(/\r\n?/g, '\n').trimEnd().split(/\n[ \t]*\n/);
  const lines = (paragraphs.at(-1) ?? '').split('\n').map((l) => l.trimEnd());
  return lines.every((l, i) => TRAILER_LINE.test(l) || (i > 0 && /^[ \t]+\S/.test(l)) || /^\(cherry picked from commit [0-9a-f]+\)$/.test(l)) ? lines.join('\n') : '';
}

function filesOf(updates: readonly Update[]): string[] {
  return [...new Set(updates.map((u) => u.dependency.file))].sort();
}

/** A hidden note that this PR was already told about foreign commits for this content. */
export function blockedMarker(key: string): string {
  if (!/^[0-9a-f]+$/.test(key)) throw new Error(`not a content key: ${JSON.stringify(key)}`);
  return `<!-- tidemark:blocked ${key} -->`;
}

/** The blocked note, read only where Tidemark appends it: among the notes after the marker, at the end of the body. */
export function parseBlocked(body: string): string | null {
  for (const note of tail(body).notes) {
    const key = BLOCKED.exec(note)?.groups?.key;
    if (key) return key;
  }
  return null;
}

export function changesOf(files: readonly { path: string; after: string }[]): FileChange[] {
  return files.map((f) => ({ path: f.path, content: f.after }));
}
