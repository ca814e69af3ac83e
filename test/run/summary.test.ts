import { describe, expect, it } from 'vitest';
import { summaryMarkdown } from '../../src/cli/action-summary.js';
import { formatSummary, summaryJsonText } from '../../src/cli/run-summary.js';
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

  it('says what a dry run would open, and masks a secret a problem quotes', () => {
    const summary: RunSummary = {
      repo: 'acme/gitops',
      opened: [],
      updated: [],
      closed: [],
      skipped: [{ branch: 'tidemark/redis-7.x', pr: null, detail: 'no file could be edited' }],
      wouldOpen: [
        { branch: 'tidemark/nginx-1.x', pr: null, detail: 'dry run: nothing pushed' },
        { branch: 'tidemark/podinfo-6.x', pr: null, detail: 'dry run: nothing pushed' },
      ],
      problems: [{ file: '', line: 0, message: 'remote said: token s3cr3t-value rejected' }],
      partialFailure: true,
      plan: { updates: [], unchanged: [], problems: [], branches: [] },
    };
    expect(formatSummary(summary, true, ['s3cr3t-value']).split('\n')).toEqual([
      'Dry run of acme/gitops: would open 2, 1 skipped, 1 problem (partial failure)',
      '  would open tidemark/nginx-1.x — dry run: nothing pushed',
      '  would open tidemark/podinfo-6.x — dry run: nothing pushed',
      '  skipped    tidemark/redis-7.x — no file could be edited',
      '  problem    remote said: token *** rejected',
      '',
    ]);
  });

  it('says in the Action job summary what a dry run would open', () => {
    const summary: RunSummary = {
      repo: 'acme/gitops', opened: [], updated: [], closed: [], skipped: [],
      wouldOpen: [{ branch: 'tidemark/nginx-1.x', pr: null, detail: 'dry run: nothing pushed' }],
      problems: [], partialFailure: false, plan: { updates: [], unchanged: [], problems: [], branches: [] },
    };
    expect(summaryMarkdown(summary, { dryRun: true }).split('\n')[2]).toEqual('Would open 1 · left alone 0 (dry run: nothing was pushed)');
  });

  it('keeps what a hostile repository or registry wrote on its own line, inert on a terminal, with no credential shown', () => {
    // A file name and a registry's error text that try to forge a summary line, clear the screen, set the clipboard
    // (OSC 52) and show a URL with a password.
    const summary: RunSummary = {
      repo: 'https://bot:ghp_urlsecret@git.example.com/acme/gitops.git',
      opened: [], updated: [], closed: [],
      skipped: [{ branch: 'tidemark/x\n  opened   tidemark/forged #1', pr: null, detail: 'up to date\u001b[2J' }],
      problems: [{ file: 'apps/a\r.yaml', line: 1, message: 'quay.io said \u001b]52;c;ZXZpbA==\u0007 token s3cr3t-value\u009b31m at https://u:pw@quay.io/v2/' }],
      partialFailure: true,
      plan: { updates: [], unchanged: [], problems: [], branches: [] },
    };
    const text = formatSummary(summary, false, ['s3cr3t-value']);
    expect(text).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/);
    expect(text.split('\n').filter((l) => /^ {2}opened/.test(l))).toEqual([]);
    expect(text).not.toContain('ghp_urlsecret');
    expect(text).not.toContain('s3cr3t-value');
    expect(text).not.toContain(':pw@');
    expect(text.split('\n')).toHaveLength(4);
    const json = summaryJsonText(summary, false, ['s3cr3t-value']);
    for (const secret of ['ghp_urlsecret', 's3cr3t-value', ':pw@']) expect(json).not.toContain(secret);
    // JSON escapes the control characters; the text is kept, only secrets are masked.
    expect((JSON.parse(json) as { skipped: { branch: string }[] }).skipped[0]!.branch).toEqual('tidemark/x\n  opened   tidemark/forged #1');
  });
});

