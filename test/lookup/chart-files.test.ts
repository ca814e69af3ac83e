import { createHash } from 'node:crypto';
import nock from 'nock';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG } from '../../src/config/types.js';
import { silentLogger } from '../../src/log.js';
import { createReleaseSource } from '../../src/lookup/index.js';
import { chartArchive } from '../helpers/chart-archive.js';

const source = () =>
  createReleaseSource({ config: DEFAULT_CONFIG, cacheDir: null, logger: silentLogger, env: { DOCKER_CONFIG: '/nonexistent' }, retries: 0 });
const chart = { datasource: 'helm' as const, name: 'web', registryUrl: 'https://charts.example.test/stable' };
const archive = chartArchive({ name: 'web', version: '1.0.0', values: 'a: 1\n', kubeVersion: '>=1.25.0-0' });

function index(url: string, digest: string | null = createHash('sha256').update(archive).digest('hex')): string {
  return ['apiVersion: v1', 'entries:', '  web:', '  - name: web', '    version: 1.0.0', ...(digest ? [`    digest: ${digest}`] : []), '    urls:', `    - ${url}`, ''].join('\n');
}

describe('chart files through the lookup source', () => {
  beforeAll(() => nock.disableNetConnect());
  afterEach(() => nock.cleanAll());
  afterAll(() => nock.enableNetConnect());

  it('resolves a relative archive URL against the index URL and reads the archive once per run', async () => {
    const scope = nock('https://charts.example.test').get('/stable/index.yaml').reply(200, index('web-1.0.0.tgz')).get('/stable/web-1.0.0.tgz').once().reply(200, archive);
    const s = source();
    const [a, b] = await Promise.all([s.chartFiles(chart, '1.0.0'), s.chartFiles(chart, '1.0.0')]);
    expect(a).toEqual({ chartYaml: expect.stringContaining('kubeVersion: ">=1.25.0-0"'), valuesYaml: 'a: 1\n', schemaJson: null });
    expect(b).toBe(a);
    scope.done();
  });

  it('does not let an index on another host point an archive read at this machine', async () => {
    const scope = nock('https://charts.example.test').get('/stable/index.yaml').reply(200, index('http://127.0.0.1:9/web-1.0.0.tgz'));
    await expect(source().chartFiles(chart, '1.0.0')).rejects.toThrow('charts.example.test: index.yaml points a chart archive at this machine (127.0.0.1:9); not read');
    scope.done();
  });

  it.each([
    ['http://169.254.169.254/latest/meta-data/iam/security-credentials/', '169.254.169.254'],
    ['http://0xa9fea9fe/computeMetadata/v1/', '169.254.169.254'],
    ['http://[fd00:ec2::254]/latest/api/token', '[fd00:ec2::254]'],
    ['http://[::ffff:169.254.169.254]/', '[::ffff:a9fe:a9fe]'],
    ['http://[fe80::1]:8080/', '[fe80::1]:8080'],
    ['http://localhost./web.tgz', 'localhost.'],
    ['http://2130706433:2375/containers/json', '127.0.0.1:2375'],
    ['http://[::]:80/', '[::]'],
  ])('does not let an index elsewhere point an archive read at a cloud metadata service or another local address: %s', async (url, shown) => {
    const scope = nock('https://charts.example.test').get('/stable/index.yaml').reply(200, index(url));
    await expect(source().chartFiles(chart, '1.0.0')).rejects.toThrow(`charts.example.test: index.yaml points a chart archive at this machine (${shown}); not read`);
    scope.done();
  });

  it('refuses an archive URL that is not http(s)', async () => {
    const scope = nock('https://charts.example.test').get('/stable/index.yaml').reply(200, index('file:///etc/passwd'));
    await expect(source().chartFiles(chart, '1.0.0')).rejects.toThrow('web 1.0.0: archive URL is not http(s)');
    scope.done();
  });
});
