import { RegistryError } from '../../errors.js';
import type { CloudName, Credentials } from '../host-rules.js';

/**
 * Credentials for the clouds' own registries, from the operator's cloud credential chain. Each SDK is imported only
 * when a host of its cloud is looked up, so runs without cloud registries never load one.
 *
 * - Amazon ECR `123456789012.dkr.ecr.eu-west-1.amazonaws.com`: ECR `GetAuthorizationToken` in that region, sent as
 *   Basic `AWS:<password>` (the token decodes to that pair); cached per account and region until it expires.
 * - Google Artifact Registry `europe-docker.pkg.dev`, GCR `gcr.io`, `eu.gcr.io`: an OAuth2 access token from
 *   Application Default Credentials, sent as Basic `oauth2accesstoken:<token>`.
 * - Azure Container Registry `acme.azurecr.io`: a Microsoft Entra token, exchanged at that registry's
 *   `/oauth2/exchange` for a refresh token, sent as Basic `00000000-0000-0000-0000-000000000000:<refresh token>` to
 *   the registry's `/oauth2/token` for each scope.
 *
 * Every credential made here is marked with its cloud: it goes to the registry's own host only (auth.ts).
 */

/** `123456789012.dkr.ecr.eu-west-1.amazonaws.com`, `…dkr.ecr-fips.us-east-1.amazonaws.com`, `….amazonaws.com.cn`. */
const ECR_HOST = /^(?<account>\d{12})\.dkr\.ecr(?<fips>-fips)?\.(?<region>[a-z]{2}(?:-[a-z]+)+-\d)\.amazonaws\.com(?:\.cn)?$/;
/** `gcr.io`, `eu.gcr.io`, `europe-west1-docker.pkg.dev`. */
const GOOGLE_HOST = /^(?:(?:[a-z]+\.)?gcr\.io|[a-z0-9]+(?:-[a-z0-9]+)*-docker\.pkg\.dev)$/;
/** `acme.azurecr.io` (also the sovereign clouds' `azurecr.cn`, `azurecr.us`). */
const AZURE_HOST = /^[a-z0-9]{5,50}\.azurecr\.(?:io|cn|us)$/;

const ACR_NULL_USER = '00000000-0000-0000-0000-000000000000';
const GOOGLE_SCOPE = 'https://www.googleapis.com/auth/cloud-platform';
const ACR_AUDIENCE = 'https://containerregistry.azure.net/.default';
/** A credential is renewed this long before it expires, so it never lapses mid-run. */
const RENEW_EARLY_MS = 5 * 60_000;
/** When a cloud does not say how long its credential lives. */
const DEFAULT_LIFETIME_MS = 30 * 60_000;
const RETRY_FAILED_MS = 60_000;
const EXCHANGE_TIMEOUT_MS = 30_000;
const MAX_EXCHANGE_BYTES = 64 * 1024;

/** The cloud whose registry `host` is (lower-case `host[:port]`), or null. */
export function cloudOfHost(host: string): CloudName | null {
  if (ECR_HOST.test(host)) return 'aws';
  if (GOOGLE_HOST.test(host)) return 'google';
  if (AZURE_HOST.test(host)) return 'azure';
  return null;
}

export function isEcrHost(host: string): boolean {
  return ECR_HOST.test(host);
}

/**
 * Whether the operator's environment holds credentials for `cloud` (then its registries are read without a host rule).
 * Instance metadata, managed identity and gcloud's own login are not detected (that would mean probing the network at
 * start-up): a host rule with `"cloud"` turns those on.
 */
export function cloudInEnvironment(cloud: CloudName, env: NodeJS.ProcessEnv): boolean {
  const has = (name: string): boolean => Boolean(env[name]);
  if (cloud === 'aws') {
    return ['AWS_ACCESS_KEY_ID', 'AWS_PROFILE', 'AWS_WEB_IDENTITY_TOKEN_FILE', 'AWS_CONTAINER_CREDENTIALS_FULL_URI', 'AWS_CONTAINER_CREDENTIALS_RELATIVE_URI'].some(has);
  }
  if (cloud === 'google') return has('GOOGLE_APPLICATION_CREDENTIALS');
  return has('AZURE_CLIENT_ID') && has('AZURE_TENANT_ID') && ['AZURE_FEDERATED_TOKEN_FILE', 'AZURE_CLIENT_SECRET', 'AZURE_CLIENT_CERTIFICATE_PATH'].some(has);
}

/** The credential source the cloud's chain will use, as an error message names it. */
export function credentialSource(cloud: CloudName, env: NodeJS.ProcessEnv): string {
  if (cloud === 'aws') {
    if (env['AWS_ACCESS_KEY_ID']) return 'AWS credential chain: environment (AWS_ACCESS_KEY_ID)';
    if (env['AWS_PROFILE']) return `AWS credential chain: shared config profile ${env['AWS_PROFILE']}`;
    if (env['AWS_WEB_IDENTITY_TOKEN_FILE']) return 'AWS credential chain: web identity (AWS_WEB_IDENTITY_TOKEN_FILE, AWS_ROLE_ARN)';
    if (env['AWS_CONTAINER_CREDENTIALS_FULL_URI'] || env['AWS_CONTAINER_CREDENTIALS_RELATIVE_URI']) {
      return 'AWS credential chain: container credentials (EKS Pod Identity or ECS task role)';
    }
    return 'AWS credential chain: shared config default profile, then instance metadata (IMDS)';
  }
  if (cloud === 'google') {
    if (env['GOOGLE_APPLICATION_CREDENTIALS']) return 'Google Application Default Credentials: GOOGLE_APPLICATION_CREDENTIALS file';
    return 'Google Application Default Credentials: gcloud application-default login, then the metadata server';
  }
  if (env['AZURE_FEDERATED_TOKEN_FILE']) return 'Microsoft Entra workload identity (AZURE_FEDERATED_TOKEN_FILE, AZURE_CLIENT_ID, AZURE_TENANT_ID)';
  if (env['AZURE_CLIENT_SECRET'] || env['AZURE_CLIENT_CERTIFICATE_PATH']) return 'Microsoft Entra environment credential (AZURE_CLIENT_ID, AZURE_TENANT_ID)';
  return 'Microsoft Entra DefaultAzureCredential (managed identity, Azure CLI)';
}

interface Minted {
  creds: Credentials;
  expiresAt: number;
}

interface Entry {
  pending: Promise<Minted>;
  /** Renew after this (epoch ms); `Infinity` while the first request is in flight. */
  renewAt: number;
}

/** Minimal views of the SDK objects kept between lookups, so their types stay in the lazy imports. */
interface GoogleClient { getAccessToken(): Promise<{ token?: string | null }>; credentials: { expiry_date?: number | null } }
interface AzureCredential { getToken(scope: string): Promise<{ token: string; expiresOnTimestamp: number } | null> }
interface EcrClient { send(command: unknown): Promise<{ authorizationData?: { authorizationToken?: string; expiresAt?: Date }[] }> }

/**
 * Mints and caches cloud registry credentials. One instance per run (no module state): the SDK clients it creates
 * keep the chain's own credentials (and renew them) between lookups.
 */
export class CloudCredentials {
  private readonly cache = new Map<string, Entry>();
  private readonly ecrClients = new Map<string, Promise<EcrClient>>();
  private azure: Promise<AzureCredential> | null = null;

  constructor(private readonly env: NodeJS.ProcessEnv, private readonly now: () => number = Date.now) {}

  /** The credential for `host` from `cloud`'s chain; a failure is a `RegistryError` for that host naming the source. */
  get(cloud: CloudName, host: string): Promise<Credentials> {
    // One Google token serves every GAR and GCR host; ECR and ACR credentials are per registry host.
    const key = cloud === 'google' ? 'google' : `${cloud} ${host}`;
    const hit = this.cache.get(key);
    if (hit && hit.renewAt > this.now()) return hit.pending.then((m) => m.creds);
    const entry: Entry = { pending: this.mint(cloud, host), renewAt: Infinity };
    this.cache.set(key, entry);
    // A failure is kept a minute too: a hundred images on a host whose chain fails ask the chain once, not a hundred times.
    entry.pending.then(
      (m) => void (entry.renewAt = m.expiresAt - RENEW_EARLY_MS),
      () => void (entry.renewAt = this.now() + RETRY_FAILED_MS),
    );
    return entry.pending.then((m) => m.creds);
  }

  private async mint(cloud: CloudName, host: string): Promise<Minted> {
    try {
      if (cloud === 'aws') return await this.ecr(host);
      if (cloud === 'google') return await this.googleToken();
      return await this.acr(host);
    } catch (err) {
      if (err instanceof RegistryError) throw err;
      // @azure/identity puts Entra's own answer (`AADSTS7000215: Invalid client secret…`) beside a generic message.
      const entra = (err as { errorResponse?: { errorDescription?: unknown } } | null)?.errorResponse?.errorDescription;
      const first = err instanceof Error ? err.message.split('\n')[0] : String(err);
      const why = typeof entra === 'string' && entra && !first?.includes(entra) ? `${first} ${entra.split('\n')[0]}` : first;
      throw new RegistryError(`${host}: no ${cloud} registry credential from ${credentialSource(cloud, this.env)}: ${why}`, { host, cause: err });
    }
  }

  private async ecr(host: string): Promise<Minted> {
    const m = ECR_HOST.exec(host);
    const region = m?.groups?.['region'];
    if (!region) throw new Error('not an ECR registry host');
    const fips = m.groups?.['fips'] ?? '';
    let client = this.ecrClients.get(region + fips);
    if (!client) {
      client = import('@aws-sdk/client-ecr').then(({ ECRClient }) => new ECRClient({
        region,
        useFipsEndpoint: fips !== '',
        maxAttempts: 2,
        requestHandler: { connectionTimeout: 10_000, requestTimeout: 30_000 },
      }) as unknown as EcrClient);
      this.ecrClients.set(region + fips, client);
    }
    const { GetAuthorizationTokenCommand } = await import('@aws-sdk/client-ecr');
    const out = await (await client).send(new GetAuthorizationTokenCommand({}));
    const data = out.authorizationData?.[0];
    const decoded = Buffer.from(data?.authorizationToken ?? '', 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon <= 0 || colon === decoded.length - 1) throw new Error('GetAuthorizationToken returned no authorization token');
    const expiresAt = this.now() + (data?.expiresAt instanceof Date ? lifetimeLeft(data.expiresAt.getTime()) : DEFAULT_LIFETIME_MS);
    return { creds: { username: decoded.slice(0, colon), password: decoded.slice(colon + 1), cloud: 'aws' }, expiresAt };
  }

  private async googleToken(): Promise<Minted> {
    // A new client each time: the cache here decides when a token is renewed, not a second cache inside the library.
    const { GoogleAuth } = await import('google-auth-library');
    const client = (await new GoogleAuth({ scopes: [GOOGLE_SCOPE] }).getClient()) as unknown as GoogleClient;
    const { token } = await client.getAccessToken();
    if (!token) throw new Error('no access token');
    const expiry = client.credentials.expiry_date;
    const expiresAt = this.now() + (typeof expiry === 'number' ? lifetimeLeft(expiry) : DEFAULT_LIFETIME_MS);
    return { creds: { username: 'oauth2accesstoken', password: token, cloud: 'google' }, expiresAt };
  }

  private async acr(host: string): Promise<Minted> {
    this.azure ??= import('@azure/identity').then((id): AzureCredential => {
      const tenantId = this.env['AZURE_TENANT_ID'];
      const clientId = this.env['AZURE_CLIENT_ID'];
      if (this.env['AZURE_FEDERATED_TOKEN_FILE'] && tenantId && clientId) {
        return new id.WorkloadIdentityCredential({ tenantId, clientId, tokenFilePath: this.env['AZURE_FEDERATED_TOKEN_FILE'] });
      }
      if (this.env['AZURE_CLIENT_SECRET'] || this.env['AZURE_CLIENT_CERTIFICATE_PATH']) return new id.EnvironmentCredential();
      return new id.DefaultAzureCredential();
    });
    const entra = await (await this.azure).getToken(ACR_AUDIENCE);
    if (!entra?.token) throw new Error('no Microsoft Entra access token');
    const refresh = await this.exchange(host, entra.token);
    const expiresAt = this.now() + Math.min(lifetimeLeft(entra.expiresOnTimestamp), lifetimeLeft(jwtExpiry(refresh) ?? Infinity));
    return { creds: { username: ACR_NULL_USER, password: refresh, cloud: 'azure' }, expiresAt };
  }

  /** `POST https://<registry>/oauth2/exchange` (`grant_type=access_token`): the Entra token for an ACR refresh token. */
  private async exchange(host: string, accessToken: string): Promise<string> {
    const form = new URLSearchParams({ grant_type: 'access_token', service: host, access_token: accessToken });
    const tenant = this.env['AZURE_TENANT_ID'];
    if (tenant) form.set('tenant', tenant);
    const res = await fetch(`https://${host}/oauth2/exchange`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: form,
      redirect: 'error',
      signal: AbortSignal.timeout(EXCHANGE_TIMEOUT_MS),
    });
    const text = await boundedText(res, MAX_EXCHANGE_BYTES);
    if (res.status !== 200) throw new RegistryError(`${host}: /oauth2/exchange answered ${res.status} (${credentialSource('azure', this.env)})`, { host, status: res.status });
    let body: { refresh_token?: unknown };
    try {
      body = JSON.parse(text) as typeof body;
    } catch (err) {
      throw new RegistryError(`${host}: /oauth2/exchange sent invalid JSON`, { host, status: res.status, cause: err });
    }
    if (typeof body.refresh_token !== 'string' || body.refresh_token === '') {
      throw new RegistryError(`${host}: /oauth2/exchange sent no refresh_token`, { host, status: res.status });
    }
    return body.refresh_token;
  }
}

/** How long until `expiry`, an instant the SDK computed by the system clock (the run's clock may be another). */
function lifetimeLeft(expiry: number): number {
  return expiry - Date.now();
}

async function boundedText(res: Response, max: number): Promise<string> {
  if (!res.body) return '';
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of res.body) {
    size += (chunk as Uint8Array).byteLength;
    if (size > max) throw new Error(`response larger than ${max} bytes`);
    chunks.push(chunk as Uint8Array);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** The `exp` (seconds) of a JWT, as epoch ms; null when the token is not a JWT with one. */
function jwtExpiry(token: string): number | null {
  const payload = token.split('.')[1];
  if (!payload || payload.length > 16_384) return null;
  try {
    const exp = (JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as { exp?: unknown }).exp;
    return typeof exp === 'number' && Number.isFinite(exp) ? exp * 1000 : null;
  } catch {
    return null;
  }
}
