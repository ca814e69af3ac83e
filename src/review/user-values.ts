import { posix } from 'node:path';
import { isMap, isSeq, parse, parseAllDocuments, type Document, type Node } from 'yaml';
import type { Dependency } from '../scan/types.js';

export type Values = Record<string, unknown>;

/**
 * The values a user gives one chart release, as far as the repository says. `complete` is false when more values
 * come from somewhere this file does not hold (Flux `valuesFrom`, Argo CD `valueFiles`, kustomize `valuesFile`): then
 * the keys written here are still checked against the new chart, but the whole is not validated against its schema.
 */
export interface UserValues {
  values: Values;
  complete: boolean;
}

/** The repository holds values for the release that cannot be read (an alias bomb, a `helm.values` string that is no map). */
export class UserValuesError extends Error {}

/** Reads a repository file (relative path); rejects when it cannot. */
export type ReadRepoFile = (path: string) => Promise<string>;

/** Most aliases one values document may expand (`yaml`'s own default), so an alias bomb stops early. */
const MAX_ALIASES = 100;

/**
 * The user's values for the chart `dep` points at, found by re-reading its file and taking the document and item
 * that hold the version token:
 * - Flux `HelmRelease`: `spec.values` (`spec.valuesFrom` makes it incomplete)
 * - Argo CD `Application`/`ApplicationSet`: the source's `helm.values` (a YAML string) under `helm.valuesObject`
 * - kustomize `helmCharts[]`: `valuesInline`
 * - an umbrella `Chart.yaml` dependency: the section of the sibling `values.yaml` keyed by its alias, else its name
 * Null when the repository holds no values for it (a Flux `HelmChart`, helmfile, a file that no longer parses).
 * Throws UserValuesError when it holds values that cannot be read (more aliases than MAX_ALIASES, not a map).
 */
export async function userValuesFor(dep: Dependency, readFile: ReadRepoFile): Promise<UserValues | null> {
  if (!dep.valueRange) return null;
  const text = await readFile(dep.file).catch(() => null);
  if (text === null) return null;
  const doc = documentAt(text, dep.valueRange.start);
  if (!doc) return null;
  const js = obj(expanded(doc.doc, dep.file));
  if (!js) return null;
  switch (dep.manager) {
    case 'flux':
      return fluxValues(js);
    case 'argocd':
      return argoValues(doc.doc, js, dep.valueRange.start);
    case 'kustomize':
      return kustomizeValues(doc.doc, js, dep.valueRange.start);
    case 'helm-chart':
      return umbrellaValues(doc.doc, js, dep, readFile);
    default:
      return null;
  }
}

/** `kind: HelmRelease` → `spec.values`; a `HelmChart` or an `OCIRepository` holds none. */
function fluxValues(js: Values): UserValues | null {
  if (js['kind'] !== 'HelmRelease') return null;
  const spec = obj(js['spec']);
  const values = obj(spec?.['values']) ?? {};
  const from = spec?.['valuesFrom'];
  return { values, complete: !(Array.isArray(from) && from.length > 0) };
}

/** The source holding the version: `spec.source`, or the `spec.sources[]` item whose range holds it (template for ApplicationSets). */
function argoValues(doc: Document.Parsed, js: Values, offset: number): UserValues | null {
  const appSet = js['kind'] === 'ApplicationSet';
  const specPath = appSet ? ['spec', 'template', 'spec'] : ['spec'];
  const spec = obj(dig(js, specPath));
  const sources = doc.getIn([...specPath, 'sources'], true);
  const index = isSeq(sources) ? sources.items.findIndex((item) => holds(item, offset)) : -1;
  const source = obj(index >= 0 ? (spec?.['sources'] as unknown[])[index] : spec?.['source']);
  if (!source) return null;
  const helm = obj(source['helm']) ?? {};
  const fromString = typeof helm['values'] === 'string' ? readValuesText(helm['values'], 'helm.values') : obj(helm['values']);
  // Argo CD: valuesObject wins over values, key by key.
  const values = coalesceMaps(fromString ?? {}, obj(helm['valuesObject']) ?? {});
  const files = helm['valueFiles'];
  const params = helm['parameters'];
  const complete = !(Array.isArray(files) && files.length > 0) && !(Array.isArray(params) && params.length > 0);
  return { values, complete };
}

function kustomizeValues(doc: Document.Parsed, js: Values, offset: number): UserValues | null {
  const charts = doc.get('helmCharts', true);
  const index = isSeq(charts) ? charts.items.findIndex((item) => holds(item, offset)) : -1;
  const chart = obj((js['helmCharts'] as unknown[] | undefined)?.[index]);
  if (!chart) return null;
  const extra = chart['valuesFile'] ?? chart['additionalValuesFiles'];
  return { values: obj(chart['valuesInline']) ?? {}, complete: extra === undefined || extra === null || (Array.isArray(extra) && extra.length === 0) };
}

/** `dependencies: [{name: redis, alias: cache, …}]` → `cache:` in the `values.yaml` beside `Chart.yaml`. */
async function umbrellaValues(doc: Document.Parsed, js: Values, dep: Dependency, readFile: ReadRepoFile): Promise<UserValues | null> {
  const list = doc.get('dependencies', true);
  const index = isSeq(list) ? list.items.findIndex((item) => holds(item, dep.valueRange?.start ?? -1)) : -1;
  const entry = obj((js['dependencies'] as unknown[] | undefined)?.[index]);
  if (!entry) return null;
  const key = typeof entry['alias'] === 'string' && entry['alias'] ? entry['alias'] : String(entry['name'] ?? dep.name);
  const text = await readFile(posix.join(posix.dirname(dep.file), 'values.yaml')).catch(() => null);
  const values = text === null ? {} : readValuesText(text, posix.join(posix.dirname(dep.file), 'values.yaml'));
  return { values: obj(values[key]) ?? {}, complete: true };
}

/** A values document (`helm.values: |` or a values.yaml); null when it does not parse to a map. */
export function parseValuesText(text: string): Values | null {
  try {
    const v: unknown = parse(text, { maxAliasCount: MAX_ALIASES });
    return v === null || v === undefined ? {} : obj(v);
  } catch {
    return null;
  }
}

/** A values text the user wrote; throws UserValuesError, saying why, when it is not a YAML map. */
function readValuesText(text: string, where: string): Values {
  let v: unknown;
  try {
    v = parse(text, { maxAliasCount: MAX_ALIASES });
  } catch (err) {
    throw new UserValuesError(`${where} could not be read: ${firstLine(err)}`);
  }
  if (v === null || v === undefined) return {};
  const map = obj(v);
  if (!map) throw new UserValuesError(`${where} is not a YAML map`);
  return map;
}

/** The document as plain data; an alias bomb (more than MAX_ALIASES expansions) is refused, not expanded. */
function expanded(doc: Document.Parsed, file: string): unknown {
  try {
    return doc.toJS({ maxAliasCount: MAX_ALIASES });
  } catch (err) {
    throw new UserValuesError(`${file} could not be read: ${firstLine(err)}`);
  }
}

function firstLine(err: unknown): string {
  return (err instanceof Error ? err.message : String(err)).split('\n')[0]!.slice(0, 200);
}

/** The document of a multi-document file that holds `offset`, when it parsed without errors. */
function documentAt(text: string, offset: number): { doc: Document.Parsed } | null {
  for (const doc of parseAllDocuments(text)) {
    const [start, , end] = doc.range;
    if (offset < start || offset >= end) continue;
    return doc.errors.length > 0 ? null : { doc };
  }
  return null;
}

function holds(node: unknown, offset: number): boolean {
  const range = (node as Node | null)?.range;
  return isMap(node) && !!range && range[0] <= offset && offset < range[2];
}

function dig(v: unknown, path: string[]): unknown {
  let cur = v;
  for (const k of path) cur = obj(cur)?.[k];
  return cur;
}

/** Maps merge key by key, the later's scalars and lists win: how Argo CD layers `valuesObject` over `values`. */
function coalesceMaps(base: Values, over: Values): Values {
  const out: Values = { ...base };
  for (const [k, v] of Object.entries(over)) {
    const b = obj(out[k]);
    const o = obj(v);
    out[k] = b && o ? coalesceMaps(b, o) : v;
  }
  return out;
}

export function obj(v: unknown): Values | null {
  return v && typeof v === 'object' && !Array.isArray(v) ? (v as Values) : null;
}
