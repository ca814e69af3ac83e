import { describe, expect, it } from 'vitest';
import { applyUpdates } from '../../src/edit/index.js';
import { scanFiles } from '../../src/scan/index.js';
import type { Dependency } from '../../src/scan/types.js';
import { updateOf } from './update-fixture.js';

const chartYaml = (redis: string, common: string): string =>
  [
    'apiVersion: v2',
    'name: app',
    'version: 1.0.0',
    'dependencies:',
    '  - name: redis',
    `    version: ${redis} # widened by hand once`,
    '    repository: oci://registry-1.docker.io/bitnamicharts',
    '  - name: common',
    `    version: ${common}`,
    '    repository: https://charts.bitnami.com/bitnami',
    '',
  ].join('\n');

function rangeDep(text: string, name: string): Dependency {
  const found = scanFiles([{ path: 'Chart.yaml', text }]).dependencies.filter((d) => d.name === name);
  expect(found.map((d) => d.skipReason)).toEqual(['version-range']);
  return found[0]!;
}

describe('applyUpdates on version ranges', () => {
  it('rewrites a quoted range into a range, keeping the quotes and the comment, and reads it back as a range', () => {
    const text = chartYaml('"^18.0.0"', "'~2.2'");
    const result = applyUpdates('Chart.yaml', text, [updateOf(rangeDep(text, 'redis'), '^19.0.0', null, 'major'), updateOf(rangeDep(text, 'common'), '~2.4')]);
    expect(result.problems).toEqual([]);
    expect(result.applied).toHaveLength(2);
    expect(result.text).toEqual(chartYaml('"^19.0.0"', "'~2.4'"));
  });

  it('pins a range to an exact version, which then reads back as a pinned version', () => {
    const text = chartYaml('18.x.x', "'>=2.0.0, <3.0.0'");
    const result = applyUpdates('Chart.yaml', text, [updateOf(rangeDep(text, 'redis'), '18.6.1'), updateOf(rangeDep(text, 'common'), '2.26.0')]);
    expect(result.problems).toEqual([]);
    expect(result.text).toEqual(chartYaml('18.6.1', "'2.26.0'"));
    expect(scanFiles([{ path: 'Chart.yaml', text: result.text }]).dependencies.map((d) => [d.currentValue, d.skipReason])).toEqual([
      ['18.6.1', undefined],
      ['2.26.0', undefined],
    ]);
  });
});
