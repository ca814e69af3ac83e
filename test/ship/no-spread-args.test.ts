import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const SRC = join(import.meta.dirname, '..', '..', 'src');

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? sources(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : []));
}

describe('call arguments spread from arrays', () => {
  it('appear nowhere in src/: `push(...tags)` or `Math.max(...widths)` overflow the stack past ~125k items', () => {
    // `tags.push(...pageTags)`, `Math.max(0, ...rows.map(f))`; comments that mention them are fine.
    const spread = /(?:\.push|\.unshift|Math\.max|Math\.min|fromCharCode)\((?:[^()]*,)?\s*\.\.\.(?!\s*[\]}])/;
    const found: string[] = [];
    for (const file of sources(SRC)) {
      for (const [i, line] of readFileSync(file, 'utf8').split('\n').entries()) {
        if (spread.test(line) && !line.trim().startsWith('//')) found.push(`${relative(SRC, file)}:${i + 1}`);
      }
    }
    expect(found).toEqual([]);
  });
});
