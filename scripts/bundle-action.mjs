#!/usr/bin/env node
// Bundles the GitHub Action (src/cli/action-entry.ts) into one ESM file, dist-action/index.js, so the action runs
// with no install step. Deterministic: same sources, same bytes (checked by test/ship/bundle.test.ts).
//   node scripts/bundle-action.mjs            → dist-action/index.js
//   node scripts/bundle-action.mjs --out FILE → FILE (the freshness test builds to a temp file)
import { build } from 'esbuild';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const outIndex = process.argv.indexOf('--out');
const outfile = outIndex > 0 ? resolve(process.argv[outIndex + 1]) : resolve(root, 'dist-action/index.js');

await build({
  absWorkingDir: root,
  entryPoints: ['src/cli/action-entry.ts'],
  outfile,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  charset: 'utf8',
  legalComments: 'eof',
  logLevel: 'warning',
  // CommonJS dependencies (js-yaml, semver) call require() for node built-ins; ESM has no require of its own.
  banner: { js: "import { createRequire as __tidemarkCreateRequire } from 'node:module';\nconst require = __tidemarkCreateRequire(import.meta.url);" },
});
