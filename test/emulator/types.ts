// Types shared by the emulator core and its service modules (test/emulator/services/*.ts).
import type * as http from 'http';
import type { EmulatorState } from './state';

/** Which virtual host a route belongs to (see docs/EMULATOR.md, section 1). */
export type HostKey = 'login' | 'arm' | 'devops' | 'vault' | 'amlData' | 'acr' | 'aci' | 'online' | 'imds' | 'any';

export interface RecordedRequest {
  method: string;
  /** Host name without port ('management.localhost', 'kv1.vault.localhost', 'imds'). */
  host: string;
  /** Path without the query string. */
  path: string;
  query: Record<string, string>;
  /** Lower-case header names; the authorization value is redacted, x-azureml-token keeps only its audience. */
  headers: Record<string, string>;
  body: string;
  status: number;
  time: number;
  durationMs: number;
  /** Name of the injected fault, when one answered this request. */
  fault?: string;
}

export interface TokenClaims {
  aud: string;
  iss: string;
  tid: string;
  appid: string;
  azp?: string;
  oid: string;
  sub: string;
  iat: number;
  nbf: number;
  exp: number;
  [claim: string]: unknown;
}

export type AuthKind = 'arm' | 'vault' | 'none';

export interface RouteOptions {
  /** Accepted api-version values; missing → 400 MissingApiVersionParameter, other → 400 InvalidApiVersionParameter. */
  apiVersions?: string[] | RegExp;
  /** Token check; default: 'arm' for arm/amlData, 'vault' for vault, 'none' otherwise. */
  auth?: AuthKind;
}

export interface RouteContext {
  req: http.IncomingMessage;
  res: http.ServerResponse;
  method: string;
  host: string;
  /** First DNS label of the host: vault name, registry name, region, ... */
  hostLabel: string;
  path: string;
  params: Record<string, string>;
  query: Record<string, string>;
  body: string;
  /** Parsed JSON body; throws HttpError(400) when the body is not JSON. */
  bodyJson<T = unknown>(): T;
  /** The validated caller token (routes with auth). */
  token?: TokenClaims;
  /** Base URL of this request's host ('https://management.localhost:1234'). */
  baseUrl: string;
  json(status: number, body: unknown, headers?: Record<string, string>): void;
  /** Empty reply. */
  send(status: number, headers?: Record<string, string>, body?: string | Buffer): void;
  emu: EmulatorApi;
}

export type RouteHandler = (ctx: RouteContext) => void | Promise<void>;

/** Throw from a handler: becomes `{ error: { code, message } }` with this status. */
export class HttpError extends Error {
  constructor(readonly status: number, readonly code: string, message: string, readonly headers: Record<string, string> = {}) {
    super(message);
    this.name = 'HttpError';
  }
}

export interface LroOptions {
  /** How many status polls answer InProgress before the terminal state (default 1). */
  polls?: number;
  outcome?: 'Succeeded' | 'Failed' | 'Canceled';
  error?: { code: string; message: string };
  /** Initial status code (default 202). */
  status?: 201 | 202;
  /** Body of the initial reply (e.g. the resource with provisioningState 'Creating'). */
  initialBody?: unknown;
  /** Body returned by the Location URL once done (default: none, 204 ... or 200 when given). */
  resultBody?: unknown | (() => unknown);
  /** Runs once when the operation reaches its terminal state (apply the state change here). */
  onDone?: () => void;
  retryAfterSeconds?: 0 | 1;
  /** Provider namespace for the operation URLs (default taken from the request path). */
  provider?: string;
  location?: string;
}

export interface Operation {
  id: string;
  name: string;
  provider: string;
  location: string;
  pollsLeft: number;
  outcome: 'Succeeded' | 'Failed' | 'Canceled';
  error?: { code: string; message: string };
  startTime: string;
  endTime?: string;
  resultBody?: unknown | (() => unknown);
  onDone?: () => void;
  retryAfterSeconds: number;
  done: boolean;
}

export interface PagedOptions {
  style?: 'skip' | 'skipToken';
}

export interface Identities {
  tenantId: string;
  subscriptionId: string;
  subscriptionName: string;
  spnSecret: { clientId: string; secret: string; objectId: string };
  spnCertificate: { clientId: string; pem: string; thumbprint: string; objectId: string };
  wif: { clientId: string; serviceConnectionId: string; systemAccessToken: string; issuer: string; subject: string; objectId: string };
  msi: { clientId: string; objectId: string };
}

export interface EmulatorUrls {
  arm: string;
  authorityHost: string;
  oidcRequestUri: string;
  imds: string;
  devops: string;
  keyVault(name: string): string;
  keyVaultDnsSuffix: string;
  amlDataPlane(region: string): string;
}

export interface FaultSpec {
  host?: RegExp;
  method?: string;
  path?: RegExp;
  /** lostReply: the request is handled (its change happens) and the connection is then cut instead of replying. */
  kind: 'throttle' | 'unavailable' | 'reset' | 'slow' | 'hang' | 'expireToken' | 'lostReply';
  times?: number;
  retryAfterSeconds?: number;
  delayMs?: number;
}

export interface FaultHandle {
  readonly spec: FaultSpec;
  hits: number;
  remaining: number;
}

export interface Faults {
  inject(spec: FaultSpec): FaultHandle;
  clear(): void;
  readonly active: readonly FaultHandle[];
}

/** What a service module sees of the emulator. */
export interface EmulatorApi {
  readonly port: number;
  /** The test CA (PEM file): child processes that call the emulator trust it. */
  readonly caFile: string;
  readonly urls: EmulatorUrls;
  readonly identities: Identities;
  readonly state: EmulatorState;
  readonly faults: Faults;
  addRoute(host: HostKey, method: string, pathTemplate: string, handler: RouteHandler, o?: RouteOptions): void;
  /** Mint an access token (RS256, signed by the fake Entra ID). */
  issueToken(o: { audience: string; appId: string; objectId?: string; expiresInSeconds?: number; extra?: Record<string, unknown> }): string;
  /** Verify a token this emulator issued; throws HttpError-shaped reasons. */
  verifyToken(token: string): { claims: TokenClaims; expired: boolean } | undefined;
  /** PEM of the token-signing public key, and its key id. */
  readonly signingKey: { kid: string; publicKeyPem: string; x5c: string };
  /** Register an LRO and answer the initial request (201/202 + Azure-AsyncOperation + Location). */
  startLro(ctx: RouteContext, o?: LroOptions): Operation;
  paged<T>(items: T[], ctx: RouteContext, pageSize: number, o?: PagedOptions): { value: T[]; nextLink?: string };
  /** Consume an 'expireToken' fault for this token request, if one matches. */
  takeTokenFault(host: string, path: string, method: string): boolean;
}

/** A file in test/emulator/services exports one of these as default (or `service`). */
export interface ServiceModule {
  name: string;
  /** Lower runs first (default 100): register specific routes before generic ones. */
  order?: number;
  register(emu: EmulatorApi): void;
}
