import { constants } from 'node:fs';
import { lstat, open, realpath, stat } from 'node:fs/promises';
import path from 'node:path';

/** A config file is a few KB; anything near this is not one, and is not read into memory. */
export const MAX_CONFIG_BYTES = 1024 * 1024;

export type ConfigFileRead = { kind: 'missing' } | { kind: 'text'; text: string } | { kind: 'refused'; message: string };

/**
 * Reads `rel` (relative to the repository directory `dir`) under the rule the scanner applies to scanned files: only
 * when its real path, after every symlink, is a regular file inside the repository. A symlink out of the tree
 * (`.tidemark.yaml -> /etc/passwd`), a directory, FIFO or socket in its place, or a file over MAX_CONFIG_BYTES is
 * `refused` with a sentence naming `label`; callers turn that into a config error (exit 2). Opening never blocks on
 * a FIFO (O_NONBLOCK) and follows no symlink swapped in after the check (O_NOFOLLOW on the real path).
 */
export async function readConfigFile(dir: string, rel: string, label: string): Promise<ConfigFileRead> {
  const root = await realpath(dir);
  const abs = path.resolve(dir, rel);
  const link = await lstat(abs).catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT' || err.code === 'ENOTDIR') return null;
    throw err;
  });
  if (!link) return { kind: 'missing' };
  let real: string;
  try {
    real = await realpath(abs);
  } catch (err) {
    const loop = (err as NodeJS.ErrnoException).code === 'ELOOP';
    return { kind: 'refused', message: `${label} is ${loop ? 'a symlink loop' : 'a broken symlink'}; not read` };
  }
  if (!isInside(root, real)) {
    const what = !isInside(root, path.resolve(root, rel))
      ? 'outside the repository'
      : link.isSymbolicLink()
        ? 'a symlink to a file outside the repository'
        : 'reached through a symlinked directory that leaves the repository';
    return { kind: 'refused', message: `${label} is ${what}; not read` };
  }
  const target = await stat(real);
  if (!target.isFile()) return { kind: 'refused', message: `${label} is ${kindOf(target)}, not a regular file; not read` };
  return readRegular(real, label);
}

function isInside(root: string, file: string): boolean {
  return file === root || file.startsWith(root + path.sep);
}

async function readRegular(real: string, label: string): Promise<ConfigFileRead> {
  const handle = await open(real, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  try {
    const info = await handle.stat();
    if (!info.isFile()) return { kind: 'refused', message: `${label} is ${kindOf(info)}, not a regular file; not read` };
    if (info.size > MAX_CONFIG_BYTES) return { kind: 'refused', message: `${label} is ${info.size} bytes, over the ${MAX_CONFIG_BYTES} byte limit; not read` };
    const buffer = Buffer.alloc(MAX_CONFIG_BYTES + 1);
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0);
    if (bytesRead > MAX_CONFIG_BYTES) return { kind: 'refused', message: `${label} grew past the ${MAX_CONFIG_BYTES} byte limit; not read` };
    return { kind: 'text', text: buffer.subarray(0, bytesRead).toString('utf8') };
  } finally {
    await handle.close();
  }
}

function kindOf(info: { isDirectory(): boolean; isFIFO(): boolean; isSocket(): boolean }): string {
  if (info.isDirectory()) return 'a directory';
  if (info.isFIFO()) return 'a FIFO';
  if (info.isSocket()) return 'a socket';
  return 'a device';
}
