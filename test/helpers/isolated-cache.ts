import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';

// Commands default to the user cache dir; a test must never read a cache another test (or a real run) left behind,
// or a tag pushed mid-test would hide behind a fresh cached tag list. One fresh dir per test file, removed after it.
const dir = mkdtempSync(join(tmpdir(), 'tidemark-test-cache-'));
process.env.XDG_CACHE_HOME = dir;
afterAll(() => rmSync(dir, { recursive: true, force: true }));
