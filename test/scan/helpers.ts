import { expect } from 'vitest';
import { applyUpdates } from '../../src/edit/index.js';
import { bump, splicedByHand } from '../edit/update-fixture.js';
import { scanFiles, scanToJson, type SourceFile } from '../../src/scan/index.js';
import type { ScanResult } from '../../src/scan/types.js';

/** Asserts the editor's invariant: every recorded range reads exactly the reported value in the file text. */
export function expectExactRanges(result: ScanResult, files: SourceFile[]): void {
  const texts = new Map(files.map((f) => [f.path, f.text]));
  for (const dep of result.dependencies) {
    const text = texts.get(dep.file) ?? '';
    if (dep.valueRange) expect(text.slice(dep.valueRange.start, dep.valueRange.end)).toBe(dep.currentValue);
    else expect(dep.currentValue === null || dep.skipReason !== undefined).toBe(true);
    if (dep.digestRange) expect(text.slice(dep.digestRange.start, dep.digestRange.end)).toBe(dep.currentDigest);
    if (dep.valueRange || dep.digestRange) {
      const start = dep.valueRange?.start ?? dep.digestRange?.start ?? 0;
      expect(text.slice(0, start).split('\n').length).toBe(dep.line);
    }
  }
}

/** Scans files in memory, checks the range invariant, and returns the JSON contract. */
export function scanJson(files: SourceFile[]): ReturnType<typeof scanToJson> {
  const result = scanFiles(files);
  expectExactRanges(result, files);
  return scanToJson(result);
}

export function scanOne(path: string, text: string): ReturnType<typeof scanToJson> {
  return scanJson([{ path, text }]);
}

/** A dependency in the JSON contract, for building expectations tersely. */
export function dep(
  file: string,
  line: number,
  manager: string,
  name: string,
  currentValue: string | null,
  extra: { datasource?: string; registryUrl?: string | null; currentDigest?: string | null; skipReason?: string } = {},
): Record<string, unknown> {
  const out: Record<string, unknown> = {
    file,
    line,
    manager,
    datasource: extra.datasource ?? 'docker',
    name,
    registryUrl: extra.registryUrl ?? null,
    currentValue,
    currentDigest: extra.currentDigest ?? null,
  };
  if (extra.skipReason) out.skipReason = extra.skipReason;
  return out;
}

export const DIGEST = 'sha256:' + 'a'.repeat(64);

/**
 * The editor's contract for a form: bumping every updatable dependency of `path` (a newer tag, a new digest where one
 * is pinned) splices only their tokens, and the re-scan reads every new value back. Returns how many were bumped.
 */
export function expectRoundTrip(files: SourceFile[], path: string): number {
  const file = files.find((f) => f.path === path);
  if (!file) throw new Error(`no file ${path}`);
  const deps = scanFiles(files).dependencies.filter((d) => d.file === path && !d.skipReason);
  const updates = deps.map(bump);
  const result = applyUpdates(path, file.text, updates, files);
  expect(result.problems).toEqual([]);
  expect(result.applied).toHaveLength(updates.length);
  expect(result.text).toBe(splicedByHand(file.text, updates));
  return updates.length;
}
