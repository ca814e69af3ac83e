import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';

/** Pushes blobs and manifests over plain HTTP, as the OCI distribution spec describes; no Docker engine needed. */
export interface Pusher {
  /** `http://127.0.0.1:5000` (the registry itself, not a proxy, so pushes are not counted). */
  baseUrl: string;
  /** Authorization for a repository with push rights, or null. */
  authorize(repo: string): Promise<string | null>;
}

export interface PushImageOptions {
  /** Image config `created` (RFC 3339). */
  created?: string;
  /** `org.opencontainers.image.source` config label. */
  sourceLabel?: string;
  /** `['linux/amd64', 'linux/arm64']`: push an OCI image index over one image per platform. */
  platforms?: string[];
  /** Annotations on the top-level manifest or index. */
  annotations?: Record<string, string>;
}

export interface PushChartOptions {
  created?: string;
  appVersion?: string;
  /** The chart `.tgz` to push as the chart layer (test/helpers/chart-archive.ts); default a Chart.yaml-only archive. */
  archive?: Buffer;
}

const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
const OCI_INDEX = 'application/vnd.oci.image.index.v1+json';

/** Digests are reproducible: fixed tar mtimes, gzip without a timestamp, JSON in a fixed key order. */
export async function pushImage(p: Pusher, repo: string, tag: string, opts: PushImageOptions = {}): Promise<{ digest: string }> {
  const platforms = opts.platforms ?? [];
  if (platforms.length === 0) {
    const manifest = await imageManifest(p, repo, 'linux/amd64', opts, opts.annotations);
    return putManifest(p, repo, tag, OCI_MANIFEST, manifest);
  }
  const children = [];
  for (const platform of platforms) {
    const body = await imageManifest(p, repo, platform, opts, undefined);
    const { digest } = await putManifest(p, repo, sha256(body), OCI_MANIFEST, body);
    const [os = 'linux', architecture = 'amd64', variant] = platform.split('/');
    children.push({ mediaType: OCI_MANIFEST, digest, size: Buffer.byteLength(body), platform: { architecture, os, ...(variant && { variant }) } });
  }
  const index = JSON.stringify({ schemaVersion: 2, mediaType: OCI_INDEX, manifests: children, ...(opts.annotations && { annotations: opts.annotations }) });
  return putManifest(p, repo, tag, OCI_INDEX, index);
}

/** An OCI Helm chart as Helm 4 writes it: no top-level `mediaType`, a Chart.yaml-as-JSON config. Tags carry `_` for `+`. */
export async function pushChart(p: Pusher, repo: string, version: string, opts: PushChartOptions = {}): Promise<{ digest: string }> {
  const name = repo.split('/').pop() ?? repo;
  const config = JSON.stringify({ apiVersion: 'v2', name, version, ...(opts.appVersion && { appVersion: opts.appVersion }) });
  const chart = opts.archive ?? gzipSync(tar(`${name}/Chart.yaml`, `apiVersion: v2\nname: ${name}\nversion: ${version}\n`));
  const configDesc = await uploadBlob(p, repo, Buffer.from(config), 'application/vnd.cncf.helm.config.v1+json');
  const layerDesc = await uploadBlob(p, repo, chart, 'application/vnd.cncf.helm.chart.content.v1.tar+gzip');
  const annotations = { 'org.opencontainers.image.title': name, 'org.opencontainers.image.version': version, ...(opts.created && { 'org.opencontainers.image.created': opts.created }) };
  const manifest = JSON.stringify({ schemaVersion: 2, config: configDesc, layers: [layerDesc], annotations });
  return putManifest(p, repo, version.replaceAll('+', '_'), OCI_MANIFEST, manifest);
}

async function imageManifest(p: Pusher, repo: string, platform: string, opts: PushImageOptions, annotations: Record<string, string> | undefined): Promise<string> {
  const [os = 'linux', architecture = 'amd64', variant] = platform.split('/');
  const layerTar = tar('hello.txt', `hello from ${platform}\n`);
  const layer = gzipSync(layerTar);
  const config = JSON.stringify({
    architecture, os, ...(variant && { variant }),
    ...(opts.created && { created: opts.created }),
    config: opts.sourceLabel ? { Labels: { 'org.opencontainers.image.source': opts.sourceLabel } } : {},
    rootfs: { type: 'layers', diff_ids: [sha256(layerTar)] },
  });
  const configDesc = await uploadBlob(p, repo, Buffer.from(config), 'application/vnd.oci.image.config.v1+json');
  const layerDesc = await uploadBlob(p, repo, layer, 'application/vnd.oci.image.layer.v1.tar+gzip');
  return JSON.stringify({ schemaVersion: 2, mediaType: OCI_MANIFEST, config: configDesc, layers: [layerDesc], ...(annotations && { annotations }) });
}

async function uploadBlob(p: Pusher, repo: string, data: Buffer, mediaType: string): Promise<{ mediaType: string; digest: string; size: number }> {
  const digest = sha256(data);
  const auth = await p.authorize(repo);
  const headers: Record<string, string> = auth ? { authorization: auth } : {};
  const head = await fetch(`${p.baseUrl}/v2/${repo}/blobs/${digest}`, { method: 'HEAD', headers });
  if (head.status !== 200) {
    const start = await fetch(`${p.baseUrl}/v2/${repo}/blobs/uploads/`, { method: 'POST', headers });
    const location = start.headers.get('location');
    if (start.status !== 202 || !location) throw new Error(`blob upload to ${repo} failed to start: ${start.status} ${await start.text()}`);
    const url = new URL(location, p.baseUrl);
    url.searchParams.set('digest', digest);
    const put = await fetch(url, { method: 'PUT', headers: { ...headers, 'content-type': 'application/octet-stream' }, body: new Uint8Array(data) });
    if (put.status !== 201) throw new Error(`blob upload to ${repo} failed: ${put.status} ${await put.text()}`);
  }
  return { mediaType, digest, size: data.length };
}

async function putManifest(p: Pusher, repo: string, ref: string, mediaType: string, body: string): Promise<{ digest: string }> {
  const auth = await p.authorize(repo);
  const res = await fetch(`${p.baseUrl}/v2/${repo}/manifests/${ref}`, {
    method: 'PUT',
    headers: { 'content-type': mediaType, ...(auth && { authorization: auth }) },
    body,
  });
  if (res.status !== 201) throw new Error(`manifest push ${repo}:${ref} failed: ${res.status} ${await res.text()}`);
  return { digest: res.headers.get('docker-content-digest') ?? sha256(body) };
}

export function sha256(data: string | Buffer): string {
  return `sha256:${createHash('sha256').update(data).digest('hex')}`;
}

/** A one-file ustar archive with mtime 0, so its bytes never change. */
function tar(name: string, content: string): Buffer {
  const body = Buffer.from(content);
  const header = Buffer.alloc(512);
  const field = (text: string, offset: number, len: number): void => void header.write(text.slice(0, len), offset, 'ascii');
  field(name, 0, 100);
  field('0000644\0', 100, 8);
  field('0000000\0', 108, 8);
  field('0000000\0', 116, 8);
  field(body.length.toString(8).padStart(11, '0') + '\0', 124, 12);
  field('00000000000\0', 136, 12);
  field('        ', 148, 8);
  field('0', 156, 1);
  field('ustar\0', 257, 6);
  field('00', 263, 2);
  let sum = 0;
  for (const b of header) sum += b;
  field(sum.toString(8).padStart(6, '0') + '\0 ', 148, 8);
  const pad = Buffer.alloc((512 - (body.length % 512)) % 512);
  return Buffer.concat([header, body, pad, Buffer.alloc(1024)]);
}
