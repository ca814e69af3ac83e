import { describe, expect, it } from 'vitest';
import type { BranchPlan } from '../../src/plan/types.js';
import { blockedMarker, markerFor, parseBlocked, parseFilesTrailer, parseMarker, parseTrailer } from '../../src/publish/identity.js';
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
      | [\`ghcr.io/acme/web\`](https://github.com/acme/web) | \`apps/web.yaml\`<br>\`overlays/prod/web.yaml\` | \`1.4.2@sha256:711b2a86303f\` → \`1.5.0@sha256:52427767578c\` | minor |
      | [\`nginx\`](https://nginx.org/) | \`apps/proxy.yaml\` | \`1.25.3\` → \`1.25.3@sha256:52427767578c\` | pin |

      ### Why these versions

      - \`ghcr.io/acme/web\`: 1.5.0 is the newest minor release
      - \`nginx\`: pinning the digest

      ### Release notes

      #### \`ghcr.io/acme/web\` 1.4.2 → 1.5.0

      [releases](https://github.com/acme/web/releases)

      ### Configuration

      - **Automerge**: off: no rule sets \`automerge: true\` for these updates. Merge it by hand.
      - **Schedule**: Tidemark refreshes this PR each time it runs (on its operator's schedule): rebased on the base branch, and moved on when a newer version comes out.
      - **Closing** this PR skips these versions: it is not reopened; a newer version opens a new PR.
      - **Pushing** a commit of your own takes the branch over: Tidemark stops updating it.

      ---
      Opened by Tidemark.

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
    expect(releaseNotes({ sourceUrl: 'https://gitlab.com/acme/web', homepage: 'https://acme.dev' })).toEqual(['[source](https://gitlab.com/acme/web)', '[homepage](https://acme.dev/)']);
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

describe('hostile registry and repository text', () => {
  const FORGED = '<!-- tidemark:update {"branch":"tidemark/web","updates":[]} -->';
  const hostile: BranchPlan = {
    branchName: 'tidemark/evil',
    title: 'Update evil\nTidemark-Update: 0000',
    updates: [
      {
        ...updateOf(dep('apps/a|b.yaml', 'evil/`x`|y', '1.0.0'), '1.1.0\n# Approved by security'),
        reason: `\n# Approved by security\n@org/security ![x](https://evil/p.png) <img src=x> ${FORGED} fixes #12`,
        sourceUrl: 'javascript:alert(1)',
        homepage: 'https://x)](javascript:alert(1))',
      },
      { ...updateOf(dep('apps/b.yaml', 'ok', '1.0.0'), '2.0.0'), sourceUrl: 'https://github.com/acme/ok)](javascript:x)', homepage: 'https://a.example/(p) q' },
    ],
  };

  it('escapes every value so nothing renders as a link, image, heading, mention, HTML or marker', () => {
    expect(prBody(hostile, hostile.updates)).toMatchInlineSnapshot(`
      "This PR updates the following dependencies:

      | Package | File(s) | Change | Type |
      |---|---|---|---|
      | \`\`evil/\`x\`\\|y\`\` | \`apps/a\\|b.yaml\` | \`1.0.0\` → \`1.1.0 # Approved by security\` | minor |
      | [\`ok\`](https://github.com/acme/ok%29%5D%28javascript:x%29) | \`apps/b.yaml\` | \`1.0.0\` → \`2.0.0\` | minor |

      ### Why these versions

      - \`\`evil/\`x\`\\|y\`\`:  \\# Approved by security @&#8203;org/security \\!\\[x\\]\\(https://evil/p.png\\) &lt;img src=x&gt; &lt;\\!-- tidemark:update {"branch":"tidemark/web","updates":\\[\\]} --&gt; fixes \\#&#8203;12
      - \`ok\`: test

      ### Release notes

      #### \`\`evil/\`x\`|y\`\` 1.0.0 → 1.1.0 \\# Approved by security

      source: javascript:alert\\(1\\) · homepage: https://x\\)\\]\\(javascript:alert\\(1\\)\\)

      #### \`ok\` 1.0.0 → 2.0.0

      [source](https://github.com/acme/ok%29%5D%28javascript:x%29) · [homepage](https://a.example/%28p%29%20q)

      ### Configuration

      - **Automerge**: off: no rule sets \`automerge: true\` for these updates. Merge it by hand.
      - **Schedule**: Tidemark refreshes this PR each time it runs (on its operator's schedule): rebased on the base branch, and moved on when a newer version comes out.
      - **Closing** this PR skips these versions: it is not reopened; a newer version opens a new PR.
      - **Pushing** a commit of your own takes the branch over: Tidemark stops updating it.

      ---
      Opened by Tidemark.

      <!-- tidemark:update {"branch":"tidemark/evil","updates":["evil/\`x\`|y@1.1.0\\n# Approved by security","ok@2.0.0"],"files":["apps/a|b.yaml","apps/b.yaml"]} -->
      "
    `);
  });

  it('keeps the only "<!-- tidemark:" in the body on its last line, and reads that one back', () => {
    const body = prBody(hostile, hostile.updates);
    expect(body.split('<!-- tidemark:').length).toEqual(2);
    expect(body.trimEnd().split('\n').at(-1)).toMatch(/^<!-- tidemark:update /);
    expect(parseMarker(body)).toEqual({ branch: 'tidemark/evil', updates: ['evil/`x`|y@1.1.0\n# Approved by security', 'ok@2.0.0'], files: ['apps/a|b.yaml', 'apps/b.yaml'] });
  });

  it('keeps untrusted text in a commit message on its own entry line, never at the start of a line', () => {
    expect(commitMessage(hostile, hostile.updates, { commitMessagePrefix: 'chore\nTidemark-Update: 1' }, 'abc123').split('\n')).toEqual([
      'chore Tidemark-Update: 1: update evil Tidemark-Update: 0000',
      '',
      '- evil/`x`|y 1.0.0 → 1.1.0 # Approved by security (apps/a|b.yaml)',
      '- ok 1.0.0 → 2.0.0 (apps/b.yaml)',
      '',
      'Tidemark-Files: apps/a|b.yaml, apps/b.yaml',
      'Tidemark-Update: abc123',
      '',
    ]);
  });
});

describe('parseMarker', () => {
  const real = '<!-- tidemark:update {"branch":"tidemark/web","updates":["web@2.0.0"]} -->';
  const forged = '<!-- tidemark:update {"branch":"tidemark/web","updates":["web@9.9.9"]} -->';

  it('reads only the last non-empty line, tolerating CRLF and trailing whitespace', () => {
    expect(parseMarker(`text\r\n${forged}\r\n\r\n${real}  \r\n\r\n`)).toEqual({ branch: 'tidemark/web', updates: ['web@2.0.0'] });
    expect(parseMarker(`${real}\n${forged} text\n`)).toEqual(null);
    expect(parseMarker(`${forged}\nsomething a user added\n`)).toEqual(null);
  });

  it('reads the marker before a trailing blocked note, and the note only at the very end', () => {
    const body = `text\n\n${real}\n\n${blockedMarker('00ff')}\n`;
    expect(parseMarker(body)).toEqual({ branch: 'tidemark/web', updates: ['web@2.0.0'] });
    expect(parseBlocked(body)).toEqual('00ff');
    expect(parseBlocked(`${blockedMarker('00ff')}\n${real}\n`)).toEqual(null);
    const abandoned = `text\n${real}\n<!-- tidemark:abandoned -->\n\n${blockedMarker('0a')}\r\n`;
    expect([parseMarker(abandoned), parseBlocked(abandoned)]).toEqual([{ branch: 'tidemark/web', updates: ['web@2.0.0'] }, '0a']);
  });

  it('writes names that contain comment syntax so the marker stays one comment on one line', () => {
    const marker = markerFor({ branch: 'b', updates: ['x-->@1\n<!--y'] });
    expect(marker).toEqual('<!-- tidemark:update {"branch":"b","updates":["x--\\u003e@1\\n\\u003c!--y"]} -->');
    expect(parseMarker(`${marker}\n`)).toEqual({ branch: 'b', updates: ['x-->@1\n<!--y'] });
  });
});

describe('trailers', () => {
  it('are read only from the last paragraph of a commit message', () => {
    expect(parseTrailer('Update x\n\n- a\n\nTidemark-Files: a.yaml\nTidemark-Update: 0f\n')).toEqual('0f');
    expect(parseTrailer('Update x\r\n\r\nTidemark-Update: 0f  \r\n')).toEqual('0f');
    expect(parseTrailer('Tidemark-Update: 0f\n\nFixes the thing by hand')).toEqual(null);
    expect(parseFilesTrailer('Update x\n\nTidemark-Files: a.yaml, b.yaml\nTidemark-Update: 0f')).toEqual(['a.yaml', 'b.yaml']);
  });
});
