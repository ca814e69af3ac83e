import { stat } from 'node:fs/promises';
import path from 'node:path';
import { type IgnorePaths, loadIgnorePaths } from '../../config/ignore-paths.js';
import { ConfigError, UsageError } from '../../errors.js';
import { oneLine } from '../../escape.js';
import { addLogOptions, commandLogger, type LogFlags } from '../flags.js';
import { scanDirectory, scanToJson } from '../../scan/index.js';
import type { ScanResult, SkipReason } from '../../scan/types.js';
import { formatTable } from '../table.js';
import type { RegisterCommand } from './index.js';

interface ScanFlags extends LogFlags {
  json?: boolean;
  config?: string;
}

/**
 * `tidemark scan [DIR] [--json]`: what Tidemark finds, with no network. Of the config it reads `ignorePaths` only,
 * so a mistake elsewhere in `.tidemark.yaml` is a warning here, not a stop.
 */
export const registerScan: RegisterCommand = (program) => {
  const command = program
    .command('scan')
    .description('List every pinned image and chart in a directory (no network; of the config only ignorePaths is read).')
    .argument('[dir]', 'directory to scan', '.')
    .option('--json', 'print {dependencies, problems} as JSON')
    .option('--config <file>', 'config file to read ignorePaths from (default: .tidemark.yaml, .github/tidemark.yaml)');
  addLogOptions(command, 'warn').action(async (dir: string, flags: ScanFlags) => {
    const info = await stat(dir).catch(() => undefined);
    if (!info?.isDirectory()) throw new UsageError(`not a directory: ${dir}`);
    const logger = commandLogger(flags);
    const root = path.resolve(dir);
    const ignored = await loadIgnorePaths(root, flags.config ?? null);
    // A --config that cannot be read is a usage mistake (exit 2); a repository's own unreadable config is a warning.
    if (ignored.unreadable && flags.config) throw new ConfigError(`config file not read: ${flags.config}`, ignored.problems);
    for (const p of ignored.problems) logger.warn('config problem; scan reads only ignorePaths', { file: p.file, line: p.line, message: p.message });
    const result = await scanDirectory(root, { ignorePaths: ignored.ignorePaths, logger });
    const width = process.stdout.isTTY ? process.stdout.columns || null : null;
    process.stdout.write(flags.json ? JSON.stringify(scanToJson(result), null, 2) + '\n' : formatScanTable(result, { width, ignored }));
  });
};

/**
 * A readable table (file:line, manager, name, current version, skip reason), problems, a summary with skips by reason.
 * `width`: the terminal's, to fit the table in (long cells elided in the middle); null keeps every cell whole.
 */
export function formatScanTable(result: ScanResult, opts: { width?: number | null; ignored?: Pick<IgnorePaths, 'ignorePaths' | 'file'> } = {}): string {
  const header = ['LOCATION', 'MANAGER', 'NAME', 'CURRENT', 'SKIPPED'];
  // Repository-written cells on one line each, as in the plan table: no file name can add a row or move the cursor.
  const rows = result.dependencies.map((d) =>
    [`${d.file}:${d.line}`, d.manager, d.registryUrl ? `${d.name} (${d.registryUrl})` : d.name, current(d.currentValue, d.currentDigest), d.skipReason ?? ''].map(oneLine),
  );
  const out = formatTable(header, rows, opts.width ?? null);
  if (result.problems.length > 0) {
    out.push('', 'Problems:');
    for (const p of result.problems) out.push(oneLine(`  ${p.file}:${p.line}: ${p.message}`));
  }
  if (out.length > 0) out.push('');
  out.push(summary(result));
  const ignored = opts.ignored;
  if (ignored && ignored.ignorePaths.length > 0) out.push(oneLine(`Not scanned (ignorePaths in ${ignored.file ?? 'the config'}): ${ignored.ignorePaths.join(', ')}.`));
  return out.join('\n') + '\n';
}

function current(value: string | null, digest: string | null): string {
  const shortDigest = digest ? `@${digest.slice(0, 19)}…` : '';
  return `${value ?? ''}${shortDigest}` || '-';
}

/** What each skip reason means, for the legend under the summary: short enough to fit several on one line. */
const LEGEND: Record<SkipReason, string> = {
  templated: 'holds {{ }}',
  substitution: 'holds ${VAR}',
  unpinned: 'floating tag or no version',
  'chart-app-version': "empty tag, the chart's appVersion",
  'local-chart': 'chart in a path, nothing to look up',
  'alias-repository': 'repository alias without a URL',
  'version-range': 'a range, not a pin',
  'unresolved-source': 'chart repository not found',
  'invalid-value': 'not an image reference or version',
  'invalid-repository': 'not a chart repository URL',
  ignored: '# tidemark: ignore',
};

/**
 * `12 dependencies in 3 files (9 images, 3 charts): 7 updatable, 5 skipped (3 unpinned, 2 templated); 0 problems.`
 * and, when anything is skipped, a legend of the reasons counted: `Skipped: unpinned = floating tag …; templated = …`.
 */
function summary(result: ScanResult): string {
  const deps = result.dependencies;
  const byReason = new Map<SkipReason, number>();
  for (const d of deps) if (d.skipReason) byReason.set(d.skipReason, (byReason.get(d.skipReason) ?? 0) + 1);
  const reasons = [...byReason].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
  const skipped = deps.filter((d) => d.skipReason).length;
  const files = new Set(deps.map((d) => d.file)).size;
  const images = deps.filter((d) => d.datasource === 'docker').length;
  const problems = result.problems.length;
  const detail = reasons.length > 0 ? ` (${reasons.map(([r, n]) => `${n} ${r}`).join(', ')})` : '';
  const line =
    `${deps.length} ${plural(deps.length, 'dependency', 'dependencies')} in ${files} ${plural(files, 'file', 'files')} ` +
    `(${images} ${plural(images, 'image', 'images')}, ${deps.length - images} ${plural(deps.length - images, 'chart', 'charts')}): ` +
    `${deps.length - skipped} updatable, ${skipped} skipped${detail}; ${problems} ${plural(problems, 'problem', 'problems')}.`;
  if (reasons.length === 0) return line;
  return `${line}\nSkipped: ${reasons.map(([r]) => `${r} = ${LEGEND[r]}`).join('; ')}.`;
}

function plural(n: number, one: string, many: string): string {
  return n === 1 ? one : many;
}
