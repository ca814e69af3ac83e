import { posix } from 'node:path';
import { emitChart, skipForChartVersion } from './emit-chart.js';
import { skipForName, skipForValue, type Found, type Sink } from './found.js';
import { extractInlinePatches } from './kustomize-patches.js';
import type { DocInfo, ScanIndex, Scanner } from './scanner.js';
import type { Manager } from './types.js';
import { walkValues } from './values-walk.js';
import { asSeq, get, offsetOf, str, token } from './yaml.js';

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
 */
export function extractImage(sink: Sink, text: string, item: unknown, manager: Manager, resolve?: (name: string) => string | undefined): void {
  const nameNode = get(item, 'name');
  const name = str(nameNode);
  if (!name) return;
  const tagNode = get(item, 'newTag');
  const digestNode = get(item, 'digest');
  const tag = str(tagNode) ?? '';
  const digest = str(digestNode) ?? '';
  // Only a rename (`{name: app, newName: mirror/app}`): the version is in the resources, not here.
  if (tag === '' && digest === '') return;
  const image = str(get(item, 'newName')) || resolve?.(name) || name;
  const found: Found = {
    manager,
    datasource: 'docker',
    name: image,
    registryUrl: null,
    value: tag === '' ? null : token(text, tagNode),
    digest: digest === '' ? null : token(text, digestNode),
    at: offsetOf(nameNode),
    digestInsertAt: null,
  };
  const skip = skipForName(image) ?? (tag ? skipForValue(tag) : undefined);
  if (skip) found.skipReason = skip;
  else if ((tag && !found.value) || (digest && !found.digest)) found.skipReason = 'invalid-value';
  sink.found(found);
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
