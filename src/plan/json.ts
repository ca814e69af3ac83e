import { imageNameSpellings } from '../config/rules.js';
import { oneLine } from '../escape.js';
import type { Explanation, Plan } from './types.js';

/** The `--json` / plan-file contract: key order as documented, nothing else. */
export function planToJson(plan: Plan): object {
  return {
    updates: plan.updates.map((u) => ({
      file: u.dependency.file,
      line: u.dependency.line,
      manager: u.dependency.manager,
      name: u.dependency.name,
      currentValue: u.dependency.currentValue,
      newValue: u.newValue,
      currentDigest: u.dependency.currentDigest,
      newDigest: u.newDigest,
      updateType: u.updateType,
      group: u.group,
    })),
    unchanged: plan.unchanged.map((u) => ({
      file: u.dependency.file,
      line: u.dependency.line,
      name: u.dependency.name,
      currentValue: u.dependency.currentValue,
      reason: u.reason,
    })),
    problems: plan.problems.map((p) => ({ file: p.file, line: p.line, message: p.message })),
  };
}

/** The explanations recorded for `name` (every file it appears in); empty when it was not asked for or not found. */
export function explain(plan: Plan, name: string): Explanation[] {
  // createPlan records only the asked-for package (under any spelling of its name), so every recorded one is it.
  return (plan.explanations ?? []).filter((e) => e.name === name || imageNameSpellings(e.name).includes(name) || imageNameSpellings(name).includes(e.name));
}

/** `--explain` as text: one block per occurrence, one line per candidate. */
export function explanationText(explanations: readonly Explanation[]): string {
  const lines: string[] = [];
  for (const e of explanations) {
    lines.push(oneLine(`${e.file}:${e.line} ${e.name} ${e.currentValue ?? '(no tag)'}: ${e.outcome}`));
    const width = e.candidates.reduce((w, c) => Math.max(w, c.version.length), 0);
    for (const c of e.candidates) lines.push(oneLine(`  ${c.version.padEnd(width)}  ${c.verdict.padEnd(8)}  ${c.reason}`));
    lines.push('');
  }
  return lines.join('\n');
}
