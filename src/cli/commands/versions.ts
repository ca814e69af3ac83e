import type { CommanderError } from 'commander';
import { loadConfig } from '../../config/load.js';
import { DEFAULT_CONFIG } from '../../config/types.js';
import { ConfigError, RegistryError, UsageError } from '../../errors.js';
import { type Logger, withoutCredentials } from '../../log.js';
import { loadHostRules, type HostRule } from '../../lookup/host-rules.js';
import { createReleaseSource, defaultCacheDir } from '../../lookup/index.js';
import type { PackageRef, Release } from '../../lookup/types.js';
import { compareParsed, parseVersion } from '../../versions/index.js';
import { addLogOptions, type LogFlags, lookupCommandIo, lookupPlatformToken } from '../flags.js';
import type { RegisterCommand } from './index.js';

export interface VersionsFlags extends LogFlags {
  registryUrl?: string;
  digest?: string;
  json?: boolean;
  cacheDir?: string;
  /** Disable the disk cache (`--no-cache`). */
  cache?: boolean;
  config?: string;
  /** `--host-rules FILE`; else `TIDEMARK_HOST_RULES`. */
  hostRules?: string;
}

export interface VersionsIo {
  print: (text: string) => void;
  logger: Logger;
  env: NodeJS.ProcessEnv;
  cwd: string;
  fetch?: typeof fetch;
  /** Already loaded (to mask their secrets in the logger); else loaded from `flags.hostRules` and `env`. */
  hostRules?: readonly HostRule[];
}

/**
 * `tidemark versions <image-or-chart>`: what the registry offers, the tool users reach for when a choice
 * surprises them. Registry settings (mirrors, insecure) come from the repo config in the current directory; credentials
 * only from the operator's host rules and Docker's config.json.
 */
export const registerVersions: RegisterCommand = (program, setExit) => {
  const command = program
    .command('versions <image-or-chart>')
    .description('List the tags of an image or the versions of a chart, as the registry offers them')
    .option('--registry-url <url>', 'chart repository (https://… or oci://…); without it the argument is an image')
    .option('--digest <tag>', 'also print the digest of this tag or version')
    .option('--json', 'print JSON')
    .option('--cache-dir <dir>', 'lookup cache directory (default: the user cache dir)')
    .option('--no-cache', 'do not read or write the disk cache')
    .option('--config <path>', 'config file for registry settings')
    .option('--host-rules <file>', 'operator host rules (JSON): which credential goes to which registry (default: $TIDEMARK_HOST_RULES)');
  addLogOptions(command, 'warn').action(async (target: string, flags: VersionsFlags) => {
    const env = process.env;
    const { logger, hostRules } = await lookupCommandIo(flags.hostRules, env, flags).catch((err: unknown) => {
      if (flags.json) printJsonError(err);
      throw err;
    });
    setExit(await runVersions(target, flags, { print: (t) => process.stdout.write(t + '\n'), logger, env, cwd: process.cwd(), hostRules }));
  });
};

/**
 * Exit code: 0 listed, 1 the lookup failed (or `--digest` found none, as text), 2 usage or config error (thrown).
 * With `--json` every failure also prints `{"error": {"message", "host"?, "status"?}}` on stdout, so a script reading
 * stdout always gets JSON.
 */
export async function runVersions(target: string, flags: VersionsFlags, io: VersionsIo): Promise<number> {
  try {
    return await listVersions(target, flags, io);
  } catch (err) {
    if (flags.json) io.print(JSON.stringify({ error: errorJson(err) }, null, 2));
    if (!(err instanceof RegistryError)) throw err;
    io.logger.error('lookup failed', { host: err.host, status: err.status, error: err.message });
    return 1;
  }
}

/**
 * `versions --json` given a flag or argument commander refuses (`--bogus`, no image) still prints the JSON error
 * object on stdout; main() calls this before exiting 2. `argv` as main() received it.
 */
export function printVersionsUsageJson(argv: readonly string[], err: CommanderError): void {
  if (argv[0] !== 'versions' || !argv.includes('--json') || err.exitCode === 0) return;
  printJsonError(new UsageError(err.message.replace(/^error: /, '')));
}

function printJsonError(err: unknown): void {
  process.stdout.write(JSON.stringify({ error: errorJson(err) }, null, 2) + '\n');
}

function errorJson(err: unknown): { message: string; host?: string; status?: number } {
  const message = withoutCredentials(err instanceof Error ? err.message : String(err));
  if (!(err instanceof RegistryError)) return { message };
  return { message, ...(err.host && { host: err.host }), ...(err.status !== null && { status: err.status }) };
}

async function listVersions(target: string, flags: VersionsFlags, io: VersionsIo): Promise<number> {
  const { pkg, tagFromTarget } = toPackageRef(target, flags.registryUrl);
  const loaded = await loadConfig(io.cwd, flags.config ?? null);
  if (loaded.errors.length > 0) throw new ConfigError('invalid config file', loaded.errors);
  for (const w of loaded.warnings) io.logger.warn(`${w.file}:${w.line}: ${w.message}`);
  const cacheDir = flags.cache === false ? null : (flags.cacheDir ?? defaultCacheDir(io.env));
  const source = createReleaseSource({
    config: loaded.file ? loaded.config : DEFAULT_CONFIG,
    hostRules: io.hostRules ?? (await loadHostRules(flags.hostRules, io.env)),
    platformToken: lookupPlatformToken(io.env),
    cacheDir,
    logger: io.logger,
    env: io.env,
    ...(io.fetch && { fetch: io.fetch }),
  });
  const digestOf = flags.digest ?? tagFromTarget;
  const found = await source.releases(pkg);
  found.releases = sortReleases(found.releases, pkg.datasource === 'helm' ? 'semver' : 'docker');
  const digest = digestOf ? await source.digest(pkg, digestOf) : undefined;
  if (flags.json) {
    io.print(JSON.stringify({ package: pkg, ...found, ...(digestOf && { digest: { version: digestOf, digest: digest ?? null } }) }, null, 2));
    return 0;
  }
  const lines = found.releases.map((r) => [r.version, r.releaseTimestamp ?? ''].filter(Boolean).join('  '));
  if (found.sourceUrl) lines.push(`source: ${found.sourceUrl}`);
  if (digestOf) lines.push(`${digestOf}: ${digest ?? 'not found'}`);
  io.print(lines.join('\n'));
  return digestOf && !digest ? 1 : 0;
  return digestOf && !digest ? 1 : 0;
}

/** Oldest to newest by version; tags that are not versions (`latest`, `sha-1a2b`) last, alphabetically. */
function sortReleases(releases: Release[], scheme: 'docker' | 'semver'): Release[] {
  const keyed = releases.map((r) => ({ r, v: parseVersion(r.version, scheme) }));
  keyed.sort((a, b) => {
    if (a.v && b.v) return compareParsed(a.v, b.v) || (a.r.version < b.r.version ? -1 : 1);
    if (a.v || b.v) return a.v ? -1 : 1;
    return a.r.version < b.r.version ? -1 : a.r.version > b.r.version ? 1 : 0;
  });
  return keyed.map((k) => k.r);
}

/**
 * `nginx`, `ghcr.io/acme/web:1.2` (the tag is read as `--digest`), `podinfo --registry-url https://…`,
 * or `oci://ghcr.io/stefanprodan/charts/podinfo`.
 */
export function toPackageRef(target: string, registryUrl: string | undefined): { pkg: PackageRef; tagFromTarget: string | undefined } {
  if (registryUrl) {
    if (!/^(https?|oci):\/\//.test(registryUrl)) throw new UsageError(`--registry-url must start with https://, http:// or oci:// (got ${registryUrl})`);
    return { pkg: { datasource: 'helm', name: target, registryUrl: registryUrl.replace(/\/+$/, '') }, tagFromTarget: undefined };
  }
  if (target.startsWith('oci://')) {
    const m = /^(?<base>oci:\/\/.+)\/(?<chart>[^/:]+)(?::(?<tag>[^/]+))?$/.exec(target);
    if (!m?.groups) throw new UsageError(`cannot read a chart from ${target}`);
    return { pkg: { datasource: 'helm', name: m.groups['chart'] ?? '', registryUrl: m.groups['base'] ?? '' }, tagFromTarget: m.groups['tag'] };
  }
  // `registry:5000/app:1.2`: the tag is the part after the last `:` that has no `/` after it.
  const m = /^(?<name>[^@]+?)(?::(?<tag>[\w][\w.+-]{0,127}))?(?:@(?<digest>sha256:[0-9a-f]{64}))?$/.exec(target);
  // Registry host (and port), then path components: `ghcr.io/acme/web`; a space or `!` is a typo, not a Docker Hub name.
  if (!m?.groups || !m.groups['name'] || !/^[\w.-]+(?::\d+)?(?:\/[\w.-]+)*$/.test(m.groups['name'])) throw new UsageError(`cannot read an image from ${target}`);
  return { pkg: { datasource: 'docker', name: m.groups['name'], registryUrl: null }, tagFromTarget: m.groups['tag'] };
}
