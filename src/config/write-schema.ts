import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { configToMarkdown } from './markdown.js';
import { CONFIG_SCHEMA } from './schema.js';

/** The committed `config/schema.json` text: what editors load. A test keeps the file equal to this. */
export function schemaJson(): string {
  return JSON.stringify(CONFIG_SCHEMA, null, 2) + '\n';
}

/** `npm run schema`: writes config/schema.json and docs/configuration.md at the repository root. */
async function main(): Promise<void> {
  const here = path.dirname(fileURLToPath(import.meta.url));
  const root = path.basename(path.dirname(path.dirname(here))) === 'dist' ? path.resolve(here, '../../..') : path.resolve(here, '../..');
  await writeFile(path.join(root, 'config/schema.json'), schemaJson());
  await writeFile(path.join(root, 'docs/configuration.md'), configToMarkdown());
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) await main();
