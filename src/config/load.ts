import path from 'node:path';
import { isMap, isSeq, LineCounter, parseDocument, type Document, type Node } from 'yaml';
import type { Problem } from '../scan/types.js';
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

/** Parses and validates config text; `file` only labels problems. */
export function parseConfigText(text: string, file: string): Omit<LoadedConfig, 'file'> {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const lineOf = (offset: number): number => lineCounter.linePos(offset).line;
  const warnings = doc.warnings.map((w) => ({ file, line: lineOf(w.pos[0]), message: w.message }));
  if (doc.errors.length > 0) {
    const errors = doc.errors.map((e) => ({ file, line: lineOf(e.pos[0]), message: e.message.split('\n')[0] ?? e.message }));
    return { config: defaults(), errors, warnings };
  }
  const value: unknown = doc.toJS() ?? {};
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
