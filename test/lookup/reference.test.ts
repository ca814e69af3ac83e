import { describe, expect, it } from 'vitest';
import { parseChallenge } from '../../src/lookup/oci/auth.js';
import { nextPageUrl } from '../../src/lookup/oci/client.js';
import { locateImage } from '../../src/lookup/oci/reference.js';

describe('locateImage', () => {
  it('puts one-word images on Docker Hub under library/', () => {
    expect(locateImage('nginx', {})).toEqual({ registry: 'docker.io', apiHost: 'registry-1.docker.io', baseUrl: 'https://registry-1.docker.io', repository: 'library/nginx' });
  });

  it('keeps user repositories on Docker Hub as written, whichever Hub alias names them', () => {
    expect(locateImage('bitnami/redis', {}).repository).toEqual('bitnami/redis');
    expect(locateImage('index.docker.io/redis', {})).toEqual(locateImage('redis', {}));
    expect(locateImage('docker.io/library/redis', {})).toEqual(locateImage('redis', {}));
  });

  it('treats a first component with a dot, a port or localhost as the registry', () => {
    expect(locateImage('ghcr.io/acme/web', {})).toEqual({ registry: 'ghcr.io', apiHost: 'ghcr.io', baseUrl: 'https://ghcr.io', repository: 'acme/web' });
    expect(locateImage('registry:5000/team/app', {}).baseUrl).toEqual('https://registry:5000');
    expect(locateImage('localhost:5000/x', {}).baseUrl).toEqual('http://localhost:5000');
    expect(locateImage('127.0.0.1:5123/x', {}).baseUrl).toEqual('http://127.0.0.1:5123');
  });

  it('uses plain HTTP for a non-loopback registry only when the config says insecure', () => {
    expect(locateImage('registry.lan/x', { 'registry.lan': { insecure: true } }).baseUrl).toEqual('http://registry.lan');
  });

  it('looks a pull-through cache with a path prefix up at the registry it mirrors, longest prefix first', () => {
    const registries = {
      'harbor.example.com/dockerhub-proxy': { mirrorOf: 'docker.io' },
      'harbor.example.com/ghcr-proxy': { mirrorOf: 'ghcr.io' },
      '123456789012.dkr.ecr.eu-west-1.amazonaws.com/docker-hub': { mirrorOf: 'https://docker.io/' },
      'mirror.gcr.io': { mirrorOf: 'docker.io' },
    };
    const at = (name: string) => {
      const loc = locateImage(name, registries);
      return `${loc.baseUrl} ${loc.repository}`;
    };
    expect([
      'harbor.example.com/dockerhub-proxy/library/nginx',
      'harbor.example.com/dockerhub-proxy/nginx',
      'harbor.example.com/dockerhub-proxy/bitnami/redis',
      'harbor.example.com/ghcr-proxy/acme/web',
      'harbor.example.com/team/app',
      '123456789012.dkr.ecr.eu-west-1.amazonaws.com/docker-hub/library/nginx',
      'mirror.gcr.io/library/nginx',
    ].map(at)).toEqual([
      'https://registry-1.docker.io library/nginx',
      'https://registry-1.docker.io library/nginx',
      'https://registry-1.docker.io bitnami/redis',
      'https://ghcr.io acme/web',
      'https://harbor.example.com team/app',
      'https://registry-1.docker.io library/nginx',
      'https://registry-1.docker.io library/nginx',
    ]);
  });

  it('looks a mirror up at the registry it mirrors', () => {
    expect(locateImage('mirror.gcr.io/nginx', { 'mirror.gcr.io': { mirrorOf: 'docker.io' } }).repository).toEqual('library/nginx');
  });
});

describe('parseChallenge', () => {
  it('reads a Docker Hub bearer challenge', () => {
    expect(parseChallenge('Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/nginx:pull"')).toEqual({
      scheme: 'bearer', realm: 'https://auth.docker.io/token', service: 'registry.docker.io', scope: 'repository:library/nginx:pull',
    });
  });

  it('reads Basic, and nothing from a challenge without a realm', () => {
    expect(parseChallenge('Basic realm="Registry"')).toEqual({ scheme: 'basic' });
    expect(parseChallenge('Bearer service="x"')).toEqual(null);
  });
});

describe('nextPageUrl', () => {
  const page = 'https://ghcr.io/v2/a/tags/list?n=100';
  it('follows relative and same-origin absolute links, never another origin', () => {
    expect(nextPageUrl('</v2/a/tags/list?last=b&n=100>; rel="next"', page, 'https://ghcr.io')).toEqual('https://ghcr.io/v2/a/tags/list?last=b&n=100');
    expect(nextPageUrl('<https://ghcr.io/v2/a/tags/list?last=b>; rel="next"', page, 'https://ghcr.io')).toEqual('https://ghcr.io/v2/a/tags/list?last=b');
    expect(nextPageUrl('<https://evil.example/v2/a/tags/list>; rel="next"', page, 'https://ghcr.io')).toEqual(null);
    expect(nextPageUrl(null, page, 'https://ghcr.io')).toEqual(null);
  });

  it('reads a relative link against the host a redirect led to, and never downgrades to plain HTTP', () => {
    const served = 'https://us-west1-docker.pkg.dev/v2/k8s-artifacts-prod/images/pause/tags/list';
    expect(nextPageUrl('</v2/k8s-artifacts-prod/images/pause/tags/list?last=3.9>; rel="next"', served, 'https://registry.k8s.io'))
      .toEqual('https://us-west1-docker.pkg.dev/v2/k8s-artifacts-prod/images/pause/tags/list?last=3.9');
    expect(nextPageUrl('<http://ghcr.io/v2/a/tags/list?last=b>; rel="next"', page, 'https://ghcr.io')).toEqual(null);
  });
});
