// The registry's data plane (Docker Registry HTTP API v2 with ACR's AAD token exchange), to see
// whether an image exists and to add a tag to an existing image without rebuilding it:
//   GET  /v2/                     -> 401 WWW-Authenticate: Bearer realm="https://<ls>/oauth2/token",service="<ls>"
//   POST /oauth2/exchange         grant_type=access_token&service&tenant&access_token=<AAD token> -> refresh_token
//   POST /oauth2/token            grant_type=refresh_token&service&scope=repository:<repo>:pull[,push]&refresh_token -> access_token
//   HEAD /v2/<repo>/manifests/<tag>  -> Docker-Content-Digest
// The AAD token is for the registry audience (https://containerregistry.azure.net): registries hardened
// with the built-in policy "ARM audience token authentication disabled" (azureADAuthenticationAsArmPolicy)
// refuse ARM tokens. Where the registry-audience token or its exchange fails, the ARM token of the
// connection's cloud is tried (as `az acr login` uses).
import * as tl from 'azure-pipelines-task-lib/task';
import type { AzureSession } from '../../shared/src/azure';
import { TaskError } from '../../shared/src/errors';
import { httpRequest, RawResponse } from '../../shared/src/http';
import { untrusted } from '../../shared/src/untrusted';

export const MANIFEST_TYPES = [
  'application/vnd.docker.distribution.manifest.v2+json',
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
  'application/vnd.oci.image.index.v1+json',
].join(', ');

/** Entra ID scope of the registry audience (ACR docs, "Azure AD authentication as ARM policy"). */
export const ACR_SCOPE = 'https://containerregistry.azure.net/.default';

export interface Challenge {
  realm: string;
  service: string;
}

/** Parses `Bearer realm="…",service="…",scope="…"`. */
export function parseChallenge(header: string | undefined): Challenge | undefined {
  if (!header || !/^\s*Bearer\s/i.test(header)) return undefined;
  const params: Record<string, string> = {};
  const re = /([a-zA-Z_]+)="([^"]*)"/g;
  for (let m = re.exec(header); m; m = re.exec(header)) params[m[1].toLowerCase()] = m[2];
  return params.realm ? { realm: params.realm, service: params.service ?? '' } : undefined;
}

function header(r: RawResponse, name: string): string | undefined {
  const k = Object.keys(r.headers).find((h) => h.toLowerCase() === name);
  return k ? r.headers[k] : undefined;
}

function sameOrigin(url: string, base: string): boolean {
  try {
    const u = new URL(url);
    return u.protocol === 'https:' && u.origin.toLowerCase() === new URL(base).origin.toLowerCase() && !u.username && !u.password;
  } catch {
    return false;
  }
}

function form(fields: Record<string, string>): string {
  return new URLSearchParams(fields).toString();
}

export class RegistryDataPlane {
  private refresh?: string;
  private readonly access = new Map<string, string>();
  private challengeInfo?: Challenge;

  constructor(private readonly ctx: AzureSession, readonly loginServer: string) {}

  private url(p: string): string {
    return `https://${this.loginServer}${p}`;
  }

  private fail(step: string, r: RawResponse): never {
    const hint = r.status === 401 || r.status === 403
      ? ` Hint: the service connection's identity needs AcrPull (to check) and AcrPush (to tag) on registry '${this.loginServer}'.`
      : '';
    throw new TaskError(`Registry ${this.loginServer}: ${step} failed with HTTP ${r.status}.${hint}`);
  }

  private async challenge(): Promise<Challenge> {
    if (this.challengeInfo) return this.challengeInfo;
    const r = await httpRequest(this.ctx.http, { method: 'GET', url: this.url('/v2/') });
    const c = parseChallenge(header(r, 'www-authenticate'));
    // the realm is the registry's reply: the Entra token is exchanged only at the registry's own origin
    if (c && !sameOrigin(c.realm, this.url('/'))) {
      throw new TaskError(`Registry ${this.loginServer}: its token realm ${untrusted(JSON.stringify(c.realm))} is not on the registry's own host: refusing to send it a token.`);
    }
    this.challengeInfo = c ?? { realm: this.url('/oauth2/token'), service: this.loginServer };
    return this.challengeInfo;
  }

  /** Exchanges an Entra ID token for `scope` at the registry; undefined when no token could be had. */
  private async exchange(c: Challenge, scope: string): Promise<RawResponse | undefined> {
    const aad = await this.ctx.credential.getToken(scope).catch(() => null);
    if (!aad?.token) return undefined;
    tl.setSecret(aad.token);
    return httpRequest(this.ctx.http, {
      method: 'POST', url: new URL('/oauth2/exchange', c.realm).toString(), headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: form({ grant_type: 'access_token', service: c.service || this.loginServer, tenant: this.ctx.connection.tenantId, access_token: aad.token }),
    });
  }

  private async refreshToken(): Promise<string> {
    if (this.refresh) return this.refresh;
    const c = await this.challenge();
    let r = await this.exchange(c, ACR_SCOPE);
    if (!r || r.status !== 200) r = await this.exchange(c, this.ctx.cloud.armScope);
    if (!r) throw new TaskError('Could not get an Azure AD token for the registry token exchange.');
    if (r.status !== 200) this.fail('the AAD token exchange (/oauth2/exchange)', r);
    const token = (JSON.parse(r.body.toString('utf8')) as { refresh_token?: string }).refresh_token;
    if (!token) this.fail('the AAD token exchange (no refresh_token)', r);
    tl.setSecret(token);
    this.refresh = token;
    return token;
  }

  async accessToken(scope: string): Promise<string> {
    const hit = this.access.get(scope);
    if (hit) return hit;
    const c = await this.challenge();
    const r = await httpRequest(this.ctx.http, {
      method: 'POST', url: c.realm, headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: form({ grant_type: 'refresh_token', service: c.service || this.loginServer, scope, refresh_token: await this.refreshToken() }),
    });
    if (r.status !== 200) this.fail(`getting a token for '${scope}'`, r);
    const token = (JSON.parse(r.body.toString('utf8')) as { access_token?: string }).access_token;
    if (!token) this.fail(`getting a token for '${scope}' (no access_token)`, r);
    tl.setSecret(token);
    this.access.set(scope, token);
    return token;
  }

  /** The digest of `repo:reference`, or undefined when the registry does not have it. */
  async manifestDigest(repo: string, reference: string): Promise<string | undefined> {
    const token = await this.accessToken(`repository:${repo}:pull`);
    const r = await httpRequest(this.ctx.http, {
      method: 'HEAD', url: this.url(`/v2/${repo}/manifests/${encodeURIComponent(reference)}`),
      headers: { Authorization: `Bearer ${token}`, Accept: MANIFEST_TYPES },
    });
    if (r.status === 404) return undefined;
    if (r.status !== 200) this.fail(`checking ${repo}:${reference}`, r);
    const digest = header(r, 'docker-content-digest');
    if (!digest) throw new TaskError(`Registry ${this.loginServer}: ${repo}:${reference} exists but the registry sent no Docker-Content-Digest.`);
    return digest;
  }

  /** Points `repo:tag` at the image `repo@digest` (the manifest is copied byte for byte: same digest). */
  async tag(repo: string, digest: string, tag: string): Promise<void> {
    const token = await this.accessToken(`repository:${repo}:pull,push`);
    const got = await httpRequest(this.ctx.http, {
      method: 'GET', url: this.url(`/v2/${repo}/manifests/${digest}`), headers: { Authorization: `Bearer ${token}`, Accept: MANIFEST_TYPES },
    });
    if (got.status !== 200) this.fail(`reading ${repo}@${digest}`, got);
    const put = await httpRequest(this.ctx.http, {
      method: 'PUT', url: this.url(`/v2/${repo}/manifests/${encodeURIComponent(tag)}`),
      headers: { Authorization: `Bearer ${token}`, 'Content-Type': header(got, 'content-type') ?? MANIFEST_TYPES.split(',')[0] },
      body: got.body,
    });
    if (put.status !== 201 && put.status !== 200) this.fail(`tagging ${repo}@${digest} as '${tag}'`, put);
  }
}
