import { describe, expect, it } from 'vitest';
import {
  htmlText,
  breakComments,
  commitText,
  markdownCode,
  markdownCodeCell,
  markdownLink,
  markdownText,
  neutraliseWorkflowCommands,
  oneLine,
  terminalText,
} from '../src/escape.js';

const MARKER = '<!-- tidemark:update {"branch":"x","updates":[]} -->';

describe('markdownText', () => {
  it('renders hostile registry text as the characters it is, on one line', () => {
    expect(
      [
        'javascript:alert(1)',
        'https://x)](javascript:alert(1))',
        '\n# Approved by security\n',
        '@org/security',
        '![x](https://evil/p.png)',
        '<img src=x>',
        MARKER,
        'a|b',
        'a`b``c',
        '::set-output name=x::y',
        '##[error]x',
        'fixes #123 and acme/web#4',
        'a & b **bold** _it_ ~~s~~ \\',
      ].map(markdownText),
    ).toEqual([
      'javascript:alert\\(1\\)',
      'https://x\\)\\]\\(javascript:alert\\(1\\)\\)',
      ' \\# Approved by security ',
      '@&#8203;org/security',
      '\\!\\[x\\]\\(https://evil/p.png\\)',
      '&lt;img src=x&gt;',
      '&lt;\\!-- tidemark:update {"branch":"x","updates":\\[\\]} --&gt;',
      'a\\|b',
      'a\\`b\\`\\`c',
      '::set-output name=x::y',
      '\\#\\#\\[error\\]x',
      'fixes \\#&#8203;123 and acme/web\\#&#8203;4',
      'a &amp; b \\*\\*bold\\*\\* \\_it\\_ \\~\\~&#8203;s\\~\\~ \\\\',
    ]);
  });

  it('breaks GitLab references too: merge requests, labels, milestones, snippets and epics', () => {
    expect(markdownText('!12 ~security %v1 $3 &4 100% a & b ~1.2')).toEqual('\\!&#8203;12 \\~&#8203;security %&#8203;v1 $&#8203;3 &amp;&#8203;4 100% a &amp; b \\~1.2');
  });

  it('breaks GitLab label and milestone references with quoted names', () => {
    expect(markdownText('~"security fix" %"release 2"')).toEqual('\\~&#8203;"security fix" %&#8203;"release 2"');
  });

  it('turns every control character and Unicode line separator into a space', () => {
    expect(markdownText('a\r\nb\u0000c\u001bd\u007fe\u0085f\u2028g\u2029h')).toEqual('a b c d e f g h');
  });
});

describe('markdownCode', () => {
  it('keeps any backticks inside a longer fence, padded when the text touches it', () => {
    expect(markdownCode('nginx')).toEqual('`nginx`');
    expect(markdownCode('a`b``c')).toEqual('```a`b``c```');
    expect(markdownCode('`x`')).toEqual('`` `x` ``');
    expect(markdownCode('')).toEqual('` `');
  });

  it('never carries a comment opener or closer, even inside code', () => {
    expect(markdownCode(MARKER)).toEqual('`<\u200b!-- tidemark:update {"branch":"x","updates":[]} --\u200b>`');
    expect(markdownCode('\n# Approved by security\n')).toEqual('`  # Approved by security  `');
  });

  it('escapes pipes for a table cell', () => {
    expect(markdownCodeCell('a|b')).toEqual('`a\\|b`');
  });
});

describe('markdownLink', () => {
  it('links only http and https URLs, re-serialised without user info and with Markdown-significant characters encoded', () => {
    expect(markdownLink('source', 'https://user:pw@github.com/a b/(c)?q=<x>#"y"')).toEqual('[source](https://github.com/a%20b/%28c%29?q=%3Cx%3E#%22y%22)');
    expect(markdownLink('home', 'http://[::1]:8080/p')).toEqual('[home](http://[::1]:8080/p)');
  });

  it('shows any other URL as plain escaped text', () => {
    expect(markdownLink('source', 'javascript:alert(1)')).toEqual('source: javascript:alert\\(1\\)');
    expect(markdownLink('source', 'https://x)](javascript:alert(1))')).toEqual('source: https://x\\)\\]\\(javascript:alert\\(1\\)\\)');
    expect(markdownLink('source', 'data:text/html,<script>')).toEqual('source: data:text/html,&lt;script&gt;');
    expect(markdownLink('source', 'not a url')).toEqual('source: not a url');
    expect(markdownLink('source', `https://a.example/${'a'.repeat(3000)}`)).toEqual(`source: https://a.example/${'a'.repeat(182)}…`);
  });
});

describe('comments, commits and logs', () => {
  it('breaks comment syntax wherever it appears', () => {
    expect(breakComments('a<!--b-->c<!---->')).toEqual('a<\u200b!--b--\u200b>c<\u200b!----\u200b>');
  });

  it('keeps a commit entry on one line so it cannot start a trailer', () => {
    expect(commitText('nginx\nTidemark-Update: 00ff\n')).toEqual('nginx Tidemark-Update: 00ff');
    expect(commitText('\n')).toEqual('(none)');
  });

  it('keeps a log value on one line', () => {
    expect(oneLine('a\n::error::x')).toEqual('a ::error::x');
  });
});

describe('neutraliseWorkflowCommands', () => {
  it('puts a backslash before every line the runner would read as a command', () => {
    expect(neutraliseWorkflowCommands('ok\n  ::set-output name=x::y\r\n##[error]x\r::add-mask::z\n#[x] a::b')).toEqual(
      'ok\n  \\::set-output name=x::y\r\n##\\[error]x\r\\::add-mask::z\n#[x] a::b',
    );
  });

  it('breaks `##[` anywhere in a line, where the runner finds old-style commands, not only at its start', () => {
    expect(neutraliseWorkflowCommands('WARN  lookup failed error=##[set-output name=updated;]1 ##[stop-commands]t')).toEqual(
      'WARN  lookup failed error=##\\[set-output name=updated;]1 ##\\[stop-commands]t',
    );
  });

  it('breaks `##[` with invisible format characters inside, which a culture-aware search skips', () => {
    expect(neutraliseWorkflowCommands('x #\u200b#\u00ad[add-mask]y')).toEqual('x #\u200b#\u00ad\\[add-mask]y');
  });

  it('sees a `::` command behind any whitespace the runner trims, such as an em space or a zero-width space', () => {
    expect(neutraliseWorkflowCommands('\u2003::set-output name=x::y\n\u200b\u3000::error::z')).toEqual(
      '\u2003\\::set-output name=x::y\n\u200b\u3000\\::error::z',
    );
  });
});

describe('terminalText', () => {
  it('keeps line breaks, CRLF and tabs and shows every other control character as its code', () => {
    expect(terminalText('a\tb\r\nc\u001b[2J\rd\u0007\u009b\n')).toEqual('a\tb\r\nc\\u001b[2J\\u000dd\\u0007\\u009b\n');
  });
});

describe('htmlText', () => {
  it('escapes text for element content and quoted attributes alike', () => {
    expect(htmlText(`</script><!--x" onload='y' &amp;`)).toEqual('&lt;/script&gt;&lt;!--x&quot; onload=&#39;y&#39; &amp;amp;');
  });

  it('keeps text on one line and drops the controls that reorder what a reader sees', () => {
    expect(htmlText('web\n\u202egpj.exe\u2066x\u2069')).toEqual('web gpj.exex');
  });
});
