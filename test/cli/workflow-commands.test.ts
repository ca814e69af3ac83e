import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { annotate, appendSummary, booleanInput, choiceInput, folded, MAX_ANNOTATIONS, untrusted } from '../../src/cli/workflow-commands.js';
import { UsageError } from '../../src/errors.js';
import { inRunner } from '../ship/actions-runner.js';

let dir: string | null = null;
afterEach(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = null;
});

/** The lines `fn` writes to stdout with `env` as the runner's environment. */
async function stdout(env: NodeJS.ProcessEnv, fn: () => void | Promise<void>): Promise<string[]> {
  const lines: string[] = [];
  await inRunner(env, (l) => lines.push(l), async () => fn());
  return lines;
}

describe('inputs', () => {
  it('accepts only YAML 1.2 booleans, falls back when the input is empty, and calls anything else a usage error', async () => {
    const of = (v: string) => inRunner({ 'INPUT_DRY-RUN': v }, () => {}, async () => booleanInput('dry-run', false));
    expect(await Promise.all(['true', 'True', 'TRUE', 'false', 'False', 'FALSE', '', '  true '].map(of))).toEqual([true, true, true, false, false, false, false, true]);
    await expect(of('yes')).rejects.toThrow(new UsageError('input "dry-run": "yes" is not a boolean (true or false)'));
  });

  it('takes one of the choices, the fallback when empty, and names the choices otherwise', async () => {
    const of = (v: string) => inRunner({ 'INPUT_FAIL-ON': v }, () => {}, async () => choiceInput('fail-on', ['problems', 'error', 'never'], 'error'));
    expect(await Promise.all(['never', '', 'problems'].map(of))).toEqual(['never', 'error', 'problems']);
    await expect(of('Never')).rejects.toThrow(new UsageError('input "fail-on": "Never" is not one of problems, error, never'));
  });
});

describe('text other parties wrote', () => {
  it('is printed with every line that would be a command neutralised', async () => {
    const lines = await stdout({}, () => untrusted('diff\n::add-mask::x\n  ::error::forged\nok ##[warning]y'));
    expect(lines).toEqual(['diff', '\\::add-mask::x', '  \\::error::forged', 'ok ##\\[warning]y']);
  });

  it('folds long output under a one-line title that cannot act as a command', async () => {
    const lines = await stdout({}, () => folded('# tidemark/x: bump\n::error::t ##[error]', 'line 1\n::endgroup::\nline 3'));
    expect(lines).toEqual(['::group::# tidemark/x: bump ::error::t ##\\[error]', 'line 1', '\\::endgroup::', 'line 3', '::endgroup::']);
  });
});

describe('annotations', () => {
  it(`annotates at most ${MAX_ANNOTATIONS} problems at their file and line, then says how many more there are`, async () => {
    const problems = Array.from({ length: 13 }, (_, i) => ({ file: `apps/a,${i}.yaml`, line: i + 1, message: `bad ${i}` }));
    const lines = await stdout({}, () => annotate('warning', problems, 'Tidemark'));
    expect(lines).toEqual([
      ...problems.slice(0, 10).map((p) => `::warning title=Tidemark,file=apps/a%2C${p.line - 1}.yaml,line=${p.line}::bad ${p.line - 1}`),
      '::warning title=Tidemark::and 3 more problems: every one is in the job summary and in the log',
    ]);
  });

  it('keeps a message that tries to start another command inside its own annotation', async () => {
    const lines = await stdout({}, () => annotate('error', [{ file: '.tidemark.yaml', line: 9, message: 'unknown key "schedul": 100%\n::error::forged' }], 'Tidemark config'));
    expect(lines).toEqual(['::error title=Tidemark config,file=.tidemark.yaml,line=9::unknown key "schedul": 100%25%0A::error::forged']);
  });

  it('says "1 more problem" for exactly one past the cap, and nothing more at the cap', async () => {
    const problems = (n: number) => Array.from({ length: n }, (_, i) => ({ file: 'a.yaml', line: i + 1, message: 'x' }));
    expect((await stdout({}, () => annotate('error', problems(10), 'T'))).length).toEqual(10);
    expect((await stdout({}, () => annotate('error', problems(11), 'T'))).at(-1)).toEqual('::error title=T::and 1 more problem: every one is in the job summary and in the log');
  });
});

describe('the job summary', () => {
  it('is appended to the file the runner names, and skipped where there is none', async () => {
    dir = mkdtempSync(join(tmpdir(), 'tidemark-gh-'));
    const file = join(dir, 'summary.md');
    await stdout({ GITHUB_STEP_SUMMARY: file }, async () => {
      await appendSummary('## one');
      await appendSummary('## two\n');
    });
    expect(readFileSync(file, 'utf8')).toEqual('## one\n## two\n');
    expect(await stdout({}, () => appendSummary('## nowhere'))).toEqual([]);
  });
});
