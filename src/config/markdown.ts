import { CONFIG_SCHEMA, type SchemaNode } from './schema.js';

/** `docs/configuration.md`, generated from the schema so the docs cannot drift from what is validated. */
export function configToMarkdown(): string {
  const root = CONFIG_SCHEMA as SchemaNode;
  const rules = root.properties?.rules?.items ?? {};
  const match = rules.properties?.match ?? {};
  const registry = typeof root.properties?.registries?.additionalProperties === 'object' ? root.properties.registries.additionalProperties : {};
  const lines = [
    '# Configuration',
    '',
    '<!-- Generated from src/config/schema.ts by `npm run schema`; do not edit by hand. -->',
    '',
    'Tidemark reads `.tidemark.yaml` (or `.tidemark.yml`, `.github/tidemark.yaml`) at the repository root. The file is optional.',
    'Its JSON Schema is `config/schema.json`; add `# yaml-language-server: $schema=…/config/schema.json` for editor completion.',
    '',
    ...section('Top level', root, []),
    ...section('Rules (`rules[]`)', rules, ['match']),
    ...section('Rule match (`rules[].match`)', match, []),
    ...section('Registries (`registries.<host>`)', registry, []),
    '## Inline controls',
    '',
    'A comment on the line of a version, or the line above it, controls that one dependency:',
    '',
    '- `# tidemark: ignore` leaves it alone.',
    '- `# tidemark: allowedVersions=<1.30` limits its new versions (a semver range or `/regex/`).',
    '',
  ];
  return lines.join('\n');
}

function section(title: string, node: SchemaNode, skip: string[]): string[] {
  const rows = Object.entries(node.properties ?? {})
    .filter(([key]) => !skip.includes(key) && key !== '$schema')
    .map(([key, prop]) => `| \`${key}\` | ${typeName(prop)} | ${defaultText(prop)} | ${escape(prop.description ?? '')} |`);
  const intro = node.description ? [node.description, ''] : [];
  return [`## ${title}`, '', ...intro, '| Key | Type | Default | Description |', '| --- | --- | --- | --- |', ...rows, ''];
}

function typeName(prop: SchemaNode): string {
  if (prop.enum) return prop.enum.map((e) => `\`${e}\``).join(' \\| ');
  if (prop.type === 'array') return `${prop.items?.enum ? `(${typeName(prop.items)})` : typeName(prop.items ?? {})}[]`;
  const base = Array.isArray(prop.type) ? prop.type.join(' \\| ') : String(prop.type ?? 'any');
  return prop.format ? `${base} (${prop.format})` : base;
}

function defaultText(prop: SchemaNode): string {
  return prop.default === undefined ? '' : `\`${JSON.stringify(prop.default)}\``;
}

function escape(text: string): string {
  return text.replace(/\|/g, '\\|');
}
