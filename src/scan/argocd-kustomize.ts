import { emitImageText } from './emit-image.js';
import type { Sink } from './found.js';
import { asSeq, get, offsetOf, str, token } from './yaml.js';

/**
 * Argo CD `source.kustomize.images`: strings in `kustomize edit set image` form, `ghcr.io/acme/web:1.2.3`,
 * `nginx=nginx:1.25.3-alpine` (name=newName:tag), `app=ghcr.io/acme/app@sha256:…`, `web:1.2.3@sha256:…`.
 * The dependency is the image after the `=` (the real one). A rename alone (`app=mirror/app`) pins nothing.
 */
export function extractKustomizeImages(sink: Sink, text: string, kustomize: unknown): void {
  for (const node of asSeq(get(kustomize, 'images'))?.items ?? []) {
    const value = str(node);
    if (!value) continue;
    const eq = value.indexOf('=');
    const ref = value.slice(eq + 1);
    if (eq >= 0 && !/[:@]/.test(ref.slice(ref.lastIndexOf('/') + 1))) continue;
    const tok = token(text, node);
    const refTok = tok ? { value: ref, start: tok.start + eq + 1, end: tok.end } : null;
    emitImageText(sink, ref, refTok, 'argocd', offsetOf(node), true);
  }
}

