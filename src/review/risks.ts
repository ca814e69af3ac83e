import type { Risk } from '../plan/types.js';
import { obj, type Values } from './user-values.js';

/** One step of a path into values: a map key or an array index. */
type Segment = string | number;

/** Most `removed-value` risks per update: past it, one more risk says how many were left out. */
export const MAX_REMOVED_RISKS = 50;
/** Leaves walked in the user's values, and depth: values files are hand-written and small. */
const MAX_LEAVES = 5_000;
const MAX_DEPTH = 32;

/**
 * `a.b[0]`, `podAnnotations["prometheus.io/scrape"]`: keys with dots, brackets or quotes are bracketed, so the path
 * reads back to one place.
 */
export function dottedPath(path: readonly Segment[]): string {
  let out = '';
  for (const s of path) {
    if (typeof s === 'number') out += `[${s}]`;
    else if (/^[^.[\]"]+$/.test(s)) out += out === '' ? s : `.${s}`;
    else out += `[${JSON.stringify(s)}]`;
  }
  return out;
}

/**
 * Every leaf the user sets (a scalar, null, an empty map or list), with array items as `a.b[0]`. Bounded by
 * `MAX_LEAVES` and `MAX_DEPTH`: what is past them is not walked.
 */
export function userLeaves(values: Values): Segment[][] {
  const out: Segment[][] = [];
  const walk = (v: unknown, path: Segment[]): void => {
    if (out.length >= MAX_LEAVES) return;
    const children: [Segment, unknown][] = Array.isArray(v) ? v.map((x, i) => [i, x]) : obj(v) ? Object.entries(v as Values) : [];
    if (children.length === 0 || path.length >= MAX_DEPTH) return void out.push(path);
    for (const [k, child] of children) walk(child, [...path, k]);
  };
  for (const [k, v] of Object.entries(values)) walk(v, [k]);
  return out;
}

/**
 * `removed-value`: a leaf the user sets whose path, or a parent of it, the current chart's defaults had and the new
 * chart's defaults no longer have. Only map keys are compared (a list in values is replaced whole, never merged), and
 * a key the old defaults did not have either (free-form maps like `podAnnotations`) is no risk.
 * `{legacy: {enabled: true}}` against old `{legacy: {enabled: false}}`, new `{}` →
 * `legacy.enabled is set in your values, but chart 2.0.0 no longer has legacy`.
 */
export function removedValueRisks(user: Values, oldDefaults: Values, newDefaults: Values, newVersion: string): Risk[] {
  const risks: Risk[] = [];
  let more = 0;
  for (const leaf of userLeaves(user)) {
    const removed = removedPrefix(leaf, oldDefaults, newDefaults);
    if (!removed) continue;
    if (risks.length >= MAX_REMOVED_RISKS) {
      more++;
      continue;
    }
    const path = dottedPath(leaf);
    risks.push({ kind: 'removed-value', path, message: `${path} is set in your values, but chart ${newVersion} no longer has ${dottedPath(removed)}` });
  }
  if (more > 0) risks.push({ kind: 'removed-value', message: `${more} more values you set are no longer in chart ${newVersion}` });
  return risks;
}

function removedPrefix(leaf: readonly Segment[], oldDefaults: Values, newDefaults: Values): Segment[] | null {
  let was: Values | null = oldDefaults;
  let now: Values | null = newDefaults;
  for (const [i, key] of leaf.entries()) {
    if (typeof key === 'number' || !was || !Object.hasOwn(was, key)) return null;
    if (!now || !Object.hasOwn(now, key)) return leaf.slice(0, i + 1);
    was = obj(was[key]);
    now = obj(now[key]);
  }
  return null;
}

/** Registry-written text quoted in a message (a `kubeVersion`, a schema's allowed value, an entry name), cut to `max` characters. */
export function quoted(text: string, max = 200): string {
  return text.length > max ? `${text.slice(0, max)}…` : text;
}

/**
 * `kube-version`: the new chart's `kubeVersion` constraint is not the current one's (added, removed or changed).
 * `>=1.25.0-0` → `>=1.28.0-0`: `chart 2.0.0 requires Kubernetes >=1.28.0-0 (chart 1.4.0 required >=1.25.0-0)`.
 */
export function kubeVersionRisk(oldKube: string | null, newKube: string | null, oldVersion: string, newVersion: string): Risk[] {
  const was = oldKube?.trim() || null;
  const now = newKube?.trim() || null;
  if (was === now) return [];
  return [kubeVersionChange(was && quoted(was), now && quoted(now), oldVersion, newVersion)];
}

function kubeVersionChange(was: string | null, now: string | null, oldVersion: string, newVersion: string): Risk {
  const before = was ? `chart ${oldVersion} required ${was}` : `chart ${oldVersion} stated none`;
  const message = now ? `chart ${newVersion} requires Kubernetes ${now} (${before})` : `chart ${newVersion} no longer states a Kubernetes version (${before})`;
  return { kind: 'kube-version', message };
}
