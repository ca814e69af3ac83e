import type { Node } from 'yaml';
import type { Sink } from './found.js';
import type { Manager } from './types.js';
import type { ImagePaths } from './values-walk.js';

/** One parsed YAML document and where it came from. */
export interface DocInfo {
  file: string;
  /** Directory of the file, relative, '' at the root. */
  dir: string;
  /** File name without directory: `values-prod.yaml`. */
  base: string;
  text: string;
  contents: Node | null;
  apiVersion?: string;
  kind?: string;
  name?: string;
  namespace?: string;
}

/** A Flux source object, found in any file, that a HelmRelease may point at. */
export interface FluxSource {
  kind: 'HelmRepository' | 'OCIRepository';
  name: string;
  namespace?: string;
  url: string;
  /** HelmRepository `spec.type: oci`. */
  oci: boolean;
}

/** A kustomization's facts that its overlays need: image renames and the paths it builds on. */
export interface KustomizationFacts {
  newNames: Map<string, string>;
  resources: string[];
}

/** Facts gathered across all files before extraction (phase 1), read-only during extraction (phase 2). */
export interface ScanIndex {
  fluxSources: FluxSource[];
  /** `namespace/name` (namespace '' when unset) of OCIRepositories that some HelmRelease uses as its chart. */
  ociChartRefs: Set<string>;
  kustomizations: Map<string, KustomizationFacts>;
  /** Directories holding a base `values.yaml`/`values.yml`, known before any file is parsed. */
  valuesBaseDirs: Set<string>;
  /** Directories whose base values are worth reading: they hold other values files, or a Chart.yaml (local charts). */
  valuesWanted: Set<string>;
  /** The images each wanted base values file sets, by directory and key path. */
  valuesImages: Map<string, ImagePaths>;
  /** helmfile `repositories:` by file, then by name: the URL (`oci://…` for `oci: true`). */
  helmfileRepos: Map<string, Map<string, string>>;
}

/** A scanner: claims documents (first match wins, in the order of the managers map) and reports what they pin. */
export interface Scanner {
  manager: Manager;
  matches(doc: DocInfo): boolean;
  /**
   * True when `extract` reads facts from other files; such documents are kept until every file is collected. A
   * function decides per document (facts known before parsing are in the index already).
   */
  crossFile?: boolean | ((doc: DocInfo, index: ScanIndex) => boolean);
  collect?(doc: DocInfo, index: ScanIndex): void;
  extract(doc: DocInfo, sink: Sink, index: ScanIndex): void;
}

export function emptyIndex(): ScanIndex {
  return {
    fluxSources: [],
    ociChartRefs: new Set(),
    kustomizations: new Map(),
    valuesBaseDirs: new Set(),
    valuesWanted: new Set(),
    valuesImages: new Map(),
    helmfileRepos: new Map(),
  };
}
