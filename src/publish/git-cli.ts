import { spawn } from 'node:child_process';
import { PlatformError } from '../errors.js';
import { withoutCredentials } from '../log.js';

export interface GitCallOptions {
  /** Written to git's stdin (file contents for `hash-object --stdin`, messages for `commit-tree`). */
  input?: string;
  env?: Record<string, string>;
  /** Exit codes that are answers rather than failures (`merge-base --is-ancestor` exits 1 for "no"). */
  okCodes?: number[];
}

export interface GitCallResult {
  code: number;
  stdout: string;
}

/** Runs git without a shell, in `dir`, never prompting for credentials. Throws PlatformError with git's message. */
export function git(dir: string, args: string[], opts: GitCallOptions = {}): Promise<GitCallResult> {
  return new Promise((resolve, reject) => {
    const child = spawn('git', args, {
      cwd: dir,
      env: { ...process.env, GIT_TERMINAL_PROMPT: '0', LC_ALL: 'C', ...opts.env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    child.on('error', (cause) => reject(new PlatformError(`could not run git ${args[0]}`, { platform: 'git', cause })));
    child.on('close', (code) => {
      const result = { code: code ?? -1, stdout: Buffer.concat(out).toString('utf8') };
      if (result.code === 0 || opts.okCodes?.includes(result.code)) return resolve(result);
      const message = withoutCredentials(Buffer.concat(err).toString('utf8').trim().split('\n').slice(-3).join(' '));
      reject(new PlatformError(`git ${args[0]} failed: ${message}`, { platform: 'git', status: result.code }));
    });
    child.stdin.on('error', () => undefined);
    child.stdin.end(opts.input ?? '');
  });
}
