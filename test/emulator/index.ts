// Local Azure emulator: one HTTPS server (virtual hosts by Host header) + a plain-HTTP IMDS server.
// API: docs/EMULATOR.md. Service modules: every file in ./services is loaded at start.
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as http from 'http';
import * as https from 'https';
import type { AddressInfo, Socket } from 'net';
import * as os from 'os';
import * as path from 'path';
import { makePki, type TestPki } from './certs';
import { ARM_ROUTES_OUTSIDE_SDK_OPERATIONS, ContractChecker, ContractViolation, findSdkOperation } from './contract';
import type { SdkOperation } from './contract/sdk-operations';
import { decodeJwt, signJwt, verifyJwtSignature } from './jwt';
import { hostKeyOf, Router } from './router';
import { EmulatorState } from './state';
import {
  HttpError, type AuthKind, type EmulatorApi, type EmulatorUrls, type FaultHandle, type FaultSpec, type Faults, type HostKey,
  type Identities, type LroOptions, type Operation, type PagedOptions, type RecordedRequest, type RouteContext,
  type RouteHandler, type RouteOptions, type ServiceModule, type TokenClaims,
} from './types';

export * from './types';
export { EmulatorState, AZURITE_ACCOUNT, AZURITE_KEY } from './state';

export interface EmulatorOptions {
  /** Service module names to load (default: every module in ./services). */
  services?: string[];
  /** Lifetime of issued access tokens (default 3600 s). */
  tokenLifetimeSeconds?: number;
  /** Start the IMDS server (default true). */
  imds?: boolean;
  /** Debug log of each request. */
  log?: (line: string) => void;
  /**
   * Retry-After of long-running operations that do not set their own (default 0: tests stay fast).
   * Benchmarks comparing clients set 1: Python's azure-core reads 0 as "no hint" and sleeps its 30 s default.
   */
  lroRetryAfterSeconds?: number;
}

export interface Emulator extends EmulatorApi {
  caPem: string;
  caFile: string;
  certFile: string;
  keyFile: string;
  /** Temp directory holding the PKI files. */
  dir: string;
  requests: RecordedRequest[];
  armWrites(): RecordedRequest[];
  /** Names of the service modules loaded. */
  services: string[];
  /** What the contract check validated and every violation (docs/EMULATOR.md "Contract check"). */
  contract: ContractChecker;
  stop(): Promise<void>;
}

const ARM_AUDIENCES = [
  'https://management.azure.com', 'https://management.core.windows.net',
  'https://management.usgovcloudapi.net', 'https://management.core.usgovcloudapi.net',
  'https://management.chinacloudapi.cn', 'https://management.core.chinacloudapi.cn',
];
const VAULT_AUDIENCES = ['https://vault.azure.net', 'https://vault.usgovcloudapi.net', 'https://vault.azure.cn', 'https://vault.microsoftazure.de'];

const normAud = (a: string): string => a.replace(/\/+$/, '').toLowerCase();

/** Writes ARM's error body `{ error: { code, message } }`. */
export function armError(res: http.ServerResponse, status: number, code: string, message: string, headers: Record<string, string> = {}): void {
  if (res.headersSent) return;
  const body = JSON.stringify({ error: { code, message } });
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(body), ...headers });
  res.end(body);
}

let lastStarted: Emulator | undefined;
/** The most recently started emulator that is still running (harness default). */
export function currentEmulator(): Emulator | undefined {
  return lastStarted;
}

function parseQuery(search: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of new URLSearchParams(search)) out[k] = v;
  return out;
}

/** The `aud` claim of a JWT, unverified: what the request log keeps of a token it redacts. */
function tokenAudience(token: string): string {
  try {
    return String((JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8')) as { aud?: unknown }).aud ?? 'none');
  } catch {
    return 'not a JWT';
  }
}

function redactHeaders(h: http.IncomingHttpHeaders): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(h)) {
    if (v === undefined) continue;
    const value = Array.isArray(v) ? v.join(', ') : v;
    if (k === 'authorization') out[k] = value.replace(/^(\S+)\s.*$/, '$1 <redacted>');
    // a job PUT's user token (azure-ai-ml sends it for an identity of type UserIdentity); the specs define no
    // such header, so the service's check of it is not known: recorded (its audience only), not checked
    else if (k === 'x-azureml-token') out[k] = `<redacted; aud ${tokenAudience(value)}>`;
    else out[k] = value;
  }
  return out;
}

function redactBody(host: string, body: string): string {
  if (host === 'login.localhost') return body.replace(/(client_secret=)[^&]*/g, '$1<redacted>');
  return body;
}

class FaultRegistry implements Faults {
  private readonly list: FaultHandle[] = [];
  get active(): readonly FaultHandle[] {
    return this.list.filter((f) => f.remaining > 0);
  }
  inject(spec: FaultSpec): FaultHandle {
    const h: FaultHandle = { spec, hits: 0, remaining: spec.times ?? 1 };
    this.list.push(h);
    return h;
  }
  clear(): void {
    this.list.length = 0;
  }
  /** Consumes the first matching fault (expireToken only when `tokenRequest`). */
  take(host: string, method: string, p: string, tokenRequest: boolean): FaultHandle | undefined {
    for (const f of this.list) {
      if (f.remaining <= 0) continue;
      if ((f.spec.kind === 'expireToken') !== tokenRequest) continue;
      if (f.spec.host && !f.spec.host.test(host)) continue;
      if (f.spec.method && f.spec.method.toUpperCase() !== method.toUpperCase()) continue;
      if (f.spec.path && !f.spec.path.test(p)) continue;
      f.remaining--;
      f.hits++;
      return f;
    }
    return undefined;
  }
}

function loadServices(filter?: string[]): ServiceModule[] {
  const dir = path.join(__dirname, 'services');
  const ts = __filename.endsWith('.ts');
  const files = fs.existsSync(dir) ? fs.readdirSync(dir) : [];
  const mods: ServiceModule[] = [];
  for (const f of files.sort()) {
    if (f.includes('.test.') || f.endsWith('.d.ts') || f.endsWith('.map')) continue;
    if (!(f.endsWith('.js') || (ts && f.endsWith('.ts')))) continue;
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const m = require(path.join(dir, f)) as { default?: ServiceModule; service?: ServiceModule };
    const svc = m.default ?? m.service;
    if (!svc || typeof svc.register !== 'function') continue;
    if (filter && !filter.includes(svc.name)) continue;
    mods.push(svc);
  }
  return mods.sort((a, b) => (a.order ?? 100) - (b.order ?? 100) || a.name.localeCompare(b.name));
}

class EmulatorImpl implements Emulator {
  port = 0;
  imdsPort = 0;
  caPem: string;
  caFile: string;
  certFile: string;
  keyFile: string;
  dir: string;
  readonly requests: RecordedRequest[] = [];
  readonly faults = new FaultRegistry();
  readonly state: EmulatorState;
  readonly identities: Identities;
  readonly signingKey: { kid: string; publicKeyPem: string; x5c: string };
  services: string[] = [];
  readonly contract = new ContractChecker();
  urls!: EmulatorUrls;
  private readonly router = new Router();
  private readonly privateKey: crypto.KeyObject;
  private readonly publicKey: crypto.KeyObject;
  private server?: https.Server;
  private imdsServer?: http.Server;
  private readonly sockets = new Set<Socket>();

  constructor(readonly pki: TestPki, private readonly o: EmulatorOptions) {
    this.caPem = pki.caPem;
    this.caFile = pki.caFile;
    this.certFile = pki.certFile;
    this.keyFile = pki.keyFile;
    this.dir = pki.dir;
    const { privateKey, publicKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
    this.privateKey = privateKey;
    this.publicKey = publicKey;
    const pubDer = publicKey.export({ type: 'spki', format: 'der' });
    this.signingKey = {
      kid: crypto.createHash('sha1').update(pubDer).digest('base64url'),
      publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
      x5c: '',
    };
    const tenantId = crypto.randomUUID();
    const subscriptionId = crypto.randomUUID();
    const org = 'contoso';
    this.identities = {
      tenantId, subscriptionId, subscriptionName: 'Emulated Subscription',
      spnSecret: { clientId: crypto.randomUUID(), secret: `spn~${crypto.randomBytes(24).toString('base64url')}`, objectId: crypto.randomUUID() },
      spnCertificate: { clientId: crypto.randomUUID(), pem: pki.spnPem, thumbprint: pki.spnThumbprintSha1, objectId: crypto.randomUUID() },
      wif: {
        clientId: crypto.randomUUID(), serviceConnectionId: crypto.randomUUID(),
        systemAccessToken: `ado-${crypto.randomBytes(24).toString('base64url')}`,
        issuer: `https://vstoken.dev.azure.localhost/${crypto.randomUUID()}`, subject: `sc://${org}/ml-project/azure-wif`,
        objectId: crypto.randomUUID(),
      },
      msi: { clientId: crypto.randomUUID(), objectId: crypto.randomUUID() },
    };
    this.state = new EmulatorState(subscriptionId);
  }

  // ---------- tokens ----------
  issueToken(o: { audience: string; appId: string; objectId?: string; expiresInSeconds?: number; extra?: Record<string, unknown> }): string {
    const now = Math.floor(Date.now() / 1000);
    const exp = now + (o.expiresInSeconds ?? this.o.tokenLifetimeSeconds ?? 3600);
    const oid = o.objectId ?? o.appId;
    const claims: TokenClaims = {
      aud: o.audience, iss: `https://sts.windows.net/${this.identities.tenantId}/`, tid: this.identities.tenantId,
      appid: o.appId, azp: o.appId, oid, sub: oid, iat: now, nbf: Math.min(now, exp) - 300, exp, idtyp: 'app', ver: '1.0',
      ...o.extra,
    };
    return signJwt(claims as unknown as Record<string, unknown>, this.privateKey, { kid: this.signingKey.kid, x5t: this.signingKey.kid });
  }

  verifyToken(token: string): { claims: TokenClaims; expired: boolean } | undefined {
    const jwt = decodeJwt(token);
    if (!jwt || !verifyJwtSignature(jwt, this.publicKey)) return undefined;
    const claims = jwt.payload as unknown as TokenClaims;
    return { claims, expired: typeof claims.exp !== 'number' || claims.exp <= Math.floor(Date.now() / 1000) };
  }

  takeTokenFault(host: string, p: string, method: string): boolean {
    return this.faults.take(host, method, p, true) !== undefined;
  }

  // ---------- routes and helpers ----------
  addRoute(host: HostKey, method: string, pathTemplate: string, handler: RouteHandler, o?: RouteOptions): void {
    // An ARM route must be an operation of the official SDK packages (contract check): the emulator
    // cannot serve a route that Azure does not have.
    if (host === 'arm' && !findSdkOperation(method, pathTemplate)
      && !ARM_ROUTES_OUTSIDE_SDK_OPERATIONS.some((r) => r.method === method.toUpperCase() && r.template.test(pathTemplate))) {
      throw new Error(`Emulator route ${method} ${pathTemplate} is no operation of the SDK packages (test/emulator/contract/sdk-operations.ts)`);
    }
    this.router.add(host, method, pathTemplate, handler, o);
  }

  armWrites(): RecordedRequest[] {
    return this.requests.filter((r) => {
      const arm = r.host === 'management.localhost';
      const vault = r.host.endsWith('.vault.localhost');
      if (!arm && !vault) return false;
      if (['PUT', 'PATCH', 'DELETE'].includes(r.method)) return true;
      if (r.method !== 'POST') return false;
      if (vault) return true;
      const last = r.path.split('/').filter(Boolean).pop() ?? '';
      return !/^list/i.test(last);
    });
  }

  startLro(ctx: RouteContext, o: LroOptions = {}): Operation {
    const id = crypto.randomUUID();
    const provMatch = /\/providers\/([^/]+)\//gi;
    let provider = o.provider;
    if (!provider) {
      let m: RegExpExecArray | null;
      while ((m = provMatch.exec(ctx.path)) !== null) provider = m[1];
    }
    provider = provider ?? 'Microsoft.Resources';
    const location = (o.location ?? 'eastus').replace(/\s+/g, '').toLowerCase();
    const op: Operation = {
      id, name: id, provider, location, pollsLeft: o.polls ?? 1, outcome: o.outcome ?? 'Succeeded', error: o.error,
      startTime: new Date().toISOString(), resultBody: o.resultBody, onDone: o.onDone, retryAfterSeconds: o.retryAfterSeconds ?? this.o.lroRetryAfterSeconds ?? 0, done: false,
    };
    this.state.operations.set(id, op);
    const sub = /\/subscriptions\/([^/]+)/i.exec(ctx.path)?.[1] ?? this.identities.subscriptionId;
    const apiVersion = ctx.query['api-version'] ?? '';
    const base = `${this.urls.arm}/subscriptions/${sub}/providers/${provider}/locations/${location}`;
    const q = apiVersion ? `?api-version=${encodeURIComponent(apiVersion)}` : '';
    const headers = {
      'azure-asyncoperation': `${base}/operationStatuses/${id}${q}`,
      location: `${base}/operationResults/${id}${q}`,
      'retry-after': String(op.retryAfterSeconds),
    };
    if (op.pollsLeft <= 0) this.completeOperation(op);
    if (o.initialBody !== undefined) ctx.json(o.status ?? 202, o.initialBody, headers);
    else ctx.send(o.status ?? 202, headers);
    return op;
  }

  private completeOperation(op: Operation): void {
    if (op.done) return;
    op.done = true;
    op.endTime = new Date().toISOString();
    op.onDone?.();
  }

  /** One poll of an operation: counts down, completes it when due. */
  private pollOperation(op: Operation): void {
    if (op.done) return;
    if (op.pollsLeft <= 0) this.completeOperation(op);
    else op.pollsLeft--;
  }

  paged<T>(items: T[], ctx: RouteContext, pageSize: number, o: PagedOptions = {}): { value: T[]; nextLink?: string } {
    const style = o.style ?? 'skip';
    const param = style === 'skip' ? '$skip' : '$skipToken';
    const raw = ctx.query[param];
    let offset = 0;
    if (raw !== undefined) {
      offset = style === 'skip' ? Number(raw) : Number(Buffer.from(raw, 'base64url').toString('utf8'));
      if (!Number.isInteger(offset) || offset < 0) throw new HttpError(400, 'BadRequest', `The ${param} value '${raw}' is invalid.`);
    }
    const value = items.slice(offset, offset + pageSize);
    const next = offset + pageSize;
    if (next >= items.length) return { value };
    const token = style === 'skip' ? String(next) : Buffer.from(String(next)).toString('base64url');
    const rest = Object.entries(ctx.query).filter(([k]) => k !== param).map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`);
    rest.push(`${param}=${encodeURIComponent(token)}`);
    return { value, nextLink: `${ctx.baseUrl}${ctx.path}?${rest.join('&')}` };
  }

  // ---------- servers ----------
  async listen(): Promise<void> {
    this.server = https.createServer({ key: this.pki.keyPem, cert: this.pki.certPem }, (req, res) => void this.handle(req, res, false));
    this.server.keepAliveTimeout = 1000;
    this.server.on('connection', (s: Socket) => this.track(s));
    this.server.on('secureConnection', (s: Socket) => this.track(s));
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.port = (this.server.address() as AddressInfo).port;
    if (this.o.imds !== false) {
      this.imdsServer = http.createServer((req, res) => void this.handle(req, res, true));
      this.imdsServer.on('connection', (s: Socket) => this.track(s));
      await new Promise<void>((resolve) => this.imdsServer!.listen(0, '127.0.0.1', resolve));
      this.imdsPort = (this.imdsServer.address() as AddressInfo).port;
    }
    const port = this.port;
    const devopsOrg = `https://dev.azure.localhost:${port}/contoso/`;
    this.urls = {
      arm: `https://management.localhost:${port}`,
      authorityHost: `https://login.localhost:${port}`,
      devops: devopsOrg,
      oidcRequestUri: `${devopsOrg}ml-project/_apis/distributedtask/hubs/build/plans/${crypto.randomUUID()}/jobs/${crypto.randomUUID()}/oidctoken`,
      imds: `http://127.0.0.1:${this.imdsPort}`,
      keyVault: (name: string) => `https://${name.toLowerCase()}.vault.localhost:${port}`,
      keyVaultDnsSuffix: `vault.localhost:${port}`,
      amlDataPlane: (region: string) => `https://${region.toLowerCase()}.api.azureml.localhost:${port}`,
    };
  }

  private track(s: Socket): void {
    this.sockets.add(s);
    s.on('close', () => this.sockets.delete(s));
  }

  registerCoreRoutes(): void {
    const opRoute = (kind: 'status' | 'result') => (ctx: RouteContext): void => {
      const op = this.state.operations.get(ctx.params.id);
      if (!op) throw new HttpError(404, 'NotFound', `The operation '${ctx.params.id}' was not found.`);
      this.pollOperation(op);
      const retry = { 'retry-after': String(op.retryAfterSeconds) };
      if (kind === 'status') {
        const body: Record<string, unknown> = {
          id: ctx.path, name: op.name, status: op.done ? op.outcome : 'InProgress', startTime: op.startTime,
        };
        if (op.done) body.endTime = op.endTime;
        if (op.done && op.outcome !== 'Succeeded') body.error = op.error ?? { code: op.outcome === 'Canceled' ? 'OperationCanceled' : 'InternalServerError', message: `The operation ${op.outcome.toLowerCase()}.` };
        ctx.json(200, body, op.done ? {} : retry);
        return;
      }
      if (!op.done) {
        ctx.send(202, { location: `${ctx.baseUrl}${ctx.req.url}`, ...retry });
        return;
      }
      if (op.outcome !== 'Succeeded') {
        const e = op.error ?? { code: 'OperationFailed', message: `The operation ${op.outcome.toLowerCase()}.` };
        ctx.json(400, { error: e });
        return;
      }
      const body = typeof op.resultBody === 'function' ? (op.resultBody as () => unknown)() : op.resultBody;
      if (body === undefined) ctx.send(204);
      else ctx.json(200, body);
    };
    const base = '/subscriptions/{sub}/providers/{provider}/locations/{location}';
    this.addRoute('arm', 'GET', `${base}/operationStatuses/{id}`, opRoute('status'));
    this.addRoute('arm', 'GET', `${base}/operationsStatus/{id}`, opRoute('status'));
    this.addRoute('arm', 'GET', `${base}/operationResults/{id}`, opRoute('result'));
  }

  private record(r: RecordedRequest): void {
    this.requests.push(r);
    this.o.log?.(`${r.method} ${r.host}${r.path} -> ${r.status}${r.fault ? ` (${r.fault})` : ''}`);
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse, isImds: boolean): Promise<void> {
    const started = Date.now();
    const chunks: Buffer[] = [];
    try {
      for await (const c of req) chunks.push(c as Buffer);
    } catch {
      return;
    }
    const body = Buffer.concat(chunks).toString('utf8');
    const hostHeader = isImds ? `127.0.0.1:${this.imdsPort}` : (req.headers.host ?? `localhost:${this.port}`);
    const host = isImds ? 'imds' : hostHeader.replace(/:\d+$/, '').toLowerCase();
    const url = new URL(req.url ?? '/', `http://${hostHeader}`);
    const query = parseQuery(url.search);
    const method = (req.method ?? 'GET').toUpperCase();
    const rec: RecordedRequest = {
      method, host, path: url.pathname, query, headers: redactHeaders(req.headers), body: redactBody(host, body),
      status: 0, time: started, durationMs: 0,
    };
    let recorded = false;
    const finish = (): void => {
      if (recorded) return;
      recorded = true;
      rec.status = res.statusCode;
      rec.durationMs = Date.now() - started;
      this.record(rec);
    };
    res.on('finish', finish);
    res.on('close', finish);

    const fault = this.faults.take(host, method, url.pathname, false);
    if (fault) {
      rec.fault = fault.spec.kind;
      const hostKey = hostKeyOf(host);
      if (fault.spec.kind === 'reset') {
        rec.status = 0;
        recorded = true;
        rec.durationMs = Date.now() - started;
        this.record(rec);
        req.socket.destroy();
        return;
      }
      if (fault.spec.kind === 'throttle') {
        const retry = String(fault.spec.retryAfterSeconds ?? 1);
        if (hostKey === 'vault') {
          armError(res, 429, 'Throttled', 'Request was not processed because too many requests were received. Reason: VaultRequestTypeLimitReached', { 'retry-after': retry });
        } else {
          armError(res, 429, 'TooManyRequests', 'The request is being throttled as the limit has been reached for operation type - Read_ObservationWindow_00:05:00. For more information, refer to - https://aka.ms/srpthrottlinglimits', {
            'retry-after': retry, 'x-ms-ratelimit-remaining-subscription-reads': '0',
          });
        }
        return;
      }
      if (fault.spec.kind === 'unavailable') {
        const h: Record<string, string> = {};
        if (fault.spec.retryAfterSeconds !== undefined) h['retry-after'] = String(fault.spec.retryAfterSeconds);
        armError(res, 503, 'ServiceUnavailable', 'The service is temporarily unavailable. Please try again later.', h);
        return;
      }
      // no reply and no reset: the connection stays open until the client gives up (or the emulator stops)
      if (fault.spec.kind === 'hang') return;
      if (fault.spec.kind === 'slow') await new Promise((r) => setTimeout(r, fault.spec.delayMs ?? 2000));
    }

    /** A 'lostReply' fault: the handler did its work; the reply never reaches the client (the connection is cut). */
    const loseReply = (): boolean => {
      if (fault?.spec.kind !== 'lostReply') return false;
      rec.status = 0;
      recorded = true;
      rec.durationMs = Date.now() - started;
      this.record(rec);
      req.socket.destroy();
      return true;
    };
    const hostKey = hostKeyOf(host);
    const baseUrl = `${isImds ? 'http' : 'https'}://${hostHeader}`;
    let contractOp: SdkOperation | undefined;
    /** Contract check of a reply; a reply the SDK could not take becomes a 500 naming the problem. */
    const checked = (status: number, b: unknown): { status: number; body: unknown } => {
      if (!contractOp) return { status, body: b };
      const v = this.contract.checkReply(contractOp, method, url.pathname, status, b);
      if (v) contractOp = undefined;
      return v ? { status: 500, body: { error: { code: 'EmulatorContractViolation', message: v } } } : { status, body: b };
    };
    const ctx: RouteContext = {
      req, res, method, host, hostLabel: host.split('.')[0], path: url.pathname, params: {}, query, body, baseUrl, emu: this,
      bodyJson: <T>() => {
        try {
          return JSON.parse(body) as T;
        } catch {
          throw new HttpError(400, hostKey === 'vault' ? 'BadParameter' : 'InvalidRequestContent', 'The request content was invalid and could not be deserialized.');
        }
      },
      json: (status0, b0, headers = {}) => {
        if (res.headersSent) return;
        if (loseReply()) return;
        const { status, body: b } = checked(status0, b0);
        const text = JSON.stringify(b);
        res.writeHead(status, {
          'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text),
          'x-ms-request-id': crypto.randomUUID(), ...headers,
        });
        res.end(text);
      },
      send: (status0, headers = {}, b) => {
        if (res.headersSent) return;
        if (loseReply()) return;
        const c = checked(status0, undefined);
        if (c.status !== status0) {
          contractOp = undefined; // already counted: the 500 itself is not checked again
          ctx.json(c.status, c.body);
          return;
        }
        const status = status0;
        res.writeHead(status, { 'content-length': b ? Buffer.byteLength(b) : 0, 'x-ms-request-id': crypto.randomUUID(), ...headers });
        res.end(b);
      },
    };
    try {
      const found = this.router.find(hostKey, method, url.pathname);
      if (!found.route) {
        if (found.methodMismatch) throw new HttpError(405, 'HttpMethodNotAllowed', `The HTTP method '${method}' is not supported for '${url.pathname}'.`);
        throw new HttpError(404, hostKey === 'arm' ? 'InvalidResourceType' : 'NotFound', `The emulator serves no route for ${method} ${host}${url.pathname}.`);
      }
      ctx.params = found.params ?? {};
      const auth: AuthKind = found.route.options.auth ?? (hostKey === 'arm' || hostKey === 'amlData' ? 'arm' : hostKey === 'vault' ? 'vault' : 'none');
      if (auth !== 'none') ctx.token = this.authenticate(ctx, auth);
      this.checkApiVersion(ctx, found.route.options, hostKey);
      if (hostKey === 'arm') {
        const sub = ctx.params.sub ?? ctx.params.subscriptionId;
        if (sub && sub.toLowerCase() !== this.identities.subscriptionId.toLowerCase()) {
          throw new HttpError(404, 'SubscriptionNotFound', `The subscription '${sub}' could not be found.`);
        }
      }
      contractOp = this.contract.checkRequest(hostKey, method, url.pathname, body, url.searchParams.get('api-version') ?? undefined);
      await found.route.handler(ctx);
      if (!res.headersSent) throw new Error(`handler for ${found.route.template} sent no response`);
    } catch (err) {
      if (err instanceof HttpError) armError(res, err.status, err.code, err.message, err.headers);
      else if (err instanceof ContractViolation) armError(res, err.status, err.code, err.message);
      else armError(res, 500, 'InternalServerError', `Emulator error: ${(err as Error).message}`);
    }
  }

  private challengeHeader(): string {
    return `Bearer authorization="${this.urls.authorityHost}/${this.identities.tenantId}", resource="https://vault.azure.net"`;
  }

  private authenticate(ctx: RouteContext, kind: 'arm' | 'vault'): TokenClaims {
    const header = ctx.req.headers.authorization;
    const armChallenge = (desc: string): Record<string, string> => ({
      'www-authenticate': `Bearer authorization_uri="${this.urls.authorityHost}/", error="invalid_token", error_description="${desc}"`,
    });
    if (kind === 'vault') {
      const h = { 'www-authenticate': this.challengeHeader() };
      if (!header || !/^Bearer\s+\S+/i.test(header)) throw new HttpError(401, 'Unauthorized', 'AKV10000: Request is missing a Bearer or PoP token.', h);
      const v = this.verifyToken(header.replace(/^Bearer\s+/i, ''));
      if (!v) throw new HttpError(401, 'Unauthorized', 'AKV10032: Invalid issuer or signature.', h);
      if (v.expired) throw new HttpError(401, 'Unauthorized', 'AKV10022: The token is expired.', h);
      if (!VAULT_AUDIENCES.includes(normAud(String(v.claims.aud)))) throw new HttpError(401, 'Unauthorized', `AKV10022: Invalid audience. Expected https://vault.azure.net, found: ${v.claims.aud}.`, h);
      if (v.claims.tid !== this.identities.tenantId) throw new HttpError(401, 'Unauthorized', 'AKV10032: Invalid issuer. Expected one of the vault tenant.', h);
      return v.claims;
    }
    if (!header) throw new HttpError(401, 'AuthenticationFailed', "Authentication failed. The 'Authorization' header is missing.", armChallenge('The authentication failed because of missing Authorization header.'));
    if (!/^Bearer\s+\S+/i.test(header)) throw new HttpError(401, 'InvalidAuthenticationToken', "Authentication failed. The 'Authorization' header is provided in an invalid format.", armChallenge('The access token is invalid.'));
    const v = this.verifyToken(header.replace(/^Bearer\s+/i, ''));
    if (!v) throw new HttpError(401, 'InvalidAuthenticationToken', 'The access token is invalid.', armChallenge('The access token is invalid.'));
    if (v.expired) {
      const exp = new Date(Number(v.claims.exp) * 1000).toISOString();
      throw new HttpError(401, 'ExpiredAuthenticationToken', `The access token expiry UTC time '${exp}' is earlier than current UTC time '${new Date().toISOString()}'.`, armChallenge('The access token has expired.'));
    }
    const allowed = [...ARM_AUDIENCES, this.urls.arm, `https://management.localhost`].map(normAud);
    if (!allowed.includes(normAud(String(v.claims.aud)))) {
      throw new HttpError(401, 'InvalidAuthenticationTokenAudience', `The access token has been obtained for wrong audience or resource '${v.claims.aud}'. It should exactly match with one of the allowed audiences '${this.urls.arm}/','https://management.core.windows.net/','https://management.azure.com/'.`, armChallenge('The access token has an invalid audience.'));
    }
    if (v.claims.tid !== this.identities.tenantId) {
      throw new HttpError(401, 'InvalidAuthenticationTokenTenant', `The access token is from the wrong issuer '${v.claims.iss}'. It must match the tenant '${this.identities.tenantId}' associated with this subscription.`, armChallenge('The access token is from the wrong issuer.'));
    }
    return v.claims;
  }

  private checkApiVersion(ctx: RouteContext, o: RouteOptions, hostKey: HostKey): void {
    if (!o.apiVersions) return;
    const v = ctx.query['api-version'];
    const ok = (x: string): boolean => (o.apiVersions instanceof RegExp ? o.apiVersions.test(x) : o.apiVersions!.includes(x));
    const list = o.apiVersions instanceof RegExp ? String(o.apiVersions) : o.apiVersions.join(', ');
    if (hostKey === 'vault') {
      if (!v) throw new HttpError(400, 'BadParameter', 'The api-version query parameter is missing.');
      if (!ok(v)) throw new HttpError(400, 'BadParameter', `The specified version (${v}) is not recognized. Consider using the latest supported version (${list}).`);
      return;
    }
    if (!v) throw new HttpError(400, 'MissingApiVersionParameter', "The api-version query parameter (?api-version=) is required for all requests.");
    if (!ok(v)) throw new HttpError(400, 'InvalidApiVersionParameter', `The api-version '${v}' is invalid. The supported versions are '${list}'.`);
  }

  async stop(): Promise<void> {
    if (lastStarted === this) lastStarted = undefined;
    const close = (s?: http.Server): Promise<void> => new Promise((r) => (s ? s.close(() => r()) : r()));
    const p = Promise.all([close(this.server), close(this.imdsServer)]);
    for (const s of this.sockets) s.destroy();
    await p;
    fs.rmSync(this.dir, { recursive: true, force: true });
  }

  setCurrent(): void {
    // eslint-disable-next-line @typescript-eslint/no-this-alias
    lastStarted = this;
  }
}

/** Names of the resources seeded at start. */
export const DEFAULTS = { resourceGroup: 'rg-ml', workspace: 'mlw', vault: 'kv-test', location: 'eastus', scoringKeySecret: 'scoring-key' } as const;

function seed(state: EmulatorState): void {
  state.addResourceGroup(DEFAULTS.resourceGroup, DEFAULTS.location);
  state.addVault(DEFAULTS.vault);
  state.setSecret(DEFAULTS.vault, DEFAULTS.scoringKeySecret, crypto.randomBytes(24).toString('base64url'));
  state.addWorkspace(DEFAULTS.resourceGroup, DEFAULTS.workspace, { location: DEFAULTS.location, keyVaultName: DEFAULTS.vault });
}

export async function startEmulator(o: EmulatorOptions = {}): Promise<Emulator> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'azemu-'));
  const pki = await makePki(dir);
  const emu = new EmulatorImpl(pki, o);
  seed(emu.state);
  await emu.listen();
  emu.registerCoreRoutes();
  const services = loadServices(o.services);
  for (const s of services) s.register(emu);
  emu.services = services.map((s) => s.name);
  emu.setCurrent();
  return emu;
}
