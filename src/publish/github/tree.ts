import { PlatformError } from '../../errors.js';
import { gh, type GitHubClient } from './client.js';

/** Tree entry modes as git writes them: a file, an executable, a symlink, a directory, a submodule. */
export type TreeMode = '100644' | '100755' | '120000' | '040000' | '160000';

interface RepoArgs {
  owner: string;
  repo: string;
}

interface GhTreeEntry {
  path?: string;
  mode?: string;
  type?: string;
  sha?: string;
}

/** How deep a truncated tree is walked one directory at a time; deeper paths keep the default mode. */
const MAX_DEPTH = 32;

/**
 * The mode each of `paths` has in the tree `treeSha`, so a commit through the Git Data API keeps it (a tree entry
 * sent without the file's mode would turn `deploy.sh` from `100755` into `100644`). One recursive read of the tree;
 * when GitHub truncates it (over 100,000 entries or 7 MB), the missing paths are looked up one directory at a time.
 * A path not in the tree is a new file: `100644`.
 */
export async function modesOf(octokit: GitHubClient, repo: RepoArgs, treeSha: string, paths: readonly string[]): Promise<Map<string, TreeMode>> {
  const { data } = await gh(`read tree ${treeSha}`, () => octokit.rest.git.getTree({ ...repo, tree_sha: treeSha, recursive: 'true' }));
  const listed = new Map((data.tree as GhTreeEntry[]).map((e) => [e.path ?? '', e]));
  const out = new Map<string, TreeMode>();
  for (const path of paths) {
    const entry = listed.get(path) ?? (data.truncated ? await walk(octokit, repo, treeSha, path) : undefined);
    out.set(path, modeOf(entry));
  }
  return out;
}

async function walk(octokit: GitHubClient, repo: RepoArgs, treeSha: string, path: string): Promise<GhTreeEntry | undefined> {
  const parts = path.split('/');
  let at = treeSha;
  for (const [i, name] of parts.entries()) {
    if (i >= MAX_DEPTH) return undefined;
    const { data } = await gh(`read tree ${at}`, () => octokit.rest.git.getTree({ ...repo, tree_sha: at }));
    const entry = (data.tree as GhTreeEntry[]).find((e) => e.path === name);
    if (!entry || i === parts.length - 1) return entry;
    if (entry.type !== 'tree' || !entry.sha) return undefined;
    at = entry.sha;
  }
  return undefined;
}

function modeOf(entry: GhTreeEntry | undefined): TreeMode {
  const mode = entry?.mode;
  return mode === '100755' || mode === '120000' || mode === '040000' || mode === '160000' ? mode : '100644';
}

export function isRegularFile(mode: TreeMode): mode is '100644' | '100755' {
  return mode === '100644' || mode === '100755';
}

/**
 * Only regular files are written: text over a symlink would replace the link with a copy of its target, over a
 * directory or submodule would break the tree.
 */
export function notAFile(path: string, mode: TreeMode): PlatformError {
  const kind = mode === '120000' ? 'a symlink' : mode === '160000' ? 'a submodule' : 'a directory';
  return new PlatformError(`GitHub: ${path} is ${kind} in the repository; Tidemark edits regular files only`, { platform: 'github' });
}
