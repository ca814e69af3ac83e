import type { Datasource, Manager, SkipReason } from './types.js';
import type { Token } from './yaml.js';

/**
 * What a scanner reports before positions become lines: tokens carry offsets into the text the scanner read.
 * `at` anchors the finding when it has no token (and is where `# tidemark:` comments are looked for, with the tokens).
 */
export interface Found {
  manager: Manager;
  datasource: Datasource;
  name: string;
  registryUrl: string | null;
  value: Token | null;
  digest: Token | null;
  at: number;
  skipReason?: SkipReason;
  digestInsertAt?: number | null;
}

/** Where scanners put what they find. Offsets are into the text being scanned. */
export interface Sink {
  found(f: Found): void;
  problem(offset: number, message: string): void;
}

const FLOATING = new Set(['latest', 'main', 'master', 'stable', 'edge', 'nightly', 'develop', 'dev', 'head', 'HEAD']);

/** Why a version text is not updatable, if it is not. `tag: "{{ .Chart.AppVersion }}"` → templated. */
export function skipForValue(value: string): SkipReason | undefined {
  if (value.includes('{{')) return 'templated';
  if (value.includes('${')) return 'substitution';
  // A placeholder that a pipeline replaces before applying: `newTag: CONTAINER_IMAGES_TAG`.
  if (/^[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+$/.test(value)) return 'substitution';
  if (FLOATING.has(value)) return 'unpinned';
  return undefined;
}

/** Skip reason for a name (image or chart) that is itself templated. `image: ${REGISTRY}/app:1.0` → substitution. */
export function skipForName(name: string): SkipReason | undefined {
  if (name.includes('{{')) return 'templated';
  if (name.includes('${')) return 'substitution';
  return undefined;
}

/** Chart version constraints rather than pins: `~1.2`, `^1`, `>=1.0 <2`, `1.x`, `*`. */
export function isVersionRange(value: string): boolean {
  return /[\^~*><=|\s]/.test(value) || /(^|\.)[xX](\.|$)/.test(value);
}
