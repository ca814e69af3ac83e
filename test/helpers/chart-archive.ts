import { gzipSync } from 'node:zlib';

/** One tar entry: a file (default), a directory, or a symlink / hard link to `target`. */
export interface TarEntry {
  name: string;
  content?: string | Buffer;
  type?: 'file' | 'dir' | 'symlink' | 'link';
  target?: string;
}

export interface TestChart {
  name: string;
  version: string;
  /** `values.yaml` text; absent: none in the archive. */
  values?: string;
  /** `values.schema.json` (an object, written as JSON). */
  schema?: object;
  kubeVersion?: string;
  /** `artifacthub.io/changes` entries: `{kind, description}` or plain strings, written as the YAML string Helm charts carry. */
  changes?: (string | { kind: string; description: string; links?: { name: string; url: string }[] })[];
}

/** A chart `.tgz` as `helm package` lays it out (`name/Chart.yaml`, `name/values.yaml`, …), mtimes 0, so bytes never change. */
export function chartArchive(chart: TestChart): Buffer {
  const lines = ['apiVersion: v2', `name: ${chart.name}`, `version: ${chart.version}`];
  if (chart.kubeVersion) lines.push(`kubeVersion: ${JSON.stringify(chart.kubeVersion)}`);
  if (chart.changes) {
    const text = chart.changes
      .map((c) => (typeof c === 'string' ? `- ${JSON.stringify(c)}` : [`- kind: ${c.kind}`, `  description: ${JSON.stringify(c.description)}`, ...(c.links ? ['  links:', ...c.links.map((l) => `    - name: ${l.name}\n      url: ${l.url}`)] : [])].join('\n')))
      .join('\n');
    lines.push('annotations:', `  artifacthub.io/changes: |`, ...text.split('\n').map((l) => `    ${l}`));
  }
  const entries: TarEntry[] = [
    { name: `${chart.name}/Chart.yaml`, content: lines.join('\n') + '\n' },
    ...(chart.values !== undefined ? [{ name: `${chart.name}/values.yaml`, content: chart.values }] : []),
    ...(chart.schema ? [{ name: `${chart.name}/values.schema.json`, content: JSON.stringify(chart.schema, null, 2) }] : []),
    { name: `${chart.name}/templates/deployment.yaml`, content: 'kind: Deployment\n' },
  ];
  return gzipSync(tarArchive(entries));
}

/** A ustar archive of `entries` (names up to 100 bytes), with mtime 0. */
export function tarArchive(entries: TarEntry[]): Buffer {
  const parts: Buffer[] = [];
  for (const e of entries) {
    const body = e.type === undefined || e.type === 'file' ? Buffer.from(e.content ?? '') : Buffer.alloc(0);
    parts.push(tarHeader(e, body.length), body, Buffer.alloc((512 - (body.length % 512)) % 512));
  }
  parts.push(Buffer.alloc(1024));
  return Buffer.concat(parts);
}

function tarHeader(e: TarEntry, size: number): Buffer {
  const header = Buffer.alloc(512);
  const field = (text: string, offset: number, len: number): void => void header.write(text.slice(0, len), offset, 'ascii');
  const flag = { file: '0', dir: '5', symlink: '2', link: '1' }[e.type ?? 'file'];
  field(e.name, 0, 100);
  field(e.type === 'dir' ? '0000755\0' : '0000644\0', 100, 8);
  field('0000000\0', 108, 8);
  field('0000000\0', 116, 8);
  field(size.toString(8).padStart(11, '0') + '\0', 124, 12);
  field('00000000000\0', 136, 12);
  field('        ', 148, 8);
  field(flag, 156, 1);
  if (e.target) field(e.target, 157, 100);
  field('ustar\0', 257, 6);
  field('00', 263, 2);
  let sum = 0;
  for (const b of header) sum += b;
  field(sum.toString(8).padStart(6, '0') + '\0 ', 148, 8);
  return header;
}
