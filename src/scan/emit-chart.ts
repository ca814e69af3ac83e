import { isVersionRange, skipForValue, type Sink } from './found.js';
import type { Manager, SkipReason } from './types.js';
import { str, token } from './yaml.js';

/** Why a chart version is not a pin: `~1.2` → version-range, `${VERSION}` → substitution, `latest` → unpinned. */
export function skipForChartVersion(version: string): SkipReason | undefined {
  return skipForValue(version) ?? (isVersionRange(version) ? 'version-range' : undefined);
}

export interface ChartRef {
  manager: Manager;
  name: string;
  /** The repository URL as the source kind spells it for lookups (each scanner normalises its own); null for none. */
  registryUrl: string | null;
  /** The node holding the version text (absent or empty: no version). */
  versionNode: unknown;
  at: number;
  /** Decided by the scanner from its own rules (local charts, aliases, ranges…). */
  skipReason: SkipReason | undefined;
}

/**
 * Reports one Helm chart: `{name: podinfo, repository: https://stefanprodan.github.io/podinfo, version: 6.7.0}`.
 * A chart the scanner does not skip but whose version has no token to splice is `invalid-value`.
 */
export function emitChart(text: string, sink: Sink, chart: ChartRef): void {
  const version = str(chart.versionNode) ?? '';
  const value = version === '' ? null : token(text, chart.versionNode);
  const skipReason = chart.skipReason ?? (value ? undefined : 'invalid-value');
  sink.found({
    manager: chart.manager,
    datasource: 'helm',
    name: chart.name,
    registryUrl: chart.registryUrl,
    value,
    digest: null,
    at: chart.at,
    ...(skipReason ? { skipReason } : {}),
  });
}
