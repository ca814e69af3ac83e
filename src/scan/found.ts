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
  /** How many YAML strings deep this sink's text is (0 or absent: a file); bounds strings inside strings. */
  readonly embedded?: number;
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

/** True for a tag that names a moving target rather than a version: `latest`, `main`, `stable`. */
export function isFloatingTag(value: string): boolean {
  return FLOATING.has(value);
}

/**
 * Why an image tag is not updatable. A floating tag pinned by digest (`alpine:latest@sha256:…`) is: its digest is what
 * moves (digest updates), so only a floating tag without a digest is `unpinned`.
 */
export function skipForImageTag(tag: string, hasDigest: boolean): SkipReason | undefined {
  const skip = skipForValue(tag);
  return skip === 'unpinned' && hasDigest ? undefined : skip;
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

/** C0 and C1 control characters, DEL, and the Unicode line and paragraph separators. */
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g;

/** Longest image or chart name (or chart repository URL) read from a file; Docker allows 255 for a repository name. */
export const MAX_NAME_LENGTH = 512;

/**
 * Why an image or chart name (or a chart's repository URL) read from a file cannot be used, or null. A name with a
 * control character or a newline could forge lines wherever it is shown: `image: "web\n## Approved by security:1.0"`.
 */
export function nameProblem(name: string): string | null {
  if (name.length > MAX_NAME_LENGTH) return `longer than ${MAX_NAME_LENGTH} characters`;
  CONTROL.lastIndex = 0;
  return CONTROL.test(name) ? 'contains a control character or a newline' : null;
}

/** The name as it may be shown: control characters escaped (`web\n#` → `web\u000a#`), cut at 512 characters. */
export function printableName(name: string): string {
  const cut = name.length > MAX_NAME_LENGTH ? `${name.slice(0, MAX_NAME_LENGTH)}…` : name;
  return cut.replace(CONTROL, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
