import { posix } from 'node:path';
import { createFileSink, type FileSink, type Placed } from './file-sink.js';
import type { Sink } from './found.js';
import { managers } from './managers.js';
import { isBaseValuesFile, isValuesFile } from './helm-values.js';
import { emptyIndex, type DocInfo, type ScanIndex, type Scanner } from './scanner.js';
import type { Problem, ScanResult } from './types.js';
import { getPath, parseYaml, str } from './yaml.js';

/** A file to scan: `path` relative with `/` separators, `text` as read (a BOM and CRLF line endings are kept). */
export interface SourceFile {
  path: string;
  text: string;
}

interface Claimed {
  doc: DocInfo;
  scanner: Scanner;
}

/**
 * Scans files already in memory: no I/O. Cross-file facts (Flux sources, kustomize bases) are gathered from all of
 * `files` first, so scanning one file alone works but resolves only what that file defines. Output is sorted by file,
 * then position.
 */
export function scanFiles(files: SourceFile[]): ScanResult {
  const index = emptyIndex();
  const charts = new Set(files.filter((f) => posix.basename(f.path) === 'Chart.yaml').map((f) => posix.dirname(f.path)));
  noteValuesFiles(files, charts, index);
  const placed: Placed[] = [];
  const problems: Problem[] = [];
  // Documents whose scanner needs other files wait for phase 2; the rest are extracted at once, so that a large
  // repository's syntax trees are not all held in memory together.
  const deferred: { sink: FileSink; scanSink: Sink; claimed: Claimed[] }[] = [];
  for (const file of files) {
    const fileSink = createFileSink(file.path, file.text);
    const template = isChartTemplate(file.path, charts);
    const sink = template ? literalOnly(fileSink) : fileSink;
    const parsed = parseYaml(file.text, { template });
    // A chart template is Go text first: documents that do not parse as YAML are expected there, not problems.
    if (!template) for (const p of parsed.problems) sink.problem(p.offset, p.message);
    const later: Claimed[] = [];
    for (const yamlDoc of parsed.docs) {
      const doc = describe(file, yamlDoc.contents);
      const scanner = claim(doc);
      if (!scanner) continue;
      scanner.collect?.(doc, index);
      const crossFile = typeof scanner.crossFile === 'function' ? scanner.crossFile(doc, index) : scanner.crossFile;
      if (crossFile) later.push({ doc, scanner });
      else scanner.extract(doc, sink, index);
    }
    if (later.length > 0) deferred.push({ sink: fileSink, scanSink: sink, claimed: later });
    else collectInto(fileSink, placed, problems);
  }
  for (const { sink, scanSink, claimed } of deferred) {
    for (const { doc, scanner } of claimed) scanner.extract(doc, scanSink, index);
    collectInto(sink, placed, problems);
  }
  placed.sort((a, b) => compare(a.dep.file, b.dep.file) || a.offset - b.offset);
  problems.sort((a, b) => compare(a.file, b.file) || a.line - b.line);
  return { dependencies: placed.map((p) => p.dep), problems };
}

/**
 * Which directories have a base values file, and which bases are worth reading (an environment file such as
 * `values-prod.yaml` next to it, or a Chart.yaml: a local chart that a HelmRelease may give values to).
 */
function noteValuesFiles(files: SourceFile[], charts: Set<string>, index: ScanIndex): void {
  for (const f of files) {
    const base = posix.basename(f.path);
    const dir = dirOf(f.path);
    if (isBaseValuesFile(base)) index.valuesBaseDirs.add(dir);
    else if (isValuesFile(base)) index.valuesWanted.add(dir);
  }
  for (const c of charts) index.valuesWanted.add(c === '.' ? '' : c);
}

function dirOf(path: string): string {
  const dir = posix.dirname(path);
  return dir === '.' ? '' : dir;
}

function collectInto(sink: FileSink, placed: Placed[], problems: Problem[]): void {
  // Loops, not `push(...)`: a file with >100k images would overflow the call stack.
  for (const d of sink.deps) placed.push(d);
  for (const p of sink.problems) problems.push(p);
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * `charts/app/templates/deployment.yaml` next to `charts/app/Chart.yaml`: Go templates. Their template-only lines are
 * blanked (see `parseYaml`) and the literal rest is scanned: an Argo CD Application inside `{{- if }}`, a CRD with a
 * pinned image.
 */
export function isChartTemplate(path: string, chartDirs: Set<string>): boolean {
  const parts = path.split('/');
  const i = parts.lastIndexOf('templates');
  return i >= 0 && chartDirs.has(i === 0 ? '.' : parts.slice(0, i).join('/'));
}

/**
 * A chart template's findings without the templated ones: `image: "{{ .Values.image.repository }}:{{ .Values.image.tag }}"`
 * is the chart passing its values through, not a pin (the values file is where that image is found).
 */
function literalOnly(sink: Sink): Sink {
  return {
    found: (f) => (f.skipReason === 'templated' ? undefined : sink.found(f)),
    problem: (offset, message) => sink.problem(offset, message),
  };
}

function describe(file: SourceFile, contents: DocInfo['contents']): DocInfo {
  const dir = posix.dirname(file.path);
  const doc: DocInfo = { file: file.path, dir: dir === '.' ? '' : dir, base: posix.basename(file.path), text: file.text, contents };
  const apiVersion = str(getPath(contents, 'apiVersion'));
  const kind = str(getPath(contents, 'kind'));
  if (apiVersion) doc.apiVersion = apiVersion;
  if (kind) doc.kind = kind;
  const name = str(getPath(contents, 'metadata', 'name'));
  const namespace = str(getPath(contents, 'metadata', 'namespace'));
  if (name) doc.name = name;
  if (namespace) doc.namespace = namespace;
  return doc;
}

function claim(doc: DocInfo): Scanner | undefined {
  for (const scanner of managers.values()) if (scanner.matches(doc)) return scanner;
  return undefined;
}
