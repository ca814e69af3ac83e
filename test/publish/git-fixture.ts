import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

const ENV = {
  ...process.env,
  GIT_AUTHOR_NAME: 'Dana',
  GIT_AUTHOR_EMAIL: 'dana@example.com',
  GIT_COMMITTER_NAME: 'Dana',
  GIT_COMMITTER_EMAIL: 'dana@example.com',
  GIT_CONFIG_GLOBAL: '/dev/null',
  GIT_CONFIG_NOSYSTEM: '1',
};

export function sh(dir: string, ...args: string[]): string {
  return execFileSync('git', args, { cwd: dir, env: ENV, encoding: 'utf8' }).trim();
}

/** A bare "remote" and a clone of it with `files` committed on `main` by a human; `cleanup()` removes both. */
export function gitRepo(files: Record<string, string>): { root: string; remote: string; checkout: string; cleanup(): void } {
  const root = mkdtempSync(join(tmpdir(), 'tidemark-git-'));
  const remote = join(root, 'remote.git');
  const checkout = join(root, 'checkout');
  execFileSync('git', ['init', '--quiet', '--bare', '--initial-branch=main', remote], { env: ENV });
  execFileSync('git', ['clone', '--quiet', remote, checkout], { env: ENV, stdio: 'ignore' });
  sh(checkout, 'checkout', '--quiet', '-B', 'main');
  writeFiles(checkout, files);
  sh(checkout, 'add', '-A');
  sh(checkout, 'commit', '--quiet', '-m', 'initial');
  sh(checkout, 'push', '--quiet', 'origin', 'main');
  return { root, remote, checkout, cleanup: () => rmSync(root, { recursive: true, force: true }) };
}

export function writeFiles(dir: string, files: Record<string, string>): void {
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
}

/** A person commits `files` onto `branch` of the remote, through a scratch clone. */
export function humanPush(remote: string, branch: string, files: Record<string, string>): void {
  const scratch = mkdtempSync(join(tmpdir(), 'tidemark-human-'));
  try {
    execFileSync('git', ['clone', '--quiet', '--branch', branch, remote, scratch], { env: ENV, stdio: 'ignore' });
    writeFiles(scratch, files);
    sh(scratch, 'add', '-A');
    sh(scratch, 'commit', '--quiet', '-m', 'human change');
    sh(scratch, 'push', '--quiet', 'origin', branch);
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

/** `path` as stored at `ref` of the remote. */
export function showFile(remote: string, ref: string, path: string): string {
  return execFileSync('git', ['--git-dir', remote, 'show', `${ref}:${path}`], { env: ENV, encoding: 'utf8' });
}

/** Branch → head sha for every branch of the remote. */
export function remoteHeads(remote: string): Record<string, string> {
  const out = execFileSync('git', ['--git-dir', remote, 'for-each-ref', '--format=%(refname:short) %(objectname)', 'refs/heads'], { env: ENV, encoding: 'utf8' });
  return Object.fromEntries(out.trim().split('\n').filter(Boolean).map((l) => l.split(' ') as [string, string]));
}
