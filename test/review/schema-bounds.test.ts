import { describe, expect, it } from 'vitest';
import { compileValuesSchema, MAX_EXPANDED_SCHEMA_NODES, MAX_SCHEMA_DEPTH, MAX_SCHEMA_NODES, schemaRisks } from '../../src/review/schema.js';

/** `d0` → two refs to `d1` → … → `dN` (a string): 3N keys written, 2^N paths for a value that matches none. */
function refFan(levels: number): string {
  const definitions: Record<string, unknown> = {};
  for (let i = 0; i < levels; i++) definitions[`d${i}`] = { anyOf: [{ $ref: `#/definitions/d${i + 1}` }, { $ref: `#/definitions/d${i + 1}` }] };
  definitions[`d${levels}`] = { type: 'string' };
  return JSON.stringify({ definitions, properties: { a: { $ref: '#/definitions/d0' } } });
}

/** A hostile chart's values.schema.json (registry-written, up to 4 MiB): ajv compiles it to code and runs it. */
describe('values.schema.json bounds', () => {
  it('refuses, before compiling, a schema whose references fan out exponentially (30 levels ran the process out of memory)', () => {
    const started = performance.now();
    expect(() => compileValuesSchema(refFan(30))).toThrow(`values.schema.json expands through its $refs to more than ${MAX_EXPANDED_SCHEMA_NODES} keys and items; not compiled`);
    expect(() => compileValuesSchema(refFan(20))).toThrow('expands through its $refs');
    expect(performance.now() - started).toBeLessThan(1000);
  });

  it('still checks a schema with shared and recursive definitions of ordinary size', () => {
    const schema = {
      definitions: {
        port: { type: 'integer', minimum: 1 },
        node: { type: 'object', properties: { port: { $ref: '#/definitions/port' }, children: { type: 'array', items: { $ref: '#/definitions/node' } } } },
      },
      properties: { http: { $ref: '#/definitions/port' }, https: { $ref: '#/definitions/port' }, tree: { $ref: '#/definitions/node' } },
    };
    const validate = compileValuesSchema(JSON.stringify(schema));
    expect(schemaRisks(validate, { http: 80, https: 0, tree: { children: [{ port: 'x' }] } }, '2.0.0').map((r) => r.path)).toEqual(['https', 'tree.children[0].port']);
  });

  it(`refuses a schema of more than ${MAX_SCHEMA_NODES} keys and items (60,000 properties took 41 s to compile, then overflowed the stack)`, () => {
    // Short keys: under the 1 MiB cap, so the node count is what refuses it.
    const properties = Object.fromEntries(Array.from({ length: 30_000 }, (_, i) => [`p${i}`, {}]));
    const started = performance.now();
    expect(() => compileValuesSchema(JSON.stringify({ type: 'object', properties }))).toThrow(`values.schema.json has more than ${MAX_SCHEMA_NODES} keys and items; not compiled`);
    expect(performance.now() - started).toBeLessThan(2000);
  });

  it(`refuses a schema nested deeper than ${MAX_SCHEMA_DEPTH} levels without overflowing the stack`, () => {
    let deep = '{"type":"string"}';
    for (let i = 0; i < 30_000; i++) deep = `{"properties":{"a":${deep}}}`;
    expect(() => compileValuesSchema(deep)).toThrow(`values.schema.json nests deeper than ${MAX_SCHEMA_DEPTH} levels; not compiled`);
  });
});
