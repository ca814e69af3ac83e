import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { reportToHtml } from './html.js';
import { reportToJson } from './json.js';
import type { PlatformKind } from '../publish/types.js';
import type { FleetReport } from './types.js';

/** Writes `OUT/report.json` and `OUT/index.html`, creating `OUT` and its parents; existing files are overwritten. */
export async function writeReport(outDir: string, report: FleetReport): Promise<{ json: string; html: string }> {
  await mkdir(outDir, { recursive: true });
  const json = join(outDir, 'report.json');
  const html = join(outDir, 'index.html');
  await writeFile(json, JSON.stringify(reportToJson(report), null, 2) + '\n');
  await writeFile(html, reportToHtml(report));
  return { json, html };
}

/**
 * The name a repository has in the report: as given in `--repos` (`owner/name`, `group/sub/project`); for plain git
 * (`--platform git`) the URL's or path's last segment without `.git` (`https://git.example.com/team/fleet-b.git` →
 * `fleet-b`, `git@host:team/fleet-c.git` → `fleet-c`, `/srv/git/fleet-d/` → `fleet-d`).
 */
export function reportRepoName(repo: string, platform: PlatformKind): string {
  if (platform !== 'git') return repo;
  const last = repo.replace(/[?#].*$/, '').replace(/\/+$/, '').split(/[/:]/).pop() ?? '';
  return last.replace(/\.git$/, '') || repo;
}
