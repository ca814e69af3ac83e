import { spawn } from 'node:child_process';
import { PlatformError } from '../errors.js';
import { withoutCredentials } from '../log.js';
import type { PlatformKind } from '../publish/types.js';

export interface CloneRequest {
  url: string;
  dir: string;
  platform: PlatformKind;
  token: string | null;
  /** `token` is GitLab CI's job token: git takes it as the password of user `gitlab-ci-token`. */
  jobToken?: boolean;
  /** `--depth 1`: enough for github/gitlab, whose publishing goes through the API. */
  shallow: boolean;
  /** Aborted at the repository's deadline: git is killed. */
  signal?: AbortSignal;
}

/** Clones one repository; injectable so multi-repository runs can be tested without git hosts. */
export type CloneFn = (req: CloneRequest) => Promise<void>;

/**
 * Clones with the git CLI. The token travels as an `http.<origin>/.extraHeader` set through `GIT_CONFIG_*` environment
 * variables: never in the URL (it would land in `.git/config` and error messages) nor in argv (visible in `ps`), and
 * scoped to the clone URL's origin, so nothing the repository names (an `.lfsconfig` `lfs.url`, a submodule) gets it.
 */
export const gitClone: CloneFn = async (req) => {
  const args = ['clone', '--quiet', '--no-tags', ...(req.shallow ? ['--depth', '1'] : []), '--', req.url, req.dir];
  const header = authHeader(req.platform, req.token, req.jobToken ?? false);
  const env: NodeJS.ProcessEnv = { ...process.env, GIT_TERMINAL_PROMPT: '0' };
  if (header) {
    const n = Number(env.GIT_CONFIG_COUNT ?? '0') || 0;
    env.GIT_CONFIG_COUNT = String(n + 1);
    env[`GIT_CONFIG_KEY_${n}`] = `http.${headerScope(req.url)}.extraHeader`;
    env[`GIT_CONFIG_VALUE_${n}`] = header;
  }
  try {
    await runGit(args, env, req.signal);
  } catch (err) {
    const stderr = (err as { stderr?: string }).stderr?.trim() ?? '';
    const message = withoutCredentials(`git clone ${req.url} failed${stderr ? `: ${stderr}` : ''}`);
    throw new PlatformError(message, { platform: req.platform, cause: err });
  }
};

/** Most of git's stderr kept for the error message. */
const MAX_STDERR = 64 * 1024;

/**
 * Runs git in a process group of its own and, when `signal` aborts, kills the whole group: git runs its transport
 * (`git-remote-http`) as a child, and killing git alone left that child connected to a stalled server after the
 * repository's deadline. Rejects with an Error carrying `stderr` unless git exits 0.
 */
function runGit(args: string[], env: NodeJS.ProcessEnv, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn('git', args, { env, detached: true, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk: string) => {
      if (stderr.length < MAX_STDERR) stderr += chunk.slice(0, MAX_STDERR - stderr.length);
    });
    const kill = (): void => {
      try {
        if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
      } catch {
        // Already gone.
      }
    };
    if (signal?.aborted) kill();
    signal?.addEventListener('abort', kill, { once: true });
    child.on('error', (err) => {
      signal?.removeEventListener('abort', kill);
      reject(err);
    });
    child.on('close', (code, sig) => {
      signal?.removeEventListener('abort', kill);
      if (code === 0) resolve();
      else reject(Object.assign(new Error(`git exited with ${code ?? sig}`), { stderr }));
    });
  });
}

/** `https://github.com/acme/a.git` → `https://github.com/`: git applies `http.<url>.*` to URLs under that prefix only. */
export function headerScope(url: string): string {
  try {
    return `${new URL(url).origin}/`;
  } catch {
    return url;
  }
}

/**
 * GitHub takes the token as the password of `x-access-token`, GitLab as that of `oauth2` (of `gitlab-ci-token` for a
 * CI job token); plain git uses its own credentials.
 */
export function authHeader(platform: PlatformKind, token: string | null, jobToken = false): string | null {
  if (!token || platform === 'git') return null;
  const user = platform === 'github' ? 'x-access-token' : jobToken ? 'gitlab-ci-token' : 'oauth2';
  return `Authorization: Basic ${Buffer.from(`${user}:${token}`).toString('base64')}`;
}

/**
 * Where to clone `repo` from. `gitBaseUrl` overrides the host (`file:///srv/git` → `file:///srv/git/owner/a.git`);
 * GitHub Enterprise's API URL `https://ghe.example.com/api/v3` gives `https://ghe.example.com/owner/a.git`;
 * for plain git the repository is already a URL.
 */
export function cloneUrl(repo: string, platform: PlatformKind, endpoint: string | null, gitBaseUrl: string | null): string {
  if (platform === 'git') return repo;
  const fallback = platform === 'github' ? 'https://github.com' : 'https://gitlab.com';
  const api = endpoint && !/^https:\/\/api\.github\.com\/?$/.test(endpoint) ? endpoint : null;
  const base = gitBaseUrl ?? (api ? api.replace(/\/api\/v\d+\/?$/, '') : fallback);
  return `${base.replace(/\/+$/, '')}/${repo}.git`;
}
