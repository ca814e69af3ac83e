import type { VersionNotes } from './types.js';
import { compareVersions, inRange, tagVersion } from './versions.js';

/** `## [1.2.3] - 2024-05-01`, `# v1.2.3`, `### 1.2.3 (2024-05-01)`, `## web-1.2.3`: a heading that names a version. */
const HEADING = /^(?<hashes>#{1,4})\s+\[?(?<tag>[A-Za-z0-9._/@-]{1,100}?)\]?(?:\s*[-–(:]\s*(?<date>\d{4}-\d{2}-\d{2})\)?)?(?:\s.*)?$/;
const MAX_SECTIONS = 500;

/**
 * The sections of a `CHANGELOG.md` for versions in `(from, to]`, newest first. A section runs from its version heading
 * to the next heading of the same or a higher level. Headings that name no version (`## Unreleased`) end a section too.
 */
export function changelogSections(text: string, packageName: string, from: string, to: string): VersionNotes[] {
  const lines = text.replace(/\r\n?/g, '\n').split('\n');
  const found: VersionNotes[] = [];
  let current: { notes: VersionNotes; level: number; lines: string[] } | null = null;
  let seen = 0;
  const close = (): void => {
    if (current && found.length < 100) found.push({ ...current.notes, body: current.lines.join('\n').trim().slice(0, 40_000) });
    current = null;
  };
  for (const line of lines) {
    const m = HEADING.exec(line);
    const level = m?.groups?.hashes?.length ?? 0;
    if (m?.groups && current !== null && level > (current as { level: number }).level) {
      (current as { lines: string[] }).lines.push(line);
      continue;
    }
    if (m?.groups) {
      close();
      if (++seen > MAX_SECTIONS) break;
      const version = tagVersion(m.groups.tag!, packageName);
      if (version && inRange(version, from, to)) {
        current = { level, lines: [], notes: { version, tag: m.groups.tag!, title: null, body: '', url: null, date: m.groups.date ?? null } };
      }
      continue;
    }
    if (current) (current as { lines: string[] }).lines.push(line);
  }
  close();
  return found.sort((a, b) => compareVersions(b.version, a.version));
}
