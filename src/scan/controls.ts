import type { LineIndex } from './lines.js';
import type { InlineControls } from './types.js';

// `image: nginx:1.25 # tidemark: ignore`, `# tidemark: allowedVersions=<1.30` on the line above.
const CONTROL = /#\s*tidemark:\s*(?<body>.*)$/;

/**
 * Controls for a finding whose tokens sit on `lines`: a `# tidemark:` comment on one of those lines, or on a
 * comment-only line right above one. Undefined when there is none.
 */
export function controlsFor(index: LineIndex, lines: number[]): InlineControls | undefined {
  let controls: InlineControls | undefined;
  for (const line of new Set(lines)) {
    const same = index.lineText(line);
    const above = index.lineText(line - 1);
    for (const text of [same, /^\s*#/.test(above) ? above : '']) {
      const body = CONTROL.exec(text)?.groups?.body;
      if (body !== undefined) controls = { ...controls, ...parseBody(body) };
    }
  }
  return controls;
}

/** `ignore`, `allowedVersions=<1.30`, or both: `ignore allowedVersions=<2` (allowedVersions takes the rest). */
function parseBody(body: string): InlineControls {
  const out: InlineControls = {};
  const allowed = /allowedVersions\s*=\s*(?<range>.+)$/.exec(body)?.groups?.range?.trim();
  if (allowed) out.allowedVersions = allowed;
  const head = body.replace(/allowedVersions\s*=.*$/, '');
  if (/(^|[\s,])ignore($|[\s,])/.test(head)) out.ignore = true;
  return out;
}
