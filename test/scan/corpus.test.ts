import { existsSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { scanDirectory } from '../../src/scan/index.js';
import type { ScanResult } from '../../src/scan/types.js';

const CORPUS = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../shared/corpus');
const present = existsSync(CORPUS);
if (!present) console.log(`corpus test left out: ${CORPUS} is not present on this machine`);

/**
 * Counts verified by reading the files (grep for `image:`, `repository:`/`tag:`, `newTag:`, chart sources, and a look
 * at each difference): images updatable/skipped, charts updatable/skipped, problems.
 */
const EXPECTED: Record<string, { images: [number, number]; charts: [number, number]; problems: number }> = {
  // 42 `image:` strings (12 bare names unpinned) + 11 kustomize `newTag: CONTAINER_IMAGES_TAG` + 1 `tag: ""`; 2 literal
  // digest-pinned images in the chart template helm-chart/templates/opentelemetry-collector.yaml (busybox, otel collector).
  'GoogleCloudPlatform__microservices-demo': { images: [32, 24], charts: [0, 0], problems: 0 },
  // 81 `image:` strings + 1 JSON-patch image (45 `:latest`, 1 bare) + 5 kustomize `newTag: latest` + 1 values map
  // + 2 Argo CD `kustomize.images` overrides in docs/operator-manual/application.yaml (`…/argocd-e2e-container:0.2`,
  // `my-app=gcr.io/my-repo/my-app:0.1`); charts: 4 requirements.yaml deps, 4 Applications at HEAD and 2 templated
  // ApplicationSets. Inline JSON patches in manifests/dev-tilt/kustomization.yaml set 3 more images, all the bare
  // name `argocd-job` (unpinned).
  'argoproj__argo-cd': { images: [38, 54], charts: [4, 6], problems: 0 },
  // podinfo HelmRelease without version, cert-manager `1.x`, envoy-gateway `>= 1.8.0-rc.0`; redis in spec.values.
  'fluxcd__flux2-kustomize-helm-example': { images: [1, 0], charts: [0, 3], problems: 0 },
  // One OCIRepository of kyverno manifests (an OCI artifact, not a chart).
  'fluxcd__flux2-multi-tenancy': { images: [1, 0], charts: [0, 0], problems: 0 },
  // 69 OCIRepository charts; 27 `tag:` + 2 string images in HelmRelease values + 1 EnvoyProxy image; 2 chart appVersion.
  'onedr0p__home-ops': { images: [30, 2], charts: [69, 0], problems: 0 },
  // 62 `repository:` maps + `image.name` + `repo` variants (44 `tag: ""`, 2 `latest`); 11 Chart.yaml deps.
  'prometheus-community__helm-charts': { images: [18, 46], charts: [4, 7], problems: 0 },
  // 24 HelmReleases via HelmRepository + 11 OCIRepository; 18 manifest images + 6 values images;
  // 2 problems: `targets: [vault.${CLUSTER_DOMAIN}:8200]` is not valid YAML.
  'ricsanfre__pi-cluster': { images: [9, 15], charts: [35, 0], problems: 2 },
  // 15 manifest `image:` strings + 4 values image maps.
  'stefanprodan__podinfo': { images: [19, 0], charts: [0, 0], problems: 0 },
};

function counts(result: ScanResult) {
  const tally = (datasource: string): [number, number] => {
    const deps = result.dependencies.filter((d) => d.datasource === datasource);
    const skipped = deps.filter((d) => d.skipReason !== undefined).length;
    return [deps.length - skipped, skipped];
  };
  return { images: tally('docker'), charts: tally('helm'), problems: result.problems.length };
}

describe.runIf(present)('scanning the real GitOps corpus', () => {
  const repos = present ? readdirSync(CORPUS).filter((d) => d.includes('__')).sort() : [];

  it('has an expectation for every repository in the corpus', () => {
    expect(repos).toEqual(Object.keys(EXPECTED).sort());
  });

  for (const repo of repos) {
    it(`finds the verified number of images and charts in ${repo}`, async () => {
      const result = await scanDirectory(path.join(CORPUS, repo));
      expect(counts(result)).toEqual(EXPECTED[repo]);
      for (const d of result.dependencies) {
        const text = readFileSync(path.join(CORPUS, repo, d.file), 'utf8');
        if (d.valueRange) expect(text.slice(d.valueRange.start, d.valueRange.end)).toBe(d.currentValue);
        if (d.digestRange) expect(text.slice(d.digestRange.start, d.digestRange.end)).toBe(d.currentDigest);
      }
    });
  }
});
