import type { Update } from '../plan/types.js';
import { scanFiles, type SourceFile } from '../scan/index.js';
import type { Dependency, Problem, TextRange } from '../scan/types.js';
import { applySplices, overlaps, shiftOffset, splicesFor, type Splice } from './splice.js';

export interface EditResult {
  /** The new file text: the original with only the version and digest tokens replaced. */
  text: string;
  /** The updates that were spliced in and confirmed by re-scanning. */
  applied: Update[];
  /** One entry per update that was dropped, with the reason. */
  problems: Problem[];
}

interface Planned {
  update: Update;
  splices: Splice[];
}

/**
 * Splices the new version and digest of each update into `text` (the content of `path`), then re-scans the
 * result and keeps only the updates whose dependency now reads the new value at its shifted range.
 * `context`: other files, unchanged, that the scan of `path` reads (see `scanContextPaths`: the base `values.yaml` that
 * names the image a `values-prod.yaml` retags); without them such a dependency does not read back and is dropped.
 * Pure: no I/O. Every byte outside the recorded ranges is unchanged.
 */
export function applyUpdates(path: string, text: string, updates: Update[], context: SourceFile[] = []): EditResult {
  const problems: Problem[] = [];
  let planned: Planned[] = [];
  for (const update of updates) {
    const reason = planOne(path, text, update, planned);
    if (typeof reason === 'string') problems.push(problemFor(update, reason));
    else planned.push(reason);
  }
  // A dropped update changes the text, so confirm again until every remaining update reads back.
  for (;;) {
    const all = planned.flatMap((p) => p.splices);
    const edited = applySplices(text, all);
    const others = context.filter((f) => f.path !== path);
    const found = planned.length > 0 ? scanFiles([...others, { path, text: edited }]).dependencies.filter((d) => d.file === path) : [];
    const failed = planned.filter((p) => !confirmed(p, all, found));
    if (failed.length === 0) return { text: edited, applied: planned.map((p) => p.update), problems };
    for (const p of failed) problems.push(problemFor(p.update, 'the edited file does not read the new version back'));
    planned = planned.filter((p) => !failed.includes(p));
  }
}

function planOne(path: string, text: string, update: Update, planned: Planned[]): Planned | string {
  if (update.dependency.file !== path) return `the update belongs to ${update.dependency.file}`;
  const plan = splicesFor(text, update);
  if (!plan.ok) return plan.reason;
  const clash = plan.splices.some((s) => planned.some((p) => p.splices.some((o) => overlaps(s, o))));
  if (clash) return 'another update in this file edits the same text';
  return { update, splices: plan.splices };
}

/** The re-scan must find a dependency whose value and digest sit at the shifted ranges and read the new ones. */
function confirmed(p: Planned, all: Splice[], found: Dependency[]): boolean {
  const { update } = p;
  const expect = expectedRanges(update, all);
  return found.some(
    (d) =>
      sameRange(d.valueRange, expect.value) &&
      sameRange(d.digestRange, expect.digest) &&
      d.currentValue === (expect.value ? update.newValue : d.currentValue) &&
      d.currentDigest === (expect.digest ? expectedDigest(update) : d.currentDigest),
  );
}

function expectedDigest(update: Update): string | null {
  return update.newDigest ?? update.dependency.currentDigest;
}

function expectedRanges(update: Update, all: Splice[]): { value: TextRange | null; digest: TextRange | null } {
  const dep = update.dependency;
  const value = dep.valueRange ? at(shiftOffset(dep.valueRange.start, all), update.newValue.length) : null;
  const digest = expectedDigest(update);
  if (digest === null) return { value, digest: null };
  if (dep.digestRange) return { value, digest: at(shiftOffset(dep.digestRange.start, all), digest.length) };
  // Pinned just now: the digest follows the inserted `@`.
  const insertAt = dep.digestInsertAt ?? 0;
  return { value, digest: at(shiftOffset(insertAt, all) + 1, digest.length) };
}

function at(start: number, length: number): TextRange {
  return { start, end: start + length };
}

function sameRange(a: TextRange | null, b: TextRange | null): boolean {
  if (a === null || b === null) return a === b;
  return a.start === b.start && a.end === b.end;
}

function problemFor(update: Update, reason: string): Problem {
  const dep = update.dependency;
  const target = update.newDigest && update.newValue === dep.currentValue ? update.newDigest : update.newValue;
  return { file: dep.file, line: dep.line, message: `could not update ${dep.name} to ${target}: ${reason}` };
}
