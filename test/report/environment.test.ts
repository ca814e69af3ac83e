import { describe, expect, it } from 'vitest';
import { environmentOf } from '../../src/report/environment.js';

describe('environmentOf', () => {
  it('takes the folder under clusters/, envs/, environments/ or overlays/', () => {
    expect(
      ['clusters/staging/app.yaml', 'envs/eu-west-1/web/values.yaml', 'deploy/environments/perf/kustomization.yaml', 'apps/web/overlays/prod/kustomization.yaml'].map(environmentOf),
    ).toEqual(['staging', 'eu-west-1', 'perf', 'prod']);
  });

  it('prefers that folder to a well-known name earlier in the path', () => {
    expect(environmentOf('dev/clusters/sandbox/app.yaml')).toEqual('sandbox');
  });

  it('otherwise takes the first folder named prod, production, staging, stage, dev or qa', () => {
    expect(['apps/production/web.yaml', 'stage/web.yaml', 'team/qa/dev/web.yaml', 'apps/web/prod/base/deploy.yaml'].map(environmentOf)).toEqual([
      'production', 'stage', 'qa', 'prod',
    ]);
  });

  it('finds none in a file name, an empty folder name or a path without one', () => {
    expect(['clusters/app.yaml', 'apps/prod.yaml', 'apps/web/deployment.yaml', 'Production/web.yaml', 'clusters//x.yaml'].map(environmentOf)).toEqual([
      null, null, null, null, null,
    ]);
  });
});
