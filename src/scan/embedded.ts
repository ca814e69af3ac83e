import { isScalar, type Node } from 'yaml';
import type { Found, Sink } from './found.js';
import { walkValues, type ImagePaths } from './values-walk.js';
import { parseYaml, type Token } from './yaml.js';

/** Scans one document parsed from an embedded string; offsets it reports are into `innerText`. */
export type EmbeddedScan = (sink: Sink, innerText: string, contents: Node | null) => void;

/**
 * Helm values written as a YAML string inside another file (Argo CD `helm.values: |`). The string is parsed on its own;
 * positions map back into the outer file line by line (a block scalar shifts each line by its indentation). A finding
 * whose mapped token does not read the same in the outer text is not reported; a problem says so instead.
 */
export function scanEmbeddedValues(sink: Sink, text: string, node: unknown, base?: ImagePaths): void {
  scanEmbeddedYaml(sink, text, node, 'embedded Helm values', (inner, innerText, contents) => walkValues(inner, innerText, contents, 'helm-values', base));
}

/**
 * YAML written as a string inside another file, scanned by `scan` document by document, with positions mapped back
 * as for `scanEmbeddedValues`. `label` starts the problems it reports: `kustomize inline patch: …`.
 */
export function scanEmbeddedYaml(sink: Sink, text: string, node: unknown, label: string, scan: EmbeddedScan): void {
  if (!isScalar(node) || typeof node.value !== 'string' || !node.range) return;
  // A string inside a string inside a string is as deep as real files go; deeper nesting is only ever a cost.
  const depth = (sink.embedded ?? 0) + 1;
  if (depth > MAX_EMBEDDED_DEPTH) return;
  const inner = node.value;
  const map = offsetMap(text, node.type ?? 'PLAIN', node.range[0], node.range[1]);
  const parsed = parseYaml(inner);
  const at = node.range[0];
  for (const p of parsed.problems) sink.problem(at, `${label}: ${p.message}`);
  const mapped: Sink = {
    embedded: depth,
    problem: (offset, message) => sink.problem(map(offset) ?? at, message),
    found: (f) => {
      const out = remap(f, map, text);
      if (out) sink.found(out);
      else sink.problem(at, `${label}: cannot map the position of ${f.name} back into the file`);
    },
  };
  for (const doc of parsed.docs) scan(mapped, inner, doc.contents);
}

type OffsetMap = (inner: number) => number | undefined;

const MAX_EMBEDDED_DEPTH = 3;

function remap(f: Found, map: OffsetMap, text: string): Found | undefined {
  const tok = (t: Token | null): Token | null | undefined => {
    if (!t) return null;
    const start = map(t.start);
    if (start === undefined) return undefined;
    const end = start + (t.end - t.start);
    return text.slice(start, end) === t.value ? { value: t.value, start, end } : undefined;
  };
  const value = tok(f.value);
  const digest = tok(f.digest);
  if (value === undefined || digest === undefined) return undefined;
  const out: Found = { ...f, value, digest, at: map(f.at) ?? f.at };
  if (f.digestInsertAt != null) out.digestInsertAt = map(f.digestInsertAt) ?? null;
  return out;
}

/**
 * Inner offset → outer offset. Block scalars: inner line i is outer body line i without its indentation. Quoted and
 * plain one-line strings: a fixed shift past the opening quote. Anything the map gets wrong is caught by `remap`.
 */
function offsetMap(text: string, type: string, start: number, end: number): OffsetMap {
  if (type !== 'BLOCK_LITERAL' && type !== 'BLOCK_FOLDED') {
    const shift = type === 'PLAIN' ? start : start + 1;
    return (o) => o + shift;
  }
  const bodyStart = text.indexOf('\n', start) + 1;
  const lineStarts: number[] = [];
  for (let i = bodyStart; i < end && i > 0; i = text.indexOf('\n', i) + 1) lineStarts.push(i);
  const indent = blockIndent(text, lineStarts);
  const innerStarts: number[] = [];
  // Inner lines are the outer body lines minus the indentation; blank lines may be shorter than the indentation.
  let innerPos = 0;
  for (const ls of lineStarts) {
    innerStarts.push(innerPos);
    const nl = text.indexOf('\n', ls);
    const lineEnd = nl < 0 ? text.length : nl;
    const len = Math.max(0, lineEnd - ls - indent) - (text[lineEnd - 1] === '\r' ? 1 : 0);
    innerPos += Math.max(0, len) + 1;
  }
  return (o) => {
    // The last inner line starting at or before `o` (binary search: a long string may have many findings).
    let line = 0;
    let hi = innerStarts.length - 1;
    while (line < hi) {
      const mid = (line + hi + 1) >> 1;
      if ((innerStarts[mid] ?? Infinity) <= o) line = mid;
      else hi = mid - 1;
    }
    const ls = lineStarts[line];
    const is = innerStarts[line];
    return ls === undefined || is === undefined ? undefined : ls + indent + (o - is);
  };
}

function blockIndent(text: string, lineStarts: number[]): number {
  for (const ls of lineStarts) {
    let i = ls;
    while (text[i] === ' ') i++;
    if (text[i] !== '\n' && text[i] !== '\r' && i < text.length) return i - ls;
  }
  return 0;
}
