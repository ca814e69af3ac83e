import type { Logger } from '../log.js';
import type { PackageRef } from '../lookup/types.js';
import type { Update } from '../plan/types.js';
import type { ReleaseNotesReader } from './release-notes.js';
import { parseSource, type SourceHosts, type SourceRepo } from './sources.js';
import type { BranchNotes, NotesOutcome } from './types.js';
import { compareVersions, valueVersion } from './versions.js';

/** Release notes for the updates of one branch; what publishing asks for, only for branches it will push or open. */
export type NotesProvider = (updates: readonly Update[]) => Promise<BranchNotes>;

export interface NotesProviderOptions {
  reader: ReleaseNotesReader;
  hosts: SourceHosts;
  /** `org.opencontainers.image.source` of an image tag or OCI chart version (lookup's `imageInfo`), when the plan carried none. */
  imageSource?: (pkg: PackageRef, version: string) => Promise<string | null>;
  logger: Logger;
}

/** One key per package move, the same for every file it is in: `nginx  1.25.3→1.27.0`. */
export function notesKey(u: Update): string {
  return `${u.dependency.name} ${u.dependency.registryUrl ?? ''} ${u.dependency.currentValue ?? ''}→${u.newValue}`;
}

/**
 * Finds each update's source repository (a rule's `sourceUrl`, the chart's `sources`/`home` or the image's source
 * label, in that order), then its notes between the current version (exclusive) and the new one (inclusive).
 * Digest and pin updates, ranges and values that read as no version get none. Never throws.
 */
export function createNotesProvider(opts: NotesProviderOptions): NotesProvider {
  return async (updates) => {
    const out = new Map<string, NotesOutcome>();
    const unique = new Map<string, Update>();
    for (const u of updates) if (!unique.has(notesKey(u))) unique.set(notesKey(u), u);
    await Promise.all(
      [...unique].map(async ([key, u]) => {
        try {
          const outcome = await notesFor(u, opts);
          if (outcome) out.set(key, outcome);
        } catch (err) {
          opts.logger.warn('release notes skipped', { package: u.dependency.name, error: err instanceof Error ? err.message : String(err) });
        }
      }),
    );
    return out;
  };
}

async function notesFor(u: Update, opts: NotesProviderOptions): Promise<NotesOutcome | null> {
  const chart = u.dependency.datasource === 'helm';
  const from = u.dependency.currentValue ? valueVersion(u.dependency.currentValue, chart) : null;
  const to = valueVersion(u.newValue, chart);
  const source = await sourceOf(u, opts);
  if (!source) return { source: null };
  if (!from || !to || compareVersions(from, to) >= 0) return { notes: { source, from: 'none', versions: [], compareUrl: null } };
  return opts.reader.notes({ source, packageName: u.dependency.name, from, to });
}

async function sourceOf(u: Update, opts: NotesProviderOptions): Promise<SourceRepo | null> {
  const parse = (url: string | null | undefined): SourceRepo | null => (url ? parseSource(url, opts.hosts) : null);
  const declared = parse(u.sourceUrl);
  if (declared && declared.kind !== 'other') return declared;
  // Images, and charts in OCI registries (Helm writes the chart's first `sources` entry as the same annotation).
  const { datasource, name, registryUrl } = u.dependency;
  if (opts.imageSource && (datasource === 'docker' || registryUrl?.startsWith('oci://'))) {
    const label = parse(await opts.imageSource({ datasource, name, registryUrl }, u.newValue).catch(() => null));
    if (label && label.kind !== 'other') return label;
  }
  const home = parse(u.homepage);
  if (home && home.kind !== 'other') return home;
  return declared;
}
