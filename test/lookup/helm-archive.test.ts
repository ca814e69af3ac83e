import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { MAX_UNPACKED_BYTES, readChartArchive } from '../../src/lookup/helm/archive.js';
import { tarArchive, type TarEntry } from '../helpers/chart-archive.js';

const chartYaml: TarEntry = { name: 'web/Chart.yaml', content: 'apiVersion: v2\nname: web\nversion: 1.0.0\n' };

/** Attacker-built archives read straight from bytes, as a hostile Helm repository or OCI registry would serve them. */
describe('readChartArchive against hostile archives', () => {
  it('stops at 20,000 entries (a tar of tiny headers unpacks small but would keep the parser busy)', async () => {
    const many = Array.from({ length: 20_001 }, (_, i) => ({ name: `web/t/${i}`, type: 'dir' as const }));
    await expect(readChartArchive(gzipSync(tarArchive([chartYaml, ...many])))).rejects.toThrow('the chart archive has more than 20000 entries');
  });

  it('refuses a hard link, even to a file inside the chart, and a Windows drive path', async () => {
    await expect(readChartArchive(gzipSync(tarArchive([chartYaml, { name: 'web/values.yaml', type: 'link', target: 'web/Chart.yaml' }])))).rejects.toThrow(
      'the chart archive holds a link (web/values.yaml); not read',
    );
    await expect(readChartArchive(gzipSync(tarArchive([chartYaml, { name: 'C:/Windows/x', content: 'x' }])))).rejects.toThrow(
      'the chart archive has an entry outside its directory (C:/Windows/x); not read',
    );
  });

  it('refuses a second top-level directory that could carry another Chart.yaml', async () => {
    await expect(readChartArchive(gzipSync(tarArchive([chartYaml, { name: 'evil/Chart.yaml', content: 'name: evil\n' }])))).rejects.toThrow(
      'the chart archive has more than one top-level directory',
    );
  });

  it(`stops a gzip bomb hidden in one file at ${MAX_UNPACKED_BYTES / 1024 / 1024} MiB unpacked, whatever the compressed size`, async () => {
    const bomb = gzipSync(tarArchive([chartYaml, { name: 'web/zeros', content: Buffer.alloc(MAX_UNPACKED_BYTES + 1024 * 1024) }]), { level: 9 });
    expect(bomb.length).toBeLessThan(1024 * 1024);
    await expect(readChartArchive(bomb)).rejects.toThrow(`the chart archive unpacks to more than ${MAX_UNPACKED_BYTES / 1024 / 1024} MiB`);
  });

  it('reads only the top-level chart files, not a subchart\'s values.yaml of the same name', async () => {
    const files = await readChartArchive(
      gzipSync(tarArchive([chartYaml, { name: 'web/charts/db/values.yaml', content: 'evil: 1\n' }, { name: 'web/values.yaml', content: 'a: 1\n' }])),
    );
    expect(files).toEqual({ chartYaml: chartYaml.content, valuesYaml: 'a: 1\n', schemaJson: null });
  });
});
