import { scanEmbeddedYaml } from './embedded.js';
import type { Sink } from './found.js';
import { kubernetes } from './kubernetes.js';
import { emptyIndex, type DocInfo } from './scanner.js';
import { asSeq, get, str } from './yaml.js';

/**
 * Images in patches written inline, as strings, in a kustomization or a Flux `Kustomization`/`postRenderers` (a path
 * to a patch file is a one-line string and is scanned where that file lives):
 * `patches: [{patch: "- op: replace\n  path: /spec/template/spec/containers/0/image\n  value: app:1.2"}]`,
 * `patchesStrategicMerge: ["apiVersion: apps/v1\nkind: Deployment\n…image: app:1.2"]`, `patchesJson6902: [{patch: …}]`.
 */
export function extractInlinePatches(doc: DocInfo, sink: Sink, holder: unknown): void {
  for (const key of ['patches', 'patchesJson6902', 'patchesStrategicMerge']) {
    for (const item of asSeq(get(holder, key))?.items ?? []) {
      const node = key === 'patchesStrategicMerge' ? item : get(item, 'patch');
      if (!(str(node) ?? '').includes('\n')) continue;
      scanEmbeddedYaml(sink, doc.text, node, 'inline patch', (inner, text, contents) => {
        const patch: DocInfo = { file: doc.file, dir: doc.dir, base: doc.base, text, contents };
        const apiVersion = str(get(contents, 'apiVersion'));
        const kind = str(get(contents, 'kind'));
        if (apiVersion) patch.apiVersion = apiVersion;
        if (kind) patch.kind = kind;
        if (kubernetes.matches(patch)) kubernetes.extract(patch, inner, emptyIndex());
      });
    }
  }
}
