import { describe, expect, it } from 'vitest';
import { parseImageRef } from '../../src/scan/image.js';
import { DIGEST } from './helpers.js';

describe('parseImageRef', () => {
  it('splits a registry with a port, a nested path, a tag and a digest', () => {
    const text = `host:5000/a/b:1.2.3@${DIGEST}`;
    expect(parseImageRef(text)).toEqual({
      name: 'host:5000/a/b',
      registry: 'host:5000',
      tag: { value: '1.2.3', start: 14, end: 19 },
      digest: { value: DIGEST, start: 20, end: text.length },
    });
  });

  it('reads a bare Docker Hub name without adding docker.io/library', () => {
    expect(parseImageRef('nginx')).toEqual({ name: 'nginx', registry: null, tag: null, digest: null });
  });

  it('reads a digest without a tag', () => {
    expect(parseImageRef(`ghcr.io/acme/web@${DIGEST}`)).toEqual({
      name: 'ghcr.io/acme/web',
      registry: 'ghcr.io',
      tag: null,
      digest: { value: DIGEST, start: 17, end: 17 + DIGEST.length },
    });
  });

  it('treats a port without a tag as part of the registry', () => {
    expect(parseImageRef('localhost:5000/app')).toEqual({ name: 'localhost:5000/app', registry: 'localhost:5000', tag: null, digest: null });
  });

  it('rejects text that is not an image reference', () => {
    expect(parseImageRef('not an image')).toBeNull();
    expect(parseImageRef('https://example.com/x')).toBeNull();
    expect(parseImageRef('nginx@sha256:short')).toBeNull();
    expect(parseImageRef('')).toBeNull();
  });
});
