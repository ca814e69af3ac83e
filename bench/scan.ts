import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments } from 'yaml';
import { scanDirectory, scanFiles, type SourceFile } from '../src/scan/index.js';
import { readYamlFiles } from '../src/scan/walk.js';
import { time } from './measure.js';

const ITERATIONS = 5;

/**
 * Scans `../shared/corpus` and reports files/s, MB/s and peak RSS, next to the time to merely `parseAllDocuments`
 * the same files once (the same set the scanner parses, Helm chart templates included: the scanner reads their literal
 * parts) in the same run. Reading a template that is not YAML twice (again with its template-only lines blanked) is
 * the scanner's own cost and counts against it.
 */
export async function benchScan(): Promise<string> {
  const corpus = findCorpus();
  if (!corpus) return 'scan: ../shared/corpus not found; left out';
  const repos = readdirSync(corpus).filter((d) => d.includes('__')).sort();
  const sets: SourceFile[][] = [];
  for (const repo of repos) sets.push((await readYamlFiles(path.join(corpus, repo))).files);
  const files = sets.reduce((n, s) => n + s.length, 0);
  const bytes = sets.reduce((n, s) => n + s.reduce((m, f) => m + Buffer.byteLength(f.text), 0), 0);

  const parseOnly = () => {
    for (const set of sets) for (const f of set) parseAllDocuments(f.text);
  };
  const scan = () => {
    for (const set of sets) scanFiles(set);
  };
  parseOnly();
  scan();
  // Interleave so that both see the same machine load.
  let parseMs = Infinity;
  let scanMs = Infinity;
  for (let i = 0; i < ITERATIONS; i++) {
    parseMs = Math.min(parseMs, time(parseOnly));
    scanMs = Math.min(scanMs, time(scan));
  }
  const walkStart = performance.now();
  for (const repo of repos) await scanDirectory(path.join(corpus, repo));
  const dirMs = performance.now() - walkStart;
  const rssMb = process.resourceUsage().maxRSS / 1024;
  const mb = bytes / 1024 / 1024;
  return [
    `scan: ${repos.length} repositories, ${files} YAML files, ${mb.toFixed(1)} MB (best of ${ITERATIONS} after a warm-up)`,
    `  scanFiles          ${scanMs.toFixed(0).padStart(6)} ms  ${rate(files, scanMs)} files/s  ${rate(mb, scanMs, 1)} MB/s`,
    `  parseAllDocuments  ${parseMs.toFixed(0).padStart(6)} ms  ${rate(files, parseMs)} files/s  ${rate(mb, parseMs, 1)} MB/s`,
    `  ratio scan/parse   ${(scanMs / parseMs).toFixed(2)}x (target <= 1.5x)`,
    `  scanDirectory      ${dirMs.toFixed(0).padStart(6)} ms  (walk + read + scan, once)`,
    `  peak RSS           ${rssMb.toFixed(0)} MB`,
  ].join('\n');
}

function rate(amount: number, ms: number, digits = 0): string {
  return (amount / (ms / 1000)).toFixed(digits).padStart(7);
}

function findCorpus(): string | undefined {
  const here = path.dirname(fileURLToPath(import.meta.url));
  const candidates = [path.resolve(here, '../../shared/corpus'), path.resolve(here, '../../../shared/corpus'), path.resolve(process.cwd(), '../shared/corpus')];
  return candidates.find((c) => existsSync(c));
}
