import type { Dependency, SkipReason } from '../scan/types.js';

/** Why a dependency the scanner marked as not updatable stays, as a plan reader should see it. */
export function skipReasonText(dep: Dependency): string {
  const value = dep.currentValue ?? '';
  const texts: Record<SkipReason, string> = {
    templated: 'templated value, not a version',
    substitution: 'variable substitution, not a version',
    unpinned: value ? `not pinned: "${value}" is a floating tag` : 'not pinned to a version',
    'chart-app-version': "empty tag: follows the chart's appVersion",
    'local-chart': 'local chart, nothing to look up',
    'alias-repository': 'repository alias without a URL',
    'version-range': `version range "${value}" is left alone`,
    'unresolved-source':
      dep.manager === 'helmfile' ? 'its chart repository is not in the helmfile repositories' : 'its chart repository (HelmRepository) was not found',
    'invalid-value': 'not a usable image reference or version',
    'invalid-repository': 'its repository is not a chart repository URL (https://, oci://)',
    ignored: 'ignored by # tidemark: ignore',
  };
  return dep.skipReason ? texts[dep.skipReason] : 'not updatable';
}
