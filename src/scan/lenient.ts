import { parseAllDocuments, type Document } from 'yaml';

/** One parsed document and the text it was parsed from (the file, or the file with its template lines blanked). */
export interface SourcedDoc {
  doc: Document.Parsed;
  source: string;
}

/**
 * The documents of `text`; a document that is not YAML but holds Go-template lines is read again with those lines
 * blanked (`blankTemplateLines`). Only then: a template line inside a block scalar (`description: |` holding
 * `{{- if .Alerts }}`) is text, and blanking it first would break the scalar.
 */
export function parseLenient(text: string): SourcedDoc[] {
  const strict = parseFrom(text);
  if (!text.includes('{{') || !strict.some(broken)) return strict;
  const blanked = parseFrom(blankTemplateLines(text));
  if (blanked.length === strict.length) return strict.map((s, i) => (broken(s) ? (blanked[i] ?? s) : s));
  const failing = (docs: { doc: Document.Parsed }[]) => docs.filter(({ doc }) => doc.errors.length > 0).length;
  return failing(blanked) < failing(strict) ? blanked : strict;
}

/**
 * A chart template: read with its template-only lines blanked first (nearly every template has them, and the YAML
 * parser is slow to recover from them); a document that then fails is read again as written.
 */
export function parseTemplate(text: string): SourcedDoc[] {
  const blanked = parseFrom(blankTemplateLines(text));
  if (!blanked.some(broken)) return blanked;
  const strict = parseFrom(text);
  if (strict.length !== blanked.length) return blanked;
  return blanked.map((b, i) => (broken(b) && strict[i]?.doc.errors.length === 0 ? (strict[i] ?? b) : b));
}

function parseFrom(source: string): SourcedDoc[] {
  return (parseAllDocuments(source) as Document.Parsed[]).map((doc) => ({ doc, source }));
}

/** A document with errors other than duplicate keys (parseYaml reads past those). */
function broken({ doc }: SourcedDoc): boolean {
  return doc.errors.some((e) => !isDuplicateKey(e));
}

export function isDuplicateKey(err: { code: string }): boolean {
  return err.code === 'DUPLICATE_KEY';
}

export function duplicateMessage(text: string, offset: number): string {
  const key = /^[^:\n]{1,100}/.exec(text.slice(offset, offset + 101))?.[0]?.trim() ?? '';
  return `duplicate key${key ? ` "${key.replace(/[^\x20-\x7e]/g, '?')}"` : ''}: every occurrence is scanned (YAML 1.2 allows one)`;
}

/**
 * The text with every line that holds only Go-template actions turned into spaces (line breaks kept, so every offset
 * stays the same). `{{- if .Values.enabled }}`, `  {{- include "labels" . | nindent 4 }}`, and Go-template comments
 * that run over several lines (`{{/*` up to the line that closes them). A line with anything else on it (`image: {{ .Values.image }}`) is kept.
 */
export function blankTemplateLines(text: string): string {
  const out: string[] = [];
  let pos = 0;
  let inComment = false;
  while (pos < text.length) {
    const nl = text.indexOf('\n', pos);
    const end = nl < 0 ? text.length : nl;
    const line = text.slice(pos, end);
    if (inComment) {
      inComment = !/\*\/\s*-?\}\}/.test(line);
      out.push(blank(line));
    } else if (line.includes('{{') && isTemplateOnly(line)) {
      out.push(blank(line));
    } else if (/^\s*\{\{-?\s*\/\*/.test(line) && !line.includes('*/')) {
      inComment = true;
      out.push(blank(line));
    } else {
      out.push(line);
    }
    pos = end + 1;
  }
  const joined = out.join('\n');
  return joined.length === text.length ? joined : joined + text.slice(joined.length);
}

function blank(line: string): string {
  return line.endsWith('\r') ? ' '.repeat(line.length - 1) + '\r' : ' '.repeat(line.length);
}

/** `  {{- end }}` or `{{ if x }}{{ end }}`: only actions and spaces. Linear: each `}}` is found by indexOf. */
function isTemplateOnly(line: string): boolean {
  let i = 0;
  for (;;) {
    while (i < line.length && (line[i] === ' ' || line[i] === '\t' || line[i] === '\r')) i++;
    if (i >= line.length) return true;
    if (!line.startsWith('{{', i)) return false;
    const close = line.indexOf('}}', i + 2);
    if (close < 0) return false;
    i = close + 2;
  }
}
