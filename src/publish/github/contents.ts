import { PlatformError } from '../../errors.js';
import { gh, githubStatus, toPlatformError, type GitHubClient } from './client.js';

/** The fields of `GET /repos/{o}/{r}/contents/{path}` Tidemark reads; a directory answers with an array instead. */
interface GhContent {
  type: string;
  sha: string;
  size: number;
  /** Base64, wrapped at 60 columns; empty with encoding `none` for files over 1 MB. */
  content?: string;
  encoding?: string;
}

interface RepoArgs {
  owner: string;
  repo: string;
}

/**
 * `apps/my web/deploy.yaml` → `apps/my%20web/deploy.yaml`. Each segment is encoded on its own: Octokit's
 * `{path}` would send `apps%2Fmy%20web%2Fdeploy.yaml`, which GitHub answers 404 for fine-grained tokens
 * (octokit/octokit.js#2422).
 */
export function contentsPath(path: string): string {
  return path.split('/').map(encodeURIComponent).join('/');
}

/**
 * A file's exact text at commit `sha`, or null when the commit has no such file. Up to 1 MB the contents API
 * carries the bytes as base64; above that it sends `encoding: none` and the bytes come from the blobs API
 * (up to 100 MB). Decoding base64 ourselves keeps every byte, a leading BOM included, which a text response
 * would lose.
 */
export async function readContent(octokit: GitHubClient, repo: RepoArgs, sha: string, path: string): Promise<string | null> {
  let data: GhContent | GhContent[];
  try {
    const res = await octokit.request(`GET /repos/{owner}/{repo}/contents/${contentsPath(path)}`, { ...repo, ref: sha });
    data = res.data as GhContent | GhContent[];
  } catch (err) {
    if (githubStatus(err) === 404) return null;
    throw toPlatformError(`read ${path} at ${sha}`, err);
  }
  if (Array.isArray(data) || data.type !== 'file') {
    const kind = Array.isArray(data) ? 'dir' : data.type;
    throw new PlatformError(`GitHub: read ${path} at ${sha}: it is a ${kind}, not a file`, { platform: 'github' });
  }
  if (data.encoding === 'base64' && (data.content !== '' || data.size === 0)) return decode(data.content ?? '');
  const blob = await gh(`read blob of ${path}`, () => octokit.rest.git.getBlob({ ...repo, file_sha: data.sha }));
  if (blob.data.encoding !== 'base64') {
    throw new PlatformError(`GitHub: read blob of ${path}: unexpected encoding ${blob.data.encoding}`, { platform: 'github' });
  }
  return decode(blob.data.content);
}

/** Node's base64 decoder skips the line breaks GitHub puts in; `toString('utf8')` keeps a BOM like `readFile` does. */
function decode(base64: string): string {
  return Buffer.from(base64, 'base64').toString('utf8');
}
