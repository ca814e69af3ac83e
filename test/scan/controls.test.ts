import { describe, expect, it } from 'vitest';
import { scanFiles } from '../../src/scan/index.js';
import { literalMatches } from '../../src/versions/range.js';

describe('inline # tidemark: controls', () => {
  it('reads ignore and allowedVersions on the same line or the comment line above', () => {
    const text = `apiVersion: v1
kind: Pod
spec:
  containers:
    - image: nginx:1.25 # tidemark: ignore
    # tidemark: allowedVersions=<1.30
    - image: kindest/node:v1.29.2
    - image: redis:7.2
`;
    const deps = scanFiles([{ path: 'pod.yaml', text }]).dependencies;
    expect(deps.map((d) => ({ name: d.name, skipReason: d.skipReason, controls: d.controls }))).toEqual([
      { name: 'nginx', skipReason: 'ignored', controls: { ignore: true } },
      { name: 'kindest/node', skipReason: undefined, controls: { allowedVersions: '<1.30' } },
      { name: 'redis', skipReason: undefined, controls: undefined },
    ]);
  });

  it('refuses a pattern of over 4096 characters at its line without compiling it, and holds the dependency back', () => {
    const pattern = `/${'(a|b)?'.repeat(100_000)}/`;
    const text = `apiVersion: v1\nkind: Pod\nspec:\n  containers:\n    - image: nginx:1.25 # tidemark: allowedVersions=${pattern}\n`;
    const started = Date.now();
    const result = scanFiles([{ path: 'pod.yaml', text }]);
    expect(result.problems).toEqual([
      { file: 'pod.yaml', line: 5, message: `# tidemark: allowedVersions: invalid regex ${pattern.slice(0, 60)}… (600002 characters): the pattern is 600000 characters long; at most 4096` },
    ]);
    expect(literalMatches(pattern, '1.26.0')).toBe(false);
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it('reads a control above the image key of an image map', () => {
    const text = `# tidemark: ignore
image:
  repository: ghcr.io/acme/web
  tag: 1.2.3
`;
    const [d] = scanFiles([{ path: 'values.yaml', text }]).dependencies;
    expect(d?.skipReason).toBe('ignored');
  });
});
