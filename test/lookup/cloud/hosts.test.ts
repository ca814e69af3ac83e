import { describe, expect, it } from 'vitest';
import { cloudInEnvironment, cloudOfHost } from '../../../src/lookup/oci/cloud.js';

describe('recognising cloud registry hosts', () => {
  it.each([
    ['123456789012.dkr.ecr.eu-west-1.amazonaws.com', 'aws'],
    ['123456789012.dkr.ecr-fips.us-gov-west-1.amazonaws.com', 'aws'],
    ['123456789012.dkr.ecr.cn-north-1.amazonaws.com.cn', 'aws'],
    ['europe-west1-docker.pkg.dev', 'google'],
    ['us-docker.pkg.dev', 'google'],
    ['gcr.io', 'google'],
    ['eu.gcr.io', 'google'],
    ['acmeprod.azurecr.io', 'azure'],
    ['public.ecr.aws', null],
    ['12345.dkr.ecr.eu-west-1.amazonaws.com', null],
    ['123456789012.dkr.ecr.eu-west-1.amazonaws.com.evil.example', null],
    ['evil-gcr.io', null],
    ['gcr.io.evil.example', null],
    ['acmeprod.azurecr.io:5000', null],
    ['ghcr.io', null],
  ])('takes %s for %s', (host, cloud) => {
    expect(cloudOfHost(host)).toEqual(cloud);
  });
});

describe('cloud credentials in the operator environment', () => {
  it('finds each cloud by the variables its login tools and identity webhooks set, and nothing else', () => {
    expect(cloudInEnvironment('aws', { AWS_WEB_IDENTITY_TOKEN_FILE: '/var/run/secrets/eks.amazonaws.com/serviceaccount/token' })).toEqual(true);
    expect(cloudInEnvironment('aws', { AWS_CONTAINER_CREDENTIALS_FULL_URI: 'http://169.254.170.23/v1/credentials' })).toEqual(true);
    expect(cloudInEnvironment('aws', { AWS_REGION: 'eu-west-1' })).toEqual(false);
    expect(cloudInEnvironment('google', { GOOGLE_APPLICATION_CREDENTIALS: '/secrets/sa.json' })).toEqual(true);
    expect(cloudInEnvironment('google', { GOOGLE_CLOUD_PROJECT: 'acme-prod' })).toEqual(false);
    expect(cloudInEnvironment('azure', { AZURE_CLIENT_ID: 'c', AZURE_TENANT_ID: 't', AZURE_FEDERATED_TOKEN_FILE: '/var/run/secrets/azure/tokens/azure-identity-token' })).toEqual(true);
    expect(cloudInEnvironment('azure', { AZURE_CLIENT_ID: 'c', AZURE_TENANT_ID: 't' })).toEqual(false);
  });
});
