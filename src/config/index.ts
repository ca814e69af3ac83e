export { CONFIG_FILES, loadConfig, parseConfigText, type LoadedConfig } from './load.js';
export { CONFIG_SCHEMA, type SchemaNode } from './schema.js';
export { effectiveSettings, matchesRule, normalizeImageName, type EffectiveSettings, type MatchSubject } from './rules.js';
export { configToMarkdown } from './markdown.js';
export { formatDuration, parseDuration } from './duration.js';
export { DEFAULT_CONFIG, type TidemarkConfig } from './types.js';
