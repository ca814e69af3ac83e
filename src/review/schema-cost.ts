import { SchemaCompileError } from './schema.js';

/**
 * Most (schema, value) pairs a values check may visit. A chart's schema is registry-written: `anyOf` branches that
 * `$ref` the next level make ajv's work exponential (22 such levels in a 1 KB schema took 11 s, 30 would take hours),
 * and validation is synchronous, so no deadline could stop it. Real schemas visit a few thousand pairs.
 */
export const MAX_SCHEMA_STEPS = 200_000;

type Json = Record<string, unknown>;

/** Keywords whose schema applies to the same value (in place). */
const IN_PLACE_LISTS = ['allOf', 'anyOf', 'oneOf'];
const IN_PLACE = ['not', 'if', 'then', 'else'];
const REFS = ['$ref', '$dynamicRef', '$recursiveRef'];
/** Keywords whose schemas apply to every property value (overcounted: `patternProperties` is taken to match all). */
const EACH_PROPERTY = ['additionalProperties', 'unevaluatedProperties'];
const EACH_ITEM = ['items', 'additionalItems', 'contains', 'unevaluatedItems'];

/**
 * Counts, with a bound, how many (schema, value) pairs validating `data` against `root` visits, following local
 * `$ref`s as ajv does; throws SchemaCompileError past MAX_SCHEMA_STEPS. An upper bound of ajv's work: branches it
 * may skip are counted too. `{anyOf: [{$ref: '#/definitions/d1'}, {$ref: '#/definitions/d1'}]}` chained 30 times → throws.
 */
export function assertAffordable(root: unknown, data: unknown, max = MAX_SCHEMA_STEPS): void {
  const ids = idIndex(root);
  let steps = 0;
  const visit = (schema: unknown, value: unknown): void => {
    if (++steps > max) throw new SchemaCompileError(`values.schema.json is too costly to check (over ${max} steps for these values)`);
    const s = asObject(schema);
    if (!s) return;
    for (const k of IN_PLACE_LISTS) for (const sub of asArray(s[k])) visit(sub, value);
    for (const k of IN_PLACE) visit(s[k], value);
    for (const k of REFS) if (typeof s[k] === 'string') visit(resolve(root, ids, s[k] as string), value);
    for (const dep of [s['dependentSchemas'], s['dependencies']]) for (const sub of Object.values(asObject(dep) ?? {})) visit(sub, value);
    const map = asObject(value);
    if (map) {
      const props = asObject(s['properties']) ?? {};
      const patterns = Object.values(asObject(s['patternProperties']) ?? {});
      for (const [key, child] of Object.entries(map)) {
        if (Object.hasOwn(props, key)) visit(props[key], child);
        for (const sub of patterns) visit(sub, child);
        for (const k of EACH_PROPERTY) visit(s[k], child);
        visit(s['propertyNames'], key);
      }
    }
    if (Array.isArray(value)) {
      for (const item of value) {
        for (const k of EACH_ITEM) for (const sub of Array.isArray(s[k]) ? (s[k] as unknown[]) : [s[k]]) visit(sub, item);
        for (const sub of asArray(s['prefixItems'])) visit(sub, item);
      }
    }
  };
  try {
    visit(root, data);
  } catch (err) {
    if (err instanceof RangeError) throw new SchemaCompileError('values.schema.json is too costly to check (too deeply recursive for these values)');
    throw err;
  }
}

/**
 * `#`, `#/definitions/a` (a JSON pointer), `#name` (an `$anchor`), `other.json#/x` (a schema with that `$id`). What
 * cannot be found is taken as the whole schema: more work counted, never less.
 */
function resolve(root: unknown, ids: Map<string, unknown>, ref: string): unknown {
  const hash = ref.indexOf('#');
  const base = hash < 0 ? ref : ref.slice(0, hash);
  const fragment = hash < 0 ? '' : ref.slice(hash + 1);
  const doc = base === '' ? root : (ids.get(base) ?? [...ids].find(([id]) => id.endsWith(`/${base}`))?.[1] ?? root);
  if (fragment === '') return doc;
  if (!fragment.startsWith('/')) return ids.get(`#${fragment}`) ?? root;
  let node: unknown = doc;
  for (const raw of fragment.slice(1).split('/')) {
    const key = decodeURIComponent(raw).replaceAll('~1', '/').replaceAll('~0', '~');
    node = Array.isArray(node) ? node[Number(key)] : asObject(node)?.[key];
    if (node === undefined) return root;
  }
  return node;
}

/** Every `$id` (without its fragment) and `$anchor`/`$dynamicAnchor` (as `#name`) in the schema. */
function idIndex(root: unknown): Map<string, unknown> {
  const ids = new Map<string, unknown>();
  const stack: unknown[] = [root];
  while (stack.length > 0) {
    const node = stack.pop();
    if (Array.isArray(node)) for (const item of node) stack.push(item);
    const s = asObject(node);
    if (!s) continue;
    if (typeof s['$id'] === 'string') ids.set(s['$id'].replace(/#.*$/, ''), s);
    for (const k of ['$anchor', '$dynamicAnchor']) if (typeof s[k] === 'string') ids.set(`#${s[k] as string}`, s);
    for (const v of Object.values(s)) stack.push(v);
  }
  return ids;
}

function asObject(v: unknown): Json | null {
  return v && typeof v === 'object' && !Array.isArray(v) ? (v as Json) : null;
}

function asArray(v: unknown): unknown[] {
  return Array.isArray(v) ? v : [];
}
