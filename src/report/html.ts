import { createHash } from 'node:crypto';
import { htmlText } from '../escape.js';
import { isoSeconds } from './json.js';
import { reportCounts } from './model.js';
import { PAGE_SCRIPT, PAGE_STYLE } from './page-assets.js';
import type { Behind, FleetReport, ReportPackage, ReportRepository, ReportUse } from './types.js';

/**
 * `index.html`: one self-contained page (inline style and script, no network) with everything rendered as text; the
 * script only sorts and filters what is already there. Every registry- or repository-written string goes through
 * `htmlText`; attributes hold only numbers and fixed words, and the script holds no data at all.
 */
export function reportToHtml(report: FleetReport): string {
  const envs = environments(report);
  const byName = new Map(report.packages.map((p, i) => [p, i]));
  const ordered = [...report.packages].sort((a, b) => sortKey(b.behind) - sortKey(a.behind) || (byName.get(a) ?? 0) - (byName.get(b) ?? 0));
  const csp = `default-src 'none'; style-src '${sha256(PAGE_STYLE)}'; script-src '${sha256(PAGE_SCRIPT)}'; base-uri 'none'; form-action 'none'`;
  return [
    '<!doctype html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<meta http-equiv="Content-Security-Policy" content="${csp}">`,
    '<title>Tidemark fleet report</title>',
    `<style>${PAGE_STYLE}</style>`,
    '</head>',
    '<body>',
    '<main>',
    '<h1>Tidemark fleet report</h1>',
    `<p class="meta">${summaryLine(report)}</p>`,
    repositoriesSection(report.repositories),
    '<h2 id="packages">Packages</h2>',
    controls(report, envs),
    // A large fleet's packages are laid out only as they scroll into view (content-visibility): a 30,000-use page then
    // opens in about a second instead of ten. Small pages are laid out whole, so their text is there at once.
    `<div id="packages-list"${ordered.length > LARGE ? ' class="large"' : ''}>`,
    ...(ordered.length === 0 ? ['<p class="muted">No images or charts were found.</p>'] : ordered.map((p) => packageArticle(p, byName.get(p) ?? 0, envs))),
    '</div>',
    '</main>',
    `<script>${PAGE_SCRIPT}</script>`,
    '</body>',
    '</html>',
    '',
  ].join('\n');
}

/** Packages past which the list is rendered lazily. */
const LARGE = 200;

function summaryLine(report: FleetReport): string {
  const { behind, failedLookups: failed, failedRepositories: failedRepos, drift } = reportCounts(report);
  const parts = [
    `Generated ${isoSeconds(report.generatedAt).replace('T', ' ').replace('Z', ' UTC')}`,
    count(report.repositories.length, 'repository', 'repositories'),
    count(report.packages.length, 'package', 'packages'),
    `${count(behind, 'use', 'uses')} behind`,
    `${count(drift, 'package', 'packages')} with drift`,
  ];
  if (failed > 0) parts.push(`<span class="failed">${count(failed, 'lookup', 'lookups')} failed</span>`);
  if (failedRepos > 0) parts.push(`<span class="failed">${count(failedRepos, 'repository', 'repositories')} failed</span>`);
  return parts.join(' · ');
}

function repositoriesSection(repos: readonly ReportRepository[]): string {
  const rows = repos.map((r) => {
    const name = `<td data-label="Repository">${htmlText(r.repo)}</td>`;
    if (r.error !== null) return `<tr>${name}<td colspan="3" data-label="Result" class="failed">failed: ${htmlText(clip(r.error))}</td></tr>`;
    return `<tr>${name}<td class="num" data-label="Dependencies">${r.dependencies}</td><td class="num" data-label="Updates">${r.updates}</td><td class="num" data-label="Problems">${r.problems.length}</td></tr>`;
  });
  const problems = repos.flatMap((r) => (r.error === null ? r.problems.map((p) => ({ repo: r.repo, ...p })) : []));
  const list = problems.length === 0 ? '' : [
    `<details class="problems"><summary>${count(problems.length, 'problem', 'problems')}</summary><ul>`,
    ...problems.map((p) => `<li>${htmlText(p.repo)}: <code>${htmlText(`${p.file}:${p.line}`)}</code> ${htmlText(clip(p.message))}</li>`),
    '</ul></details>',
  ].join('\n');
  return [
    '<h2 id="repositories">Repositories</h2>',
    '<table class="repos"><thead><tr><th>Repository</th><th class="num">Dependencies</th><th class="num">Updates</th><th class="num">Problems</th></tr></thead><tbody>',
    ...rows,
    '</tbody></table>',
    list,
  ].join('\n');
}

function controls(report: FleetReport, envs: readonly string[]): string {
  const repoOptions = report.repositories.map((r, i) => `<option value="${i}">${htmlText(r.repo)}</option>`);
  const envOptions = envs.map((e, i) => `<option value="${i}">${htmlText(e)}</option>`);
  return [
    '<form class="controls" id="controls">',
    `<label>Repository <select id="filter-repo"><option value="">all</option>${repoOptions.join('')}</select></label>`,
    `<label>Environment <select id="filter-env"><option value="">all</option>${envOptions.join('')}<option value="-">none</option></select></label>`,
    '<label>Sort by <select id="sort"><option value="behind">how far behind</option><option value="name">name</option><option value="uses">number of uses</option></select></label>',
    '<label class="check"><input type="checkbox" id="filter-drift"> drift only</label>',
    `<output id="shown">${report.packages.length} of ${report.packages.length} packages shown</output>`,
    '</form>',
  ].join('\n');
}

function packageArticle(p: ReportPackage, order: number, envs: readonly string[]): string {
  const tags = [`<span class="tag ds">${p.datasource === 'helm' ? 'chart' : 'image'}</span>`];
  if (p.drift) tags.push('<span class="tag drift">drift</span>');
  if (p.behind.label) tags.push(`<span class="tag b${p.behind.rank}">${htmlText(p.behind.rank === 1 ? 'lookup failed' : p.behind.label)}</span>`);
  const newest = p.newest === null ? '<span class="failed">unknown</span>' : `<code>${htmlText(p.newest)}</code>`;
  const failed = p.uses.some((u) => u.status === 'failed');
  const why = p.newest === null ? (failed ? ' (lookup failed)' : ' (not looked up)') : failed ? ' <span class="failed">(some lookups failed)</span>' : '';
  return [
    `<article class="pkg" data-order="${order}" data-drift="${p.drift ? 1 : 0}">`,
    `<h3><span class="name">${htmlText(p.name)}</span>${tags.join('')}</h3>`,
    `<p class="sub">Newest: ${newest}${why} · ${count(p.uses.length, 'use', 'uses')}</p>`,
    '<table class="uses"><thead><tr><th>Repository</th><th>Environment</th><th>Location</th><th>Current → new</th></tr></thead><tbody>',
    ...p.uses.map((u) => useRow(u, envs)),
    '</tbody></table>',
    '</article>',
  ].join('\n');
}

function useRow(u: ReportUse, envs: readonly string[]): string {
  const env = u.environment === null ? '-' : String(envs.indexOf(u.environment));
  return [
    `<tr data-repo="${u.repoIndex}" data-env="${env}" data-behind="${sortKey(u.behind)}">`,
    `<td data-label="Repository">${htmlText(u.repo)}</td>`,
    `<td data-label="Environment">${u.environment === null ? '<span class="muted">none</span>' : htmlText(u.environment)}</td>`,
    `<td class="loc" data-label="Location">${htmlText(`${u.file}:${u.line}`)}</td>`,
    `<td class="ver" data-label="Current → new">${versionCell(u)}</td>`,
    '</tr>',
  ].join('');
}

function versionCell(u: ReportUse): string {
  const current = htmlText(`${u.currentValue ?? ''}${u.currentDigest ? `@${u.currentDigest.slice(0, 19)}…` : ''}` || '(no tag)');
  const note = u.note === null ? '' : ` <span class="${u.status === 'failed' || u.status === 'update' ? 'failed' : 'note'}">${htmlText(clip(u.note))}</span>`;
  switch (u.status) {
    case 'update':
      return `${current} → <strong>${htmlText(u.newValue ?? '')}</strong> <span class="tag b${u.behind.rank}">${htmlText(u.behind.label)}</span>${note}`;
    case 'current':
      return `${current} <span class="note">up to date</span>${note}`;
    case 'failed':
      return `${current} → ? <span class="failed">${htmlText(clip(u.note ?? 'lookup failed'))}</span>`;
    case 'skipped':
      return `${current} <span class="note">not looked up: ${htmlText(clip(u.note ?? 'skipped'))}</span>`;
    default:
      return `${current} <span class="note">stays: ${htmlText(clip(u.note ?? ''))}</span>`;
  }
}

/** Every environment named by a use, sorted; filter options and row attributes refer to them by index. */
function environments(report: FleetReport): string[] {
  const set = new Set<string>();
  for (const p of report.packages) for (const u of p.uses) if (u.environment !== null) set.add(u.environment);
  return [...set].sort();
}

function sortKey(b: Behind): number {
  return b.rank * 1_000_000 + Math.min(b.amount, 999_999);
}

function count(n: number, one: string, many: string): string {
  return `${n} ${n === 1 ? one : many}`;
}

/** Error messages and reasons can be long; the page keeps each to one readable line. */
function clip(text: string): string {
  return text.length > 300 ? `${text.slice(0, 300)}…` : text;
}

function sha256(text: string): string {
  return `sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}`;
}
