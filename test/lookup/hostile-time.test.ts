import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runPlan } from '../../src/cli/commands/plan.js';
import { silentLogger } from '../../src/log.js';
import { type HostileServer, startDripServer, startSilentServer, startTagServer } from '../helpers/hostile-servers.js';

const IMAGES_PER_HOST = 20;

/** One Deployment per image, so every image is its own dependency (and its own tag list request). */
function manifest(images: readonly string[]): string {
  return images
    .map((image, i) =>
      [
        'apiVersion: apps/v1',
        'kind: Deployment',
        'metadata:',
        `  name: app-${i}`,
        'spec:',
        '  template:',
        '    spec:',
        '      containers:',
        `        - name: app`,
        `          image: ${image}`,
      ].join('\n'),
    )
    .join('\n---\n');
}

interface PlanJson {
  updates: { name: string; newValue: string }[];
  unchanged: { name: string; reason: string }[];
}

describe('a plan among registries that never answer or drip (default timeouts)', () => {
  let silent: HostileServer;
  let dripBody: HostileServer;
  let dripHeaders: HostileServer;
  let healthy: HostileServer;
  let dir: string;

  beforeAll(async () => {
    [silent, dripBody, dripHeaders, healthy] = await Promise.all([
      startSilentServer(),
      startDripServer({ what: 'body', intervalMs: 2000 }),
      startDripServer({ what: 'headers', intervalMs: 2000 }),
      startTagServer({ 'acme/web': ['1.0.0', '1.1.0'], 'acme/api': ['2.0.0', '2.3.1'] }),
    ]);
    dir = await mkdtemp(path.join(tmpdir(), 'tidemark-hostile-'));
    const hostile = [silent, dripBody, dripHeaders].flatMap((s) => Array.from({ length: IMAGES_PER_HOST }, (_, i) => `${s.host}/team/app-${i}:1.0.0`));
    await writeFile(path.join(dir, 'deploy.yaml'), manifest([...hostile, `${healthy.host}/acme/web:1.0.0`, `${healthy.host}/acme/api:2.0.0`]));
  });

  afterAll(async () => {
    await Promise.all([silent, dripBody, dripHeaders, healthy].map((s) => s?.stop()));
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('finishes within 75 s with the healthy registry’s updates, every hostile image failed by host, exit 1', { timeout: 150_000 }, async () => {
    const out: string[] = [];
    const started = performance.now();
    const code = await runPlan(dir, { json: true, cache: false }, { print: (t) => out.push(t), logger: silentLogger, env: { DOCKER_CONFIG: '/nonexistent' } });
    const seconds = (performance.now() - started) / 1000;
    const plan = JSON.parse(out.join('')) as PlanJson;

    expect(code).toEqual(1);
    expect(seconds).toBeLessThan(75);
    expect(plan.updates.map((u) => [u.name, u.newValue]).sort()).toEqual([
      [`${healthy.host}/acme/api`, '2.3.1'],
      [`${healthy.host}/acme/web`, '1.1.0'],
    ]);
    const failedByHost = new Map<string, number>();
    for (const u of plan.unchanged) {
      expect(u.reason).toMatch(/^lookup failed: /);
      const host = u.name.split('/')[0] ?? '';
      failedByHost.set(host, (failedByHost.get(host) ?? 0) + 1);
    }
    expect(Object.fromEntries(failedByHost)).toEqual({ [silent.host]: 20, [dripBody.host]: 20, [dripHeaders.host]: 20 });
    // The breaker stops asking: far fewer connections than 20 images × 4 attempts.
    for (const s of [silent, dripBody, dripHeaders]) expect(s.hits()).toBeLessThan(20);
  });
});
