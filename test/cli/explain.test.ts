import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { main } from '../../src/cli/main.js';

let dir = '';
let out = '';
let err = '';

beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'tidemark-explain-'));
  // Nothing here reaches a network: 127.0.0.1:1 refuses at once, and unpinned `latest` is never looked up.
  writeFileSync(
    path.join(dir, 'pod.yaml'),
    'apiVersion: v1\nkind: Pod\nspec:\n  containers:\n    - image: 127.0.0.1:1/acme/web:1.0.0\n    - image: ghcr.io/acme/worker:latest\n    - image: nginx:latest\n',
  );
  out = '';
  err = '';
  vi.spyOn(process.stdout, 'write').mockImplementation((c: string | Uint8Array) => ((out += String(c)), true));
  vi.spyOn(process.stderr, 'write').mockImplementation((c: string | Uint8Array) => ((err += String(c)), true));
});

afterEach(() => {
  vi.restoreAllMocks();
  rmSync(dir, { recursive: true, force: true });
});

describe('plan --explain NAME', () => {
  it('exits 2 with the closest name when NAME is a near miss', async () => {
    expect(await main(['plan', dir, '--no-cache', '--explain', '127.0.0.1:1/acme/wbe'])).toBe(2);
    expect(err.split('\n').at(-2)).toEqual('tidemark: --explain "127.0.0.1:1/acme/wbe": no dependency has this name; did you mean 127.0.0.1:1/acme/web?');
    expect(out).toEqual('');
  });

  it('suggests the full name when the near miss is of the name as people type it', async () => {
    expect(await main(['plan', dir, '--no-cache', '--explain', 'acme/wroker'])).toBe(2);
    expect(err).toContain('did you mean ghcr.io/acme/worker?');
  });

  it('suggests the full name when NAME is only its last part', async () => {
    expect(await main(['plan', dir, '--no-cache', '--explain', 'web'])).toBe(2);
    expect(err.split('\n').at(-2)).toEqual('tidemark: --explain "web": no dependency has this name; did you mean 127.0.0.1:1/acme/web?');
  });

  it('exits 2 without a suggestion when nothing is near', async () => {
    expect(await main(['plan', dir, '--no-cache', '--explain', 'postgres'])).toBe(2);
    expect(err.split('\n').at(-2)).toEqual('tidemark: --explain "postgres": no dependency has this name');
  });

  it('is no mistake for a dependency that is found but not updatable, under any spelling of its name', async () => {
    expect(await main(['plan', dir, '--no-cache', '--explain', 'docker.io/library/nginx'])).toBe(1);
    expect(out).toContain('docker.io/library/nginx: not found among the updatable dependencies');
    expect(err).not.toContain('--explain');
  });
});
