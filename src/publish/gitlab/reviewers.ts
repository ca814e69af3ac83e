import type { TidemarkConfig } from '../../config/types.js';
import type { Problem } from '../../scan/types.js';

/**
 * GitLab's merge request API takes reviewers as user ids (`reviewer_ids`); there is no group reviewer, and
 * requesting every member of a group would ask dozens of people at once. A GitHub-style team (`org/team`, any name
 * with a slash: GitLab usernames have none) is refused when the config is loaded, naming the rule and the line, so it
 * is not silently dropped from every MR.
 *
 *   rules: [{ reviewers: [ann, platform/sre] }]   → .tidemark.yaml:3: rules[0].reviewers: "platform/sre" is a group …
 */
export function gitlabReviewerProblems(config: TidemarkConfig, file: string, text: string | null): Problem[] {
  const problems: Problem[] = [];
  for (const [i, rule] of config.rules.entries()) {
    for (const reviewer of rule.reviewers ?? []) {
      if (!reviewer.includes('/')) continue;
      problems.push({
        file,
        line: lineOf(text, reviewer),
        message:
          `rules[${i}].reviewers: "${reviewer}" is a group, and GitLab merge request reviewers are users only; ` +
          'list the people by username, or require the group with an approval rule or CODEOWNERS',
      });
    }
  }
  return problems;
}

/** The first line that names `value` as a YAML scalar (plain or quoted); 0 when it cannot be told. */
function lineOf(text: string | null, value: string): number {
  if (text === null) return 0;
  const lines = text.split('\n');
  const index = lines.findIndex((l) => l.split(/[\s,[\]'"]+/).includes(value));
  return index + 1;
}
