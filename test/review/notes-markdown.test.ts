import { describe, expect, it } from 'vitest';
import { releaseNotesMarkdown } from '../../src/escape.js';

const Z = '\u200b';

describe('releaseNotesMarkdown', () => {
  it('drops scripts, attributes and unknown tags, keeping a safe formatting subset without attributes', () => {
    const notes = '<script>alert(1)</script> <b onclick="x()">bold</b> <img src="https://t.example/p.png"> <details open><summary>More</summary>hidden</details>';
    expect(releaseNotesMarkdown(notes)).toEqual('alert(1) <b>bold</b>  <details><summary>More</summary>hidden</details>');
  });

  it('balances tags so notes cannot close the details section they are wrapped in', () => {
    expect(releaseNotesMarkdown('</details></details>\n<ul><li>one\n</b>')).toEqual('<ul><li>one\n\n</li>\n</ul>');
  });

  it('pings nobody and references no issue: mentions, #N, owner/repo#N, GH-N, GitLab !N and &N are broken', () => {
    expect(releaseNotesMarkdown('Thanks @everyone and @acme/security! See #1, acme/web#2, GH-3, !4 and &5.')).toEqual(
      `Thanks @${Z}everyone and @${Z}acme/security! See #${Z}1, acme/web#${Z}2, GH-${Z}3, !${Z}4 and &${Z}5.`,
    );
  });

  it('closes nothing: closing keywords before a reference are broken, and GitHub links are not counted as references', () => {
    expect(releaseNotesMarkdown('fixes #2\nCloses: https://github.com/acme/web/issues/9\nresolved acme/web#3')).toEqual(
      [`f${Z}ixes #${Z}2`, `C${Z}loses: https://redirect.github.com/acme/web/issues/9`, `r${Z}esolved acme/web#${Z}3`].join('\n'),
    );
  });

  it('keeps URLs whole, with their anchors and @ paths', () => {
    expect(releaseNotesMarkdown('[docs](https://docs.example/a%20b#12) and https://x.example/@me#3')).toEqual('[docs](https://docs.example/a%20b#12) and https://x.example/@me#3');
  });

  it('cannot forge the identity marker or open a comment', () => {
    const out = releaseNotesMarkdown('<!-- tidemark:update {"branch":"tidemark/x","updates":[]} -->\n```\n<!-- in code -->\n```');
    expect(out).not.toContain('<!--');
    expect(out).not.toContain('-->');
  });

  it('turns images into links, so nothing loads from the notes host, and disarms script links', () => {
    expect(releaseNotesMarkdown('![diagram](https://cdn.example/d.png "title")')).toEqual('[image: diagram](https://cdn.example/d.png)');
    expect(releaseNotesMarkdown('[click](javascript:alert(1)) [x]( data:text/html,hi)')).toEqual('[click](#unsafe-link:alert(1)) [x](#unsafe-link:text/html,hi)');
  });

  it('leaves code as code and closes a fence the notes left open', () => {
    expect(releaseNotesMarkdown('`@user #1 <b>`\n```yaml\nkey: <value> @x #2\n')).toEqual('`@user #1 <b>`\n```yaml\nkey: <value> @x #2\n\n```');
  });

  it('cuts long notes before sanitising and says so', () => {
    const out = releaseNotesMarkdown(`${'line\n'.repeat(50_000)}<b>`, 1000);
    expect(out.length).toBeLessThan(1100);
    expect(out.endsWith('… (truncated)')).toBe(true);
  });
});
