import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { configToMarkdown, parseConfigText } from '../../src/config/index.js';
import { schemaJson } from '../../src/config/write-schema.js';

const root = new URL('../../', import.meta.url);

describe('config/schema.json', () => {
  it('is the schema generated from the code (run `npm run schema` after changing src/config/schema.ts)', () => {
    expect(readFileSync(new URL('config/schema.json', root), 'utf8')).toEqual(schemaJson());
  });

  it('matches docs/configuration.md', () => {
    expect(readFileSync(new URL('docs/configuration.md', root), 'utf8')).toEqual(configToMarkdown());
  });

  it.each(readdirSync(new URL('config/examples/', root)))('accepts the example %s', (name) => {
    const text = readFileSync(new URL(`config/examples/${name}`, root), 'utf8');
    expect(parseConfigText(text, name).errors).toEqual([]);
  });
});
