/** What a scanner found in one file. Offsets are into the file's decoded text (JS string indices), end exclusive. */
export type Manager = 'kubernetes' | 'helm-values' | 'helm-chart' | 'kustomize' | 'flux' | 'argocd' | 'helmfile' | 'docker-compose';
export type Datasource = 'docker' | 'helm';

/** Why a found reference is not updatable. Data, never an exception. */
export type SkipReason =
  | 'templated' // image: "{{ .Values.image }}"
  | 'substitution' // tag: ${APP_VERSION}
  | 'unpinned' // image: nginx, image: nginx:latest, targetRevision: main
  | 'chart-app-version' // tag: "" (the chart's appVersion)
  | 'local-chart' // repository: file://../common
  | 'alias-repository' // repository: "@bitnami"
  | 'version-range' // version: ~1.2 in Chart.yaml
  | 'unresolved-source' // HelmRelease whose HelmRepository was not found
  | 'invalid-value' // a value that is not a usable image or version
  | 'invalid-repository' // Chart.yaml repository: git+https://… (not a chart repository)
  | 'ignored'; // # tidemark: ignore

export interface TextRange {
  start: number;
  end: number;
}

/** Controls written as comments in the scanned YAML: `# tidemark: ignore`, `# tidemark: allowedVersions=<1.30`. */
export interface InlineControls {
  ignore?: boolean;
  allowedVersions?: string;
}

/**
 * One pinned image or chart. Invariants: `file.slice(valueRange)` === currentValue and
 * `file.slice(digestRange)` === currentDigest whenever those ranges are set.
 */
export interface Dependency {
  /** Relative to the scanned directory, `/` separators. */
  file: string;
  /** 1-based line of the version token (of the digest when there is no tag). */
  line: number;
  manager: Manager;
  datasource: Datasource;
  /** Image without tag and digest, as written (the real image: kustomize `newName` when present); for charts the chart name. */
  name: string;
  /** Charts: the repository URL (`https://…` or `oci://host/path`); images: null. */
  registryUrl: string | null;
  currentValue: string | null;
  currentDigest: string | null;
  skipReason?: SkipReason;
  valueRange: TextRange | null;
  digestRange: TextRange | null;
  /**
   * Where a digest could be added when pinning (`nginx:1.25` → insert `@sha256:…` at this offset, a string image only);
   * null when the form has no room for one.
   */
  digestInsertAt?: number | null;
  controls?: InlineControls;
}

export interface Problem {
  file: string;
  line: number;
  message: string;
}

export interface ScanResult {
  dependencies: Dependency[];
  problems: Problem[];
}
