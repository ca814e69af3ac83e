import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { compileVersioning } from '../versions/pick.js';
import { regexErrorText } from '../versions/pattern.js';
import { isRegexLiteral, rangeProblem } from '../versions/range.js';
import { parseDuration } from './duration.js';
import { globProblem } from './glob.js';
import type { SchemaNode } from './schema.js';
import { didYouMean } from './suggest.js';

export type SchemaPath = (string | number)[];

/** One thing wrong with a value. `atKey`: the key itself is the problem (an unknown key), so point at it. */
export interface SchemaIssue {
  path: SchemaPath;
  message: string;
  atKey?: boolean;
}

/**
 * Checks a plain value (parsed YAML) against a JSON Schema (`schema.ts`) with ajv, the same schema editors check
 * `config/schema.json` with; every problem, never throws. ajv finds them; the messages are ours, one per value, naming
 * the path and what was expected: `rules[0].enabled: expected a boolean, got a string`, `unknown key "sepratMajor" in
 * rules[0]; did you mean "separateMajor"?`.
 */
export function validate(value: unknown, schema: SchemaNode): SchemaIssue[] {
  const check = compiled(schema);
  if (check(value)) return [];
  return issuesOf(check.errors ?? [], value);
}

/** Compiled once per schema object: compiling generates code (~ms), checking a file is then fast. */
const validators = new WeakMap<SchemaNode, ValidateFunction>();

function compiled(schema: SchemaNode): ValidateFunction {
  let check = validators.get(schema);
  if (!check) {
    check = newAjv().compile(stripMeta(schema));
    validators.set(schema, check);
  }
  return check;
}

/**
 * `allErrors` for every problem in one pass; `verbose` for the failing value and its schema (the known keys, for
 * did-you-mean); our formats, checked by the same code that later compiles the patterns (RE2) and durations.
 */
function newAjv(): Ajv {
  const ajv = new Ajv({ allErrors: true, verbose: true, strict: true, allowUnionTypes: true });
  for (const name of FORMATS) ajv.addFormat(name, { type: 'string', validate: (s: string) => formatProblem(s, name) === null });
  return ajv;
}

/** The `$schema` key names the draft for editors; ajv's default (draft-07) is the one it names. */
function stripMeta(schema: SchemaNode): object {
  const { $schema: _meta, ...rest } = schema as SchemaNode & { $schema?: string };
  return rest;
}

const FORMATS = ['regex', 'package-pattern', 'glob', 'version-range', 'duration', 'uri'] as const;

/** Which of several errors on one value is reported: a wrong type says most; a `pattern` only backs up a `format`. */
const PRIORITY = ['type', 'enum', 'format', 'minimum', 'pattern'];

/**
 * The most issues reported for one file; the rest are counted in one more. A config with 19,000 unknown keys is a
 * mistake or an attack either way, and placing each issue at its line costs time in the size of the file.
 */
export const MAX_ISSUES = 100;
/** The most of a value or key a message quotes: a value can be as long as the file (1 MB). */
const MAX_QUOTED = 200;

/** One issue per unknown key and one per failing value (its most telling error), in the order of the file. */
function issuesOf(errors: readonly ErrorObject[], root: unknown): SchemaIssue[] {
  const unknownKeys: SchemaIssue[] = [];
  const byValue = new Map<string, ErrorObject>();
  for (const e of errors) {
    if (e.keyword === 'additionalProperties') {
      unknownKeys.push(unknownKeyIssue(e, root));
      continue;
    }
    const seen = byValue.get(e.instancePath);
    if (!seen || rank(e) < rank(seen)) byValue.set(e.instancePath, e);
  }
  const out = [...unknownKeys];
  for (const e of byValue.values()) out.push(valueIssue(e, root));
  // Checkers outside this module (globs, ranges) quote what they were given too: no message is longer than this.
  for (const issue of out) issue.message = quoted(issue.message, 4 * MAX_QUOTED);
  const keyIndexes = new WeakMap<object, Map<string, number>>();
  const positions = new Map(out.map((issue) => [issue, positionOf(root, issue.path, keyIndexes)]));
  const sorted = out.sort((a, b) => comparePositions(positions.get(a)!, positions.get(b)!));
  if (sorted.length <= MAX_ISSUES) return sorted;
  const more = sorted.length - MAX_ISSUES;
  return [...sorted.slice(0, MAX_ISSUES), { path: [], message: `and ${more} more ${more === 1 ? 'problem' : 'problems'} in this file, not listed` }];
}

/**
 * Where a path is in the value, as indexes: keys in the order the file wrote them (YAML maps keep it), items by
 * index. ajv reports in schema order; readers read in file order. `rules[1].labels` → `[1, 1, 4]`.
 */
function positionOf(root: unknown, path: SchemaPath, keyIndexes: WeakMap<object, Map<string, number>>): number[] {
  const out: number[] = [];
  let v = root;
  for (const seg of path) {
    if (Array.isArray(v)) out.push(Number(seg));
    else if (v !== null && typeof v === 'object') out.push(keyIndexOf(v, String(seg), keyIndexes));
    v = v === null || typeof v !== 'object' ? undefined : (v as Record<string, unknown>)[String(seg)];
  }
  return out;
}

/** A key's place among its object's keys, each object's keys indexed once: thousands of issues in one map stay linear. */
function keyIndexOf(obj: object, key: string, keyIndexes: WeakMap<object, Map<string, number>>): number {
  let index = keyIndexes.get(obj);
  if (!index) {
    index = new Map(Object.keys(obj).map((k, i) => [k, i]));
    keyIndexes.set(obj, index);
  }
  return index.get(key) ?? -1;
}

function comparePositions(a: readonly number[], b: readonly number[]): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return a.length - b.length;
}

function rank(e: ErrorObject): number {
  const i = PRIORITY.indexOf(e.keyword);
  return i < 0 ? PRIORITY.length : i;
}

function unknownKeyIssue(e: ErrorObject, root: unknown): SchemaIssue {
  const path = pathOf(e.instancePath, root);
  const key = String((e.params as { additionalProperty: string }).additionalProperty);
  const known = Object.keys((e.parentSchema as SchemaNode | undefined)?.properties ?? {});
  const guess = didYouMean(key, known);
  const hint = guess ? `; did you mean "${guess}"?` : `; known keys: ${known.join(', ')}`;
  return { path: [...path, key], message: `unknown key "${quoted(key)}"${path.length ? ` in ${formatPath(path)}` : ''}${hint}`, atKey: true };
}

function valueIssue(e: ErrorObject, root: unknown): SchemaIssue {
  const path = pathOf(e.instancePath, root);
  const at = (message: string): SchemaIssue => ({ path, message: `${where(path)}${message}` });
  const value = valueAt(root, path);
  switch (e.keyword) {
    case 'type': {
      const expected = (e.params as { type: string | string[] }).type;
      const allowed = Array.isArray(expected) ? expected : expected.split(',');
      return at(`expected ${allowed.map(article).join(' or ')}, got ${article(typeOf(value))}`);
    }
    case 'enum': {
      const options = ((e.params as { allowedValues: unknown[] }).allowedValues ?? []).map(String);
      const guess = typeof value === 'string' ? didYouMean(value, options) : null;
      return at(`"${quoted(String(value))}" is not one of ${options.join(', ')}${guess ? `; did you mean "${guess}"?` : ''}`);
    }
    case 'format':
      return at(formatProblem(String(value), (e.params as { format: string }).format) ?? `"${quoted(String(value))}" is not a valid ${(e.params as { format: string }).format}`);
    case 'minimum':
      return at(`must be at least ${(e.params as { limit: number }).limit}`);
    case 'pattern':
      return at(`"${quoted(String(value))}" does not match ${(e.params as { pattern: string }).pattern}`);
    default:
      return at(e.message ?? `fails ${e.keyword}`);
  }
}

function formatProblem(value: string, format: string | undefined): string | null {
  switch (format) {
    case 'regex':
      return regexProblem(value);
    case 'package-pattern':
      return isRegexLiteral(value) ? rangeProblem(value) : globProblem(value);
    case 'glob':
      return globProblem(value);
    case 'version-range':
      return rangeProblem(value);
    case 'uri':
      return /^https?:\/\/[^\s/]+/i.test(value) && value.length <= 2048 ? null : `"${quoted(value)}" is not an http(s) URL`;
    case 'duration':
      return parseDuration(value) === null ? `"${quoted(value)}" is not a duration like "3 days", "12h", "30m" or "1 week"` : null;
    default:
      return null;
  }
}

/** A `versioning` regex (`/…/i` or a plain source) RE2 cannot run, with the reason, at load time. */
function regexProblem(value: string): string | null {
  try {
    compileVersioning(value);
    return null;
  } catch (err) {
    return `invalid regex ${quoted(value)}: ${regexErrorText(err)}`;
  }
}

/**
 * A JSON Pointer (`/rules/0/match/managers/1`) as a path: `['rules', 0, 'match', 'managers', 1]`. A segment is a
 * number only where the value there is an array: the key of `registries: {"5000": …}` stays the string `"5000"`.
 */
function pathOf(pointer: string, root: unknown): SchemaPath {
  if (pointer === '') return [];
  const path: SchemaPath = [];
  let v = root;
  for (const raw of pointer.slice(1).split('/')) {
    const seg = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    path.push(Array.isArray(v) ? Number(seg) : seg);
    v = v === null || typeof v !== 'object' ? undefined : (v as Record<string, unknown>)[seg];
  }
  return path;
}

/** The value at `path` in `root`. */
function valueAt(root: unknown, path: SchemaPath): unknown {
  let v = root;
  for (const seg of path) v = v === null || typeof v !== 'object' ? undefined : (v as Record<string, unknown>)[String(seg)];
  return v;
}

/** Repository-written text quoted in a message, cut to MAX_QUOTED characters. */
function quoted(text: string, max = MAX_QUOTED): string {
  return text.length > max ? `${text.slice(0, max)}…` : text;
}

function article(t: string): string {
  return /^[aeiou]/.test(t) ? `an ${t}` : t === 'null' ? 'null' : `a ${t}`;
}

function typeOf(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  return typeof value;
}

/** `rules[0].match.managers[1]` */
export function formatPath(path: SchemaPath): string {
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? p : `.${p}`)).join('');
}

function where(path: SchemaPath): string {
  return path.length ? `${formatPath(path)}: ` : '';
}
