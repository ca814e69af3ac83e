import { constants, existsSync } from 'node:fs';
import { type FileHandle, lstat, open, readFile, readdir, realpath } from 'node:fs/promises';
import path from 'node:path';
import { globsMatcher } from '../config/glob.js';
import type { Logger } from '../log.js';
import type { SourceFile } from './scan-files.js';
import { compileGitignore, type Gitignore } from './gitignore.js';
import { readAhead } from './read-ahead.js';
import type { Problem } from './types.js';
import { countYamlItems } from './yaml.js';

/** Files larger than this are reported, not read: real GitOps YAML is far smaller, and memory stays bounded. */
export const MAX_FILE_BYTES = 10 * 1024 * 1024;
/**
 * YAML items (countYamlItems) a file may have: `[1,1,1,…]` in 10 MB took 4 GB and a minute to parse. The largest real
 * manifests (CRD bundles) have ~30k lines.
 */
export const MAX_FILE_ITEMS = 100_000;
/**
 * What one repository's files may hold together: the texts stay in memory for the whole scan, and the syntax trees of
 * documents that need other files (Flux, kustomize, values overrides) until its end. 40 values overrides of 99k lines
 * each took 75 s and 1.6 GB.
 */
export const MAX_SCAN_BYTES = 64 * 1024 * 1024;
export const MAX_SCAN_ITEMS = 300_000;
const SKIP_DIRS = new Set(['.git', 'node_modules']);

export interface WalkOptions {
  ignorePaths?: string[];
  logger?: Logger;
}

/** One `.gitignore`: `base` is its directory relative to the scan root; `prefix` is set instead for one above it. */
interface Rules {
  base: string;
  prefix?: string;
  ig: Gitignore;
}

/** Files read at once ahead of the one being taken: enough to keep the file system busy, few enough to hold little. */
const READ_AHEAD = 32;
/** A file larger than this is read in its turn, not ahead, so reading ahead holds at most READ_AHEAD × this. */
const READ_AHEAD_BYTES = 1024 * 1024;

/** A YAML file the walk found, or a problem it met (a symlink out of the tree), in walk order. */
type Found = { rel: string; abs: string } | { problem: Problem };

/**
 * Reads every `*.yaml`/`*.yml` (and helmfile's `*.yaml.gotmpl`) under `dir`: skips `.git` and `node_modules`, honours
 * `.gitignore` files when `dir` is in a git work tree, follows no symlink (those pointing out of the tree or in a loop are reported), and turns
 * unreadable files (too big, binary, not UTF-8) into problems. Files are read several at once, but counted against
 * the repository's budget in walk order (sorted by name), so the same files are over it every run.
 */
export async function readYamlFiles(dir: string, opts: WalkOptions = {}): Promise<{ files: SourceFile[]; problems: Problem[] }> {
  const root = await realpath(dir);
  const found = await walk(root, opts);
  const files: SourceFile[] = [];
  const problems: Problem[] = [];
  const left: Budget = { bytes: MAX_SCAN_BYTES, items: MAX_SCAN_ITEMS };
  const read = async (f: Found, head: () => Promise<void>): Promise<FileRead | Problem> =>
    'problem' in f ? f.problem : readText(f.abs, f.rel, head, left);
  await readAhead(found, READ_AHEAD, read, (got) => {
    const admitted = 'message' in got ? got : admit(got, left);
    if ('message' in admitted) problems.push(admitted);
    else files.push(admitted);
  });
  return { files, problems };
}

/** The YAML files under `root` in walk order (each directory's entries by name), and the problems met on the way. */
async function walk(root: string, opts: WalkOptions): Promise<Found[]> {
  const found: Found[] = [];
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
        if (problem) found.push({ problem });
        else opts.logger?.debug('skipping symlink inside the tree; its target is scanned where it lives', { path: childRel });
      } else if (isDir) {
        await visit(childRel, here);
      } else if (entry.isFile() && /\.ya?ml(?:\.gotmpl)?$/i.test(entry.name)) {
        found.push({ rel: childRel, abs: path.join(abs, entry.name) });
      }
    }
  };
  await visit('', rules);
  return found;
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

interface Budget {
  bytes: number;
  items: number;
}

/** A file as read, before the repository's budget is applied: its text, or why that is not read (too big, binary…). */
type FileRead = { rel: string; size: number } & ({ text: string; items: number } | { problem: Problem });

const overBytes = (rel: string): Problem => ({
  file: rel, line: 1, message: `the repository has over ${MAX_SCAN_BYTES / 1024 / 1024} MB of YAML; this file is past that and skipped`,
});

/**
 * The file's text, or why it is not read. `left` is only final once `head()` resolved: a large file waits for its
 * turn, and is not read at all when the budget it would pass is already spent; `admit` checks small ones in turn.
 */
async function readText(abs: string, rel: string, head: () => Promise<void>, left: Budget): Promise<FileRead> {
  const file = await openListed(abs, rel);
  if ('message' in file) return { rel, size: 0, problem: file };
  let bytes: Buffer;
  try {
    const info = await file.stat();
    if (!info.isFile()) return { rel, size: 0, problem: { file: rel, line: 1, message: 'not a regular file; skipped' } };
    const size = info.size;
    if (size > MAX_FILE_BYTES) {
      return { rel, size, problem: { file: rel, line: 1, message: `file is ${Math.round(size / 1024 / 1024)} MB, over the ${MAX_FILE_BYTES / 1024 / 1024} MB limit; skipped` } };
    }
    if (size > READ_AHEAD_BYTES) await head();
    if (size > left.bytes) return { rel, size, problem: overBytes(rel) };
    bytes = await file.readFile();
  } finally {
    await file.close();
  }
  const size = bytes.length;
  if (bytes.subarray(0, 8192).includes(0)) return { rel, size, problem: { file: rel, line: 1, message: 'binary file; skipped' } };
  try {
    // ignoreBOM keeps a leading BOM in the text, so offsets match the file as the editor will read it.
    const text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes);
    const items = countYamlItems(text, MAX_FILE_ITEMS);
    if (items > MAX_FILE_ITEMS) return { rel, size, problem: { file: rel, line: 1, message: `file has over ${MAX_FILE_ITEMS} YAML items (lines and flow entries); skipped` } };
    return { rel, size, text, items };
  } catch {
    return { rel, size, problem: { file: rel, line: 1, message: 'not valid UTF-8; skipped' } };
  }
}

/**
 * Opens a file the walk listed, not following a final symlink and not blocking: one swapped for a symlink or a FIFO
 * since then is not read. One that cannot be opened (removed, unreadable) is a problem, not the end of the scan.
 */
async function openListed(abs: string, rel: string): Promise<FileHandle | Problem> {
  try {
    return await open(abs, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const message = code === 'ELOOP' ? 'became a symlink while scanning; not followed' : `could not be read (${code ?? 'error'}); skipped`;
    return { file: rel, line: 1, message };
  }
}

/** In walk order: the file, or why the repository's budget (or the file itself) keeps it out. Takes from `left`. */
function admit(read: FileRead, left: Budget): SourceFile | Problem {
  if ('problem' in read && read.size > MAX_FILE_BYTES) return read.problem;
  if (read.size > left.bytes) return overBytes(read.rel);
  if ('problem' in read) return read.problem;
  if (read.items > left.items) {
    return { file: read.rel, line: 1, message: `the repository has over ${MAX_SCAN_ITEMS} YAML items (lines and flow entries); this file is past that and skipped` };
  }
  left.bytes -= read.size;
  left.items -= read.items;
  return { path: read.rel, text: read.text };
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

/**
 * A `.gitignore` larger than this, or not a regular file, is not read: real ones are a few KB. A symlink is not
 * followed (git reads none either), so a repository cannot feed a file from outside it in as ignore rules.
 */
const MAX_GITIGNORE_BYTES = 256 * 1024;

async function loadRules(absDir: string, base: string): Promise<Rules[]> {
  try {
    const file = path.join(absDir, '.gitignore');
    const info = await lstat(file);
    if (!info.isFile() || info.size > MAX_GITIGNORE_BYTES) return [];
    return [{ base, ig: compileGitignore(await readFile(file, 'utf8')) }];
  } catch {
    return [];
  }
}

function isIgnored(rules: Rules[], rel: string, isDir: boolean): boolean {
  for (const { base, prefix, ig } of rules) {
    const sub = prefix ? `${prefix}/${rel}` : base === '' ? rel : rel.startsWith(base + '/') ? rel.slice(base.length + 1) : undefined;
    if (sub === undefined) continue;
    if (ig.ignores(sub, isDir)) return true;
  }
  return false;
}

