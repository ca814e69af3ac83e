import { parse } from 'yaml';
import type { ChartFiles } from '../lookup/helm/chart-files.js';
import type { Change } from '../plan/types.js';
import { obj, parseValuesText, type Values } from './user-values.js';

/** What the review uses of one chart version, read from its archive. */
export interface ChartFacts {
  defaults: Values;
  /** Why `values.yaml` could not be read (not a YAML map, an alias bomb); then `defaults` is empty and values are not compared. */
  valuesProblem: string | null;
  /** `values.schema.json` text; null when the chart has none. */
  schema: string | null;
  /** `Chart.yaml` `kubeVersion`; null when absent. */
  kubeVersion: string | null;
  changes: Change[];
}

/** A chart whose `Chart.yaml` is there but unreadable (not a YAML map). */
export class ChartFactsError extends Error {}

const CHANGES = 'artifacthub.io/changes';
/** Entries kept per version, and characters per description: real ones are a line or two. */
export const MAX_CHANGES_PER_VERSION = 100;
export const MAX_DESCRIPTION_CHARS = 1000;

export function chartFacts(files: ChartFiles): ChartFacts {
  const chart = parseMap(files.chartYaml);
  if (!chart) throw new ChartFactsError('Chart.yaml in the chart archive is not a YAML map');
  // A values.yaml that cannot be read loses the values check only: the changes and kubeVersion are in Chart.yaml.
  const defaults = files.valuesYaml === null ? {} : parseValuesText(files.valuesYaml);
  const kube = chart['kubeVersion'];
  const annotation = obj(chart['annotations'])?.[CHANGES];
  return {
    defaults: defaults ?? {},
    valuesProblem: defaults ? null : 'values.yaml in the chart archive is not a YAML map',
    schema: files.schemaJson,
    kubeVersion: typeof kube === 'string' || typeof kube === 'number' ? String(kube) : null,
    changes: typeof annotation === 'string' ? parseChanges(annotation) : [],
  };
}

/**
 * The `artifacthub.io/changes` annotation: a YAML string holding a list of `{kind, description, links?}` or of plain
 * strings (`- Fixed the probe` → `{kind: 'changed', description: 'Fixed the probe'}`). Anything else is dropped.
 */
export function parseChanges(text: string): Change[] {
  let list: unknown;
  try {
    list = parse(text, { maxAliasCount: 100 });
  } catch {
    return [];
  }
  if (!Array.isArray(list)) return [];
  const out: Change[] = [];
  for (const item of list.slice(0, MAX_CHANGES_PER_VERSION)) {
    const entry = typeof item === 'string' ? { kind: 'changed', description: item } : changeEntry(obj(item));
    if (entry && entry.description.trim() !== '') out.push({ kind: entry.kind, description: entry.description.trim().slice(0, MAX_DESCRIPTION_CHARS) });
  }
  return out;
}

function changeEntry(e: Values | null): Change | null {
  const description = e?.['description'];
  if (typeof description !== 'string') return null;
  const kind = typeof e?.['kind'] === 'string' && e['kind'].trim() !== '' ? e['kind'].trim().slice(0, 40) : 'changed';
  return { kind, description };
}

function parseMap(text: string): Values | null {
  try {
    return obj(parse(text, { maxAliasCount: 100 }));
  } catch {
    return null;
  }
}
