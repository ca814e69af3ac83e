import { Ajv, type ErrorObject, type Options, type ValidateFunction } from 'ajv';
import type { RegExpEngine } from 'ajv/dist/types/index.js';
import { Ajv2019 } from 'ajv/dist/2019.js';
import { Ajv2020 } from 'ajv/dist/2020.js';
import type { Risk } from '../plan/types.js';
import { compileLinear } from '../versions/pattern.js';
import { dottedPath, quoted } from './risks.js';
import { obj, type Values } from './user-values.js';

/** Most `schema` risks per update: past it, one more risk says how many were left out. */
export const MAX_SCHEMA_RISKS = 20;

/** The largest `values.schema.json` compiled: ajv's compile time grows with the schema (2 MB took 25 s, blocking the run). */
export const MAX_SCHEMA_BYTES = 1024 * 1024;
/**
 * Keys and array items of a `values.schema.json` compiled at most, and how deep it may nest. ajv turns a schema into
 * code: 10,000 properties took 9 s to compile, 60,000 (3.5 MB, under the archive's 4 MiB file cap) 41 s and then
 * overflowed the stack; real charts' schemas are a few thousand keys.
 */
export const MAX_SCHEMA_NODES = 20_000;
export const MAX_SCHEMA_DEPTH = 64;
/**
 * The schema's size with every local `$ref` replaced by what it points at, at most: what validating one value may
 * walk. Twenty definitions that each refer twice to the next are 40 keys, but a million paths: a value none matches
 * took 2 s to check, thirty such levels would take half an hour.
 */
export const MAX_EXPANDED_SCHEMA_NODES = 200_000;

/** A chart's `values.schema.json` that cannot be used: not JSON, or not a schema ajv compiles (RE2 refuses its pattern…). */
export class SchemaCompileError extends Error {}

/**
 * Merges values as Helm does (`coalesce`): maps merge key by key, the user's scalars and lists replace the defaults',
 * and a user's `null` deletes the key. `{a: {x: 1, y: 2}}` + `{a: {y: null, z: 3}}` → `{a: {x: 1, z: 3}}`.
 */
export function coalesceValues(defaults: Values, user: Values): Values {
  const out: Values = { ...defaults };
  for (const [k, v] of Object.entries(user)) {
    if (v === null) {
      delete out[k];
      continue;
    }
    const d = obj(out[k]);
    const u = obj(v);
    out[k] = d && u ? coalesceValues(d, u) : v;
  }
  return out;
}

/** Patterns in registry-written schemas run on RE2 (linear time): `"pattern": "(a|aa)+$"` cannot hang a run. */
const linearRegExp: RegExpEngine = Object.assign((pattern: string) => compileLinear(pattern), { code: 'compileLinear' });

const DRAFTS: Record<string, 'draft7' | '2019' | '2020'> = {
  'https://json-schema.org/draft/2019-09/schema': '2019',
  'https://json-schema.org/draft/2020-12/schema': '2020',
};

/**
 * Compiles a chart's `values.schema.json` with the ajv class its `$schema` names (2019-09, 2020-12; draft-07 and
 * anything else with the default class, the unknown `$schema` dropped). Remote `$ref`s are never fetched; formats are
 * not checked (Helm's validator differs there); throws SchemaCompileError with a readable reason.
 */
export function compileValuesSchema(text: string): ValidateFunction {
  if (text.length > MAX_SCHEMA_BYTES) throw new SchemaCompileError(`values.schema.json is larger than ${MAX_SCHEMA_BYTES / 1024 / 1024} MiB`);
  let schema: unknown;
  try {
    schema = JSON.parse(text);
  } catch {
    throw new SchemaCompileError('values.schema.json is not valid JSON');
  }
  if (typeof schema === 'boolean') schema = schema ? {} : { not: {} };
  const root = obj(schema);
  if (!root) throw new SchemaCompileError('values.schema.json is not a JSON object');
  const tooBig = sizeProblem(root);
  if (tooBig) throw new SchemaCompileError(`values.schema.json ${tooBig}`);
  const declared = typeof root['$schema'] === 'string' ? root['$schema'].replace(/#$/, '') : '';
  const draft = DRAFTS[declared] ?? 'draft7';
  // inlineRefs off: each `$ref` target is compiled once as its own function; inlined, a chain of definitions that each
  // refer twice to the next grows the code exponentially (30 levels ran out of memory).
  const options: Options = { strict: false, allErrors: true, validateFormats: false, validateSchema: false, inlineRefs: false, code: { regExp: linearRegExp } };
  const ajv = draft === '2020' ? new Ajv2020(options) : draft === '2019' ? new Ajv2019(options) : new Ajv(options);
  const usable = draft === 'draft7' && declared !== '' && !declared.includes('draft-07') ? withoutKey(root, '$schema') : root;
  try {
    return ajv.compile(usable);
  } catch (err) {
    const why = err instanceof Error ? err.message.split('\n')[0] : String(err);
    throw new SchemaCompileError(`values.schema.json does not compile: ${why}`);
  }
}

/**
 * `schema`: the merged values fail the new chart's schema, one risk per failing value (at most MAX_SCHEMA_RISKS).
 * `replicaCount: "two"` against `{type: integer}` → `{path: 'replicaCount', message: 'replicaCount must be integer (values.schema.json of chart 2.0.0)'}`.
 */
export function schemaRisks(validate: ValidateFunction, merged: Values, newVersion: string): Risk[] {
  if (validate(merged)) return [];
  const seen = new Set<string>();
  const risks: Risk[] = [];
  for (const e of validate.errors ?? []) {
    const path = errorPath(e);
    const text = `${path || 'the values'} ${errorText(e)}`;
    if (seen.has(text)) continue;
    seen.add(text);
    risks.push({ kind: 'schema', message: `${text} (values.schema.json of chart ${newVersion})`, ...(path && { path }) });
  }
  if (risks.length <= MAX_SCHEMA_RISKS) return risks;
  const more = risks.length - MAX_SCHEMA_RISKS;
  return [...risks.slice(0, MAX_SCHEMA_RISKS), { kind: 'schema', message: `${more} more values fail values.schema.json of chart ${newVersion}` }];
}

/** `/image/pullPolicy` → `image.pullPolicy`; a missing or unexpected property is named in the path. */
function errorPath(e: ErrorObject): string {
  const segments: (string | number)[] = e.instancePath
    .split('/')
    .slice(1)
    .map((s) => s.replaceAll('~1', '/').replaceAll('~0', '~'))
    .map((s) => (/^\d+$/.test(s) ? Number(s) : s));
  const params = e.params as Record<string, unknown>;
  const extra = e.keyword === 'required' ? params['missingProperty'] : e.keyword === 'additionalProperties' ? params['additionalProperty'] : undefined;
  if (typeof extra === 'string') segments.push(extra);
  return dottedPath(segments);
}

function errorText(e: ErrorObject): string {
  if (e.keyword === 'required') return 'is required';
  if (e.keyword === 'additionalProperties') return 'is not a key the schema allows';
  return `${quoted(e.message ?? 'is invalid', 300)}${allowedNote(e)}`;
}

/** `must be equal to one of the allowed values` says which: `(Always, IfNotPresent)`. */
function allowedNote(e: ErrorObject): string {
  const allowed = (e.params as Record<string, unknown>)['allowedValues'];
  if (!Array.isArray(allowed)) return '';
  const shown = allowed.slice(0, 10).map((v) => quoted(JSON.stringify(v) ?? String(v), 100)).join(', ');
  return `: ${shown}${allowed.length > 10 ? ', …' : ''}`;
}

/** Why a schema is too large or too deep to compile, counted without recursion; null when it is not. */
function sizeProblem(root: Values): string | null {
  let nodes = 0;
  const stack: [unknown, number][] = [[root, 1]];
  while (stack.length > 0) {
    const [v, depth] = stack.pop()!;
    if (depth > MAX_SCHEMA_DEPTH) return `nests deeper than ${MAX_SCHEMA_DEPTH} levels; not compiled`;
    const children = Array.isArray(v) ? v : v !== null && typeof v === 'object' ? Object.values(v) : [];
    nodes += children.length;
    if (nodes > MAX_SCHEMA_NODES) return `has more than ${MAX_SCHEMA_NODES} keys and items; not compiled`;
    for (const c of children) if (c !== null && typeof c === 'object') stack.push([c, depth + 1]);
  }
  return expandedSize(root) > MAX_EXPANDED_SCHEMA_NODES ? `expands through its $refs to more than ${MAX_EXPANDED_SCHEMA_NODES} keys and items; not compiled` : null;
}

/**
 * Keys and items counted through local `$ref`s (`#/definitions/x`, `#/$defs/x`), each target's count computed once.
 * A `$ref` back into a schema being counted (a recursive type) counts 1: its cost follows the value's depth. Stops
 * counting past the budget; a chain of references too long to follow counts as over it.
 */
function expandedSize(root: Values): number {
  const over = MAX_EXPANDED_SCHEMA_NODES + 1;
  const memo = new Map<object, number>();
  const active = new Set<object>();
  const size = (v: unknown): number => {
    if (v === null || typeof v !== 'object') return 1;
    const known = memo.get(v);
    if (known !== undefined) return known;
    if (active.has(v)) return 1;
    active.add(v);
    let n = 1;
    for (const [k, c] of Object.entries(v)) {
      n += k === '$ref' && typeof c === 'string' ? size(pointerTarget(root, c)) : size(c);
      if (n >= over) break;
    }
    active.delete(v);
    memo.set(v, Math.min(n, over));
    return Math.min(n, over);
  };
  try {
    return size(root);
  } catch (err) {
    if (err instanceof RangeError) return over;
    throw err;
  }
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/** `#/definitions/port` in `root`; undefined for any other reference (ajv reports those when it compiles). */
function pointerTarget(root: Values, ref: string): unknown {
  if (!ref.startsWith('#/')) return undefined;
  let v: unknown = root;
  for (const raw of ref.slice(2).split('/')) {
    const key = safeDecode(raw).replaceAll('~1', '/').replaceAll('~0', '~');
    v = v !== null && typeof v === 'object' ? (v as Record<string, unknown>)[key] : undefined;
  }
  return v;
}

function withoutKey(o: Values, key: string): Values {
  const { [key]: _dropped, ...rest } = o;
  return rest;
}
