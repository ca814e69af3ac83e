/**
 * Where a package's source lives, read from a URL a registry, a chart or a rule wrote. Only the URL's shape decides;
 * nothing is fetched here.
 */
export type SourceRepo =
  | { kind: 'github'; host: string; owner: string; repo: string; webUrl: string }
  | { kind: 'gitlab'; host: string; project: string; webUrl: string }
  | { kind: 'other'; webUrl: string };

export interface SourceHosts {
  /** Hosts served by GitHub's API: github.com, and a GitHub Enterprise host the operator set (`--endpoint`). */
  github: readonly string[];
  /** Hosts served by GitLab's API: gitlab.com, and a self-managed host the operator set. */
  gitlab: readonly string[];
}

export const PUBLIC_HOSTS: SourceHosts = { github: ['github.com'], gitlab: ['gitlab.com'] };

/** GitHub's segment rules: letters, digits, `-`, `_`, `.`. */
const SEGMENT = /^[A-Za-z0-9_.-]{1,100}$/;

/**
 * `https://github.com/acme/web.git`, `git+https://github.com/acme/web`, `https://github.com/acme/charts/tree/main/x`
 * → `{kind: 'github', owner: 'acme', repo: 'web'|'charts'}`; `https://gitlab.com/group/sub/proj/-/tree/main` →
 * `{kind: 'gitlab', project: 'group/sub/proj'}`; any other http(s) URL → `other`; anything else → null.
 */
export function parseSource(url: string, hosts: SourceHosts = PUBLIC_HOSTS): SourceRepo | null {
  if (url.length > 2048) return null;
  let parsed: URL;
  try {
    parsed = new URL(url.trim().replace(/^git\+/, '').replace(/^git@(?<host>[^:/]+):/, 'https://$<host>/'));
  } catch {
    return null;
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') return null;
  const host = parsed.hostname.toLowerCase().replace(/^www\./, '');
  const segments = parsed.pathname.split('/').filter((s) => s !== '');
  if (hosts.github.includes(host)) {
    const [owner, rawRepo] = segments;
    const repo = rawRepo?.replace(/\.git$/, '');
    if (!owner || !repo || !SEGMENT.test(owner) || !SEGMENT.test(repo)) return { kind: 'other', webUrl: parsed.href };
    return { kind: 'github', host, owner, repo, webUrl: `https://${parsed.host}/${owner}/${repo}` };
  }
  if (hosts.gitlab.includes(host)) {
    const end = segments.indexOf('-');
    const path = (end < 0 ? segments : segments.slice(0, end)).map((s, i, all) => (i === all.length - 1 ? s.replace(/\.git$/, '') : s));
    if (path.length < 2 || path.length > 20 || !path.every((s) => SEGMENT.test(s))) return { kind: 'other', webUrl: parsed.href };
    return { kind: 'gitlab', host, project: path.join('/'), webUrl: `${parsed.protocol}//${parsed.host}/${path.join('/')}` };
  }
  return { kind: 'other', webUrl: parsed.href };
}

/** `github:acme/web`, `gitlab:gitlab.example.com/group/proj`: one key per source repository, for caching and memos. */
export function sourceKey(s: SourceRepo): string {
  if (s.kind === 'github') return `github:${s.host}/${s.owner}/${s.repo}`.toLowerCase();
  if (s.kind === 'gitlab') return `gitlab:${s.host}/${s.project}`.toLowerCase();
  return `other:${s.webUrl}`;
}
