import { stat } from 'node:fs/promises';
import path from 'node:path';
import { ConfigError, UsageError } from '../../errors.js';
import { withoutCredentials } from '../../log.js';
import { buildReport, reportCounts, writeReport, type FleetReport, type RepoInput } from '../../report/index.js';
import { addLogOptions, lookupCommandIo } from '../flags.js';
import type { RegisterCommand } from './index.js';
import { planDirectory, type PlanFlags, type PlanIo } from './plan.js';

/** `plan`'s lookup flags (no `--json`, no `--explain`) and where to write. */
export interface ReportFlags extends Omit<PlanFlags, 'json' | 'explain'> {
  out: string;
}

/** Each directory is planned as `plan` plans it, with the same inputs. */
export type ReportIo = PlanIo;

/** `tidemark report DIR... --out OUT`: the fleet view of many checkouts, as `OUT/report.json` and `OUT/index.html`. */
export const registerReport: RegisterCommand = (program, setExit) => {
  const command = program
    .command('report')
    .description('Scan and look up many repository checkouts; write a fleet report (report.json and a self-contained index.html)')
    .argument('<dirs...>', 'repository directories (each named by its base name)')
    .requiredOption('--out <dir>', 'directory to write report.json and index.html into (created if missing)')
    .option('--config <file>', 'config file inside each directory (default: .tidemark.yaml, .github/tidemark.yaml)')
    .option('--cache-dir <dir>', 'lookup cache directory (default: the user cache dir)')
    .option('--no-cache', 'do not read or write the disk cache')
    .option('--host-rules <file>', 'operator host rules (JSON): which credential goes to which registry (default: $TIDEMARK_HOST_RULES)');
  addLogOptions(command, 'warn').action(async (dirs: string[], flags: ReportFlags) => {
    const env = process.env;
    const { logger, hostRules } = await lookupCommandIo(flags.hostRules, env, flags);
    setExit(await runReport(dirs, flags, { print: (t) => process.stdout.write(t), logger, env, hostRules }));
  });
};

/**
 * Exit code: 0 written, 1 written but some lookups or repositories failed (they are marked so in the report). A
 * directory that does not exist is a usage error (exit 2) before anything is looked up.
 */
export async function runReport(dirs: readonly string[], flags: ReportFlags, io: ReportIo): Promise<number> {
  for (const dir of dirs) {
    const info = await stat(dir).catch(() => undefined);
    if (!info?.isDirectory()) throw new UsageError(`not a directory: ${dir}`);
  }
  const inputs: RepoInput[] = [];
  let failed = false;
  for (const dir of dirs) {
    const repo = path.basename(path.resolve(dir));
    try {
      const plan = await planDirectory(dir, flags, io);
      failed ||= Boolean(plan.partialFailure);
      inputs.push({ repo, plan });
    } catch (err) {
      failed = true;
      const message = withoutCredentials(err instanceof Error ? err.message : String(err));
      const detail = err instanceof ConfigError ? err.problems.map((p) => `; ${p.file}:${p.line}: ${p.message}`).join('') : '';
      io.logger.error('repository failed', { repo, error: message + detail });
      inputs.push({ repo, error: message + detail });
    }
  }
  const report = buildReport(inputs, io.now ?? new Date());
  const written = await writeReport(flags.out, report);
  io.print(`${reportSummary(report)}\nWrote ${written.json} and ${written.html}\n`);
  return failed ? 1 : 0;
}

/** `Fleet report: 3 repositories, 14 packages; 5 uses behind, 2 packages with drift; 1 lookup failed.` */
export function reportSummary(report: FleetReport): string {
  const { behind, failedLookups, failedRepositories: failedRepos, drift } = reportCounts(report);
  const n = (k: number, one: string, many: string): string => `${k} ${k === 1 ? one : many}`;
  const tail = [
    ...(failedLookups ? [`${n(failedLookups, 'lookup', 'lookups')} failed`] : []),
    ...(failedRepos ? [`${n(failedRepos, 'repository', 'repositories')} failed`] : []),
  ];
  return (
    `Fleet report: ${n(report.repositories.length, 'repository', 'repositories')}, ${n(report.packages.length, 'package', 'packages')}; ` +
    `${n(behind, 'use', 'uses')} behind, ${n(drift, 'package', 'packages')} with drift` +
    (tail.length ? `; ${tail.join(', ')}.` : '.')
  );
}
