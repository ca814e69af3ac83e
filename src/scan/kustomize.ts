import { posix } from 'node:path';
import { emitChart, skipForChartVersion } from './emit-chart.js';
import { skipForImageTag, skipForName, type Found, type Sink } from './found.js';
import { isDigestText, isImageTag, parseImageRef } from './image.js';
import { extractInlinePatches } from './kustomize-patches.js';
import type { DocInfo, ScanIndex, Scanner } from './scanner.js';
import type { Manager } from './types.js';
import { walkValues } from './values-walk.js';
import { asSeq, get, offsetOf, str, token, type Token } from './yaml.js';

const FILE_NAMES = new Set(['kustomization.yaml', 'kustomization.yml', 'Kustomization']);

/**
 * Kustomize `images:` (`name`, `newName`, `newTag`, `digest`) and `helmCharts:` (`name`, `repo`, `version`, images in
 * `valuesInline`); a `kind: Component` reads the same.
 * An overlay entry with only `newTag` takes its image from the `newName` its bases set:
 * base `images: [{name: app, newName: ghcr.io/acme/app}]`, overlay `images: [{name: app, newTag: 1.2.3}]`.
 */
export const kustomize: Scanner = {
  manager: 'kustomize',
  matches: (doc) => {
    const group = doc.apiVersion?.split('/')[0];
    if (group === 'kustomize.config.k8s.io') return true;
    return FILE_NAMES.has(doc.base) && doc.apiVersion === undefined;
  },
  crossFile: true,
  collect(doc, index) {
    const newNames = new Map<string, string>();
    for (const item of asSeq(get(doc.contents, 'images'))?.items ?? []) {
      const name = str(get(item, 'name'));
      const newName = str(get(item, 'newName'));
      if (name && newName) newNames.set(name, newName);
    }
    const resources: string[] = [];
    for (const key of ['resources', 'bases', 'components']) {
      for (const r of asSeq(get(doc.contents, key))?.items ?? []) {
        const path = str(r);
        if (path && !path.includes('://') && !path.includes('?')) resources.push(path);
      }
    }
    index.kustomizations.set(doc.dir, { newNames, resources });
  },
  extract(doc, sink, index) {
    const resolve = (name: string) => resolveNewName(index, doc.dir, name, new Set());
    for (const item of asSeq(get(doc.contents, 'images'))?.items ?? []) extractImage(sink, doc.text, item, 'kustomize', resolve);
    for (const item of asSeq(get(doc.contents, 'helmCharts'))?.items ?? []) {
      extractHelmChart(doc, sink, item);
      // `valuesInline: {image: {repository: …, tag: …}}`: Helm values written in the kustomization.
      const inline = get(item, 'valuesInline');
      if (inline) walkValues(sink, doc.text, inline);
    }
    extractInlinePatches(doc, sink, doc.contents);
  },
};

/**
 * One kustomize-style `images:` entry, `{name: app, newName: ghcr.io/acme/app, newTag: 1.2.3, digest: sha256:…}`, as
 * found in kustomizations and Flux HelmRelease `postRenderers`. `resolve` finds a `newName` set elsewhere (bases).
 * `newTag: 11@sha256:…` splits into tag and digest; `newName: awesome/postgres:11@sha256:…` carries its own version
 * when there is no `newTag`/`digest`. A tag or digest that is not one (`newTag: sha256:…`, `digest: 02641143766`) is
 * `invalid-value`.
 */
export function extractImage(sink: Sink, text: string, item: unknown, manager: Manager, resolve?: (name: string) => string | undefined): void {
  const nameNode = get(item, 'name');
  const name = str(nameNode);
  if (!name) return;
  const tagNode = get(item, 'newTag');
  const digestNode = get(item, 'digest');
  const newNameNode = get(item, 'newName');
  let tag = part(text, tagNode);
  let digest = part(text, digestNode);
  let image = str(newNameNode) || resolve?.(name) || name;
  if (tag && tag.token && tag.value.includes('@')) [tag, digest] = splitAt(tag.token, digest);
  const own = tag === null && digest === null ? versionInNewName(text, newNameNode) : undefined;
  if (own) ({ image, tag, digest } = own);
  // Only a rename (`{name: app, newName: mirror/app}`): the version is in the resources, not here.
  if (tag === null && digest === null) return;
  const found: Found = {
    manager,
    datasource: 'docker',
    name: image,
    registryUrl: null,
    value: tag?.token ?? null,
    digest: digest?.token ?? null,
    at: offsetOf(nameNode),
    digestInsertAt: null,
  };
  const skip = skipForName(image) ?? (tag ? skipForImageTag(tag.value, digest !== null) : undefined);
  if (skip) found.skipReason = skip;
  else if (!validPart(tag, isImageTag) || !validPart(digest, isDigestText)) found.skipReason = 'invalid-value';
  sink.found(found);
}

/** A tag or digest as written: its text, and its token when it can be spliced. */
interface Part {
  value: string;
  token: Token | null;
}

function part(text: string, node: unknown): Part | null {
  const value = str(node) ?? '';
  return value === '' ? null : { value, token: token(text, node) };
}

/** `newTag: 11@sha256:…` → tag `11` and digest `sha256:…` (a separate `digest:` key is kept when the tag has none). */
function splitAt(tok: Token, digest: Part | null): [Part | null, Part | null] {
  const i = tok.value.indexOf('@');
  const tag = tok.value.slice(0, i);
  const dig = tok.value.slice(i + 1);
  return [
    tag === '' ? null : { value: tag, token: { value: tag, start: tok.start, end: tok.start + i } },
    dig === '' ? digest : { value: dig, token: { value: dig, start: tok.start + i + 1, end: tok.end } },
  ];
}

/** `newName: awesome/postgres:11@sha256:…`: the image, tag and digest it spells, or undefined for a plain name. */
function versionInNewName(text: string, node: unknown): { image: string; tag: Part | null; digest: Part | null } | undefined {
  const tok = token(text, node);
  const ref = tok ? parseImageRef(tok.value) : null;
  if (!tok || !ref || (!ref.tag && !ref.digest)) return undefined;
  const at = (p: { value: string; start: number; end: number } | null): Part | null =>
    p ? { value: p.value, token: { value: p.value, start: tok.start + p.start, end: tok.start + p.end } } : null;
  return { image: ref.name, tag: at(ref.tag), digest: at(ref.digest) };
}

function validPart(p: Part | null, valid: (v: string) => boolean): boolean {
  return p === null || (p.token !== null && valid(p.value));
}

/** The `newName` a base (reached through `resources:`, `bases:` or `components:` directories) gives `name`. */
export function resolveNewName(index: ScanIndex, dir: string, name: string, seen: Set<string>): string | undefined {
  if (seen.has(dir)) return undefined;
  seen.add(dir);
  for (const r of index.kustomizations.get(dir)?.resources ?? []) {
    const target = posix.normalize(posix.join(dir, r)).replace(/\/+$/, '');
    const facts = index.kustomizations.get(target === '.' ? '' : target);
    if (!facts) continue;
    const found = facts.newNames.get(name) ?? resolveNewName(index, target === '.' ? '' : target, name, seen);
    if (found) return found;
  }
  return undefined;
}

/** `helmCharts: [{name: minecraft, repo: https://itzg.github.io/minecraft-server-charts, version: 3.1.3}]`. */
function extractHelmChart(doc: DocInfo, sink: Sink, item: unknown): void {
  const nameNode = get(item, 'name');
  const name = str(nameNode);
  if (!name) return;
  const repo = str(get(item, 'repo')) ?? '';
  const versionNode = get(item, 'version');
  const version = str(versionNode) ?? '';
  emitChart(doc.text, sink, {
    manager: 'kustomize',
    name,
    registryUrl: repo === '' ? null : repo.replace(/\/+$/, ''),
    versionNode,
    at: offsetOf(nameNode),
    skipReason: repo === '' ? 'local-chart' : version === '' ? 'unpinned' : skipForChartVersion(version),
  });
}
