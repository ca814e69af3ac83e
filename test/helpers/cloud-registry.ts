import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import nock from 'nock';
import { afterAll, afterEach, beforeAll, beforeEach, vi } from 'vitest';
import { DEFAULT_CONFIG } from '../../src/config/types.js';
import { silentLogger } from '../../src/log.js';
import { parseHostRules } from '../../src/lookup/host-rules.js';
import { createReleaseSource } from '../../src/lookup/index.js';

export const image = (name: string) => ({ datasource: 'docker' as const, name, registryUrl: null });
export const basic = (user: string, password: string): string => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

/** A release source reading the process environment, with the operator's host `rules` and no cache or retries. */
export function source(rules: unknown[] = [], now?: () => number) {
  return createReleaseSource({
    ...(now && { now }),
    config: DEFAULT_CONFIG,
    cacheDir: null,
    logger: silentLogger,
    env: process.env,
    retries: 0,
    hostRules: parseHostRules(JSON.stringify(rules), 'test'),
  });
}

/**
 * The cloud tests' sandbox: no real network, and per test a fresh temp dir (handed to `setup`, which clears the
 * cloud's own variables) holding an empty Docker config; mocks and stubbed variables are dropped after each test.
 */
export function useCloudSandbox(prefix: string, setup: (dir: string) => void): void {
  let dir: string;
  beforeAll(() => nock.disableNetConnect());
  afterAll(() => nock.enableNetConnect());
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), prefix));
    setup(dir);
    vi.stubEnv('DOCKER_CONFIG', join(dir, 'docker'));
  });
  afterEach(async () => {
    nock.cleanAll();
    vi.unstubAllEnvs();
    await rm(dir, { recursive: true, force: true });
  });
}
