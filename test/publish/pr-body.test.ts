import { describe, expect, it } from 'vitest';
import type { BranchPlan } from '../../src/plan/types.js';
import { parseMarker } from '../../src/publish/identity.js';
import { commitMessage, prBody, prTitle, releaseNotes } from '../../src/publish/pr-body.js';
import type { Dependency } from '../../src/scan/types.js';
import { fakeDigest, updateOf } from '../edit/update-fixture.js';

function dep(file: string, name: string, value: string, digest: string | null = null): Dependency {
  return {
    file,
    line: 10,
    manager: 'kubernetes',
    datasource: 'docker',
    name,
    registryUrl: null,
    currentValue: value,
    currentDigest: digest,
    valueRange: { start: 0, end: value.length },
    digestRange: null,
  };
}

const OLD = fakeDigest('old');
const NEW = fakeDigest('new');

const branch: BranchPlan = {
  branchName: 'tidemark/web',
  title: 'Update web images',
  updates: [
    { ...updateOf(dep('apps/web.yaml', 'ghcr.io/acme/web', '1.4.2', OLD), '1.5.0', NEW), reason: '1.5.0 is the newest minor release', sourceUrl: 'https://github.com/acme/web.git' },
    { ...updateOf(dep('overlays/prod/web.yaml', 'ghcr.io/acme/web', '1.4.2', OLD), '1.5.0', NEW), reason: '1.5.0 is the newest minor release', sourceUrl: 'https://github.com/acme/web.git' },
    { ...updateOf(dep('apps/proxy.yaml', 'nginx', '1.25.3'), '1.25.3', NEW, 'pin'), reason: 'pinning the digest', homepage: 'https://nginx.org' },
  ],
};

describe('prBody', () => {
  it('renders the table, release notes, reasons and the hidden marker', () => {
    expect(prBody(branch, branch.updates)).toMatchInlineSnapshot(`
      "This PR updates the following dependencies:

      | Package | File(s) | Change | Type |
      |---|---|---|---|
      | \`ghcr.io/acme/web\` | \`apps/web.yaml\`<br>\`overlays/prod/web.yaml\` | \`1.4.2@sha256:711b2a86303f\` → \`1.5.0@sha256:52427767578c\` | minor |
      | \`nginx\` | \`apps/proxy.yaml\` | \`1.25.3\` → \`1.25.3@sha256:52427767578c\` | pin |

      ### Release notes

      - \`ghcr.io/acme/web\`: [releases](https://github.com/acme/web/releases)
      - \`nginx\`: [homepage](https://nginx.org)

      ### Why these versions

      - \`ghcr.io/acme/web\`: 1.5.0 is the newest minor release
      - \`nginx\`: pinning the digest

      ---
      Opened by Tidemark. It updates this branch while it holds only its own commits; push a commit of your own to take it over. Close this PR to skip this update.

      <!-- tidemark:update {"branch":"tidemark/web","updates":["ghcr.io/acme/web@1.5.0@sha256:52427767578c7c6ca19181b6a696cbbbabe0d0c0f5e5d50afaea1f0fff342414","nginx@1.25.3@sha256:52427767578c7c6ca19181b6a696cbbbabe0d0c0f5e5d50afaea1f0fff342414"],"files":["apps/proxy.yaml","apps/web.yaml","overlays/prod/web.yaml"]} -->
      "
    `);
  });

  it('carries a marker that reads back as the update identity', () => {
    expect(parseMarker(prBody(branch, branch.updates))).toEqual({
      branch: 'tidemark/web',
      updates: [`ghcr.io/acme/web@1.5.0@${NEW}`, `nginx@1.25.3@${NEW}`],
      files: ['apps/proxy.yaml', 'apps/web.yaml', 'overlays/prod/web.yaml'],
    });
  });
});

describe('releaseNotes', () => {
  it('links a GitHub source to its releases page and other sources as they are', () => {
    expect(releaseNotes({ sourceUrl: 'git+https://github.com/acme/web/tree/main/charts', homepage: null })).toEqual(['[releases](https://github.com/acme/web/releases)']);
    expect(releaseNotes({ sourceUrl: 'https://gitlab.com/acme/web', homepage: 'https://acme.dev' })).toEqual(['[source](https://gitlab.com/acme/web)', '[homepage](https://acme.dev)']);
  });
});

describe('commit messages', () => {
  it('lower-cases the title after a semantic prefix and ends with the Tidemark trailer', () => {
    expect(prTitle(branch, { commitMessagePrefix: 'chore(deps)' })).toEqual('chore(deps): update web images');
    expect(commitMessage(branch, branch.updates, { commitMessagePrefix: null }, 'abc123')).toEqual(
      [
        'Update web images',
        '',
        '- ghcr.io/acme/web 1.4.2@sha256:711b2a86303f → 1.5.0@sha256:52427767578c (apps/web.yaml, overlays/prod/web.yaml)',
        '- nginx 1.25.3 → 1.25.3@sha256:52427767578c (apps/proxy.yaml)',
        '',
        'Tidemark-Files: apps/proxy.yaml, apps/web.yaml, overlays/prod/web.yaml',
        'Tidemark-Update: abc123',
        '',
      ].join('\n'),
    );
  });
});
