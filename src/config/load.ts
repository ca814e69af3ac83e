import path from 'node:path';
import { isMap, isSeq, LineCounter, parseDocument, type Document, type Node } from 'yaml';
import type { Problem } from '../scan/types.js';
import { countYamlItems } from '../scan/yaml.js';
import { readConfigFile } from './file.js';
import { CONFIG_SCHEMA } from './schema.js';
import { DEFAULT_CONFIG, type TidemarkConfig } from './types.js';
import { validate, type SchemaIssue } from './validate.js';

/** Where the config file may live, in the order looked at. */
export const CONFIG_FILES = ['.tidemark.yaml', '.tidemark.yml', '.github/tidemark.yaml', '.github/tidemark.yml'] as const;

export interface LoadedConfig {
  /** With defaults applied; the defaults alone when the file is missing or invalid. */
  config: TidemarkConfig;
  /** Problems that make the file unusable (file:line); callers fail with exit code 2. */
  errors: Problem[];
  warnings: Problem[];
  /** The file read, relative to `dir` (as given when outside it); null when there is none. */
  file: string | null;
}

/** Finds, parses and validates the repo config. Never throws for a user's mistake: those come back as `errors`. */
export async function loadConfig(dir: string, explicitPath?: string | null): Promise<LoadedConfig> {
  const found = await findConfigFile(dir, explicitPath ?? null);
  if ('missing' in found) {
    return { config: defaults(), errors: [{ file: found.missing, line: 0, message: 'config file not found' }], warnings: [], file: null };
  }
  if ('refused' in found) return { config: defaults(), errors: [{ file: found.refused, line: 0, message: found.message }], warnings: [], file: null };
  if (found.file === null) return { config: defaults(), errors: [], warnings: [], file: null };
  const parsed = parseConfigText(found.text, found.file);
  return { ...parsed, warnings: [...found.warnings, ...parsed.warnings], file: found.file };
}

type Found =
  | { missing: string }
  | { refused: string; message: string }
  | { file: null }
  | { file: string; text: string; warnings: Problem[] };

/** The config file, read only when it is a regular file inside `dir` (readConfigFile); one that is not is an error. */
async function findConfigFile(dir: string, explicitPath: string | null): Promise<Found> {
  if (explicitPath) {
    const label = displayPath(dir, explicitPath);
    const read = await readConfigFile(dir, explicitPath, label);
    if (read.kind === 'refused') return { refused: label, message: read.message };
    return read.kind === 'missing' ? { missing: explicitPath } : { file: label, text: read.text, warnings: [] };
  }
  let first: { file: string; text: string } | null = null;
  const warnings: Problem[] = [];
  for (const candidate of CONFIG_FILES) {
    const read = await readConfigFile(dir, candidate, candidate);
    if (read.kind === 'missing') continue;
    if (read.kind === 'refused') return { refused: candidate, message: read.message };
    if (first) warnings.push({ file: candidate, line: 0, message: `ignored: ${first.file} is used` });
    else first = { file: candidate, text: read.text };
  }
  return first ? { ...first, warnings } : { file: null };
}

function displayPath(dir: string, file: string): string {
  const rel = path.relative(dir, path.resolve(dir, file));
  return rel.startsWith('..') || path.isAbsolute(rel) ? file : rel.split(path.sep).join('/');
}

/** A config file is a few hundred lines; parsing holds ~1 KB per item (countYamlItems), so more is not parsed. */
export const MAX_CONFIG_ITEMS = 20_000;

/** Parses and validates config text; `file` only labels problems. */
export function parseConfigText(text: string, file: string): Omit<LoadedConfig, 'file'> {
  if (countYamlItems(text, MAX_CONFIG_ITEMS) > MAX_CONFIG_ITEMS) {
    const message = `the file has over ${MAX_CONFIG_ITEMS} YAML items (lines and flow entries); not read`;
    return { config: defaults(), errors: [{ file, line: 1, message }], warnings: [] };
  }
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const lineOf = (offset: number): number => lineCounter.linePos(offset).line;
  const warnings = doc.warnings.map((w) => ({ file, line: lineOf(w.pos[0]), message: w.message }));
  if (doc.errors.length > 0) {
    const errors = doc.errors.map((e) => ({ file, line: lineOf(e.pos[0]), message: e.message.split('\n')[0] ?? e.message }));
    return { config: defaults(), errors, warnings };
  }
  let value: unknown;
  try {
    // An alias bomb (`b: [*a, *a, …]` nested) stops at the library's alias count limit with a RangeError.
    value = doc.toJS() ?? {};
  } catch (err) {
    return { config: defaults(), errors: [{ file, line: 1, message: err instanceof Error ? err.message : String(err) }], warnings };
  }
  const tooMany = patternBudgetProblem(value);
  if (tooMany) return { config: defaults(), errors: [{ file, line: 1, message: tooMany }], warnings };
  const issues = validate(value, CONFIG_SCHEMA);
  if (issues.length > 0) {
    const errors = issues.map((issue) => ({ file, line: issueLine(doc, issue, lineOf), message: issue.message }));
    return { config: defaults(), errors, warnings };
  }
  const dropped = dropCredentialNames(value as Record<string, unknown>).map((path) => ({
    file,
    line: issueLine(doc, { path, message: '', atKey: true }, lineOf),
    message: `${path.join('.')} ignored: a repository cannot choose credentials; the operator binds them with host rules, see docs/security.md`,
  }));
  return { config: withDefaults(value as Partial<TidemarkConfig>), errors: [], warnings: [...warnings, ...dropped] };
}

/** Patterns compile to RE2 at load time (~0.1 ms and ~6 KB each, ~25 µs per character): bounded before any compiles. */
export const MAX_CONFIG_PATTERNS = 1000;
export const MAX_CONFIG_PATTERN_CHARS = 65_536;

/** Why the patterns of a not yet validated config value are too many or too long, else null. */
function patternBudgetProblem(value: unknown): string | null {
  const patterns = configPatterns(value);
  if (patterns.length > MAX_CONFIG_PATTERNS) {
    return `the file has ${patterns.length} patterns (globs and regexes); at most ${MAX_CONFIG_PATTERNS} are read`;
  }
  const chars = patterns.reduce((n, p) => n + p.length, 0);
  if (chars > MAX_CONFIG_PATTERN_CHARS) {
    return `the file has ${chars} characters of patterns (globs and regexes); at most ${MAX_CONFIG_PATTERN_CHARS} are read`;
  }
  return null;
}

/** `ignorePaths`, and each rule's `packageNames`, `paths`, `currentVersion`, `allowedVersions` and `versioning`. */
function configPatterns(value: unknown): string[] {
  const out: string[] = [];
  const add = (v: unknown): void => {
    if (typeof v === 'string') out.push(v);
    else if (Array.isArray(v)) for (const item of v) if (typeof item === 'string') out.push(item);
  };
  const top = (value ?? {}) as Record<string, unknown>;
  add(top['ignorePaths']);
  for (const rule of Array.isArray(top['rules']) ? (top['rules'] as unknown[]) : []) {
    const r = (rule ?? {}) as Record<string, unknown>;
    const match = (r['match'] ?? {}) as Record<string, unknown>;
    for (const v of [match['packageNames'], match['paths'], match['currentVersion'], r['allowedVersions'], r['versioning']]) add(v);
  }
  return out;
}

/** Keys with which old config files named environment variables as registry credentials; the schema still accepts them. */
const CREDENTIAL_NAME_KEYS = ['usernameEnv', 'passwordEnv', 'tokenEnv'] as const;

/**
 * Removes `registries.<host>.usernameEnv`/`passwordEnv`/`tokenEnv` from a validated config value, in place, and returns
 * where each was: a repository must never decide which secret is read or where it goes.
 * Example: `registries: {evil.example: {tokenEnv: GITHUB_TOKEN}}` → `[['registries', 'evil.example', 'tokenEnv']]`.
 */
function dropCredentialNames(value: Record<string, unknown>): (string | number)[][] {
  const registries = value['registries'];
  if (!registries || typeof registries !== 'object') return [];
  const found: (string | number)[][] = [];
  for (const [host, cfg] of Object.entries(registries as Record<string, Record<string, unknown> | null>)) {
    if (!cfg || typeof cfg !== 'object') continue;
    for (const key of CREDENTIAL_NAME_KEYS) {
      if (!(key in cfg)) continue;
      delete cfg[key];
      found.push(['registries', host, key]);
    }
  }
  return found;
}

/** The line of the node an issue is about: the key for an unknown key, else the value; the nearest ancestor otherwise. */
function issueLine(doc: Document, issue: SchemaIssue, lineOf: (offset: number) => number): number {
  let node: Node | null = doc.contents;
  let line = node?.range ? lineOf(node.range[0]) : 1;
  for (const [i, seg] of issue.path.entries()) {
    const last = i === issue.path.length - 1;
    let next: Node | null = null;
    if (isMap(node)) {
      const pair = node.items.find((p) => (p.key as { value?: unknown } | null)?.value === seg);
      const target = last && issue.atKey ? pair?.key : pair?.value;
      next = (target as Node | undefined) ?? null;
      if (!next && pair?.key) next = pair.key as Node;
    } else if (isSeq(node) && typeof seg === 'number') {
      next = (node.items[seg] as Node | undefined) ?? null;
    }
    if (!next?.range) break;
    node = next;
    line = lineOf(next.range[0]);
  }
  return line;
}

function defaults(): TidemarkConfig {
  return structuredClone(DEFAULT_CONFIG);
}

function withDefaults(user: Partial<TidemarkConfig>): TidemarkConfig {
  const base = defaults();
  const { $schema: _schema, ...rest } = user as Partial<TidemarkConfig> & { $schema?: string };
  return { ...base, ...rest, author: { ...base.author, ...user.author } };
}
