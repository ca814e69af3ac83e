import { applyUpdates } from '../edit/index.js';
import type { BranchPlan, Update } from '../plan/types.js';
import { scanContextPaths, type SourceFile } from '../scan/index.js';
import type { Problem } from '../scan/types.js';
import { contentKey } from './identity.js';

export interface EditedFile {
  path: string;
  before: string;
  after: string;
}

/** What a branch should contain on today's base: the edited files, the updates that made it, and a fingerprint. */
export interface BranchContent {
  files: EditedFile[];
  applied: Update[];
  problems: Problem[];
  /** `contentKey` of the files: equal keys mean an identical commit on an identical base. */
  key: string;
}

/** Edits every file the branch's updates touch (one image in three overlays → three files, one branch). */
export async function buildBranch(branch: BranchPlan, readFile: (path: string) => Promise<string>): Promise<BranchContent> {
  const byFile = new Map<string, Update[]>();
  for (const u of branch.updates) byFile.set(u.dependency.file, [...(byFile.get(u.dependency.file) ?? []), u]);
  const files: EditedFile[] = [];
  const applied: Update[] = [];
  const problems: Problem[] = [];
  for (const [path, updates] of byFile) {
    let before: string;
    try {
      before = await readFile(path);
    } catch (err) {
      problems.push({ file: path, line: 0, message: `could not read the file: ${err instanceof Error ? err.message : String(err)}` });
      continue;
    }
    const result = applyUpdates(path, before, updates, await readContext(path, before, readFile));
    for (const p of result.problems) problems.push(p);
    if (result.text === before) continue;
    files.push({ path, before, after: result.text });
    for (const a of result.applied) applied.push(a);
  }
  return { files, applied, problems, key: contentKey(files) };
}

/** The unchanged files the scan of `path` reads (a base `values.yaml`), those that exist, for the editor's re-scan. */
async function readContext(path: string, text: string, readFile: (path: string) => Promise<string>): Promise<SourceFile[]> {
  const files: SourceFile[] = [];
  for (const p of scanContextPaths(path, text)) {
    try {
      files.push({ path: p, text: await readFile(p) });
    } catch {
      // Most environment files have one base, `values.yaml` or `values.yml`; the other is missing.
    }
  }
  return files;
}
