import { isMap, parseDocument } from 'yaml';
import type { Problem } from '../scan/types.js';
import { readConfigFile } from './file.js';
import { countYamlItems } from '../scan/yaml.js';
import { loadConfig, MAX_CONFIG_ITEMS, parseConfigText } from './load.js';

export interface IgnorePaths {
  /** The patterns to leave out of the scan; empty when there is no config file or its `ignorePaths` is unusable. */
  ignorePaths: string[];
  /** The config file read, or null. */
  file: string | null;
  /** Why some or all of the file was not used: `scan` warns and goes on. */
  problems: Problem[];
  /** No config file could be read at all: missing (when named), or not a regular file inside the directory. */
  unreadable: boolean;
}

/**
 * `.tidemark.yaml`'s `ignorePaths` alone, for `scan`, which needs nothing else from the config: a mistake elsewhere in
 * the file (`prConcurrentLimit: lots`) is reported but does not stop the scan or the ignoring. The value is validated
 * as the full config would validate it: `ignorePaths: [vendor/**]` → `['vendor/**']`.
 */
export async function loadIgnorePaths(dir: string, explicitPath: string | null): Promise<IgnorePaths> {
  const loaded = await loadConfig(dir, explicitPath);
  if (loaded.errors.length === 0) return { ignorePaths: loaded.config.ignorePaths, file: loaded.file, problems: loaded.warnings, unreadable: false };
  if (loaded.file === null) return { ignorePaths: [], file: null, problems: loaded.errors, unreadable: true };
  const read = await readConfigFile(dir, loaded.file, loaded.file);
  // Bounded as the full load is: an over-long file is not parsed a second time.
  if (read.kind !== 'text' || countYamlItems(read.text, MAX_CONFIG_ITEMS) > MAX_CONFIG_ITEMS) return { ignorePaths: [], file: loaded.file, problems: loaded.errors, unreadable: false };
  const doc = parseDocument(read.text, { prettyErrors: false });
  const value = doc.errors.length === 0 && isMap(doc.contents) ? (doc.toJS() as Record<string, unknown>)['ignorePaths'] : undefined;
  if (value === undefined) return { ignorePaths: [], file: loaded.file, problems: loaded.errors, unreadable: false };
  const alone = parseConfigText(JSON.stringify({ ignorePaths: value }), loaded.file);
  return { ignorePaths: alone.errors.length === 0 ? alone.config.ignorePaths : [], file: loaded.file, problems: loaded.errors, unreadable: false };
}
