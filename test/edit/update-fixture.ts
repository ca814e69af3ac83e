import type { UpdateType } from '../../src/config/types.js';
import type { Update } from '../../src/plan/types.js';
import type { Dependency } from '../../src/scan/types.js';

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
