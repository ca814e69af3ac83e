import { randomUUID } from 'node:crypto';
import { appendFileSync } from 'node:fs';
import { UsageError } from '../errors.js';

/**
 * The GitHub Actions runner protocol, which is small enough not to need `@actions/core`: inputs arrive as
 * `INPUT_<NAME>` variables, outputs and the job summary go to files named by `GITHUB_OUTPUT` and
 * `GITHUB_STEP_SUMMARY`, and annotations and masks are `::command props::data` lines on stdout.
 */
export interface Runner {
  env: NodeJS.ProcessEnv;
  /** stdout, where workflow commands are read from. */
  write: (line: string) => void;
}

/** The runner upper-cases the name and turns spaces into `_`, but keeps hyphens: `dry-run` → `INPUT_DRY-RUN`. */
export function getInput(runner: Runner, name: string): string {
  return (runner.env[`INPUT_${name.replace(/ /g, '_').toUpperCase()}`] ?? '').trim();
}

/** YAML 1.2 core booleans, as `@actions/core` reads them; empty is `fallback`. */
export function getBooleanInput(runner: Runner, name: string, fallback: boolean): boolean {
  const value = getInput(runner, name);
  if (value === '') return fallback;
  if (['true', 'True', 'TRUE'].includes(value)) return true;
  if (['false', 'False', 'FALSE'].includes(value)) return false;
  throw new UsageError(`input "${name}": "${value}" is not a boolean (true or false)`);
}

/** `%`, CR and LF in a command's data: `50%\nfoo` → `50%25%0Afoo`. */
export function escapeData(text: string): string {
  return text.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

/** Property values also escape `:` and `,`, which separate properties: `a:b,c` → `a%3Ab%2Cc`. */
export function escapeProperty(text: string): string {
  return escapeData(text).replace(/:/g, '%3A').replace(/,/g, '%2C');
}

export type AnnotationLevel = 'error' | 'warning' | 'notice';

export interface AnnotationProps {
  file?: string;
  line?: number;
  title?: string;
}

/** `::error file=.tidemark.yaml,line=3,title=Tidemark config::message`. */
export function annotation(level: AnnotationLevel, message: string, props: AnnotationProps = {}): string {
  const parts: string[] = [];
  if (props.file !== undefined) parts.push(`file=${escapeProperty(props.file)}`);
  if (props.line !== undefined) parts.push(`line=${props.line}`);
  if (props.title !== undefined) parts.push(`title=${escapeProperty(props.title)}`);
  return `::${level}${parts.length > 0 ? ' ' + parts.join(',') : ''}::${escapeData(message)}`;
}

/** The runner replaces the value with `***` in every later log line. */
export function mask(runner: Runner, secret: string): void {
  if (secret !== '') runner.write(`::add-mask::${escapeData(secret)}`);
}

/** `name=value`, or a heredoc with a random delimiter when the value has a line break. */
export function setOutput(runner: Runner, name: string, value: string): void {
  const file = runner.env.GITHUB_OUTPUT;
  if (!file) return;
  if (!/[\r\n]/.test(value)) {
    appendFileSync(file, `${name}=${value}\n`);
    return;
  }
  const delimiter = `ghadelimiter_${randomUUID()}`;
  appendFileSync(file, `${name}<<${delimiter}\n${value}\n${delimiter}\n`);
}

export function appendSummary(runner: Runner, markdown: string): void {
  const file = runner.env.GITHUB_STEP_SUMMARY;
  if (file) appendFileSync(file, markdown.endsWith('\n') ? markdown : markdown + '\n');
}
