import { parseVersion } from '../versions/parse.js';
import { rangeFloor } from '../versions/range-rewrite.js';
import type { BranchPlan, Update } from './types.js';

/**
 * One branch per group, or per package and target major (`tidemark/ghcr.io-acme-web-2.x`): a package used in several
 * files moves in one branch. Pins go together in `<prefix>pin-digests`. Sorted by name, deterministic.
 */
export function groupBranches(updates: readonly Update[], branchPrefix: string): BranchPlan[] {
  const byName = new Map<string, { title: (u: Update[]) => string; updates: Update[] }>();
  for (const u of updates) {
    const { name, title } = branchOf(u, branchPrefix);
    const entry = byName.get(name) ?? { title, updates: [] };
    entry.updates.push(u);
    byName.set(name, entry);
  }
  return [...byName.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([branchName, e]) => ({ branchName, title: e.title(e.updates), updates: e.updates }));
}

function branchOf(u: Update, prefix: string): { name: string; title: (all: Update[]) => string } {
  const pkg = u.dependency.name;
  // A group's majors get their own branch: one branch must never hold two edits of the same line.
  const group = u.group;
  if (group && u.updateType === 'major') return { name: `${prefix}${sanitize(group)}-major`, title: (all) => `${groupTitle(group, all)} (major)` };
  if (group) return { name: prefix + sanitize(group), title: (all) => groupTitle(group, all) };
  if (u.updateType === 'pin') return { name: `${prefix}pin-digests`, title: () => 'Pin image digests' };
  const major = majorOf(u.newValue, u.dependency.datasource === 'helm');
  const name = `${prefix}${sanitize(pkg)}${major === null ? '' : `-${major}.x`}`;
  return { name, title: (all) => titleFor(pkg, all) };
}

/**
 * A group's title names what moves, not the word "group": `apps` of images → `Update apps images`, of charts →
 * `Update apps charts`, of both → `Update apps images and charts`; a group already named so (`apps-images`) is not
 * repeated (`Update apps-images`).
 */
function groupTitle(group: string, all: Update[]): string {
  const images = all.some((u) => u.dependency.datasource === 'docker');
  const charts = all.some((u) => u.dependency.datasource === 'helm');
  const what = images && charts ? 'images and charts' : charts ? 'charts' : 'images';
  if (/(?:^|[\s_-])(?:images?|charts?|dependencies|deps)$/i.test(group)) return `Update ${group}`;
  return `Update ${group} ${what}`;
}

function titleFor(pkg: string, all: Update[]): string {
  if (all.every((u) => u.updateType === 'digest')) return `Update ${pkg} digest`;
  const values = [...new Set(all.map((u) => u.newValue))];
  return `Update ${pkg} to ${values.join(', ')}`;
}

/**
 * `v2.1.0` → 2, `16.6.0-debian-12-r10` → 16, `20241118` → 2024, a replaced range `~2.1` or `2.x.x` → 2 (its floor's);
 * null when the value has no version number.
 */
function majorOf(value: string, chart: boolean): number | null {
  const floor = parseVersion(value, chart ? 'semver' : 'docker') ? null : rangeFloor(value);
  const parsed = parseVersion(floor ?? value, floor || chart ? 'semver' : 'docker');
  const first = parsed?.release[0];
  if (first === undefined) return null;
  return parsed?.calendar && parsed.release.length === 1 ? Math.floor(first / 10000) : first;
}

/** `ghcr.io/acme/web` → `ghcr.io-acme-web`: safe in a git ref. */
export function sanitize(name: string): string {
  return name
    .toLowerCase()
    .replace(/[/:@\s]+/g, '-')
    .replace(/[^a-z0-9._-]/g, '')
    .replace(/-{2,}/g, '-')
    .replace(/\.{2,}/g, '.')
    .replace(/^[-.]+|[-.]+$/g, '');
}
