import type { Node } from 'yaml';
import { asSeq, get, getPath, str } from './yaml.js';

// A template that is one parameter and nothing else: `{{version}}`, `{{ .chart.version }}`, `{{values.version}}`.
const PARAM = /^\{\{-?\s*\.?(?<path>[A-Za-z_][\w-]*(?:\.[A-Za-z_][\w-]*)*)\s*-?\}\}$/;
const MAX_DEPTH = 8;

/** One element of an ApplicationSet list generator, with the generator's own `values:` map. */
export interface ListElement {
  element: Node;
  values: Node | undefined;
}

/**
 * Every literal element of the list generators of an ApplicationSet, also inside `matrix` and `merge` generators:
 * `generators: [{list: {elements: [{cluster: prod, version: 6.5.4}]}}]`. `elementsYaml` (a template) is not read.
 */
export function listElements(spec: unknown): ListElement[] {
  const out: ListElement[] = [];
  collect(get(spec, 'generators'), out, 0);
  return out;
}

function collect(generators: unknown, out: ListElement[], depth: number): void {
  if (depth > MAX_DEPTH) return;
  for (const gen of asSeq(generators)?.items ?? []) {
    const list = get(gen, 'list');
    const values = get(list, 'values');
    for (const element of asSeq(get(list, 'elements'))?.items ?? []) out.push({ element: element as Node, values });
    collect(getPath(gen, 'matrix', 'generators'), out, depth + 1);
    collect(getPath(gen, 'merge', 'generators'), out, depth + 1);
  }
}

/** The dotted parameter path a whole-string template names, or undefined: `'{{.version}}'` → `['version']`. */
export function templateParam(value: string): string[] | undefined {
  return PARAM.exec(value.trim())?.groups?.path?.split('.');
}

/**
 * The node an element gives a template field: the field itself when literal (`chart: podinfo`), the element's value
 * when the field is one parameter (`targetRevision: '{{version}}'` with element `{version: 6.5.4}`), else undefined.
 * `{{values.x}}` also reads the generator's `values: {x: …}`.
 */
export function resolveField(field: Node | undefined, el: ListElement): Node | undefined {
  const value = str(field);
  if (value === undefined) return undefined;
  const path = templateParam(value);
  if (!path) return value.includes('{{') ? undefined : field;
  const fromElement = getPath(el.element, ...path);
  if (fromElement !== undefined) return fromElement;
  return path[0] === 'values' && path.length > 1 ? getPath(el.values, ...path.slice(1)) : undefined;
}
