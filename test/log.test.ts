import { describe, expect, it } from 'vitest';
import { gitClone } from '../src/cli/clone.js';
import { PlatformError, RegistryError } from '../src/errors.js';
import { createLogger, withoutCredentials } from '../src/log.js';

describe('withoutCredentials', () => {
  it('replaces the user info of every URL with ***', () => {
    expect(withoutCredentials("fatal: 'https://x-access-token:ghp_1@git.example.com/r.git' and oci://u:p@r.example/c, git+https://me@h/x")).toEqual(
      "fatal: 'https://***@git.example.com/r.git' and oci://***@r.example/c, git+https://***@h/x",
    );
  });
});

describe('the logger', () => {
  it('strips URL credentials from every message and string value it writes, whatever the caller passes', () => {
    const lines: string[] = [];
    const logger = createLogger({ format: 'text', write: (l) => lines.push(l) });
    logger.warn('fetching https://u:pw1@charts.example/index.yaml', {
      url: 'https://u:pw2@charts.example',
      nested: { list: ['http://a:pw3@h/'] },
      error: new Error('GET https://u:pw4@charts.example failed'),
    });
    const json: string[] = [];
    createLogger({ format: 'json', write: (l) => json.push(l) }).error('x', { repo: 'https://bot:pw5@git.example/r.git' });
    expect(lines).toEqual([
      'WARN  fetching https://***@charts.example/index.yaml url=https://***@charts.example nested={"list":["http://***@h/"]} error=GET https://***@charts.example failed',
    ]);
    expect(JSON.parse(json[0]!)).toMatchObject({ msg: 'x', repo: 'https://***@git.example/r.git' });
  });

  it('writes each record on one line', () => {
    const lines: string[] = [];
    createLogger({ format: 'text', write: (l) => lines.push(l) }).info('a\nINFO forged', { tag: '1.0\r\n::error::x' });
    expect(lines).toEqual(['INFO  a INFO forged tag=1.0 ::error::x']);
  });
});

describe('error messages', () => {
  it('never carry the user info of a URL', async () => {
    expect(new RegistryError('https://u:pw@charts.example/index.yaml answered 500', { host: 'charts.example', status: 500 }).message).toEqual(
      'https://***@charts.example/index.yaml answered 500',
    );
    const err = await gitClone({ url: 'http://bot:s3cr3t-pass@127.0.0.1:1/o/a.git', dir: '/nonexistent/tidemark-clone', platform: 'git', token: null, shallow: true }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PlatformError);
    expect((err as Error).message).toContain('git clone http://***@127.0.0.1:1/o/a.git failed');
    expect((err as Error).message).not.toContain('s3cr3t-pass');
  });
});
