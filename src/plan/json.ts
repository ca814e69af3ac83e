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
      risks: (u.risks ?? []).map((r) => (r.path === undefined ? { kind: r.kind, message: r.message } : { kind: r.kind, message: r.message, path: r.path })),
      changes: (u.changes ?? []).map((c) => ({ kind: c.kind, description: c.description })),
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

/**
 * `--explain` as text: one block per occurrence, one row per candidate with how it reads (family, version, build) and
 * why it was taken or rejected. Each line goes through oneLine: a reason may quote a repository's config.
 */
export function explanationText(explanations: readonly Explanation[]): string {
  const lines: string[] = [];
  for (const e of explanations) {
    lines.push(oneLine(`${e.file}:${e.line} ${e.name} ${e.currentValue ?? '(no tag)'}: ${e.outcome}`));
    const rows = [
      ['CANDIDATE', 'VERDICT', 'FAMILY', 'VERSION', 'BUILD', 'REASON'],
      ...e.candidates.map((c) => [c.version, c.verdict, c.reading?.family ?? '-', c.reading?.version ?? '-', c.reading?.build ?? '-', c.reason]),
    ];
    const widths = rows[0]!.map((_, i) => rows.reduce((w, r) => Math.max(w, (r[i] ?? '').length), 0));
    // A failed lookup has no candidates: no header over an empty table.
    if (e.candidates.length > 0) for (const r of rows) lines.push(oneLine(`  ${r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i] ?? 0))).join('  ')}`));
    // Chart review (docs/review.md): paths and messages quote the user's values and the chart's schema.
    // Two updates (a minor and a major) each get a heading: their changes overlap, and each has its own risks.
    const reviews = e.reviews ?? [];
    const indent = reviews.length > 1 ? '    ' : '  ';
    for (const r of reviews) {
      const found = r.risks.length + r.changes.length > 0;
      if (reviews.length > 1) lines.push(oneLine(`  update to ${r.newValue}:${found ? '' : ' no risks or changes found'}`));
      for (const k of r.risks) lines.push(oneLine(`${indent}risk ${k.kind}: ${k.message}`));
      for (const c of r.changes) lines.push(oneLine(`${indent}change ${c.kind}: ${c.description}`));
    }
    lines.push('');
  }
  return lines.join('\n');
}
