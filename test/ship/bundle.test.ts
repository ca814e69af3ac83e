import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { startRegistry, type TestRegistry } from '../helpers/registry.js';
import { parseOutputFile, runAction } from './actions-runner.js';
import { repoRoot } from './dockerfile.js';
import { git, summaryFor } from './git-repos.js';

interface ActionYml {
  runs: { using: string; main: string };
  inputs: Record<string, { default?: string }>;
  outputs: Record<string, { description: string }>;
}
const actionYml = parse(readFileSync(join(repoRoot, 'action.yml'), 'utf8')) as ActionYml;

let temp = '';
beforeAll(() => {
  temp = mkdtempSync(join(tmpdir(), 'tidemark-bundle-'));
});
afterAll(() => rmSync(temp, { recursive: true, force: true }));

function bundleTo(file: string): Buffer {
  const r = spawnSync(process.execPath, [join(repoRoot, 'scripts/bundle-action.mjs'), '--out', file], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`bundle failed: ${r.stderr}`);
  return readFileSync(file);
}

describe('the bundled action entry', () => {
  it('is current with the source: a fresh build is byte-identical to dist-action/index.js', () => {
    const fresh = bundleTo(join(temp, 'a.js'));
    expect(fresh.equals(readFileSync(join(repoRoot, actionYml.runs.main)))).toEqual(true);
  });

  it("leaves out @actions/core's OIDC HTTP client (with its own undici 6) and @actions/exec, which Tidemark never calls", () => {
    const text = bundleTo(join(temp, 'd.js')).toString('utf8');
    // esbuild names each bundled module's path in a comment: @actions/core is in, the two it would pull along are not.
    expect(text).toContain('node_modules/@actions/core/');
    expect(['node_modules/@actions/http-client/', 'node_modules/@actions/exec/'].filter((s) => text.includes(s))).toEqual([]);
  });

  it('builds the same bytes twice', () => {
    expect(bundleTo(join(temp, 'b.js')).equals(bundleTo(join(temp, 'c.js')))).toEqual(true);
  });
});

describe('action.yml', () => {
  it('runs the bundle on the node24 runtime, with the workflow token as the default token', () => {
    expect(actionYml.runs).toEqual({ using: 'node24', main: 'dist-action/index.js' });
    expect(actionYml.inputs.token?.default).toEqual('${{ github.token }}');
  });

  it('declares exactly the inputs the entry reads and the outputs it writes', async () => {
    const read = new Set<string>();
    const base: NodeJS.ProcessEnv = {
      GITHUB_REPOSITORY: 'o/r',
      GITHUB_WORKSPACE: temp,
      GITHUB_OUTPUT: join(temp, 'out'),
      RUNNER_TEMP: temp,
      INPUT_TOKEN: 'ghs_abcdef',
    };
    const env = new Proxy(base, {
      get(target, key) {
        if (typeof key === 'string' && key.startsWith('INPUT_')) read.add(key.slice(6).toLowerCase());
        return target[key as string];
      },
    });
    await runAction({ env, write: () => {}, run: async () => summaryFor('o/r') });
    expect([...read].sort()).toEqual(Object.keys(actionYml.inputs).sort());
    expect(Object.keys(parseOutputFile(readFileSync(join(temp, 'out'), 'utf8'))).sort()).toEqual(Object.keys(actionYml.outputs).sort());
  });
});

describe('the bundle run the way the runner runs it', () => {
  let registry: TestRegistry;
  beforeAll(async () => {
    registry = await startRegistry();
    await registry.pushImage('team/app', '1.0.0');
    await registry.pushImage('team/app', '1.2.0');
  });
  afterAll(async () => registry?.stop());

  it('dry-runs a checkout: plan table in the job summary, counts and plan path in the outputs', () => {
    const work = join(temp, 'run');
    const workspace = join(work, 'workspace');
    const runnerTemp = join(work, 'runner-temp');
    mkdirSync(join(workspace, 'apps'), { recursive: true });
    mkdirSync(runnerTemp, { recursive: true });
    writeFileSync(join(workspace, 'apps/app.yaml'), `apiVersion: v1\nkind: Pod\nspec:\n  containers:\n    - name: app\n      image: ${registry.host}/team/app:1.0.0\n`);
    git(workspace, 'init', '-q', '-b', 'main');
    git(workspace, 'add', '-A');
    git(workspace, 'commit', '-q', '-m', 'initial');
    const env: NodeJS.ProcessEnv = {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      GITHUB_REPOSITORY: 'acme/gitops',
      GITHUB_WORKSPACE: workspace,
      GITHUB_API_URL: 'https://api.github.com',
      GITHUB_OUTPUT: join(work, 'output'),
      GITHUB_STEP_SUMMARY: join(work, 'summary.md'),
      RUNNER_TEMP: runnerTemp,
      INPUT_TOKEN: 'ghs_bundle_token_0001',
      'INPUT_DRY-RUN': 'true',
      'INPUT_LOG-LEVEL': 'info',
      INPUT_CONFIG: '',
    };
    // The runner creates both files before the step starts; @actions/core appends to them.
    writeFileSync(env.GITHUB_OUTPUT!, '');
    writeFileSync(env.GITHUB_STEP_SUMMARY!, '');
    const r = spawnSync(process.execPath, [join(repoRoot, actionYml.runs.main)], { env, encoding: 'utf8', timeout: 60_000 });
    expect({ status: r.status, stderr: r.stderr }).toEqual({ status: 0, stderr: '' });
    expect(r.stdout.split('\n')[0]).toEqual('::add-mask::ghs_bundle_token_0001');
    expect(r.stdout.split('\n').slice(1).join('\n')).not.toContain('ghs_bundle_token_0001');
    const outputs = parseOutputFile(readFileSync(env.GITHUB_OUTPUT!, 'utf8'));
    // A dry run pushes nothing: its one branch is what a real run would open.
    expect(outputs).toEqual({ opened: '0', updated: '0', closed: '0', skipped: '0', 'would-open': '1', problems: '0', 'partial-failure': 'false', plan: join(runnerTemp, 'tidemark-plan.json') });
    const plan = JSON.parse(readFileSync(outputs.plan!, 'utf8')) as unknown;
    expect(JSON.stringify(plan)).toContain('"1.2.0"');
    const summary = readFileSync(env.GITHUB_STEP_SUMMARY!, 'utf8');
    expect(summary).toContain('(dry run: nothing was pushed)');
    expect(summary).toMatch(new RegExp(`^\\| \`${registry.host}/team/app\` \\| \`apps/app.yaml:6\` \\| \`1.0.0\` → \`1.2.0\` \\| minor \\| \`tidemark/[^\`]+\` \\|  \\|$`, 'm'));
  });
});
