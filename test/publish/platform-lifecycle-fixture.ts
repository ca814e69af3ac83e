import { DEFAULT_CONFIG } from '../../src/config/types.js';
import type { Logger } from '../../src/log.js';
import type { BranchPlan, Plan } from '../../src/plan/types.js';
import { syncDashboard } from '../../src/publish/dashboard.js';
import { publish } from '../../src/publish/lifecycle.js';
import type { Platform } from '../../src/publish/types.js';
import { scanFiles } from '../../src/scan/index.js';
import { updateOf } from '../edit/update-fixture.js';

/** Shared by the GitHub and GitLab lifecycle tests: the same repository and plans, driven through each platform. */
export function deployment(image: string): string {
  return `apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web # keep\nspec:\n  template:\n    spec:\n      containers:\n        - name: web\n          image: ${image}\n`;
}

export const FILES = {
  'apps/web.yaml': deployment('nginx:1.25.3'),
  'overlays/prod/web.yaml': deployment('nginx:1.25.3'),
  'apps/cache.yaml': deployment('redis:7.0.1'),
};

/** The same plan with every update asking for these reviewers, assignees and automerge, as a matching rule would. */
export function withRule(plan: Plan, rule: { reviewers?: string[]; assignees?: string[]; automerge?: boolean }): Plan {
  const apply = <T extends object>(u: T): T => ({ ...u, reviewers: rule.reviewers ?? [], assignees: rule.assignees ?? [], automerge: rule.automerge ?? false });
  return { ...plan, updates: plan.updates.map(apply), branches: plan.branches.map((b) => ({ ...b, updates: b.updates.map(apply) })) };
}

/** One branch per package, `tidemark/<name>-<major>.x`, moving it in every file it appears in. */
export function planFor(files: Record<string, string>, bumps: Record<string, string>): Plan {
  const deps = scanFiles(Object.entries(files).map(([path, text]) => ({ path, text }))).dependencies;
  const branches: BranchPlan[] = Object.entries(bumps).map(([name, version]) => ({
    branchName: `tidemark/${name}-${version.split('.')[0]}.x`,
    title: `Update ${name} to ${version}`,
    updates: deps.filter((d) => d.name === name).map((d) => ({ ...updateOf(d, version), labels: ['dependencies'] })),
  }));
  return { updates: branches.flatMap((b) => b.updates), unchanged: [], problems: [], branches };
}

/**
 * One scheduled run of `publish` through `platform`; `requests` is the fake's request log, of which the writes this
 * run sent are returned. Files must come from the base commit through the platform, never from the checkout.
 */
export async function publishThrough<L extends Logger>(
  platform: Platform,
  requests: readonly { call: string }[],
  plan: Plan,
  logger: L,
  opts: { dashboard?: boolean } = {},
) {
  const from = requests.length;
  const summary = await publish(platform, plan, {
    dir: '/checkout',
    config: DEFAULT_CONFIG,
    dryRun: false,
    logger,
    print: () => undefined,
    readFile: async () => {
      throw new Error(`the ${platform.kind} run must read files from the base commit, not the checkout`);
    },
  });
  // As run.ts does after publishing: the dashboard issue gets the run's outcome.
  if (opts.dashboard) await syncDashboard(platform, { repo: 'r', ...summary, plan }, { ...DEFAULT_CONFIG, dashboard: true }, logger);
  const writes = requests.slice(from).filter((r) => !r.call.startsWith('GET ')).map((r) => r.call);
  const outcome = (list: typeof summary.opened) => list.map((o) => [o.branch, o.pr?.number ?? null, o.detail]);
  return {
    summary: { opened: outcome(summary.opened), updated: outcome(summary.updated), closed: outcome(summary.closed), skipped: outcome(summary.skipped) },
    problems: summary.problems,
    partialFailure: summary.partialFailure,
    writes,
    logger,
  };
}
