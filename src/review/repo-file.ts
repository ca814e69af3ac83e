import { readConfigFile } from '../config/file.js';
import type { ReadRepoFile } from './user-values.js';

/**
 * Reads repository files for the review under the scanner's rule: only a regular file whose real path stays inside
 * the repository, at most 1 MiB. An umbrella chart's `values.yaml -> /etc/passwd` is refused, so nothing from outside
 * the checkout can reach a risk message or a pull request.
 */
export function repoFileReader(dir: string): ReadRepoFile {
  return async (rel) => {
    const read = await readConfigFile(dir, rel, rel);
    if (read.kind === 'text') return read.text;
    throw new Error(read.kind === 'missing' ? `${rel} not found` : read.message);
  };
}
