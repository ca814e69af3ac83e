import { compileVersioning } from '../versions/pick.js';
import { regexErrorText } from '../versions/pattern.js';
import { isRegexLiteral, rangeProblem } from '../versions/range.js';
import { parseDuration } from './duration.js';
import { globProblem } from './glob.js';
import type { SchemaNode } from './schema.js';
import { didYouMean } from './suggest.js';

export type SchemaPath = (string | number)[];

/** One thing wrong with a value. `atKey`: the key itself is the problem (an unknown key), so point at it. */
export interface SchemaIssue {
  path: SchemaPath;
  message: string;
  atKey?: boolean;
}

/** Checks a plain value (parsed YAML) against the schema subset in `schema.ts`; every problem, never throws. */
export function validate(value: unknown, schema: SchemaNode, path: SchemaPath = []): SchemaIssue[] {
  const typeIssue = checkType(value, schema, path);
  if (typeIssue) return [typeIssue];
  if (Array.isArray(value)) return schema.items ? value.flatMap((v, i) => validate(v, schema.items!, [...path, i])) : [];
  if (isObject(value)) return validateObject(value, schema, path);
  if (typeof value === 'string') return validateString(value, schema, path);
  if (typeof value === 'number' && schema.minimum !== undefined && value < schema.minimum) {
    return [{ path, message: `${where(path)}must be at least ${schema.minimum}` }];
  }
  return [];
}

function validateObject(value: Record<string, unknown>, schema: SchemaNode, path: SchemaPath): SchemaIssue[] {
  const issues: SchemaIssue[] = [];
  const known = Object.keys(schema.properties ?? {});
  for (const [key, v] of Object.entries(value)) {
    const prop = schema.properties?.[key];
    if (prop) {
      for (const issue of validate(v, prop, [...path, key])) issues.push(issue);
    } else if (typeof schema.additionalProperties === 'object') {
      for (const issue of validate(v, schema.additionalProperties, [...path, key])) issues.push(issue);
    } else if (schema.additionalProperties === false) {
      const guess = didYouMean(key, known);
      const hint = guess ? `; did you mean "${guess}"?` : `; known keys: ${known.join(', ')}`;
      issues.push({ path: [...path, key], message: `unknown key "${key}"${path.length ? ` in ${formatPath(path)}` : ''}${hint}`, atKey: true });
    }
  }
  return issues;
}

function validateString(value: string, schema: SchemaNode, path: SchemaPath): SchemaIssue[] {
  const issue = (message: string): SchemaIssue[] => [{ path, message: `${where(path)}${message}` }];
  if (schema.enum && !schema.enum.includes(value)) {
    const guess = didYouMean(value, schema.enum);
    return issue(`"${value}" is not one of ${schema.enum.join(', ')}${guess ? `; did you mean "${guess}"?` : ''}`);
  }
  const problem = formatProblem(value, schema.format);
  if (problem) return issue(problem);
  if (!schema.format && schema.pattern && !new RegExp(schema.pattern).test(value)) return issue(`"${value}" does not match ${schema.pattern}`);
  return [];
}

function formatProblem(value: string, format: string | undefined): string | null {
  switch (format) {
    case 'regex':
      return regexProblem(value);
    case 'package-pattern':
      return isRegexLiteral(value) ? rangeProblem(value) : globProblem(value);
    case 'glob':
      return globProblem(value);
    case 'version-range':
      return rangeProblem(value);
    case 'uri':
      return /^https?:\/\/[^\s/]+/i.test(value) && value.length <= 2048 ? null : `"${value}" is not an http(s) URL`;
    case 'duration':
      return parseDuration(value) === null ? `"${value}" is not a duration like "3 days", "12h", "30m" or "1 week"` : null;
    default:
      return null;
  }
}

/** A `versioning` regex (`/…/i` or a plain source) RE2 cannot run, with the reason, at load time. */
function regexProblem(value: string): string | null {
  try {
    compileVersioning(value);
    return null;
  } catch (err) {
    return `invalid regex ${value}: ${regexErrorText(err)}`;
  }
}

function checkType(value: unknown, schema: SchemaNode, path: SchemaPath): SchemaIssue | null {
  if (schema.type === undefined) return null;
  const allowed: readonly string[] = typeof schema.type === 'string' ? [schema.type] : schema.type;
  const actual = typeOf(value);
  if (allowed.includes(actual) || (actual === 'integer' && allowed.includes('number'))) return null;
  const article = (t: string): string => (/^[aeiou]/.test(t) ? `an ${t}` : t === 'null' ? 'null' : `a ${t}`);
  return { path, message: `${where(path)}expected ${allowed.map(article).join(' or ')}, got ${article(actual)}` };
}

function typeOf(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  return typeof value;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** `rules[0].match.managers[1]` */
export function formatPath(path: SchemaPath): string {
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? p : `.${p}`)).join('');
}

function where(path: SchemaPath): string {
  return path.length ? `${formatPath(path)}: ` : '';
}
