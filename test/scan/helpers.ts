import { expect } from 'vitest';
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
