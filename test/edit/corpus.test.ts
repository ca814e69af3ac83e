import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { applyUpdates } from '../../src/edit/index.js';
import type { Update } from '../../src/plan/types.js';
import { scanFiles } from '../../src/scan/index.js';
import type { Dependency } from '../../src/scan/types.js';
import { bump, splicedByHand } from './update-fixture.js';

const CORPUS = join(import.meta.dirname, '../../../shared/corpus');
const present = existsSync(CORPUS);
if (!present) console.log(`corpus edit test left out: ${CORPUS} is absent`);

function yamlFiles(root: string, dir = root): { path: string; text: string }[] {
  const out: { path: string; text: string }[] = [];
  for (const name of readdirSync(dir).sort()) {
    const full = join(dir, name);
    if (statSync(full).isDirectory()) out.push(...yamlFiles(root, full));
    else if (/\.ya?ml$/.test(name)) out.push({ path: relative(root, full).split('\\').join('/'), text: readFileSync(full, 'utf8') });
  }
  return out;
}

function updatable(deps: Dependency[]): Dependency[] {
  const seen = new Set<string>();
  return deps.filter((d) => {
    if (d.skipReason || (!d.valueRange && !d.digestRange)) return false;
    const key = `${d.file}:${d.valueRange?.start}:${d.digestRange?.start}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

describe.runIf(present)('applyUpdates over the shared corpus', () => {
  const repos = present ? readdirSync(CORPUS).filter((n) => statSync(join(CORPUS, n)).isDirectory()) : [];

  it.each(repos)('changes only the recorded ranges when bumping every dependency in %s', (repo) => {
    const files = yamlFiles(join(CORPUS, repo));
    const texts = new Map(files.map((f) => [f.path, f.text]));
    const byFile = new Map<string, Update[]>();
    for (const dep of updatable(scanFiles(files).dependencies)) {
      byFile.set(dep.file, [...(byFile.get(dep.file) ?? []), bump(dep)]);
    }
    expect(byFile.size).toBeGreaterThan(0);
    for (const [path, updates] of byFile) {
      const text = texts.get(path)!;
      const result = applyUpdates(path, text, updates);
      expect({ path, problems: result.problems }).toEqual({ path, problems: [] });
      expect(result.applied).toHaveLength(updates.length);
      expect(result.text).not.toEqual(text);
      expect(result.text).toEqual(splicedByHand(text, updates));
    }
  });
});
