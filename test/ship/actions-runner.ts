import * as core from '@actions/core';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { actionMain, type ActionDeps } from '../../src/cli/action.js';

/** Reads a GITHUB_OUTPUT file the way the runner does: `name=value` lines and `name<<DELIM` heredocs. */
export function parseOutputFile(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const heredoc = /^(?<name>[^=<]+)<<(?<delim>.+)$/.exec(line);
    if (heredoc?.groups) {
      const end = lines.indexOf(heredoc.groups.delim!, i + 1);
      out[heredoc.groups.name!] = lines.slice(i + 1, end).join('\n');
      i = end;
    } else if (line.includes('=')) {
      out[line.slice(0, line.indexOf('='))] = line.slice(line.indexOf('=') + 1);
    }
  }
  return out;
}

/**
 * Runs `fn` the way the runner runs an action: `process.env` is `env` (where `@actions/core` reads inputs and the
 * file-command paths), and every line the action writes to stdout goes to `write`. The files `GITHUB_OUTPUT` and
 * `GITHUB_STEP_SUMMARY` name are created first, as the runner does. Both are restored afterwards.
 */
export async function inRunner<T>(env: NodeJS.ProcessEnv, write: (line: string) => void, fn: () => Promise<T>): Promise<T> {
  for (const file of [env.GITHUB_OUTPUT, env.GITHUB_STEP_SUMMARY]) {
    if (file) {
      mkdirSync(dirname(file), { recursive: true });
      if (!existsSync(file)) writeFileSync(file, '');
    }
  }
  const savedEnv = process.env;
  const savedWrite = process.stdout.write;
  let pending = '';
  process.stdout.write = ((chunk: string | Uint8Array) => {
    pending += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
    const lines = pending.split('\n');
    pending = lines.pop() ?? '';
    for (const line of lines) write(line);
    return true;
  }) as typeof process.stdout.write;
  process.env = env;
  // core.summary caches the summary file's path for the life of the process, which is one step on a real runner;
  // here one process runs many steps, each with its own file.
  (core.summary as unknown as { _filePath?: string })._filePath = undefined;
  try {
    return await fn();
  } finally {
    process.env = savedEnv;
    process.stdout.write = savedWrite;
    if (pending !== '') write(pending);
  }
}

/** `actionMain` in a runner environment: `deps.env` becomes `process.env`, stdout lines go to `deps.write`. */
export function runAction(deps: ActionDeps & { env: NodeJS.ProcessEnv; write: (line: string) => void }): Promise<number> {
  return inRunner(deps.env, deps.write, () => actionMain({ run: deps.run }));
}
