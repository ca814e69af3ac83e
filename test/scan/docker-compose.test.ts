import { describe, expect, it } from 'vitest';
import { dep, DIGEST, expectRoundTrip, scanJson } from './helpers.js';

const compose = [
  'name: media',
  'services:',
  '  jellyfin:',
  '    image: jellyfin/jellyfin:10.10.3',
  '    restart: unless-stopped',
  '    environment:',
  '      - JELLYFIN_PublishedServerUrl=http://media.lan',
  '  proxy:',
  `    image: "ghcr.io/caddybuilds/caddy-cloudflare:2.8.4@${DIGEST}"`,
  '  db:',
  '    image: postgres',
  '  worker:',
  '    build: ./worker',
  '  cache:',
  '    image: redis:${REDIS_TAG:-7.4}',
  '',
].join('\n');

describe('docker-compose', () => {
  it('reports the image of every service in a compose file', () => {
    const f = 'hosts/nas/compose.yaml';
    expect(scanJson([{ path: f, text: compose }])).toEqual({
      dependencies: [
        dep(f, 4, 'docker-compose', 'jellyfin/jellyfin', '10.10.3'),
        dep(f, 9, 'docker-compose', 'ghcr.io/caddybuilds/caddy-cloudflare', '2.8.4', { currentDigest: DIGEST }),
        dep(f, 11, 'docker-compose', 'postgres', null, { skipReason: 'unpinned' }),
        dep(f, 15, 'docker-compose', 'redis:${REDIS_TAG:-7.4}', null, { skipReason: 'substitution' }),
      ],
      problems: [],
    });
  });

  it('reads docker-compose*.yml names and no other file with services', () => {
    const text = 'services:\n  web:\n    image: nginx:1.27.3\n';
    const files = ['docker-compose.yml', 'docker-compose.prod.yaml', 'stack/services.yaml'].map((path) => ({ path, text }));
    expect(scanJson(files).dependencies).toEqual([
      dep('docker-compose.prod.yaml', 3, 'docker-compose', 'nginx', '1.27.3'),
      dep('docker-compose.yml', 3, 'docker-compose', 'nginx', '1.27.3'),
    ]);
  });

  it('round-trips a bump of every pinned service image', () => {
    expect(expectRoundTrip([{ path: 'compose.yaml', text: compose }], 'compose.yaml')).toBe(2);
  });
});
