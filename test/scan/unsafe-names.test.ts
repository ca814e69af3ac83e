import { describe, expect, it } from 'vitest';
import { scanFiles } from '../../src/scan/index.js';

const brief = (text: string, path = 'apps/web.yaml') => {
  const result = scanFiles([{ path, text }]);
  return {
    deps: result.dependencies.map((d) => ({ name: d.name, currentValue: d.currentValue, skipReason: d.skipReason })),
    problems: result.problems,
  };
};

describe('names with control characters in repository files', () => {
  it('rejects an image whose name carries a newline, with a problem at its line', () => {
    const text = 'apiVersion: v1\nkind: Pod\nspec:\n  containers:\n    - image: "web\\n## Approved by security:1.0.0"\n    - image: nginx:1.25.3\n';
    expect(brief(text)).toEqual({
      deps: [
        { name: 'web\\u000a## Approved by security:1.0.0', currentValue: null, skipReason: 'invalid-value' },
        { name: 'nginx', currentValue: '1.25.3', skipReason: undefined },
      ],
      problems: [{ file: 'apps/web.yaml', line: 5, message: 'image name contains a control character or a newline: "web\\u000a## Approved by security:1.0.0"' }],
    });
  });

  it('rejects an image map whose repository carries a control character', () => {
    const text = 'image:\n  repository: "acme/web\\u0007"\n  tag: 1.2.3\n';
    expect(brief(text, 'values.yaml')).toEqual({
      deps: [{ name: 'acme/web\\u0007', currentValue: null, skipReason: 'invalid-value' }],
      problems: [{ file: 'values.yaml', line: 1, message: 'image name contains a control character or a newline: "acme/web\\u0007"' }],
    });
  });

  it('rejects a chart whose name or repository URL carries a newline', () => {
    const text = [
      'apiVersion: v2', 'name: app', 'version: 1.0.0', 'dependencies:',
      '  - name: "redis\\u2028@admin"', '    repository: https://charts.example.test', '    version: 19.0.0',
      '  - name: postgresql', '    repository: "https://charts.example.test\\r\\nX-Injected: 1"', '    version: 15.0.0',
      '  - name: nats', '    repository: https://charts.example.test', '    version: 1.2.0',
    ].join('\n');
    const got = brief(text, 'Chart.yaml');
    expect(got.deps).toEqual([
      { name: 'redis\\u2028@admin', currentValue: null, skipReason: 'invalid-value' },
      { name: 'postgresql', currentValue: null, skipReason: 'invalid-value' },
      { name: 'nats', currentValue: '1.2.0', skipReason: undefined },
    ]);
    expect(got.problems.map((p) => p.message)).toEqual([
      'chart name contains a control character or a newline: "redis\\u2028@admin"',
      'chart repository contains a control character or a newline: "https://charts.example.test\\u000d\\u000aX-Injected: 1"',
    ]);
  });

  it('rejects a name longer than 512 characters', () => {
    const name = `ghcr.io/${'a'.repeat(600)}`;
    const got = brief(`apiVersion: v1\nkind: Pod\nspec:\n  containers:\n    - image: ${name}:1.0\n`);
    expect(got.deps).toEqual([{ name: `${name.slice(0, 512)}…`, currentValue: null, skipReason: 'invalid-value' }]);
    expect(got.problems.map((p) => p.message)).toEqual([`image name longer than 512 characters: "${name.slice(0, 512)}…"`]);
  });
});

describe('inline controls with a pattern RE2 cannot run', () => {
  it('reports the control as a problem at its line, and keeps it so nothing is let through', () => {
    const text = 'apiVersion: v1\nkind: Pod\nspec:\n  containers:\n    # tidemark: allowedVersions=/^1\\.(?!26)/\n    - image: nginx:1.25.3\n';
    const result = scanFiles([{ path: 'pod.yaml', text }]);
    expect(result.dependencies.map((d) => d.controls)).toEqual([{ allowedVersions: '/^1\\.(?!26)/' }]);
    expect(result.problems).toEqual([{
      file: 'pod.yaml', line: 6,
      message: '# tidemark: allowedVersions: invalid regex /^1\\.(?!26)/: lookahead is not supported: patterns run on a linear-time engine (RE2 syntax)',
    }]);
  });
});
