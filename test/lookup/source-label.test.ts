import nock from 'nock';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG } from '../../src/config/types.js';
import { silentLogger } from '../../src/log.js';
import { createReleaseSource } from '../../src/lookup/index.js';

beforeAll(() => nock.disableNetConnect());
afterAll(() => nock.enableNetConnect());

describe('the source label for release notes', () => {
  it('is not asked of Docker Hub, where a manifest GET counts as a pull', async () => {
    const source = createReleaseSource({ config: DEFAULT_CONFIG, cacheDir: null, logger: silentLogger, retries: 0 });
    expect(await source.sourceLabel({ datasource: 'docker', name: 'nginx', registryUrl: null }, '1.27.0')).toEqual(null);
    expect(await source.sourceLabel({ datasource: 'docker', name: 'docker.io/bitnami/redis', registryUrl: null }, '7.4.1')).toEqual(null);
    expect(source.requestsByHost()).toEqual(new Map());
  });
});
