import { readFileSync } from 'node:fs';
import type { PickedTarget } from '../../src/versions/index.js';

/** The tag list of a real image, from fixtures/versions/<name>.json. */
export function tags(name: string): string[] {
  const url = new URL(`../../fixtures/versions/${name}.json`, import.meta.url);
  return (JSON.parse(readFileSync(url, 'utf8')) as { tags: string[] }).tags;
}

export const minor = (version: string): PickedTarget => ({ version, updateType: 'minor' });
export const patch = (version: string): PickedTarget => ({ version, updateType: 'patch' });
export const major = (version: string): PickedTarget => ({ version, updateType: 'major' });
