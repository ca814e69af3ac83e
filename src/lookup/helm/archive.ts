import { createGunzip } from 'node:zlib';
import { Parser, type ReadEntry } from 'tar';
import { TidemarkError } from '../../errors.js';

/** The three files of a chart the review reads, as text; the others are never kept. */
export interface ChartFiles {
  chartYaml: string;
  valuesYaml: string | null;
  schemaJson: string | null;
}

/** A chart archive that is not one Tidemark will read: not gzip, too large, a link or an escaping name. */
export class ChartArchiveError extends TidemarkError {}

/** Real chart archives are KBs to a few MB (kube-prometheus-stack is ~0.7 MB): the compressed bytes fetched at most. */
export const MAX_ARCHIVE_BYTES = 16 * 1024 * 1024;
/** The whole tar, decompressed: a gzip bomb stops here, before any entry is read. */
export const MAX_UNPACKED_BYTES = 64 * 1024 * 1024;
/** One kept file (Chart.yaml, values.yaml, values.schema.json). */
export const MAX_FILE_BYTES = 4 * 1024 * 1024;
/** Entries looked at (files, directories, headers): a chart with its subcharts has hundreds. */
const MAX_ENTRIES = 20_000;

const WANTED = new Map<string, keyof ChartFiles>([
  ['Chart.yaml', 'chartYaml'],
  ['values.yaml', 'valuesYaml'],
  ['values.schema.json', 'schemaJson'],
]);

const FILE_TYPES = new Set(['File', 'OldFile', 'ContiguousFile']);

/**
 * Reads `Chart.yaml`, `values.yaml` and `values.schema.json` of the top-level chart directory of a `.tgz`, in memory:
 * nothing is ever written to disk, so an entry named `../../etc/x` or a symlink can do no harm; such an archive is
 * refused all the same (Helm refuses it too), as is one that is not gzip, unpacks past `MAX_UNPACKED_BYTES`, has more
 * than one top-level directory, or has no `Chart.yaml`.
 */
export async function readChartArchive(bytes: Uint8Array): Promise<ChartFiles> {
  if (bytes.length < 2 || bytes[0] !== 0x1f || bytes[1] !== 0x8b) throw new ChartArchiveError('the chart archive is not gzip-compressed');
  const found: Partial<Record<keyof ChartFiles, string>> = {};
  let top: string | null = null;
  let entries = 0;
  let refused: ChartArchiveError | null = null;
  const parser = new Parser({ strict: true });
  parser.on('entry', (entry: ReadEntry) => {
    entries++;
    const why = refused ? null : entryProblem(entry, entries);
    if (why) refused = new ChartArchiveError(why);
    const parts = entry.path.replace(/\/+$/, '').split('/');
    top ??= parts[0] ?? null;
    if (!refused && parts[0] !== top) refused = new ChartArchiveError('the chart archive has more than one top-level directory');
    const key = parts.length === 2 && FILE_TYPES.has(entry.type) ? WANTED.get(parts[1] ?? '') : undefined;
    if (refused || !key) return void entry.resume();
    if (entry.size > MAX_FILE_BYTES) {
      refused = new ChartArchiveError(`${parts[1]} in the chart archive is larger than ${MAX_FILE_BYTES / 1024 / 1024} MiB`);
      return void entry.resume();
    }
    const chunks: Buffer[] = [];
    entry.on('data', (c: Buffer) => chunks.push(c));
    entry.on('end', () => void (found[key] = Buffer.concat(chunks).toString('utf8')));
  });
  parser.on('error', (err: Error) => void (refused ??= new ChartArchiveError(`the chart archive is not a valid tar file (${err.message})`, { cause: err })));
  // Streamed: the tar is never held whole, and unpacking stops at the cap or at the first refused entry.
  await gunzipInto(bytes, (chunk) => {
    parser.write(chunk);
    return refused === null;
  });
  parser.end();
  if (refused) throw refused;
  if (found.chartYaml === undefined) throw new ChartArchiveError('the chart archive has no Chart.yaml in its top-level directory');
  return { chartYaml: found.chartYaml, valuesYaml: found.valuesYaml ?? null, schemaJson: found.schemaJson ?? null };
}

/** Feeds the decompressed bytes to `sink` until it returns false; past MAX_UNPACKED_BYTES in all, fails. */
function gunzipInto(bytes: Uint8Array, sink: (chunk: Buffer) => boolean): Promise<void> {
  return new Promise((resolve, reject) => {
    const gunzip = createGunzip();
    let total = 0;
    gunzip.on('data', (chunk: Buffer) => {
      total += chunk.length;
      if (total > MAX_UNPACKED_BYTES) return void gunzip.destroy(new ChartArchiveError(`the chart archive unpacks to more than ${MAX_UNPACKED_BYTES / 1024 / 1024} MiB`));
      if (!sink(chunk)) gunzip.destroy();
    });
    gunzip.on('end', resolve);
    gunzip.on('close', resolve);
    gunzip.on('error', (err) => reject(err instanceof ChartArchiveError ? err : new ChartArchiveError('the chart archive is not valid gzip', { cause: err })));
    gunzip.end(bytes);
  });
}

/** Why one entry makes the archive unreadable: links, absolute or `..` names (`mychart/../../etc/passwd`), too many. */
function entryProblem(entry: ReadEntry, count: number): string | null {
  if (count > MAX_ENTRIES) return `the chart archive has more than ${MAX_ENTRIES} entries`;
  // Entry names are the archive's words: a PAX header may make one megabytes long.
  const shown = entry.path.length > 200 ? `${entry.path.slice(0, 200)}…` : entry.path;
  if (entry.type === 'SymbolicLink' || entry.type === 'Link') return `the chart archive holds a link (${shown}); not read`;
  const path = entry.path;
  if (path.startsWith('/') || /^[A-Za-z]:/.test(path) || path.split(/[/\\]/).includes('..')) return `the chart archive has an entry outside its directory (${shown}); not read`;
  return null;
}
