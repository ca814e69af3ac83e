/**
 * The one place where text written by a repository or a registry (names, tags, file paths, reasons built from them,
 * Helm `sources`/`home`, error messages) is made safe for what reads it: GitHub/GitLab Markdown, commit messages,
 * log lines, the GitHub Actions runner's workflow commands and the fleet report's HTML page. Every function returns one line.
 *
 * Invariant: no output of this module contains `<!--` or `-->`, so untrusted text can never open, close or forge a
 * hidden marker (`<!-- tidemark:update … -->`, `<!-- tidemark-approve:… -->`).
 */

/** URLs longer than this are shown as text, not linked: real source and home URLs are far shorter. */
export const MAX_LINK_URL = 2048;

/** C0 and C1 controls, DEL, and the Unicode line and paragraph separators: `a\r\nb\u2028c` → `a b c`. */
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]+/g;
/** Markdown punctuation escaped with a backslash; `&`, `<` and `>` become entities instead (see markdownText). */
const MARKDOWN_PUNCTUATION = /[\\`*_[\]()#!|~]/g;
const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;' };
/** A zero-width space, as an entity, breaks `@org/team` mentions and `#123` references without changing the text. */
const ZWSP_ENTITY = '&#8203;';
const ZWSP = '\u200b';

/** Control characters and line breaks to single spaces: `"a\n# Approved\tb"` → `"a # Approved b"`. */
export function oneLine(text: string): string {
  return text.replace(CONTROL, ' ');
}

/**
 * Multi-line text for a terminal (a dry-run diff): line breaks and tabs stay, every other control character is shown
 * as its code, so no escape sequence, bell or lone carriage return acts on the screen. `"a\u001b[2J\rb"` → `"a\\u001b[2J\\u000db"`.
 */
export function terminalText(text: string): string {
  return text.replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u2028\u2029]|\r(?!\n)/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/**
 * Reference sigils as they stand after escaping: GitHub and GitLab turn `@user`, `#12`, `!12` (merge request), `~label`,
 * `%milestone`, `$12` (snippet) and `&12` (epic) into links and notifications after Markdown is rendered, so a
 * backslash does not stop them; a zero-width space after the sigil does. `~` only before a letter or a quote (GitLab's
 * `~"quoted label"`), so a version range such as `~1.2` stays as it is.
 */
const REFERENCE = /(?<sigil>@|\\#|\\!|%|\$|&amp;|\\~(?=[\p{L}_"]))(?=[\p{L}\p{N}_"])/gu;

/**
 * Inline Markdown text that renders as exactly the characters given: no emphasis, link, image, heading, HTML,
 * comment, table cell break, mention or issue reference. `![x](https://evil/p.png) @org/security #12` →
 * `\!\[x\]\(https://evil/p.png\) @&#8203;org/security \#&#8203;12`. Safe inside a table cell.
 */
export function markdownText(text: string): string {
  return literal(text).replace(REFERENCE, `$<sigil>${ZWSP_ENTITY}`);
}

/** Punctuation and HTML escaped, one line; link text needs no more (mentions and references are not read in it). */
function literal(text: string): string {
  return oneLine(text)
    .replace(/[&<>]/g, (c) => ENTITIES[c] ?? c)
    .replace(MARKDOWN_PUNCTUATION, (c) => `\\${c}`);
}

/**
 * An inline code span that stays code whatever it contains: the fence is one backtick longer than the longest run
 * inside, padded with a space when the text starts or ends with a backtick. `` a`b `` → ``` ``a`b`` ```.
 * Comment openers and closers get a zero-width space (`<!--` → `<​!--`) so no marker can appear, even in code.
 */
export function markdownCode(text: string): string {
  const body = breakComments(oneLine(text));
  if (body === '') return '` `';
  let longest = 0;
  for (const run of body.match(/`+/g) ?? []) longest = Math.max(longest, run.length);
  const fence = '`'.repeat(longest + 1);
  const pad = body.startsWith('`') || body.endsWith('`') || /^ .* $/.test(body) ? ' ' : '';
  return `${fence}${pad}${body}${pad}${fence}`;
}

/** A code span inside a GFM table cell: `|` is escaped, which GFM undoes inside code in tables. `a|b` → `` `a\|b` ``. */
export function markdownCodeCell(text: string): string {
  return markdownCode(text).replace(/\|/g, '\\|');
}

/**
 * `[text](url)` only for an `https:` or `http:` URL, re-serialised by the WHATWG parser without user info and with
 * the characters Markdown reads in a link destination percent-encoded; anything else (`javascript:alert(1)`, a
 * relative path, an unparsable string) becomes plain escaped text: `source: javascript:alert\(1\)`.
 */
export function markdownLink(text: string, url: string): string {
  const href = safeHref(url);
  if (href === null) return markdownText(`${text}: ${url.length > 200 ? `${url.slice(0, 200)}…` : url}`);
  return `[${literal(text)}](${href})`;
}

/** The link destination for `url`, or null when it must not be linked. */
export function safeHref(url: string): string | null {
  if (url.length > MAX_LINK_URL) return null;
  let parsed: URL;
  try {
    parsed = new URL(url.trim());
  } catch {
    return null;
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') return null;
  parsed.username = '';
  parsed.password = '';
  // The origin cannot hold these characters (an IPv6 host keeps its brackets); the rest is percent-encoded.
  const rest = `${parsed.pathname}${parsed.search}${parsed.hash}`.replace(/[()<>\s"'`\\[\]]/g, percent);
  return `${parsed.origin}${rest}`;
}

function percent(c: string): string {
  return `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`;
}

/** `<!--` and `-->` with a zero-width space inside: comment syntax no HTML parser or marker reader matches. */
export function breakComments(text: string): string {
  return text.replace(/<!--/g, `<${ZWSP}!--`).replace(/--(?=>)/g, `--${ZWSP}`);
}

/**
 * One entry of a commit message: one line, never empty, and never able to look like a trailer or a comment line
 * because callers start each line with their own text (`- `). `"nginx\nTidemark-Update: 0"` → `"nginx Tidemark-Update: 0"`.
 */
export function commitText(text: string): string {
  return oneLine(text).trim() || '(none)';
}

/**
 * What the GitHub Actions runner reads as a command. `::name::data` at the start of a line after .NET's `TrimStart`,
 * which skips every Unicode space (`\u2003::set-output …`); invisible format characters (`\u200b`) are taken too, since a
 * culture-aware `StartsWith` ignores them. The old form `##[name]data` is searched for anywhere in the line
 * (`IndexOf`), so `##[` is broken wherever it stands, format characters between its characters included.
 */
const WORKFLOW_COMMAND = /^(?<space>[\s\u0085\p{Cf}]*)::/u;
const OLD_WORKFLOW_COMMAND = /#\p{Cf}*#\p{Cf}*\[/gu;

/**
 * Text bound for the Action's stdout that is not one of Tidemark's own commands: every line that the runner would
 * parse as a workflow command gets a backslash before it, and every `##[` gets one before its bracket.
 * `"ok\n  ::set-output name=x::y\nerror=##[error]x"` → `"ok\n  \\::set-output name=x::y\nerror=##\\[error]x"`.
 */
export function neutraliseWorkflowCommands(text: string): string {
  return text
    .split(/(\r\n|\r|\n)/)
    .map((part) => part.replace(WORKFLOW_COMMAND, '$<space>\\::').replace(OLD_WORKFLOW_COMMAND, (m) => `${m.slice(0, -1)}\\[`))
    .join('');
}

/** Bidirectional overrides and isolates (`\u202e`…): they reorder what a reader sees (`exe.1.0.0` for `0.0.1.exe`). */
const BIDI = /[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;
const HTML_ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/**
 * Text for an HTML page, safe both as element content and inside a quoted attribute value: one line, no bidi controls,
 * `& < > " '` as entities. `</script><!--x" onload="y` → `&lt;/script&gt;&lt;!--x&quot; onload=&quot;y`.
 */
export function htmlText(text: string): string {
  return oneLine(text).replace(BIDI, '').replace(/[&<>"']/g, (c) => HTML_ENTITIES[c] ?? c);
}

/** Tags release notes may keep, without any attribute: formatting only, nothing that loads, links or runs. */
const SAFE_TAGS = new Set(['b', 'i', 'em', 'strong', 'code', 'pre', 'br', 'hr', 'p', 'ul', 'ol', 'li', 'details', 'summary', 'sub', 'sup', 'kbd', 'blockquote', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6']);
const VOID_TAGS = new Set(['br', 'hr']);
/** `<b>`, `</li>`, `<img src=x onerror=y>`, `<br/>`; a tag spanning lines is taken up to its `>` on the same line. */
const HTML_TAG = /<(?<close>\/?)(?<name>[A-Za-z][A-Za-z0-9-]{0,30})(?<rest>(?:\s[^<>]*)?)\/?>/g;
/** `<https://example.com/x>`: an autolink, kept. */
const AUTOLINK = /^<[A-Za-z][A-Za-z0-9+.-]{1,31}:[^\s<>]*>$/;
/** `fixes #2`, `Closes: owner/repo#3`, `resolved https://…/issues/4`: GitHub's and GitLab's closing keywords before a reference. */
const CLOSING = /\b(?<first>[cfri])(?<rest>(?:lose[sd]?|ix(?:e[sd])?|esolve[sd]?|mplement(?:s|ed|ing)?))(?=:?\s+(?:#|!|GH-|https?:\/\/|[\w.-]+\/[\w.-]+[#!]))/gi;
/** `@user`, `@org/team`: a mention. Not inside an e-mail address or a word. */
const MENTION = /(?<![\w.+-])@(?=[\p{L}\p{N}_])/gu;
/** `#12`, `owner/repo#12`, `GH-12`, GitLab's `!12` (merge request) and `&12` (epic). */
const ISSUE_REF = /(?<sigil>#|\bGH-|(?<![\w\]])!|(?<![\w&])&(?![\w#]+;))(?=\d)/gi;
/** A bare URL or a Markdown link destination: references and mentions inside it are not read, and it must stay intact. */
const URL_TOKEN = /(https?:\/\/[^\s)<>]+)/;
/** `![alt](url)`: an image, which would load from its host when the PR is viewed. */
const IMAGE = /!\[(?<alt>[^\]\n]{0,200})\]\((?<url>[^)\s]{1,2048})(?:\s+"[^"\n]*")?\)/g;
const FENCE = /^ {0,3}(?<fence>`{3,}|~{3,})/;

/**
 * Release notes written by an upstream project, made safe to embed in a PR body: Markdown stays Markdown, but
 * - raw HTML is dropped except a few formatting tags (without attributes), balanced so the notes cannot close the
 *   `<details>` Tidemark wraps them in;
 * - nobody is pinged and nothing is cross-referenced or closed: `@user` → `@\u200buser`, `#12` → `#\u200b12`,
 *   `fixes #2` → `f\u200bixes #\u200b2`, and `https://github.com/…` links go through `redirect.github.com`, which
 *   GitHub does not count as a reference;
 * - images become links (`![logo](u)` → `[image: logo](u)`), so no image loads from a host we do not know;
 * - no HTML comment can open or close, so no marker can be forged; an unclosed code fence is closed.
 * Code blocks and inline code are left as they are (GitHub neither links nor pings in code).
 * `maxChars` caps the input before sanitising; the cut is said (`… (truncated)`).
 */
export function releaseNotesMarkdown(text: string, maxChars = 20_000): string {
  let source = text.replace(/\r\n?/g, '\n').replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u2028\u2029]/g, '').replace(BIDI, '');
  const truncated = source.length > maxChars;
  if (truncated) {
    // Cut at the last line break when one is near the end, so no line is left half-written.
    const cut = source.slice(0, maxChars);
    const lastBreak = cut.lastIndexOf('\n');
    source = lastBreak >= maxChars * 0.8 ? cut.slice(0, lastBreak) : cut;
  }
  const out: string[] = [];
  const open: string[] = [];
  let fence: string | null = null;
  for (const line of source.split('\n')) {
    const f = FENCE.exec(line)?.groups?.fence;
    if (fence !== null) {
      out.push(breakComments(line));
      if (f && f[0] === fence[0] && f.length >= fence.length && line.trim() === f) fence = null;
      continue;
    }
    if (f) {
      fence = f;
      out.push(breakComments(line));
      continue;
    }
    out.push(notesLine(line, open));
  }
  if (fence !== null) out.push(fence);
  while (open.length > 0) out.push(`</${open.pop()}>`);
  if (truncated) out.push('', '… (truncated)');
  return out.join('\n').trim();
}

/** One line outside code blocks: inline code spans kept, the text between them made safe. */
function notesLine(line: string, open: string[]): string {
  const parts = line.split(/(`+[^`]*?`+)/);
  return parts.map((part, i) => (i % 2 === 1 && /^(`+)[^`]*?\1$/.test(part) ? breakComments(part) : notesText(part, open))).join('');
}

function notesText(text: string, open: string[]): string {
  const html = text.replace(HTML_TAG, (tag, ...args) => safeTag(tag, args.at(-1) as { close: string; name: string }, open));
  return breakComments(html.replace(/<!--/g, '&lt;!--'))
    .replace(IMAGE, (_m, alt: string, url: string) => `[image: ${alt.replace(/[[\]]/g, '')}](${url})`)
    .replace(/\]\(\s*(?:javascript|vbscript|data):/gi, '](#unsafe-link:')
    .replace(/https?:\/\/(?:www\.)?github\.com\//gi, 'https://redirect.github.com/')
    .replace(CLOSING, `$<first>${ZWSP}$<rest>`)
    .split(URL_TOKEN)
    .map((part, i) => (i % 2 === 1 ? part : part.replace(MENTION, `@${ZWSP}`).replace(ISSUE_REF, `$<sigil>${ZWSP}`)))
    .join('');
}

function safeTag(tag: string, groups: { close: string; name: string }, open: string[]): string {
  if (AUTOLINK.test(tag)) return tag;
  const name = groups.name.toLowerCase();
  if (!SAFE_TAGS.has(name)) return '';
  if (VOID_TAGS.has(name)) return `<${name}>`;
  if (!groups.close) {
    open.push(name);
    return `<${name}>`;
  }
  const at = open.lastIndexOf(name);
  if (at < 0) return '';
  // Closing an outer tag closes the ones opened inside it, as an HTML parser would.
  const closed = open.splice(at).reverse();
  return closed.map((n) => `</${n}>`).join('');
}

/** A short untrusted text inside an HTML element Tidemark writes (`<summary>`): entities, no mention, no reference. */
export function htmlInlineText(text: string): string {
  return htmlText(text).replace(/([@#!])(?=[\p{L}\p{N}_])/gu, `$1${ZWSP}`);
}
