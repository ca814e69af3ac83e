import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { main } from '../../src/cli/main.js';

let dirs: string[] = [];
afterEach(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
  dirs = [];
  vi.restoreAllMocks();
  vi.unstubAllEnvs();
});

/** A checkout with two images on a host that refuses connections, so `plan` has something to warn about. */
function failingRepo(): string {
  const dir = mkdtempSync(join(tmpdir(), 'tidemark-logs-'));
  dirs.push(dir);
  writeFileSync(join(dir, 'pod.yaml'), 'apiVersion: v1\nkind: Pod\nspec:\n  containers:\n    - image: 127.0.0.1:1/acme/a:1.0.0\n    - image: 127.0.0.1:1/acme/b:1.0.0\n');
  return dir;
}

/** Runs the CLI with stderr captured (not a terminal, as in CI or a container) and stdout dropped. */
async function stderrOf(argv: string[]): Promise<{ code: number; lines: string[] }> {
  const err: string[] = [];
  vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
  vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
    err.push(String(chunk));
    return true;
  });
  const code = await main(argv);
  vi.restoreAllMocks();
  return { code, lines: err.join('').split('\n').filter(Boolean) };
}

describe('--log-format and --log-level', () => {
  it('are offered by every command', async () => {
    for (const command of ['scan', 'plan', 'versions', 'report', 'run', 'run-all']) {
      const out: string[] = [];
      vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
        out.push(String(chunk));
        return true;
      });
      await main([command, '--help']);
      vi.restoreAllMocks();
      expect([command, out.join('').includes('--log-level <level>'), out.join('').includes('--log-format <format>')]).toEqual([command, true, true]);
    }
  });

  it('log JSON off a terminal by default, text when asked, and nothing below the level', async () => {
    const dir = failingRepo();
    const json = await stderrOf(['plan', dir, '--no-cache']);
    expect(json.code).toEqual(1);
    expect(json.lines.map((l) => JSON.parse(l) as Record<string, unknown>)).toEqual([
      { time: expect.any(String), level: 'warn', msg: '127.0.0.1:1: 2 lookups failed: could not be reached', host: '127.0.0.1:1', failed: 2, problem: 'could not be reached' },
    ]);
    const text = await stderrOf(['plan', dir, '--no-cache', '--log-format', 'text']);
    expect(text.lines).toEqual(['WARN  127.0.0.1:1: 2 lookups failed: could not be reached host=127.0.0.1:1 failed=2 problem=could not be reached']);
    expect((await stderrOf(['plan', dir, '--no-cache', '--log-level', 'error'])).lines).toEqual([]);
  });

  it('are read from TIDEMARK_LOG_FORMAT and TIDEMARK_LOG_LEVEL, for scan too', async () => {
    const dir = failingRepo();
    vi.stubEnv('TIDEMARK_LOG_LEVEL', 'debug');
    vi.stubEnv('TIDEMARK_LOG_FORMAT', 'json');
    const { code, lines } = await stderrOf(['scan', dir]);
    expect(code).toEqual(0);
    expect(lines.map((l) => (JSON.parse(l) as { level: string; msg: string }).msg)).toEqual(['scanned directory']);
  });

  it('refuse an unknown format or level with exit code 2', async () => {
    const dir = failingRepo();
    const bad = await stderrOf(['scan', dir, '--log-format', 'xml']);
    expect([bad.code, bad.lines]).toEqual([2, ['tidemark: --log-format "xml": expected auto, text or json']]);
  });
});
