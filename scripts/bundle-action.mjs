#!/usr/bin/env node
// Bundles the GitHub Action (src/cli/action-entry.ts) into one ESM file, dist-action/index.js, so the action runs
// with no install step. Deterministic: same sources, same bytes (checked by test/ship/bundle.test.ts).
//   node scripts/bundle-action.mjs            → dist-action/index.js
//   node scripts/bundle-action.mjs --out FILE → FILE (the freshness test builds to a temp file)
//   node scripts/bundle-action.mjs --check    → exit 1 when dist-action/index.js is not what the sources build
import { build } from 'esbuild';
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const outIndex = process.argv.indexOf('--out');
const committed = resolve(root, 'dist-action/index.js');
const outfile = outIndex > 0 ? resolve(process.argv[outIndex + 1]) : committed;
const check = process.argv.includes('--check');

// @actions/core imports @actions/http-client (with its own copy of undici 6, about 770 KB bundled) only for
// getIDToken, and @actions/exec only for platform.getDetails. Tidemark calls neither: the bundle gets stand-ins that
// throw if anything ever does, so a new use fails loudly in test/ship/bundle.test.ts instead of going unnoticed.
const unusedByTidemark = {
  name: 'actions-core-unused',
  setup(b) {
    b.onResolve({ filter: /^@actions\/(http-client|exec)(\/|$)/ }, (args) => ({ path: args.path, namespace: 'unused-by-tidemark' }));
    b.onLoad({ filter: /.*/, namespace: 'unused-by-tidemark' }, (args) => ({
      loader: 'js',
      contents: [
        `const unused = () => { throw new Error(${JSON.stringify(`${args.path} is not in the Tidemark action bundle`)}); };`,
        'export class HttpClient { constructor() { unused(); } }',
        'export class BearerCredentialHandler { constructor() { unused(); } }',
        'export const exec = unused;',
        'export const getExecOutput = unused;',
      ].join('\n'),
    }));
  },
};

const result = await build({
  write: !check,
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
  plugins: [unusedByTidemark],
  // CommonJS dependencies (js-yaml, semver) call require() for node built-ins; ESM has no require of its own.
  banner: { js: "import { createRequire as __tidemarkCreateRequire } from 'node:module';\nconst require = __tidemarkCreateRequire(import.meta.url);" },
});

if (check) {
  const fresh = Buffer.from(result.outputFiles[0].contents);
  let current = Buffer.alloc(0);
  try {
    current = readFileSync(committed);
  } catch {}
  if (!fresh.equals(current)) {
    console.error('dist-action/index.js is out of date with the sources: run `npm run bundle` and commit it.');
    process.exit(1);
  }
}
