import { emitImageMap } from './emit-image.js';
import type { Sink } from './found.js';
import { asSeq, get, offsetOf, str } from './yaml.js';

// `image.repository`, `controller.image.tag`, `registry`: the image part after an optional dotted prefix.
const PARAM = /^(?<prefix>(?:.*\.)?)(?<part>registry|repository|tag|digest)$/;

type Part = 'registry' | 'repository' | 'tag' | 'digest';

interface ParamGroup {
  nodes: Partial<Record<Part, unknown>>;
  at: number;
}

/**
 * Argo CD `source.helm.parameters`: `{name: image.repository, value: ghcr.io/acme/web}` and
 * `{name: image.tag, value: "1.2.3"}` (same prefix, optionally `.registry` and `.digest`) make one image, its version
 * the tag's value. A tag without a repository names no image and is left out.
 */
export function extractHelmParameters(sink: Sink, text: string, helm: unknown): void {
  const groups = new Map<string, ParamGroup>();
  for (const item of asSeq(get(helm, 'parameters'))?.items ?? []) {
    const nameNode = get(item, 'name');
    const match = PARAM.exec(str(nameNode) ?? '')?.groups;
    const value = get(item, 'value');
    if (!match || value === undefined) continue;
    const prefix = match.prefix ?? '';
    const group = groups.get(prefix) ?? { nodes: {}, at: offsetOf(nameNode) };
    group.nodes[match.part as Part] = value;
    if (match.part === 'repository') group.at = offsetOf(nameNode);
    groups.set(prefix, group);
  }
  for (const { nodes, at } of groups.values()) {
    if (nodes.repository === undefined || (nodes.tag === undefined && nodes.digest === undefined)) continue;
    emitImageMap(sink, text, { repository: nodes.repository, registry: nodes.registry, tag: nodes.tag, digest: nodes.digest, at }, 'helm-values');
  }
}
