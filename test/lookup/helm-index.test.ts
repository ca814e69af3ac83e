import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { RegistryError } from '../../src/errors.js';
import { isoOrNull, parseHelmIndex } from '../../src/lookup/helm/repository.js';

describe('parseHelmIndex', () => {
  it('reads versions as written, with created, digest, home, sources and archive URLs, skipping entries without a version', async () => {
    const text = await readFile(new URL('../../fixtures/lookup/helm-index-quirks.yaml', import.meta.url), 'utf8');
    const index = parseHelmIndex(text, 'charts.example.test');
    expect(Object.fromEntries(index)).toEqual({
      legacy: [
        { version: '1.10', created: '2019-03-14T09:26:53.123456789-07:00', digest: '4b3d9c62f2e8c0a4c1d4c9f0d0b2d5f0a1c3e5d7f9b1a3c5e7d9f1b3a5c7e9d1', home: 'https://legacy.example.test', sources: [], urls: ['https://charts.example.test/legacy-1.10.tgz'] },
        { version: '1.9', created: '2019-01-02T03:04:05Z', digest: null, home: null, sources: [], urls: [] },
      ],
      podinfo: [
        {
          version: '6.7.1',
          created: '2024-10-10T10:10:10.000000001Z',
          digest: '9d3f0a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7',
          home: 'https://github.com/stefanprodan/podinfo',
          sources: ['https://github.com/stefanprodan/podinfo'],
          urls: ['https://stefanprodan.github.io/podinfo/podinfo-6.7.1.tgz'],
        },
      ],
      empty: [],
    });
  });

  it('turns Helm timestamps into plain ISO 8601', () => {
    expect(isoOrNull('2019-03-14T09:26:53.123456789-07:00')).toEqual('2019-03-14T16:26:53.123Z');
    expect(isoOrNull('yesterday')).toEqual(null);
  });

  it('reads the placeholder times of reproducible chart builds as unknown', () => {
    expect(['1970-01-01T00:00:00Z', '1980-01-01T00:00:01Z', '0001-01-01T00:00:00Z', ''].map((t) => isoOrNull(t))).toEqual([null, null, null, null]);
  });

  it('rejects a file that is not an index', () => {
    expect(() => parseHelmIndex('<html>', 'h')).toThrow(RegistryError);
    expect(() => parseHelmIndex('entries: [', 'h')).toThrow('h: index.yaml is not valid YAML');
  });
});
