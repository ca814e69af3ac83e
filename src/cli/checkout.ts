import { stat } from 'node:fs/promises';
import { UsageError } from '../errors.js';
import { git } from '../publish/git-cli.js';

/**
 * `run` publishes from a git checkout: plain git pushes its branches from it, GitHub and GitLab build on its files.
 * A directory that is not one is a usage mistake (exit 2) named up front, not a git error halfway through.
 * `run --dry-run`, `plan` and `scan` only read files, so they take any directory.
 */
export async function requireCheckout(dir: string): Promise<void> {
  const info = await stat(dir).catch(() => undefined);
  if (!info?.isDirectory()) throw new UsageError(`not a directory: ${dir}`);
  const inside = await git(dir, ['rev-parse', '--is-inside-work-tree']).then(
    (r) => r.stdout.trim() === 'true',
    () => false,
  );
  if (!inside) {
    throw new UsageError(`${dir} is not a git checkout: run needs a clone of the repository (run --dry-run, plan and scan read any directory)`);
  }
}
