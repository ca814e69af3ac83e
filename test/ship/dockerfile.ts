import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface Instruction {
  stage: number;
  keyword: string;
  args: string;
}

/** Dockerfile instructions, continuation lines joined and comments dropped; `stage` counts FROMs from 0. */
export function parseDockerfile(text: string): Instruction[] {
  const out: Instruction[] = [];
  let stage = -1;
  let pending = '';
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (pending === '' && (line === '' || line.startsWith('#'))) continue;
    if (line.endsWith('\\')) {
      pending += line.slice(0, -1) + ' ';
      continue;
    }
    const full = (pending + line).trim();
    pending = '';
    const m = /^(?<keyword>[A-Za-z]+)\s+(?<args>.*)$/.exec(full);
    if (!m?.groups) continue;
    const keyword = m.groups.keyword!.toUpperCase();
    if (keyword === 'FROM') stage += 1;
    out.push({ stage, keyword, args: m.groups.args!.replace(/\s+/g, ' ') });
  }
  return out;
}

export const repoRoot = join(import.meta.dirname, '..', '..');

export function readRepoFile(path: string): string {
  return readFileSync(join(repoRoot, path), 'utf8');
}

/**
 * The final stage's `USER` as numbers: `USER 10001:10001` → `{ uid: 10001, gid: 10001 }`; null for a name (`USER node`),
 * which Kubernetes cannot check against runAsNonRoot.
 */
export function imageUser(instructions: readonly Instruction[]): { uid: number; gid: number } | null {
  const last = Math.max(...instructions.map((i) => i.stage));
  const user = instructions.filter((i) => i.stage === last && i.keyword === 'USER').at(-1)?.args ?? '';
  const m = /^(?<uid>\d+):(?<gid>\d+)$/.exec(user);
  return m?.groups ? { uid: Number(m.groups.uid), gid: Number(m.groups.gid) } : null;
}
