import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';

/**
 * The floor `tidemark scan` is measured against (bench/scale.ts): a process that walks a directory, reads every
 * `*.yaml` and parses all its documents, and does nothing else. `node dist/bench/bare-scan.js DIR`.
 */
async function walk(dir: string, out: string[]): Promise<void> {
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) await walk(path, out);
    else if (/\.ya?ml$/i.test(entry.name)) out.push(path);
  }
}

const files: string[] = [];
await walk(process.argv[2] ?? '.', files);
let documents = 0;
for (const file of files) documents += parseAllDocuments(await readFile(file, 'utf8')).length;
process.stdout.write(`${files.length} files, ${documents} documents\n`);
