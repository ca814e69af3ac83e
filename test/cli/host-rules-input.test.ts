import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { gitClone, headerScope } from '../../src/cli/clone.js';
import { cronMain } from '../../src/cli/cron.js';
import { main } from '../../src/cli/main.js';
import type { RunOptions } from '../../src/run-types.js';
import { startRecordingServer } from '../helpers/recording-server.js';
import { runAction } from '../ship/actions-runner.js';
import { summaryFor } from '../ship/git-repos.js';

let temp = '';
afterEach(() => {
  rmSync(temp, { recursive: true, force: true });
  vi.unstubAllEnvs();
});

async function runCli(args: string[]): Promise<{ code: number; err: string }> {
  let err = '';
  const out = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
  const errSpy = vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => ((err += String(chunk)), true));
  try {
    return { code: await main(args), err };
  } finally {
    out.mockRestore();
    errSpy.mockRestore();
  }
}

describe('host rules on the command line', () => {
  it.each(['plan', 'versions'])('%s exits 2 with the rule and the reason when --host-rules is invalid', async (command) => {
    temp = mkdtempSync(join(tmpdir(), 'tidemark-rules-'));
    const file = join(temp, 'rules.json');
    writeFileSync(file, '[{"matchHost":"ghcr.io","tokenEnv":"T","username":"u","password":"p"}]');
    const args = command === 'plan' ? ['plan', temp, '--host-rules', file] : ['versions', 'nginx', '--host-rules', file];
    expect(await runCli(args)).toEqual({ code: 2, err: `tidemark: host rules (${file}) [0]: give one credential, not username/password and token\n` });
  });

  it('reads TIDEMARK_HOST_RULES when no flag is given', async () => {
    temp = mkdtempSync(join(tmpdir(), 'tidemark-rules-'));
    vi.stubEnv('TIDEMARK_HOST_RULES', '[{"matchHost":"https://ghcr.io","platformToken":true}]');
    expect(await runCli(['plan', temp])).toEqual({
      code: 2,
      err: 'tidemark: host rules (TIDEMARK_HOST_RULES) [0]: matchHost "https://ghcr.io": expected a host[:port] such as ghcr.io or registry.example.com:5000, without scheme or path\n',
    });
  });

  it('run-all passes the rules to every repository and masks their secrets in its logs', async () => {
    let seen: RunOptions | null = null;
    const lines: string[] = [];
    const code = await cronMain(
      { repos: 'acme/a', platform: 'git', logFormat: 'text' },
      {
        env: { TIDEMARK_TOKEN: 'test-token', TIDEMARK_HOST_RULES: '[{"matchHost":"quay.io","tokenEnv":"QUAY_TOKEN"}]', QUAY_TOKEN: 'quay-secret-value' },
        run: async (opts) => {
          seen = opts;
          opts.logger.warn('leaky message quay-secret-value');
          return summaryFor('acme/a');
        },
        discover: async () => [],
        signal: new AbortController().signal,
        writeErr: (line) => void lines.push(line),
        print: () => {},
        isTTY: false,
        clone: async () => {},
      },
    );
    expect(code).toEqual(0);
    expect(seen!.hostRules).toEqual([{ matchHost: 'quay.io', pathPrefix: '', credential: { kind: 'token', token: { env: 'QUAY_TOKEN' } }, authHosts: [] }]);
    expect(lines.filter((l) => l.includes('leaky'))).toEqual(['WARN  leaky message *** repo=acme/a']);
  });
});

describe('the Action host-rules input', () => {
  function runnerEnv(inputs: Record<string, string>, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
    temp = mkdtempSync(join(tmpdir(), 'tidemark-action-'));
    const env: NodeJS.ProcessEnv = { GITHUB_REPOSITORY: 'acme/gitops', GITHUB_WORKSPACE: join(temp, 'ws'), RUNNER_TEMP: temp, ...extra };
    for (const [name, value] of Object.entries(inputs)) env[`INPUT_${name.toUpperCase()}`] = value;
    return env;
  }

  it('masks every secret value in the rules before anything runs, and hands the rules to the run', async () => {
    const rules = '[{"matchHost":"registry.corp","username":"bot","password":"literal-pass"},{"matchHost":"quay.io","tokenEnv":"QUAY_TOKEN"},{"matchHost":"ghcr.io","platformToken":true}]';
    const env = runnerEnv({ token: 'ghs_platform_token', 'host-rules': rules }, { QUAY_TOKEN: 'quay-from-env' });
    const written: string[] = [];
    let seen: RunOptions | null = null;
    const code = await runAction({
      env,
      write: (line) => void written.push(line),
      run: async (opts) => {
        seen = opts;
        opts.logger.warn('echo literal-pass quay-from-env ghs_platform_token');
        return summaryFor('acme/gitops');
      },
    });
    expect(code).toEqual(0);
    expect(written.filter((l) => l.startsWith('::add-mask::'))).toEqual(['::add-mask::ghs_platform_token', '::add-mask::literal-pass', '::add-mask::quay-from-env']);
    expect(written.filter((l) => l.includes('echo'))).toEqual(['WARN  echo *** *** ***']);
    expect(seen!.hostRules?.map((r) => r.matchHost)).toEqual(['registry.corp', 'quay.io', 'ghcr.io']);
  });

  it('fails with exit 2, quoting no secret, when the input is not valid', async () => {
    const env = runnerEnv({ token: 'ghs_platform_token', 'host-rules': '[{"matchHost":"ghcr.io","password":"hunter2-secret" "username":"u"}]' });
    const written: string[] = [];
    const code = await runAction({ env, write: (line) => void written.push(line), run: async () => summaryFor('acme/gitops') });
    expect(code).toEqual(2);
    expect(written.filter((l) => l.startsWith('::error'))).toEqual(['::error title=Tidemark::host rules (the host-rules input): not valid JSON at line 1, column 53']);
    expect(written.join('\n')).not.toContain('hunter2');
  });
});

describe('cloning with the platform token', () => {
  it('scopes the token header to the clone URL origin, and still sends it there', async () => {
    expect(headerScope('https://github.com/acme/a.git')).toEqual('https://github.com/');
    expect(headerScope('http://127.0.0.1:8080/o/a.git')).toEqual('http://127.0.0.1:8080/');
    const server = await startRecordingServer((_req, res) => void res.writeHead(404).end());
    temp = mkdtempSync(join(tmpdir(), 'tidemark-clone-'));
    try {
      await expect(gitClone({ url: `${server.url}/o/a.git`, dir: join(temp, 'a'), platform: 'github', token: 'ghs_scoped', shallow: true })).rejects.toThrow(/git clone/);
      const basic = `Basic ${Buffer.from('x-access-token:ghs_scoped').toString('base64')}`;
      expect(server.requests.map((r) => [r.url, r.headers['authorization']])).toEqual([['/o/a.git/info/refs?service=git-upload-pack', basic]]);
    } finally {
      await server.stop();
    }
  });
});
