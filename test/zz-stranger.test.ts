import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { it } from 'vitest';
import { startRegistry } from './helpers/registry.js';

const fx = (n: string) => JSON.parse(readFileSync(`fixtures/versions/${n}.json`, 'utf8')).tags as string[];

it('stranger', async () => {
  const r = await startRegistry();
  try {
    await r.pushImage('base/img', 'seed');
    const hostile = ['1.0-master-' + '9'.repeat(100), '1.0-KB' + '9'.repeat(110), '1.0-' + '1.'.repeat(60) + '1', '1.0-master-2'];
    const repos: Record<string, string[]> = {
      'library/eclipse-temurin': fx('eclipse-temurin-history'), 'library/openjdk': fx('openjdk-ea'),
      'ubi8/ubi-minimal': fx('ubi-minimal'), 'owasp/modsecurity-crs': fx('modsecurity-crs'), 'acme/hostile': hostile,
    };
    for (const [repo, tags] of Object.entries(repos)) await r.seedTags(repo, { repo: 'base/img', tag: 'seed' }, tags.filter((t) => !t.startsWith('sha256')));
    const dir = '/tmp/i11-stranger';
    mkdirSync(`${dir}/apps`, { recursive: true });
    writeFileSync(`${dir}/apps/deploy.yaml`, `apiVersion: apps/v1
kind: Deployment
metadata: {name: api}
spec:
  template:
    spec:
      containers:
        - name: api
          image: ${r.host}/library/eclipse-temurin:11.0.16_8-jdk
        - name: batch
          image: ${r.host}/library/eclipse-temurin:21.0.1_12-jdk
        - name: ea
          image: ${r.host}/library/openjdk:22-ea-6-windowsservercore-1809
        - name: ubi
          image: ${r.host}/ubi8/ubi-minimal:8.7-923.1669829893
        - name: waf
          image: ${r.host}/owasp/modsecurity-crs:4.7.0-apache-202410090910
        - name: evil
          image: ${r.host}/acme/hostile:1.0-master-1
`);
    writeFileSync(`${dir}/.tidemark.yaml`, `registries:\n  "${r.host}": {insecure: true}\n`);
    for (const args of [['plan', dir, '--no-cache'], ['plan', dir, '--no-cache', '--explain', `${r.host}/library/eclipse-temurin`], ['plan', dir, '--no-cache', '--explain', `${r.host}/acme/hostile`]]) {
      try {
        console.log(execFileSync('node', ['dist/src/cli/cli.js', ...args], { encoding: 'utf8' }));
      } catch (e) {
        console.log('EXIT', (e as { status: number }).status, (e as { stdout: string }).stdout, (e as { stderr: string }).stderr);
      }
    }
  } finally {
    await r.stop();
  }
}, 60_000);
