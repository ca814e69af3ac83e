import type { Datasource, InlineControls, Manager } from '../scan/types.js';
import { globMatches } from './glob.js';
import { parseVersion } from '../versions/parse.js';
import { isRegexLiteral, literalMatches, satisfiesAllowed } from '../versions/range.js';
import type { RangeStrategy, Rule, RuleMatch, UpdateType } from './types.js';

/** What a rule can match on: a dependency, and once a target is chosen, the update type. */
export interface MatchSubject {
  name: string;
  manager: Manager;
  datasource: Datasource;
  file: string;
  currentValue: string | null;
  updateType?: UpdateType;
}

/** Settings after every matching rule and the inline controls were applied, defaults filled in. */
export interface EffectiveSettings {
  enabled: boolean;
  allowedVersions: string | null;
  versioning: string | null;
  allowPrerelease: boolean;
  pinDigests: boolean;
  separateMajor: boolean;
  minimumReleaseAge: string | null;
  minimumReleaseAgeMissing: 'wait' | 'allow';
  rangeStrategy: RangeStrategy;
  group: string | null;
  labels: string[];
  reviewers: string[];
  assignees: string[];
  automerge: boolean;
  automergeRisky: boolean;
  /** What turned the dependency off (`rule 2 (freeze databases)`, `# tidemark: ignore`); null when enabled. */
  disabledBy: string | null;
  /** Where allowedVersions came from, for reasons. */
  allowedVersionsFrom: string | null;
  /** The rule that set `automerge` last (`rule 4 (patches)`); null when no rule did. */
  automergeFrom: string | null;
  /** A rule's `sourceUrl`: where release notes live. */
  sourceUrl: string | null;
}

const DEFAULTS: EffectiveSettings = {
  enabled: true,
  allowedVersions: null,
  versioning: null,
  allowPrerelease: false,
  pinDigests: false,
  separateMajor: true,
  minimumReleaseAge: null,
  minimumReleaseAgeMissing: 'allow',
  rangeStrategy: 'keep',
  group: null,
  labels: [],
  reviewers: [],
  assignees: [],
  automerge: false,
  automergeRisky: false,
  disabledBy: null,
  allowedVersionsFrom: null,
  automergeFrom: null,
  sourceUrl: null,
};

/**
 * Applies `rules` in order (a later rule wins, per setting), then the inline controls of the scanned line.
 * Rules with `updateTypes` match only when `subject.updateType` is given: planning asks again once it knows it.
 */
export function effectiveSettings(rules: readonly Rule[], subject: MatchSubject, controls?: InlineControls): EffectiveSettings {
  const out: EffectiveSettings = { ...DEFAULTS, labels: [], reviewers: [], assignees: [] };
  for (const [i, rule] of rules.entries()) {
    if (!matchesRule(rule.match, subject)) continue;
    const { match: _match, description, ...settings } = rule;
    const label = `rule ${i + 1}${description ? ` (${description})` : ''}`;
    for (const [key, value] of Object.entries(settings)) {
      if (value !== undefined) (out as unknown as Record<string, unknown>)[key] = Array.isArray(value) ? [...value] : value;
    }
    if (settings.enabled !== undefined) out.disabledBy = settings.enabled ? null : label;
    if (settings.allowedVersions !== undefined) out.allowedVersionsFrom = label;
    if (settings.automerge !== undefined) out.automergeFrom = label;
  }
  if (controls?.allowedVersions) {
    out.allowedVersions = controls.allowedVersions;
    out.allowedVersionsFrom = '# tidemark: allowedVersions';
  }
  if (controls?.ignore) {
    out.enabled = false;
    out.disabledBy = '# tidemark: ignore';
  }
  return out;
}

/** Every listed criterion must match; an absent criterion (or an absent `match`) matches everything. */
export function matchesRule(match: RuleMatch | undefined, s: MatchSubject): boolean {
  if (!match) return true;
  if (match.managers && !match.managers.includes(s.manager)) return false;
  if (match.datasources && !match.datasources.includes(s.datasource)) return false;
  if (match.updateTypes && (s.updateType === undefined || !match.updateTypes.includes(s.updateType))) return false;
  if (match.paths && !match.paths.some((glob) => globMatches(glob, s.file))) return false;
  if (match.packageNames && !match.packageNames.some((p) => nameMatches(p, s))) return false;
  if (match.currentVersion && !currentVersionMatches(match.currentVersion, s)) return false;
  return true;
}

function nameMatches(pattern: string, s: MatchSubject): boolean {
  const names = s.datasource === 'docker' ? imageNameSpellings(s.name) : [s.name];
  if (isRegexLiteral(pattern)) return names.some((n) => literalMatches(pattern, n));
  // A rule may name Docker Hub by another alias (`index.docker.io/library/nginx`): read it as `docker.io/…` too.
  const alias = s.datasource === 'docker' && DOCKER_HUB_ALIASES.has((pattern.split('/')[0] ?? '').toLowerCase());
  const patterns = alias ? [pattern, normalizeImageName(pattern)] : [pattern];
  return names.some((n) => patterns.some((p) => globMatches(p, n)));
}

const DOCKER_HUB_ALIASES = new Set(['docker.io', 'index.docker.io', 'registry-1.docker.io', 'registry.hub.docker.com']);

/** `nginx` → `docker.io/library/nginx`, `bitnami/redis` → `docker.io/bitnami/redis`; other hosts are kept. */
export function normalizeImageName(name: string): string {
  const slash = name.indexOf('/');
  const first = slash === -1 ? '' : name.slice(0, slash);
  const isHost = first.includes('.') || first.includes(':') || first === 'localhost';
  if (isHost && !DOCKER_HUB_ALIASES.has(first.toLowerCase())) return name;
  const path = isHost ? name.slice(slash + 1) : name;
  return `docker.io/${path.includes('/') ? path : `library/${path}`}`;
}

/**
 * Every way a user may write the image in a rule, so `nginx`, `library/nginx` and `docker.io/library/nginx` all match
 * `docker.io/nginx` or `index.docker.io/library/nginx`: the name as written, its full form, and Docker's short form.
 */
export function imageNameSpellings(name: string): string[] {
  const full = normalizeImageName(name);
  const out = [name, full];
  if (full.startsWith('docker.io/')) {
    const path = full.slice('docker.io/'.length);
    out.push(path, `docker.io/${path.replace(/^library\//, '')}`);
    if (path.startsWith('library/')) out.push(path.slice('library/'.length));
  }
  return [...new Set(out)];
}

function currentVersionMatches(range: string, s: MatchSubject): boolean {
  if (s.currentValue === null) return false;
  if (isRegexLiteral(range)) return literalMatches(range, s.currentValue);
  const parsed = parseVersion(s.currentValue, s.datasource === 'helm' ? 'semver' : 'docker');
  return parsed !== null && satisfiesAllowed(parsed, range);
}
