import type { Datasource } from '../scan/types.js';

/** The identity of a package in its registry: what lookups are deduplicated by. */
export interface PackageRef {
  datasource: Datasource;
  /** Image (`ghcr.io/acme/web`, `nginx`) or chart name. */
  name: string;
  /** Charts: `https://…` index repository or `oci://host/path`; images: null. */
  registryUrl: string | null;
}

export interface Release {
  version: string;
  /** Known without an extra request (Helm index digests); images get theirs through `ReleaseSource.digest`. */
  digest?: string | null;
  /** ISO 8601, when the source gives it cheaply (Helm `created`). */
  releaseTimestamp?: string | null;
}

export interface PackageReleases {
  releases: Release[];
  /** Where release notes live: a chart's `sources`/`home`, an image's `org.opencontainers.image.source`. */
  sourceUrl?: string | null;
  homepage?: string | null;
}

/**
 * What planning may ask of registries. Implementations deduplicate per package and per run,
 * and throw `RegistryError` (errors.ts) when a registry fails.
 */
export interface ReleaseSource {
  releases(pkg: PackageRef): Promise<PackageReleases>;
  /** Digest a user would pin for that tag (the index digest for multi-arch images); null when unknown. */
  digest(pkg: PackageRef, version: string): Promise<string | null>;
  /** Creation time of that version, fetched lazily; null when the registry gives none. */
  releaseTime(pkg: PackageRef, version: string): Promise<Date | null>;
}
