import { argocd } from './argocd.js';
import { dockerCompose } from './docker-compose.js';
import { flux } from './flux.js';
import { helmChart } from './helm-chart.js';
import { helmValues } from './helm-values.js';
import { helmfile } from './helmfile.js';
import { kubernetes } from './kubernetes.js';
import { kustomize } from './kustomize.js';
import type { Scanner } from './scanner.js';
import type { Manager } from './types.js';

/** Every scanner, in the order documents are offered to them: the first whose `matches` is true owns the document. */
export const managers: ReadonlyMap<Manager, Scanner> = new Map<Manager, Scanner>([
  ['helm-chart', helmChart],
  ['helmfile', helmfile],
  ['docker-compose', dockerCompose],
  ['kustomize', kustomize],
  ['flux', flux],
  ['argocd', argocd],
  ['kubernetes', kubernetes],
  ['helm-values', helmValues],
]);
