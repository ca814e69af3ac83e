import type { FleetReport } from './types.js';

/**
 * `report.json`, the contract: `{generatedAt, repositories: [{repo, dependencies, updates, problems}], packages: [{name,
 * datasource, newest, drift, uses: [{repo, file, line, environment, currentValue, currentDigest, newValue}]}]}`, keys
 * in this order and nothing else. `generatedAt` is UTC to the second (`2026-11-30T10:00:00Z`); `problems` is a count.
 */
export function reportToJson(report: FleetReport): object {
  return {
    generatedAt: isoSeconds(report.generatedAt),
    repositories: report.repositories.map((r) => ({ repo: r.repo, dependencies: r.dependencies, updates: r.updates, problems: r.problems.length })),
    packages: report.packages.map((p) => ({
      name: p.name,
      datasource: p.datasource,
      newest: p.newest,
      drift: p.drift,
      uses: p.uses.map((u) => ({
        repo: u.repo,
        file: u.file,
        line: u.line,
        environment: u.environment,
        currentValue: u.currentValue,
        currentDigest: u.currentDigest,
        newValue: u.newValue,
      })),
    })),
  };
}

/** `2026-11-30T10:00:00.123Z` → `2026-11-30T10:00:00Z`. */
export function isoSeconds(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}
