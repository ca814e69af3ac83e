import { RegistryError } from '../../src/errors.js';
import type { PackageRef, PackageReleases, ReleaseSource } from '../../src/lookup/types.js';

export interface FakePackage {
  tags: string[];
  /** Per tag; absent tags have no digest. */
  digests?: Record<string, string>;
  /** Per tag, ISO time; absent tags have none. */
  times?: Record<string, string>;
  /** Given in the index itself (Helm `created`), no extra request. */
  indexTimes?: Record<string, string>;
  fail?: string;
  sourceUrl?: string;
}

/** An in-memory registry: records every call so tests can assert lookups happen once and lazily. */
export class FakeReleaseSource implements ReleaseSource {
  readonly calls: string[] = [];

  constructor(private readonly packages: Record<string, FakePackage>) {}

  async releases(pkg: PackageRef): Promise<PackageReleases> {
    this.calls.push(`releases ${pkg.name}`);
    const p = this.get(pkg);
    if (p.fail) throw new RegistryError(p.fail, { host: 'registry.test', status: 500 });
    return {
      releases: p.tags.map((version) => ({ version, releaseTimestamp: p.indexTimes?.[version] ?? null })),
      sourceUrl: p.sourceUrl ?? null,
    };
  }

  async digest(pkg: PackageRef, version: string): Promise<string | null> {
    this.calls.push(`digest ${pkg.name}:${version}`);
    return this.get(pkg).digests?.[version] ?? null;
  }

  async releaseTime(pkg: PackageRef, version: string): Promise<Date | null> {
    this.calls.push(`releaseTime ${pkg.name}:${version}`);
    const t = this.get(pkg).times?.[version];
    return t ? new Date(t) : null;
  }

  private get(pkg: PackageRef): FakePackage {
    const p = this.packages[pkg.name];
    if (!p) throw new RegistryError(`${pkg.name}: not found`, { host: 'registry.test', status: 404 });
    return p;
  }
}
