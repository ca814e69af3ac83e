import type { UpdateType } from '../../src/config/types.js';
import type { Update } from '../../src/plan/types.js';
import type { Dependency, TextRange } from '../../src/scan/types.js';

/** A planned update of `dep` with everything a plan would add set to neutral values. */
export function updateOf(dep: Dependency, newValue: string, newDigest: string | null = null, updateType: UpdateType = 'minor'): Update {
  return {
    dependency: dep,
    newValue,
    newDigest,
    updateType,
    group: null,
    reason: 'test',
    labels: [],
    reviewers: [],
    assignees: [],
    automerge: false,
    sourceUrl: null,
    homepage: null,
  };
}

/** A made-up sha256 digest, distinct for each seed. */
export function fakeDigest(seed: string): string {
  let hex = '';
  for (let i = 0; hex.length < 64; i++) hex += ((seed.charCodeAt(i % seed.length) * 31 + i * 7) % 256).toString(16).padStart(2, '0');
  return `sha256:${hex.slice(0, 64)}`;
}

/** `1.25.3-alpine` → `1.25.4-alpine`, `v2` → `v3`: bumps the last number; a value without one gets `-999`. */
export function newerVersion(value: string): string {
  const m = /^(?<head>.*?)(?<num>\d+)(?<tail>\D*)$/.exec(value);
  if (!m?.groups) return `${value}-999`;
  return `${m.groups.head}${Number(m.groups.num) + 1}${m.groups.tail}`;
}

export function bump(dep: Dependency): Update {
  const newValue = dep.valueRange && dep.currentValue !== null ? newerVersion(dep.currentValue) : (dep.currentValue ?? '');
  const newDigest = dep.digestRange ? fakeDigest(`${dep.file}:${dep.line}:${dep.name}`) : null;
  return updateOf(dep, newValue, newDigest);
}

/** What the file must become: the original outside the ranges, the new tokens inside them. */
export function splicedByHand(text: string, updates: Update[]): string {
  const tokens: { range: TextRange; insert: string }[] = [];
  for (const u of updates) {
    if (u.dependency.valueRange) tokens.push({ range: u.dependency.valueRange, insert: u.newValue });
    if (u.dependency.digestRange && u.newDigest) tokens.push({ range: u.dependency.digestRange, insert: u.newDigest });
  }
  tokens.sort((a, b) => a.range.start - b.range.start);
  let out = '';
  let pos = 0;
  for (const t of tokens) {
    out += text.slice(pos, t.range.start) + t.insert;
    pos = t.range.end;
  }
  return out + text.slice(pos);
}

