import { Command, CommanderError } from 'commander';
import { ConfigError, UsageError } from '../errors.js';
import { oneLine } from '../escape.js';
import { installProxy } from '../proxy.js';
import { commands } from './commands/index.js';
import { printVersionsUsageJson } from './commands/versions.js';

/** Exit codes: 0 ran, 1 partial failure, 2 bad config or usage. */
export async function main(argv: string[]): Promise<number> {
  const program = new Command('tidemark')
    .description('Keeps container images and Helm charts pinned in GitOps repositories current, through reviewed pull requests.')
    .version(VERSION)
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s) });
  let code = 0;
  for (const register of commands) register(program, (c) => (code = Math.max(code, c)));
  // HTTPS_PROXY/HTTP_PROXY/NO_PROXY for every request this command makes (registries, Helm, GitHub, GitLab).
  const proxy = await installProxy(process.env);
  try {
    await program.parseAsync(argv, { from: 'user' });
  } catch (err) {
    if (err instanceof CommanderError) printVersionsUsageJson(argv, err);
    return exitCodeFor(err);
  } finally {
    proxy.restore();
  }
  return code;
}

function exitCodeFor(err: unknown): number {
  if (err instanceof CommanderError) return err.exitCode === 0 ? 0 : 2;
  // Messages quote what a repository wrote (a config key, a file name): one line each, no escape sequence.
  if (err instanceof UsageError || err instanceof ConfigError) {
    process.stderr.write(`${oneLine(`tidemark: ${err.message}`)}\n`);
    if (err instanceof ConfigError) for (const p of err.problems) process.stderr.write(`${oneLine(`  ${p.file}:${p.line}: ${p.message}`)}\n`);
    return 2;
  }
  process.stderr.write(`${oneLine(`tidemark: ${err instanceof Error ? err.message : String(err)}`)}\n`);
  return 1;
}

const VERSION = '0.1.0';

