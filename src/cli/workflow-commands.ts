import * as core from '@actions/core';
import { neutraliseWorkflowCommands, oneLine } from '../escape.js';
import { UsageError } from '../errors.js';
import type { Problem } from '../scan/types.js';

/**
 * What Tidemark adds to `@actions/core`, which speaks the runner protocol (inputs from `INPUT_*`, outputs and the job
 * summary through the files `GITHUB_OUTPUT` and `GITHUB_STEP_SUMMARY` name, `::command::` lines on stdout, each
 * escaped): inputs that fail as usage errors, text that must never act as a command, folded groups and capped
 * annotations. Every line another party wrote goes out through `untrusted`, never through `core.info` directly.
 */

/**
 * Annotations of one level per step: the runner shows at most 10 errors and 10 warnings of a step on the run page,
 * so the 11th and later would be lost anyway; one more line says how many were left out and where they are.
 */
export const MAX_ANNOTATIONS = 10;

/** YAML 1.2 core booleans, as `@actions/core` reads them; empty is `fallback`; anything else is a usage error. */
export function booleanInput(name: string, fallback: boolean): boolean {
  const value = core.getInput(name);
  if (value === '') return fallback;
  try {
    return core.getBooleanInput(name);
  } catch {
    throw new UsageError(`input "${name}": "${value}" is not a boolean (true or false)`);
  }
}

/** One of `choices`; empty is `fallback`: `fail-on: sometimes` → `input "fail-on": "sometimes" is not one of …`. */
export function choiceInput<T extends string>(name: string, choices: readonly T[], fallback: T): T {
  const value = core.getInput(name);
  if (value === '') return fallback;
  const choice = choices.find((c) => c === value);
  if (choice === undefined) throw new UsageError(`input "${name}": "${value}" is not one of ${choices.join(', ')}`);
  return choice;
}

/**
 * Text a repository, registry or platform may have written (log lines, diffs, error messages), printed as text: no
 * line of it is read as a `::command` or `##[command]` by the runner (src/escape.ts).
 */
export function untrusted(text: string): void {
  // core.info ends the text with a line break: one it already ends with would print an empty line.
  core.info(neutraliseWorkflowCommands(text.replace(/\r?\n$/, '')));
}

/** Long output folded under one line in the log; the title is one line that cannot act as a command either. */
export function folded(title: string, text: string): void {
  core.startGroup(neutraliseWorkflowCommands(oneLine(title)));
  try {
    untrusted(text);
  } finally {
    core.endGroup();
  }
}

/**
 * One annotation per problem at its file and line, at most MAX_ANNOTATIONS, then one line for the rest:
 * `and 57 more problems: every one is in the job summary and in the log`. Messages are command data, which core
 * escapes (`%`, CR, LF; `:` and `,` in properties), so a message cannot end the command or start another.
 */
export function annotate(level: 'error' | 'warning', problems: readonly Problem[], title: string): void {
  const emit = level === 'error' ? core.error : core.warning;
  for (const p of problems.slice(0, MAX_ANNOTATIONS)) emit(p.message, { file: p.file, startLine: p.line, title });
  const more = problems.length - MAX_ANNOTATIONS;
  if (more > 0) emit(`and ${more} more ${more === 1 ? 'problem' : 'problems'}: every one is in the job summary and in the log`, { title });
}

/** Appends to the job summary when the runner gives one (`GITHUB_STEP_SUMMARY`); elsewhere does nothing. */
export async function appendSummary(markdown: string): Promise<void> {
  if (!process.env.GITHUB_STEP_SUMMARY) return;
  await core.summary.addRaw(markdown, !markdown.endsWith('\n')).write();
}
