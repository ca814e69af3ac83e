import { describe, expect, it } from 'vitest';
import { effectiveSettings, matchesRule, type MatchSubject } from '../../src/config/index.js';
import type { Rule } from '../../src/config/types.js';

const web: MatchSubject = {
  name: 'ghcr.io/acme/web', manager: 'kubernetes', datasource: 'docker', file: 'apps/prod/web.yaml', currentValue: '1.2.3',
};
const nginx: MatchSubject = { ...web, name: 'nginx', file: 'apps/dev/nginx.yaml', currentValue: '1.25-alpine' };
const chart: MatchSubject = { name: 'cert-manager', manager: 'flux', datasource: 'helm', file: 'infra/cm.yaml', currentValue: 'v1.15.3' };

describe('matchesRule', () => {
  it('matches package-name globs, also against the docker.io form of short names', () => {
    expect(matchesRule({ packageNames: ['ghcr.io/acme/*'] }, web)).toBe(true);
    expect(matchesRule({ packageNames: ['docker.io/library/*'] }, nginx)).toBe(true);
    expect(matchesRule({ packageNames: ['nginx'] }, nginx)).toBe(true);
    expect(matchesRule({ packageNames: ['ghcr.io/other/*'] }, web)).toBe(false);
  });

  it('matches a Docker Hub image by any spelling of its name, in the rule or in the file', () => {
    const spellings = ['nginx', 'library/nginx', 'docker.io/nginx', 'docker.io/library/nginx', 'index.docker.io/library/nginx', 'registry-1.docker.io/nginx'];
    const table = spellings.map((dep) => spellings.map((rule) => matchesRule({ packageNames: [rule] }, { ...nginx, name: dep })));
    expect(table).toEqual(spellings.map(() => spellings.map(() => true)));
    expect(matchesRule({ packageNames: ['/^nginx$/'] }, { ...nginx, name: 'docker.io/library/nginx' })).toBe(true);
    expect(matchesRule({ packageNames: ['bitnami/*'] }, { ...nginx, name: 'docker.io/bitnami/redis' })).toBe(true);
    expect(matchesRule({ packageNames: ['docker.io/bitnami/*'] }, { ...nginx, name: 'bitnami/redis' })).toBe(true);
  });

  it('keeps other registries and other Docker Hub namespaces apart', () => {
    expect(matchesRule({ packageNames: ['nginx'] }, { ...nginx, name: 'ghcr.io/library/nginx' })).toBe(false);
    expect(matchesRule({ packageNames: ['nginx'] }, { ...nginx, name: 'bitnami/nginx' })).toBe(false);
    expect(matchesRule({ packageNames: ['library/nginx'] }, { ...nginx, name: 'registry.k8s.io/ingress-nginx/controller' })).toBe(false);
    expect(matchesRule({ packageNames: ['localhost:5000/x'] }, { ...nginx, name: 'localhost:5000/x' })).toBe(true);
    expect(matchesRule({ packageNames: ['x'] }, { ...nginx, name: 'localhost:5000/x' })).toBe(false);
  });

  it('matches package names by /regex/', () => {
    expect(matchesRule({ packageNames: ['/acme\\/(web|api)$/'] }, web)).toBe(true);
    expect(matchesRule({ packageNames: ['/^cert-/'] }, chart)).toBe(true);
  });

  it('needs every criterion to match', () => {
    expect(matchesRule({ managers: ['kubernetes'], paths: ['apps/prod/**'] }, web)).toBe(true);
    expect(matchesRule({ managers: ['kubernetes'], paths: ['apps/prod/**'] }, nginx)).toBe(false);
    expect(matchesRule({ datasources: ['helm'] }, chart)).toBe(true);
    expect(matchesRule({ datasources: ['helm'] }, web)).toBe(false);
  });

  it('matches the current version by range or regex', () => {
    expect(matchesRule({ currentVersion: '<2' }, web)).toBe(true);
    expect(matchesRule({ currentVersion: '>=1.16' }, chart)).toBe(false);
    expect(matchesRule({ currentVersion: '/-alpine$/' }, nginx)).toBe(true);
  });

  it('matches update types only once they are known', () => {
    expect(matchesRule({ updateTypes: ['patch'] }, web)).toBe(false);
    expect(matchesRule({ updateTypes: ['patch'] }, { ...web, updateType: 'patch' })).toBe(true);
  });
});

describe('effectiveSettings', () => {
  const rules: Rule[] = [
    { match: { packageNames: ['ghcr.io/acme/*'] }, group: 'acme', labels: ['acme'] },
    { description: 'freeze prod', match: { paths: ['apps/prod/**'] }, enabled: false },
    { match: { packageNames: ['ghcr.io/acme/web'] }, enabled: true, labels: ['web'], minimumReleaseAge: '3 days' },
    { match: { updateTypes: ['patch'] }, automerge: true },
  ];

  it('applies matching rules in order, later ones winning', () => {
    expect(effectiveSettings(rules, web)).toEqual({
      enabled: true, allowedVersions: null, versioning: null, allowPrerelease: false, pinDigests: false, separateMajor: true,
      minimumReleaseAge: '3 days', minimumReleaseAgeMissing: 'allow', rangeStrategy: 'keep', group: 'acme', labels: ['web'], reviewers: [], assignees: [],
      automerge: false, automergeRisky: false, disabledBy: null, allowedVersionsFrom: null, automergeFrom: null, sourceUrl: null,
    });
  });

  it('sets rangeStrategy per rule, keep by default', () => {
    const chartRules: Rule[] = [{ match: { managers: ['helm-chart'] }, rangeStrategy: 'replace' }, { match: { updateTypes: ['major'] }, rangeStrategy: 'pin' }];
    const inChart = { ...chart, manager: 'helm-chart' as const };
    expect([
      effectiveSettings(chartRules, chart).rangeStrategy,
      effectiveSettings(chartRules, inChart).rangeStrategy,
      effectiveSettings(chartRules, { ...inChart, updateType: 'major' }).rangeStrategy,
    ]).toEqual(['keep', 'replace', 'pin']);
  });

  it('names the rule that disabled a dependency', () => {
    expect(effectiveSettings(rules, { ...web, name: 'ghcr.io/acme/api' })).toMatchObject({ enabled: false, disabledBy: 'rule 2 (freeze prod)' });
  });

  it('applies update-type rules when the update type is given', () => {
    expect(effectiveSettings(rules, { ...web, updateType: 'patch' }).automerge).toBe(true);
  });

  it('lets inline controls override the rules', () => {
    const s = effectiveSettings([{ allowedVersions: '<3' }], nginx, { allowedVersions: '<1.26', ignore: false });
    expect(s).toMatchObject({ allowedVersions: '<1.26', allowedVersionsFrom: '# tidemark: allowedVersions', enabled: true });
    expect(effectiveSettings([], nginx, { ignore: true })).toMatchObject({ enabled: false, disabledBy: '# tidemark: ignore' });
  });
});
