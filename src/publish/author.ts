import { DEFAULT_CONFIG } from '../config/types.js';
import { UsageError } from '../errors.js';

/** Who Tidemark's commits are by. Its email is also how Tidemark tells its own commits from a human's on a branch. */
export interface GitAuthor {
  name: string;
  email: string;
}

/**
 * The default author. `.invalid` is reserved by RFC 2606 and RFC 6761: no one can ever own or receive mail at this
 * address, so commits are never attributed to a real account (as `tidemark@users.noreply.github.com` would be, to
 * GitHub's user `tidemark`). Set your own with `TIDEMARK_GIT_AUTHOR` or the config's `author`.
 */
export const DEFAULT_AUTHOR: Readonly<GitAuthor> = DEFAULT_CONFIG.author;

/** The identity GitHub gives the workflow token (`github.token`): commits by it show GitHub's own Actions bot. */
export const GITHUB_ACTIONS_BOT: GitAuthor = { name: 'github-actions[bot]', email: '41898282+github-actions[bot]@users.noreply.github.com' };

/** `Renovate Bot <bot@example.com>`: a name, then an email in angle brackets; no line breaks or stray `<>`. */
const AUTHOR = /^(?<name>[^<>\r\n]*[^<>\s])\s*<(?<email>[^<>\s@]+@[^<>\s@]+)>$/;

/** Parses `Name <email>` (`TIDEMARK_GIT_AUTHOR`); `where` names the setting in the error. */
export function parseGitAuthor(text: string, where: string): GitAuthor {
  const m = AUTHOR.exec(text.trim());
  if (!m?.groups) throw new UsageError(`${where} "${text}": expected "Name <email>", e.g. "Tidemark <tidemark@example.com>"`);
  return { name: m.groups['name']!, email: m.groups['email']! };
}

/**
 * The author of this run's commits, first of: the operator's (`TIDEMARK_GIT_AUTHOR`; a repository cannot override
 * it), the repository config's `author`, the platform's bot identity when the token is known to carry one (the
 * Action with the workflow token), and `DEFAULT_AUTHOR`.
 */
export function chooseAuthor(configured: GitAuthor, sources: { operator?: GitAuthor | null; platform?: GitAuthor | null }): GitAuthor {
  if (sources.operator) return sources.operator;
  const isDefault = configured.name === DEFAULT_AUTHOR.name && configured.email === DEFAULT_AUTHOR.email;
  if (!isDefault) return configured;
  return sources.platform ?? { ...DEFAULT_AUTHOR };
}

/** `TIDEMARK_GIT_AUTHOR` from the environment, parsed; null when unset or empty. */
export function operatorAuthor(env: NodeJS.ProcessEnv): GitAuthor | null {
  const text = env['TIDEMARK_GIT_AUTHOR']?.trim();
  return text ? parseGitAuthor(text, 'TIDEMARK_GIT_AUTHOR') : null;
}
