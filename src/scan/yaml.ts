import { isAlias, isMap, isScalar, isSeq, parseAllDocuments, visit, type Document, type Node, type YAMLMap, type YAMLSeq } from 'yaml';
import { duplicateMessage, isDuplicateKey, parseLenient, parseTemplate } from './lenient.js';

/** The YAML 1.1 merge key: `image: {<<: *defaults, tag: 1.2.3}`. */
export const MERGE = '<<';
const MAX_MERGE_DEPTH = 8;

/** One YAML document that parsed cleanly; `contents` keeps node ranges into the file text. */
export interface YamlDoc {
  contents: Node | null;
  /** Offset of the document's first byte, for problems about the whole document. */
  start: number;
}

export interface YamlProblem {
  offset: number;
  message: string;
}

export interface ParsedYaml {
  docs: YamlDoc[];
  problems: YamlProblem[];
}

/**
 * Parses every document of a file. A document with errors (syntax, tab indentation) is left out and its errors come
 * back as problems; the other documents of the file are still scanned. Lenient where real files are not strict YAML:
 * - lines that are only Go-template actions (`{{- if .Values.x }}`, `{{- end }}`, Go-template comments) read as blank
 *   lines, so the literal rest of a template is scanned (offsets unchanged: the line is blanked, not removed);
 * - a document whose only errors are duplicate keys is scanned with every occurrence kept, and a problem per key.
 * An alias of a scalar is replaced by the anchored scalar itself (see `resolveScalarAliases`); aliases of maps and
 * sequences are never expanded.
 */
export function parseYaml(text: string, opts: { template?: boolean } = {}): ParsedYaml {
  const docs: YamlDoc[] = [];
  const problems: YamlProblem[] = [];
  // `tag: *tag`, `[*a, *b]`; not the `*` of `schedule: "0 3 * * *"` or `"*.example.com"` (no tree walk for those).
  const mayHaveAliases = /[\s[{,]\*[^\s,\]}*]/.test(text);
  const parsed = opts.template ? parseTemplate(text) : parseLenient(text);
  const lenient = new Map<string, Document.Parsed[]>();
  for (const [i, { doc: first, source }] of parsed.entries()) {
    let doc = first;
    if (doc.errors.length > 0 && doc.errors.every(isDuplicateKey)) {
      const again = lenient.get(source) ?? (parseAllDocuments(source, { uniqueKeys: false }) as Document.Parsed[]);
      lenient.set(source, again);
      if (again.length === parsed.length && again[i]?.errors.length === 0) {
        for (const err of doc.errors.slice(0, 3)) problems.push({ offset: err.pos[0], message: duplicateMessage(source, err.pos[0]) });
        doc = again[i] ?? doc;
      }
    }
    if (doc.errors.length > 0) {
      for (const err of doc.errors.slice(0, 3)) problems.push({ offset: err.pos[0], message: firstLine(err.message) });
      continue;
    }
    if (mayHaveAliases) resolveScalarAliases(doc);
    docs.push({ contents: doc.contents, start: doc.range[0] });
  }
  return { docs, problems };
}

/**
 * `tag: &tag 2024.8.1` … `tag: *tag`: the alias becomes the anchored scalar node, so both places read the version
 * from the anchor's token (one text to edit; the scan reports it once). Only scalars: replacing aliases of
 * collections would let an alias bomb expand.
 */
function resolveScalarAliases(doc: Document.Parsed): void {
  const anchors = new Map<string, Node>();
  visit(doc, {
    Scalar(_key, node) {
      if (node.anchor) anchors.set(node.anchor, node);
    },
    Alias(_key, node) {
      const target = anchors.get(node.source);
      return target && isScalar(target) ? target : undefined;
    },
    Collection(_key, node) {
      if (node.anchor) anchors.set(node.anchor, node);
    },
    Pair(_key, pair) {
      // `<<: *defaults`: the merged map, for `get` (walkers skip `<<`, so a merge chain is never walked twice).
      if (isScalar(pair.key) && pair.key.value === MERGE && isAlias(pair.value)) {
        const target = anchors.get(pair.value.source);
        if (!isMap(target)) return undefined;
        pair.value = target;
        // The merged map was visited where it is defined; visiting it again here would make merge chains quadratic.
        return visit.SKIP;
      }
      return undefined;
    },
  });
}

/**
 * Line breaks and flow entries (`,` `[` `{`) in `text`, counted up to just past `max`: `a: [1, 2]\n` has 3. Each is
 * about one syntax node, and the parser holds ~1 KB per node, so callers bound this before parsing text others wrote.
 */
export function countYamlItems(text: string, max: number): number {
  let n = 0;
  for (let i = 0; i < text.length && n <= max; i++) {
    const c = text.charCodeAt(i);
    if (c === 10 || c === 44 || c === 91 || c === 123) n++;
  }
  return n;
}

function firstLine(message: string): string {
  const i = message.indexOf('\n');
  return (i < 0 ? message : message.slice(0, i)).replace(/:$/, '');
}

/**
 * The value node under `key` in a map, or undefined. Keys compare by their scalar value; a key the map lacks is looked
 * up in the map it merges (`<<: *defaults`, resolved by `parseYaml`).
 */
export function get(node: unknown, key: string, depth = 0): Node | undefined {
  if (!isMap(node)) return undefined;
  let merged: unknown;
  for (const pair of node.items) {
    if (!isScalar(pair.key)) continue;
    if (pair.key.value === key) return (pair.value ?? undefined) as Node | undefined;
    if (pair.key.value === MERGE) merged = pair.value;
  }
  return merged !== undefined && depth < MAX_MERGE_DEPTH ? get(merged, key, depth + 1) : undefined;
}

/** Follows a path of keys through nested maps. */
export function getPath(node: unknown, ...keys: string[]): Node | undefined {
  let cur: unknown = node;
  for (const k of keys) {
    cur = get(cur, k);
    if (cur === undefined) return undefined;
  }
  return cur as Node;
}

/**
 * The scalar's value as written (`15.10` stays "15.10"; `~` and `null` are ""), or undefined for non-scalars. A block
 * scalar loses its final line breaks: `tag: |\n  1.4.2\n` is "1.4.2".
 */
export function str(node: unknown): string | undefined {
  if (!isScalar(node)) return undefined;
  if (node.value === null) return '';
  const value = typeof node.source === 'string' ? node.source : typeof node.value === 'string' ? node.value : undefined;
  return value !== undefined && isBlock(node.type) ? value.replace(/\n+$/, '') : value;
}

function isBlock(type: string | undefined): boolean {
  return type === 'BLOCK_LITERAL' || type === 'BLOCK_FOLDED';
}

export function asMap(node: unknown): YAMLMap | undefined {
  return isMap(node) ? node : undefined;
}

export function asSeq(node: unknown): YAMLSeq | undefined {
  return isSeq(node) ? node : undefined;
}

/** A scalar's text token: its value and where it sits in the file, when the value is spelled out verbatim there. */
export interface Token {
  value: string;
  start: number;
  end: number;
}

/**
 * The token of a scalar node. Plain scalars cover their range; quoted ones the inside of the quotes; a block scalar
 * whose content is one line (`tag: |-\n  1.4.2`) that line's text. Null when the value is not verbatim in the text
 * (escapes, multi-line folding, multi-line block scalars) — such a value cannot be spliced.
 */
export function token(text: string, node: unknown): Token | null {
  if (!isScalar(node) || !node.range) return null;
  const value = str(node);
  if (value === undefined) return null;
  const [from, to] = node.range;
  if (isBlock(node.type)) return blockToken(text, value, from, to);
  const quoted = node.type === 'QUOTE_DOUBLE' || node.type === 'QUOTE_SINGLE';
  if (node.type !== 'PLAIN' && !quoted) return null;
  const start = quoted ? from + 1 : from;
  const end = quoted ? to - 1 : to;
  return text.slice(start, end) === value ? { value, start, end } : null;
}

/** The one content line of a block scalar: after the header line and any blank lines, past the indentation. */
function blockToken(text: string, value: string, from: number, to: number): Token | null {
  if (value === '' || value.includes('\n')) return null;
  const header = text.indexOf('\n', from);
  if (header < 0 || header >= to) return null;
  const body = /\n(?:[ \t]*\r?\n)*(?<indent> *)/y;
  body.lastIndex = header;
  const m = body.exec(text);
  if (!m) return null;
  const start = m.index + m[0].length;
  const end = start + value.length;
  if (text.slice(start, end) !== value || text.slice(end, to).trim() !== '') return null;
  return { value, start, end };
}

/** Offset of a node's first byte (0 when unknown). */
export function offsetOf(node: unknown): number {
  const range = (node as { range?: [number, number, number] } | null)?.range;
  return range ? range[0] : 0;
}
