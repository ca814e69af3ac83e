import { describe, expect, it } from 'vitest';
import { formatSummary } from '../../src/cli/commands/run.js';
import type { RunSummary } from '../../src/run-types.js';

describe('formatSummary', () => {
  it('counts each outcome and lists branches and problems one per line', () => {
    const summary: RunSummary = {
      repo: 'acme/gitops',
      opened: [{ branch: 'tidemark/nginx-1.x', pr: { number: 7, url: 'https://github.com/acme/gitops/pull/7' }, detail: 'PR opened' }],
      updated: [],
      closed: [{ branch: 'tidemark/redis-7.x', pr: { number: 3, url: 'https://github.com/acme/gitops/pull/3' }, detail: 'no longer needed; PR closed' }],
      skipped: [{ branch: 'tidemark/podinfo-6.x', pr: null, detail: 'up to date' }],
      problems: [{ file: 'apps/web.yaml', line: 12, message: 'could not update nginx to 1.27.0: the file no longer reads the scanned version' }],
      partialFailure: true,
      plan: { updates: [], unchanged: [], problems: [], branches: [] },
    };
    expect(formatSummary(summary).split('\n')).toEqual([
      'acme/gitops: 1 opened, 0 updated, 1 closed, 1 skipped, 1 problem (partial failure)',
      '  opened   tidemark/nginx-1.x #7 https://github.com/acme/gitops/pull/7 — PR opened',
      '  closed   tidemark/redis-7.x #3 https://github.com/acme/gitops/pull/3 — no longer needed; PR closed',
      '  skipped  tidemark/podinfo-6.x — up to date',
      '  problem  apps/web.yaml:12: could not update nginx to 1.27.0: the file no longer reads the scanned version',
      '',
    ]);
  });

  it('says how many branches each PR limit held back, by the config key that sets it', () => {
    const held = (branch: string, heldBy: 'prHourlyLimit' | 'prConcurrentLimit') => ({
      branch,
      pr: null,
      detail: heldBy === 'prHourlyLimit' ? 'hourly PR limit (2) reached' : 'concurrent PR limit (10) reached',
      heldBy,
    });
    const summary: RunSummary = {
      repo: 'acme/gitops',
      opened: [],
      updated: [],
      closed: [],
      skipped: [held('tidemark/a-1.x', 'prHourlyLimit'), held('tidemark/b-1.x', 'prHourlyLimit'), held('tidemark/c-1.x', 'prConcurrentLimit')],
      problems: [],
      partialFailure: false,
      plan: { updates: [], unchanged: [], problems: [], branches: [] },
    };
    expect(formatSummary(summary).split('\n').slice(0, 3)).toEqual([
      'acme/gitops: 0 opened, 0 updated, 0 closed, 3 skipped, 0 problems',
      '  limits   held back by prConcurrentLimit: 1 branch',
      '  limits   held back by prHourlyLimit: 2 branches',
    ]);
  });
});
