import { rangeProblem } from '../versions/range.js';
import { controlsFor } from './controls.js';
import { nameProblem, printableName, type Found, type Sink } from './found.js';
import { LineIndex } from './lines.js';
import type { Dependency, Problem } from './types.js';
import type { Token } from './yaml.js';

/** A dependency with the offset it sorts by. */
export interface Placed {
  dep: Dependency;
  offset: number;
}

export interface FileSink extends Sink {
  readonly deps: Placed[];
  readonly problems: Problem[];
}

/**
 * Turns findings in one file into Dependencies: checks every token against the file text (the invariant the editor
 * relies on), computes lines, reads `# tidemark:` controls.
 */
export function createFileSink(file: string, text: string): FileSink {
  const lines = new LineIndex(text);
  const deps: Placed[] = [];
  const problems: Problem[] = [];
  const verified = (t: Token | null): boolean => t === null || text.slice(t.start, t.end) === t.value;
  // An anchored version read through aliases (`tag: &tag 1.2.3` … `tag: *tag`) is one text: reported once, first place.
  const seen = new Set<string>();
  return {
    deps,
    problems,
    problem(offset, message) {
      problems.push({ file, line: lines.lineOf(offset), message });
    },
    found(raw: Found) {
      const f = rejectUnsafeName(raw, (message) => problems.push({ file, line: lines.lineOf(raw.at), message }));
      if (!verified(f.value) || !verified(f.digest)) {
        problems.push({ file, line: lines.lineOf(f.at), message: `cannot locate the version of ${f.name} in the text` });
        return;
      }
      const offset = f.value?.start ?? f.digest?.start ?? f.at;
      const key = f.value || f.digest ? `${f.value?.start}:${f.digest?.start}` : `${f.at}:${f.name}`;
      if (seen.has(key)) return;
      seen.add(key);
      const dep: Dependency = {
        file,
        line: lines.lineOf(offset),
        manager: f.manager,
        datasource: f.datasource,
        name: f.name,
        registryUrl: f.registryUrl,
        currentValue: f.value?.value ?? null,
        currentDigest: f.digest?.value ?? null,
        valueRange: f.value ? { start: f.value.start, end: f.value.end } : null,
        digestRange: f.digest ? { start: f.digest.start, end: f.digest.end } : null,
      };
      if (f.skipReason) dep.skipReason = f.skipReason;
      if (f.digestInsertAt !== undefined) dep.digestInsertAt = f.digestInsertAt;
      const controls = controlsFor(lines, [lines.lineOf(f.at), dep.line]);
      if (controls) dep.controls = controls;
      // Kept even when invalid: a range nothing satisfies holds updates back, never lets more through.
      const rangeIssue = controls?.allowedVersions ? rangeProblem(controls.allowedVersions) : null;
      if (rangeIssue) problems.push({ file, line: dep.line, message: `# tidemark: allowedVersions: ${rangeIssue}` });
      if (controls?.ignore) dep.skipReason = 'ignored';
      deps.push({ dep, offset });
    },
  };
}

/**
 * Every finding passes here, whatever the scanner: a name or chart repository URL with control characters or
 * newlines, or too long, is `invalid-value` with a problem, and is kept only in a printable form.
 */
function rejectUnsafeName(f: Found, report: (message: string) => void): Found {
  const what = f.datasource === 'docker' ? 'image name' : 'chart name';
  const nameIssue = nameProblem(f.name);
  const urlIssue = f.registryUrl === null ? null : nameProblem(f.registryUrl);
  if (!nameIssue && !urlIssue) return f;
  if (nameIssue) report(`${what} ${nameIssue}: "${printableName(f.name)}"`);
  if (urlIssue && f.registryUrl !== null) report(`chart repository ${urlIssue}: "${printableName(f.registryUrl)}"`);
  return {
    ...f,
    name: printableName(f.name),
    registryUrl: f.registryUrl === null ? null : printableName(f.registryUrl),
    value: null,
    digest: null,
    skipReason: 'invalid-value',
  };
}
