import type { Logger } from '../log.js';
import { scanFiles } from './scan-files.js';
import type { Problem, ScanResult } from './types.js';
import { readYamlFiles } from './walk.js';

export { scanFiles, type SourceFile } from './scan-files.js';
export { parseImageRef, type ImageRef } from './image.js';
export { scanContextPaths } from './helm-values.js';
export type * from './types.js';

/**
 * Scans a directory: reads its YAML files (see walk.ts for what is skipped and why), then `scanFiles`. Unreadable
 * files become problems; the scan always goes on. Output is sorted by file, then position.
 */
export async function scanDirectory(dir: string, opts: { ignorePaths?: string[]; logger?: Logger } = {}): Promise<ScanResult> {
  const { files, problems } = await readYamlFiles(dir, opts);
  const result = scanFiles(files);
  opts.logger?.debug('scanned directory', { dir, files: files.length, dependencies: result.dependencies.length });
  const all = [...problems, ...result.problems].sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : a.line - b.line));
  return { dependencies: result.dependencies, problems: all };
}

/** The `--json` contract: fixed key order, `skipReason` only when skipped, no internal ranges. */
export function scanToJson(result: ScanResult): { dependencies: object[]; problems: Problem[] } {
  const dependencies = result.dependencies.map((d) => ({
    file: d.file,
    line: d.line,
    manager: d.manager,
    datasource: d.datasource,
    name: d.name,
    registryUrl: d.registryUrl,
    currentValue: d.currentValue,
    currentDigest: d.currentDigest,
    ...(d.skipReason ? { skipReason: d.skipReason } : {}),
  }));
  const problems = result.problems.map((p) => ({ file: p.file, line: p.line, message: p.message }));
  return { dependencies, problems };
}
