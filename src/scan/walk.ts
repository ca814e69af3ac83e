import { existsSync } from 'node:fs';
import { readFile, readdir, realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import ignore, { type Ignore } from 'ignore';
import { globsMatcher } from '../config/glob.js';
import type { Logger } from '../log.js';
import type { SourceFile } from './scan-files.js';
import type { Problem } from './types.js';

/** Files larger than this are reported, not read: real GitOps YAML is far smaller, and memory stays bounded. */
export const MAX_FILE_BYTES = 10 * 1024 * 1024;
const SKIP_DIRS = new Set(['.git', 'node_modules']);

export interface WalkOptions {
  ignorePaths?: string[];
  logger?: Logger;
}

/** One `.gitignore`: `base` is its directory relative to the scan root; `prefix` is set instead for one above it. */
interface Rules {
  base: string;
  prefix?: string;
  ig: Ignore;
}

/**
 * Reads every `*.yaml`/`*.yml` (and helmfile's `*.yaml.gotmpl`) under `dir`: skips `.git` and `node_modules`, honours `.gitignore` files when `dir` is
 * in a git work tree, follows no symlink (those pointing out of the tree or in a loop are reported), and turns
 * unreadable files (too big, binary, not UTF-8) into problems.
 */
export async function readYamlFiles(dir: string, opts: WalkOptions = {}): Promise<{ files: SourceFile[]; problems: Problem[] }> {
  const root = await realpath(dir);
  const files: SourceFile[] = [];
  const problems: Problem[] = [];
  // Globs from the repository's config: matched on RE2 (config/glob.ts), never by a backtracking regex.
  const userIgnored = opts.ignorePaths?.length ? globsMatcher(opts.ignorePaths) : () => false;
  const rules = (await gitRoot(root)) !== undefined ? await ancestorRules(root) : undefined;
  const visit = async (rel: string, inherited: Rules[] | undefined): Promise<void> => {
    const abs = path.join(root, rel);
    const here = inherited ? [...inherited, ...(await loadRules(abs, rel))] : undefined;
    const entries = await readdir(abs, { withFileTypes: true });
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const entry of entries) {
      const childRel = rel ? `${rel}/${entry.name}` : entry.name;
      const isDir = entry.isDirectory();
      if (isDir && SKIP_DIRS.has(entry.name)) continue;
      if (userIgnored(childRel) || (here && isIgnored(here, childRel, isDir))) continue;
      if (entry.isSymbolicLink()) {
        const problem = await symlinkProblem(root, abs, entry.name, childRel);
        if (problem) problems.push(problem);
        else opts.logger?.debug('skipping symlink inside the tree; its target is scanned where it lives', { path: childRel });
      } else if (isDir) {
        await visit(childRel, here);
      } else if (entry.isFile() && /\.ya?ml(?:\.gotmpl)?$/i.test(entry.name)) {
        const read = await readText(path.join(abs, entry.name), childRel);
        if ('text' in read) files.push({ path: childRel, text: read.text });
        else problems.push(read);
      }
    }
  };
  await visit('', rules);
  return { files, problems };
}

async function symlinkProblem(root: string, dirAbs: string, name: string, rel: string): Promise<Problem | undefined> {
  try {
    const target = await realpath(path.join(dirAbs, name));
    const inside = target === root || target.startsWith(root + path.sep);
    return inside ? undefined : { file: rel, line: 1, message: 'symlink points outside the scanned directory; not followed' };
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const message = code === 'ELOOP' ? 'symlink loop; not followed' : 'broken symlink; not followed';
    return { file: rel, line: 1, message };
  }
}

async function readText(abs: string, rel: string): Promise<{ text: string } | Problem> {
  const size = (await stat(abs)).size;
  if (size > MAX_FILE_BYTES) {
    return { file: rel, line: 1, message: `file is ${Math.round(size / 1024 / 1024)} MB, over the ${MAX_FILE_BYTES / 1024 / 1024} MB limit; skipped` };
  }
  const bytes = await readFile(abs);
  if (bytes.subarray(0, 8192).includes(0)) return { file: rel, line: 1, message: 'binary file; skipped' };
  try {
    // ignoreBOM keeps a leading BOM in the text, so offsets match the file as the editor will read it.
    return { text: new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes) };
  } catch {
    return { file: rel, line: 1, message: 'not valid UTF-8; skipped' };
  }
}

async function gitRoot(start: string): Promise<string | undefined> {
  for (let dir = start; ; dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, '.git'))) return dir;
    if (path.dirname(dir) === dir) return undefined;
  }
}

/** `.gitignore` files from the work tree's top down to `root`'s parent, re-based so paths relative to root match. */
async function ancestorRules(root: string): Promise<Rules[]> {
  const top = await gitRoot(root);
  if (!top || top === root) return [];
  const out: Rules[] = [];
  const chain: string[] = [];
  for (let dir = path.dirname(root); ; dir = path.dirname(dir)) {
    chain.unshift(dir);
    if (dir === top || path.dirname(dir) === dir) break;
  }
  for (const dir of chain) {
    const prefix = path.relative(dir, root).split(path.sep).join('/');
    for (const r of await loadRules(dir, '')) out.push({ ...r, prefix });
  }
  return out;
}

async function loadRules(absDir: string, base: string): Promise<Rules[]> {
  try {
    const text = await readFile(path.join(absDir, '.gitignore'), 'utf8');
    return [{ base, ig: ignore().add(text) }];
  } catch {
    return [];
  }
}

function isIgnored(rules: Rules[], rel: string, isDir: boolean): boolean {
  for (const { base, prefix, ig } of rules) {
    const sub = prefix ? `${prefix}/${rel}` : base === '' ? rel : rel.startsWith(base + '/') ? rel.slice(base.length + 1) : undefined;
    if (sub === undefined) continue;
    if (ig.ignores(isDir ? `${sub}/` : sub)) return true;
  }
  return false;
}

