import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildReport, writeReport } from '../../src/report/index.js';
import { openChromium, type Browser } from '../helpers/chromium.js';
import { sampleFleet } from './fleet-fixture.js';

describe('the fleet report page in headless Chromium', () => {
  let dir: string;
  let url: string;
  let browser: Browser;
  /** Every request the page made and every console message or error it raised, across all tests. */
  const requests: string[] = [];
  const complaints: string[] = [];

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'tidemark-report-page-'));
    const written = await writeReport(dir, buildReport(sampleFleet(), new Date('2026-11-30T10:00:00Z')));
    url = pathToFileURL(written.html).href;
    browser = await openChromium({ width: 1280, height: 900 });
  });
  afterAll(async () => {
    await browser?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  async function open(viewport = { width: 1280, height: 900 }): Promise<Page> {
    const page = await browser.context.newPage();
    await page.setViewportSize(viewport);
    page.on('request', (r) => requests.push(r.url()));
    page.on('console', (m) => complaints.push(`${m.type()}: ${m.text()}`));
    page.on('pageerror', (e) => complaints.push(`error: ${e.message}`));
    await page.goto(url);
    return page;
  }

  /** Package names as a reader sees them, top to bottom, only those shown. */
  async function shownPackages(page: Page): Promise<string[]> {
    return page.locator('article.pkg:visible .name').allInnerTexts();
  }

  it('reads the summary, the repositories and every package with its uses, furthest behind first', async () => {
    const page = await open();
    expect(await page.title()).toBe('Tidemark fleet report');
    expect(await page.locator('.meta').innerText()).toBe(
      'Generated 2026-11-30 10:00:00 UTC · 3 repositories · 6 packages · 4 uses behind · 1 package with drift · 1 lookup failed · 1 repository failed',
    );
    expect(await page.locator('table.repos tbody tr').allInnerTexts()).toEqual([
      'fleet-a\t4\t4\t0',
      'fleet-b\t4\t0\t1',
      "<b>fleet-c</b>\tfailed: clone failed: repository 'https://***@git.example.com/c.git' not found",
    ]);
    expect(await page.locator('#shown').innerText()).toBe('6 of 6 packages shown');
    expect(await page.locator('article.pkg h3').allInnerTexts()).toEqual([
      'ghcr.io/acme/web\nimage\ndrift\n+1 major',
      'stefanprodan.github.io/podinfo/podinfo\nchart\n+1 minor',
      'registry.k8s.io/ingress-nginx/controller\nimage\n+3 patch',
      'quay.io/acme/worker\nimage\nlookup failed',
      `ghcr.io/acme/"><img src=x onerror="document.title='pwned'">\nimage`,
      'ghcr.io/acme/toolbox\nimage',
    ]);
    const web = page.locator('article.pkg').first();
    expect(await web.locator('.sub').innerText()).toBe('Newest: 2.0.0 · 3 uses');
    expect(await web.locator('tbody tr').allInnerTexts()).toEqual([
      'fleet-a\tprod\tclusters/prod/web.yaml:17\t1.2.0 → 2.0.0 +1 major',
      'fleet-a\tstaging\tclusters/staging/web.yaml:17\t1.0.0 → 2.0.0 +1 major',
      'fleet-b\tprod\tenvs/prod/web.yaml:9\t2.0.0 up to date',
    ]);
    await page.close();
  });

  it('shows a failed lookup as failed, never as current, and a package nobody looked up as unknown', async () => {
    const page = await open();
    const worker = page.locator('article.pkg', { hasText: 'quay.io/acme/worker' });
    expect(await worker.locator('.sub').innerText()).toBe('Newest: unknown (lookup failed) · 1 use');
    expect(await worker.locator('tbody tr').innerText()).toBe('fleet-b\tprod\tenvs/prod/worker.yaml:12\t3.1.0 → ? lookup failed: quay.io answered 500');
    const toolbox = page.locator('article.pkg', { hasText: 'ghcr.io/acme/toolbox' });
    expect(await toolbox.locator('.sub').innerText()).toBe('Newest: unknown (not looked up) · 1 use');
    expect(await toolbox.locator('tbody tr').innerText()).toBe('fleet-b\tdev\tapps/dev/debug.yaml:5\tlatest not looked up: not pinned: "latest" is a floating tag');
    await page.close();
  });

  it('filters by repository and environment, and keeps only drifting packages on request', async () => {
    const page = await open();
    await page.selectOption('#filter-repo', { label: 'fleet-b' });
    // How far behind counts the uses shown: in fleet-b web is current, so the failed lookup comes first.
    expect(await shownPackages(page)).toEqual([
      'quay.io/acme/worker',
      `ghcr.io/acme/"><img src=x onerror="document.title='pwned'">`,
      'ghcr.io/acme/toolbox',
      'ghcr.io/acme/web',
    ]);
    expect(await page.locator('article.pkg', { hasText: 'ghcr.io/acme/web' }).locator('tbody tr:visible').allInnerTexts()).toEqual(['fleet-b\tprod\tenvs/prod/web.yaml:9\t2.0.0 up to date']);
    expect(await page.locator('#shown').innerText()).toBe('4 of 6 packages shown');

    await page.selectOption('#filter-repo', { label: 'all' });
    await page.selectOption('#filter-env', { label: 'staging' });
    expect(await shownPackages(page)).toEqual(['ghcr.io/acme/web']);

    await page.selectOption('#filter-env', { label: 'prod' });
    await page.check('#filter-drift');
    expect(await shownPackages(page)).toEqual(['ghcr.io/acme/web']);
    expect(await page.locator('#shown').innerText()).toBe('1 of 6 packages shown');
    await page.close();
  });

  it('sorts by name, by number of uses, and back to how far behind', async () => {
    const page = await open();
    await page.selectOption('#sort', { label: 'name' });
    expect(await shownPackages(page)).toEqual([
      `ghcr.io/acme/"><img src=x onerror="document.title='pwned'">`,
      'ghcr.io/acme/toolbox',
      'ghcr.io/acme/web',
      'quay.io/acme/worker',
      'registry.k8s.io/ingress-nginx/controller',
      'stefanprodan.github.io/podinfo/podinfo',
    ]);
    await page.selectOption('#sort', { label: 'number of uses' });
    expect((await shownPackages(page))[0]).toBe('ghcr.io/acme/web');
    // Filtered to fleet-b, how far behind counts only fleet-b's uses: web is current there, and the failed lookup leads.
    await page.selectOption('#filter-repo', { label: 'fleet-b' });
    await page.selectOption('#sort', { label: 'how far behind' });
    expect((await shownPackages(page))[0]).toBe('quay.io/acme/worker');
    await page.close();
  });

  it('renders names written to break out of HTML, attributes and the script as plain text', async () => {
    const page = await open();
    expect(await page.locator('img').count()).toBe(0);
    expect(await page.locator('[onmouseover], [onerror]').count()).toBe(0);
    expect(await page.locator('script').count()).toBe(1);
    expect(await page.locator('b').count()).toBe(0);
    expect(await page.title()).toBe('Tidemark fleet report');
    const row = page.locator('tr', { hasText: 'x.yaml:3' });
    expect(await row.innerText()).toBe(`fleet-b\t<\tclusters/</script><!--/app" onmouseover="x.yaml:3\t1.0.0 up to date`);
    expect(await page.locator('#filter-env option').allInnerTexts()).toEqual(['all', '<', 'dev', 'prod', 'staging', 'none']);
    await page.close();
  });

  it('fits a phone screen without sideways scrolling, each use labelled', async () => {
    const page = await open({ width: 390, height: 844 });
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBe(390);
    const first = page.locator('article.pkg').first().locator('tbody tr').first();
    // Each cell stands on its own line, labelled (the label is CSS generated content, which innerText leaves out).
    const cells = await first.locator('td').evaluateAll((tds) =>
      tds.map((td) => `${getComputedStyle(td, '::before').content.replace(/^"|"$/g, '')}${(td as HTMLElement).innerText}`),
    );
    expect(cells).toEqual(['Repository: fleet-a', 'Environment: prod', 'Location: clusters/prod/web.yaml:17', 'Current → new: 1.2.0 → 2.0.0 +1 major']);
    expect(await first.evaluate((tr) => (tr as HTMLElement).innerText)).toBe('fleet-a\nprod\nclusters/prod/web.yaml:17\n1.2.0 → 2.0.0 +1 major');
    await page.close();
  });

  it('makes no request beyond its own file and raises no error or policy violation', () => {
    expect(new Set(requests)).toEqual(new Set([url]));
    expect(complaints).toEqual([]);
  });
});
