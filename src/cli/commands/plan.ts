import { stat } from 'node:fs/promises';
import path from 'node:path';
import { loadConfig } from '../../config/load.js';
import { imageNameSpellings } from '../../config/rules.js';
import { didYouMean } from '../../config/suggest.js';
import { ConfigError, UsageError } from '../../errors.js';
import { oneLine } from '../../escape.js';
import type { Logger } from '../../log.js';
import { loadHostRules, type HostRule } from '../../lookup/host-rules.js';
import { createReleaseSource, defaultCacheDir } from '../../lookup/index.js';
import { createPlan, explain, explanationText, planToJson } from '../../plan/index.js';
import { countFailures, failureSentence, planProblems } from '../../plan/failures.js';
import type { Plan, Update } from '../../plan/types.js';
import { reviewPlan } from '../../review/index.js';
import { repoFileReader } from '../../review/repo-file.js';
import { scanDirectory } from '../../scan/index.js';
import { type OnProgress, progressText } from '../../progress.js';
import { addLogOptions, type LogFlags, lookupCommandIo, lookupPlatformToken, terminalProgress } from '../flags.js';
import type { RegisterCommand } from './index.js';
import { formatTable } from '../table.js';

export interface PlanFlags extends LogFlags {
  json?: boolean;
  explain?: string;
  config?: string;
  cacheDir?: string;
  /** `--no-cache` */
  cache?: boolean;
  /** `--host-rules FILE`; else `TIDEMARK_HOST_RULES`. */
  hostRules?: string;
}

export interface PlanIo {
  print: (text: string) => void;
  logger: Logger;
  env: NodeJS.ProcessEnv;
  fetch?: typeof fetch;
  now?: Date;
  /** Already loaded (to mask their secrets in the logger); else loaded from `flags.hostRules` and `env`. */
  hostRules?: readonly HostRule[];
  /** Told each phase (scan, lookups N of M) as it starts: the terminal's progress display. */
  onProgress?: OnProgress;
}

/** `tidemark plan [DIR]`: scan, look up, choose; prints what would move and why everything else stays. */
export const registerPlan: RegisterCommand = (program, setExit) => {
  const command = program
    .command('plan')
    .description('Show which version every image and chart would move to, and why the others stay (no changes made)')
    .argument('[dir]', 'repository directory', '.')
    .option('--json', 'print {updates, unchanged, problems} as JSON')
    .option('--explain <name>', 'list every candidate version of this image or chart and why it was taken or rejected')
    .option('--config <file>', 'config file (default: .tidemark.yaml, .github/tidemark.yaml)')
    .option('--cache-dir <dir>', 'lookup cache directory (default: the user cache dir)')
    .option('--no-cache', 'do not read or write the disk cache')
    .option('--host-rules <file>', 'operator host rules (JSON): which credential goes to which registry (default: $TIDEMARK_HOST_RULES)');
  addLogOptions(command, 'warn').action(async (dir: string, flags: PlanFlags) => {
    const env = process.env;
    const { logger, hostRules, secrets } = await lookupCommandIo(flags.hostRules, env, flags);
    const progress = terminalProgress(flags, secrets);
    const print = (t: string): void => {
      progress.stop();
      process.stdout.write(t);
    };
    try {
      setExit(await runPlan(dir, flags, { print, logger, env, hostRules, onProgress: (e) => progress.update(progressText(e)) }));
    } finally {
      progress.stop();
    }
  });
};

/** Exit code: 0 ran, 1 some lookups failed. Bad config or usage throw (exit 2). */
export async function runPlan(dir: string, flags: PlanFlags, io: PlanIo): Promise<number> {
  const plan = await planDirectory(dir, flags, io, { review: true });
  const explained = flags.explain ? explain(plan, flags.explain) : null;
  if (flags.explain && explained?.length === 0) checkExplainName(plan, flags.explain);
  if (flags.json) {
    io.print(JSON.stringify({ ...planToJson(plan), ...(explained && { explain: explained }) }, null, 2) + '\n');
  } else {
    io.print(formatPlanTable(plan));
    if (explained) io.print('\n' + (explained.length ? explanationText(explained) : `${flags.explain}: not found among the updatable dependencies\n`));
  }
  return plan.partialFailure ? 1 : 0;
}

/**
 * `--explain NAME` that names no dependency of the directory is a usage mistake (exit 2), with the closest name when
 * one is near: `--explain "nginix": no dependency has this name; did you mean nginx?`. A name that is found but not
 * updatable (a templated tag) is not a mistake: the plan says why it stays.
 */
function checkExplainName(plan: Plan, name: string): void {
  const names = [...new Set([...plan.updates, ...plan.unchanged].map((u) => u.dependency.name))];
  const spellings = new Set(imageNameSpellings(name));
  if (names.some((n) => n === name || spellings.has(n) || imageNameSpellings(n).includes(name))) return;
  const shortNear = didYouMean(name, names.map(shortName));
  // `web` for `ghcr.io/acme/web`: the image's own name, without where it lives.
  const lastSegment = (n: string): string => n.slice(n.lastIndexOf('/') + 1).toLowerCase();
  const near =
    didYouMean(name, names) ??
    names.find((n) => shortNear !== null && shortName(n) === shortNear) ??
    names.find((n) => n.includes('/') && lastSegment(n) === name.toLowerCase()) ??
    null;
  throw new UsageError(`--explain "${name}": no dependency has this name${near ? `; did you mean ${near}?` : ''}`);
}

/** `docker.io/library/nginx` → `nginx`, `ghcr.io/acme/web` → `acme/web`: names as people type them. */
function shortName(name: string): string {
  return name.replace(/^docker\.io\/(?:library\/)?/, '').replace(/^[^/]+\.[^/]+\//, '');
}

/**
 * Config, scan, lookups and choices for one directory, as `plan` makes them (also `report`'s per-directory step);
 * `review` also reads the charts of chart updates (risks and changes, review/), which `report` does not need.
 */
export async function planDirectory(dir: string, flags: PlanFlags, io: PlanIo, opts: { review?: boolean } = {}): Promise<Plan> {
  const root = path.resolve(dir);
  const info = await stat(root).catch(() => undefined);
  if (!info?.isDirectory()) throw new UsageError(`not a directory: ${dir}`);
  const loaded = await loadConfig(root, flags.config ?? null);
  if (loaded.errors.length > 0) throw new ConfigError(`invalid config file ${loaded.file ?? flags.config ?? ''}`.trim(), loaded.errors);
  for (const w of loaded.warnings) io.logger.warn(`${w.file}:${w.line}: ${w.message}`);
  const hostRules = io.hostRules ?? (await loadHostRules(flags.hostRules, io.env));
  io.onProgress?.({ phase: 'scan' });
  const scan = await scanDirectory(root, { ignorePaths: loaded.config.ignorePaths, logger: io.logger });
  const source = createReleaseSource({
    config: loaded.config,
    hostRules,
    platformToken: lookupPlatformToken(io.env),
    cacheDir: flags.cache === false ? null : (flags.cacheDir ?? defaultCacheDir(io.env)),
    logger: io.logger,
    env: io.env,
    ...(io.fetch && { fetch: io.fetch }),
  });
  const plan = await createPlan(scan, source, loaded.config, {
    logger: io.logger,
    explain: flags.explain ?? null,
    ...(io.now && { now: io.now }),
    ...(io.onProgress && { onProgress: io.onProgress }),
  });
  if (!opts.review) return plan;
  return reviewPlan(plan, { source, config: loaded.config, logger: io.logger, readFile: repoFileReader(root) });
}

/** One row per dependency: location, name, current → new, update type, and for those that stay, why. */
export function formatPlanTable(plan: Plan): string {
  const header = ['LOCATION', 'NAME', 'CURRENT', 'NEW', 'TYPE', 'REASON'];
  const rows = [
    ...plan.updates.map((u) => ({ d: u.dependency, cells: [u.newValue + digestNote(u.newDigest), u.updateType, updateNote(u)] })),
    ...plan.unchanged.map((u) => ({ d: u.dependency, cells: ['-', '', u.reason] })),
  ]
    .sort((a, b) => (a.d.file < b.d.file ? -1 : a.d.file > b.d.file ? 1 : a.d.line - b.d.line))
    // Registry- and repository-written cells on one line each: no newline or terminal escape sequence reaches the screen.
    .map(({ d, cells }) => [`${d.file}:${d.line}`, d.name, (d.currentValue ?? '') + digestNote(d.currentDigest) || '-', ...cells].map(oneLine));
  // Whole cells (no terminal width): the table `scan` lays out, unnarrowed.
  const out = formatTable(header, rows, null);
  if (plan.problems.length > 0) {
    out.push('', 'Problems:');
    for (const p of plan.problems) out.push(oneLine(`  ${p.file}:${p.line}: ${p.message}`));
  }
  if (out.length > 0) out.push('');
  const n = plan.updates.length;
  const b = plan.branches.length;
  const failures = countFailures(plan);
  const tail = failures ? `; ${failureSentence(failures)}.` : plan.partialFailure ? '; some lookups failed.' : '.';
  // Problems as `run` counts them (what scanning found wrong and every failed lookup), so both say the same number.
  const problems = planProblems(plan).length;
  out.push(
    `${n} ${n === 1 ? 'update' : 'updates'} in ${b} ${b === 1 ? 'branch' : 'branches'}, ${plan.unchanged.length} unchanged` +
      `, ${problems} ${problems === 1 ? 'problem' : 'problems'}` +
      tail,
  );
  return out.join('\n') + '\n';
}

/** `group apps`, `⚠ 2 risks` (`--explain NAME` lists them), or both. */
function updateNote(u: Update): string {
  const n = u.risks?.length ?? 0;
  const notes = [u.group ? `group ${u.group}` : '', n > 0 ? `⚠ ${n} ${n === 1 ? 'risk' : 'risks'}` : ''];
  return notes.filter(Boolean).join('; ');
}

function digestNote(digest: string | null): string {
  return digest ? `@${digest.slice(0, 19)}…` : '';
}
