import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { annotation, escapeData, escapeProperty, getBooleanInput, getInput, mask, setOutput } from '../../src/cli/workflow-commands.js';
import { UsageError } from '../../src/errors.js';
import { parseOutputFile } from '../ship/actions-runner.js';

let dir: string | null = null;
afterEach(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = null;
});

describe('inputs', () => {
  it('reads inputs the way the runner names them: upper case, spaces to underscores, hyphens kept', () => {
    const runner = { env: { 'INPUT_DRY-RUN': ' true ', INPUT_LOG_LEVEL: 'debug', INPUT_CONFIG: 'x' }, write: () => {} };
    expect(getInput(runner, 'dry-run')).toEqual('true');
    expect(getInput(runner, 'log level')).toEqual('debug');
    expect(getInput(runner, 'DRY_RUN')).toEqual('');
  });

  it('accepts only YAML 1.2 booleans and falls back when the input is empty', () => {
    const of = (v: string) => getBooleanInput({ env: { 'INPUT_DRY-RUN': v }, write: () => {} }, 'dry-run', false);
    expect(['true', 'True', 'TRUE', 'false', 'False', 'FALSE', ''].map(of)).toEqual([true, true, true, false, false, false, false]);
    expect(() => of('yes')).toThrow(UsageError);
  });
});

describe('workflow commands', () => {
  it('escapes data and property values as the runner expects', () => {
    expect(escapeData('50% done\r\nnext')).toEqual('50%25 done%0D%0Anext');
    expect(escapeProperty('a:b,c%')).toEqual('a%3Ab%2Cc%25');
  });

  it('writes annotations with file, line and title', () => {
    expect(annotation('error', 'rules[0]: unknown key\n"matchPackages"', { file: 'conf,ig/.tidemark.yaml', line: 3, title: 'Tidemark config' })).toEqual(
      '::error file=conf%2Cig/.tidemark.yaml,line=3,title=Tidemark config::rules[0]: unknown key%0A"matchPackages"',
    );
    expect(annotation('warning', 'plain')).toEqual('::warning::plain');
  });

  it('masks a secret with add-mask and skips an empty one', () => {
    const lines: string[] = [];
    mask({ env: {}, write: (l) => lines.push(l) }, 'ghs_abc');
    mask({ env: {}, write: (l) => lines.push(l) }, '');
    expect(lines).toEqual(['::add-mask::ghs_abc']);
  });

  it('writes single-line outputs as name=value and multi-line ones as heredocs the runner reads back', () => {
    dir = mkdtempSync(join(tmpdir(), 'tidemark-gh-'));
    const file = join(dir, 'output');
    const runner = { env: { GITHUB_OUTPUT: file }, write: () => {} };
    setOutput(runner, 'opened', '2');
    setOutput(runner, 'notes', 'line one\nline two');
    const text = readFileSync(file, 'utf8');
    expect(text.split('\n')[0]).toEqual('opened=2');
    expect(text).toMatch(/^notes<<ghadelimiter_[0-9a-f-]{36}$/m);
    expect(parseOutputFile(text)).toEqual({ opened: '2', notes: 'line one\nline two' });
  });
});
