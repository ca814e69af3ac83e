import type { Update } from '../plan/types.js';
import type { TextRange } from '../scan/types.js';

/** One replacement of `text.slice(start, end)` by `insert`. An insertion has start === end. */
export interface Splice {
  start: number;
  end: number;
  insert: string;
}

/** The splices one update needs, or why it cannot be spliced into this text. */
export type SplicePlan = { ok: true; splices: Splice[] } | { ok: false; reason: string };

/**
 * Which bytes an update replaces. Value and digest are separate tokens, so a tag bump on
 * `nginx:1.25@sha256:aa…` yields two splices; a pin inserts `@sha256:…` after the tag.
 */
export function splicesFor(text: string, update: Update): SplicePlan {
  const dep = update.dependency;
  const splices: Splice[] = [];
  if (update.newValue !== dep.currentValue) {
    const range = dep.valueRange;
    if (!range) return { ok: false, reason: 'no recorded range for the version' };
    if (!holds(text, range, dep.currentValue)) return { ok: false, reason: 'the file no longer reads the scanned version' };
    splices.push({ ...range, insert: update.newValue });
  }
  const digest = digestSplice(text, update);
  if (!digest.ok) return digest;
  for (const s of digest.splices) splices.push(s);
  if (splices.length === 0) return { ok: false, reason: 'nothing to change: new value equals the current one' };
  return { ok: true, splices };
}

function digestSplice(text: string, update: Update): SplicePlan {
  const dep = update.dependency;
  if (update.newDigest === null) {
    // `app:1.0@sha256:…` bumped to 1.1 without a digest would leave a digest that no longer matches the tag.
    if (dep.currentDigest !== null && update.newValue !== dep.currentValue) {
      return { ok: false, reason: 'the image is pinned to a digest but no digest is known for the new tag' };
    }
    return { ok: true, splices: [] };
  }
  if (update.newDigest === dep.currentDigest) return { ok: true, splices: [] };
  if (dep.digestRange) {
    if (!holds(text, dep.digestRange, dep.currentDigest)) return { ok: false, reason: 'the file no longer reads the scanned digest' };
    return { ok: true, splices: [{ ...dep.digestRange, insert: update.newDigest }] };
  }
  const at = dep.digestInsertAt;
  if (at === null || at === undefined) return { ok: false, reason: 'there is no place to add a digest in this form' };
  return { ok: true, splices: [{ start: at, end: at, insert: `@${update.newDigest}` }] };
}

function holds(text: string, range: TextRange, expected: string | null): boolean {
  return expected !== null && text.slice(range.start, range.end) === expected;
}

/** True when two splices touch the same bytes (two insertions at one offset count as overlapping). */
export function overlaps(a: Splice, b: Splice): boolean {
  if (a.start === a.end || b.start === b.end) return a.start <= b.end && b.start <= a.end;
  return a.start < b.end && b.start < a.end;
}

/** Applies non-overlapping splices from the end of the text to its start, so earlier offsets stay valid. */
export function applySplices(text: string, splices: readonly Splice[]): string {
  let out = text;
  for (const s of [...splices].sort((a, b) => b.start - a.start)) {
    out = out.slice(0, s.start) + s.insert + out.slice(s.end);
  }
  return out;
}

/** Where an offset of the original text lands after the splices (all of which lie outside [offset-range]). */
export function shiftOffset(offset: number, splices: readonly Splice[]): number {
  let shifted = offset;
  for (const s of splices) {
    if (s.end <= offset && !(s.start === s.end && s.start === offset)) shifted += s.insert.length - (s.end - s.start);
  }
  return shifted;
}
