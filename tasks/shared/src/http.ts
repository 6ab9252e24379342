// The agent's proxy and CA for every SDK client and every raw call.
//
// core-rest-pipeline's own proxyPolicy ignores tlsOptions when a proxy is set ("TLS settings are not
// supported in combination with custom Proxy"), which breaks exactly the corporate case (a TLS-inspecting
// proxy plus its CA). So all clients get one HttpClient (agentHttpClient) that picks the agent per request:
// through the proxy with the CA when the host is not bypassed, directly with the CA otherwise.
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as https from 'node:https';
import * as tls from 'node:tls';
import type { CommonClientOptions } from '@azure/core-client';
import {
  createDefaultHttpClient,
  createHttpHeaders,
  createPipelineFromOptions,
  createPipelineRequest,
  HttpClient,
  PipelineRequest,
  PipelineResponse,
  ProxySettings,
  TlsSettings,
} from '@azure/core-rest-pipeline';
import * as tl from 'azure-pipelines-task-lib/task';
import { HttpProxyAgent } from 'http-proxy-agent';
import { HttpsProxyAgent } from 'https-proxy-agent';
import { DEFAULT_REQUEST_TIMEOUT_MS, withRequestTimeout } from './requestTimeout';

export interface AgentHttp {
  proxyOptions?: ProxySettings;
  tlsOptions?: TlsSettings;
  userAgent: string;
  /** The agent's proxy bypass list: regular expressions matched against the full request URL (as task-lib does). */
  proxyBypass?: string[];
  /** Per-try inactivity limit of every request (default DEFAULT_REQUEST_TIMEOUT_MS; 0 = none): requestTimeout.ts. */
  requestTimeoutMs?: number;
}

export const USER_AGENT = 'aml-devops-tasks/1';

/** Reads proxy (Agent.ProxyUrl, credentials, bypass list) and certificates (Agent.CAInfo, client cert) from the agent. */
export function agentHttp(): AgentHttp {
  const out: AgentHttp = { userAgent: USER_AGENT };
  const proxy = tl.getHttpProxyConfiguration();
  if (proxy && proxy.proxyUrl) {
    const u = new URL(proxy.proxyUrl);
    if (proxy.proxyPassword) tl.setSecret(proxy.proxyPassword);
    out.proxyOptions = {
      host: `${u.protocol}//${u.hostname}`,
      port: u.port ? Number(u.port) : u.protocol === 'https:' ? 443 : 80,
      ...(proxy.proxyUsername || u.username ? { username: proxy.proxyUsername || decodeURIComponent(u.username) } : {}),
      ...(proxy.proxyPassword || u.password ? { password: proxy.proxyPassword || decodeURIComponent(u.password) } : {}),
    };
    if (proxy.proxyBypassHosts && proxy.proxyBypassHosts.length > 0) out.proxyBypass = [...proxy.proxyBypassHosts];
  }
  const certs = tl.getHttpCertConfiguration();
  if (certs) {
    const t: TlsSettings = {};
    if (certs.caFile) {
      // tlsOptions.ca REPLACES Node's root store; the agent's CA is an extra trust anchor (corporate
      // proxy), so keep the public roots next to it or every non-inspected Azure host would fail.
      t.ca = [...tls.rootCertificates, fs.readFileSync(certs.caFile, 'utf8')];
    }
    if (certs.certFile) t.cert = fs.readFileSync(certs.certFile, 'utf8');
    if (certs.keyFile) {
      t.key = fs.readFileSync(certs.keyFile, 'utf8');
      tl.setSecret(t.key);
    }
    if (certs.certArchiveFile && !certs.certFile) t.pfx = fs.readFileSync(certs.certArchiveFile);
    if (certs.passphrase) {
      tl.setSecret(certs.passphrase);
      t.passphrase = certs.passphrase;
    }
    if (Object.keys(t).length > 0) out.tlsOptions = t;
  }
  return out;
}

/** The proxy URL (with credentials) for a request URL, or undefined when none applies or it is bypassed. */
export function proxyUrlFor(h: AgentHttp, requestUrl: string): URL | undefined {
  const p = h.proxyOptions;
  if (!p) return undefined;
  for (const pattern of h.proxyBypass ?? []) {
    try {
      if (new RegExp(pattern, 'i').test(requestUrl)) return undefined;
    } catch {
      // the agent validated the list; an invalid pattern bypasses nothing
    }
  }
  const u = new URL(`${p.host}:${p.port}`);
  if (p.username) u.username = encodeURIComponent(p.username);
  if (p.password) u.password = encodeURIComponent(p.password);
  return u;
}

const contextOptions = new WeakMap<TlsSettings, { secureContext: tls.SecureContext }>();

const publicRoots = new Set(tls.rootCertificates);

/**
 * A `ca` list holding all of Node's public roots plus extra CAs (what agentHttp builds) starts from Node's
 * default store, already parsed in C++, and adds only the extras: 2–4 ms instead of ~90–140 ms to parse the
 * ~145 roots from PEM again. Any other `ca` (not every public root in it) is taken as given.
 */
function createAgentContext(t: TlsSettings): tls.SecureContext {
  const c: tls.SecureContextOptions = {};
  if (t.cert !== undefined) c.cert = t.cert;
  if (t.key !== undefined) c.key = t.key;
  if (t.pfx !== undefined) c.pfx = t.pfx as tls.SecureContextOptions['pfx'];
  if (t.passphrase !== undefined) c.passphrase = t.passphrase;
  const ca = t.ca === undefined ? undefined : Array.isArray(t.ca) ? t.ca : [t.ca];
  if (ca === undefined) return tls.createSecureContext(c);
  const text = ca.map((x) => (typeof x === 'string' ? x : Buffer.from(x).toString('utf8')));
  const present = new Set(text.filter((x) => publicRoots.has(x)));
  if (present.size === publicRoots.size) {
    const ctx = tls.createSecureContext(c);
    // SecureContext.context (typed in @types/node) is the native context; addCACert adds to this
    // context's own copy of the root store, not to Node's shared one
    const native = (ctx as { context?: { addCACert?: (pem: string) => void } }).context;
    if (typeof native?.addCACert === 'function') {
      for (const extra of text) if (!publicRoots.has(extra)) native.addCACert(extra);
      return ctx;
    }
  }
  return tls.createSecureContext({ ...c, ca: t.ca as tls.SecureContextOptions['ca'] });
}

/**
 * The TLS options every https agent and request gets for the agent's settings: one secure context, built
 * once per TlsSettings object (agentHttp() is read once per run). With `ca` (the ~145 public roots plus the
 * agent CA) Node would otherwise parse every certificate again for each new TLS connection
 * (tls.createSecureContext, 130–185 ms each), which was most of a task's cold start. tls.connect uses
 * `secureContext` as is, so the CA, client certificate and key all live in it. Same object every time:
 * core-rest-pipeline caches its https agents by the identity of request.tlsSettings.
 */
export function agentTlsOptions(t: TlsSettings): { secureContext: tls.SecureContext } {
  let o = contextOptions.get(t);
  if (!o) {
    o = { secureContext: createAgentContext(t) };
    contextOptions.set(t, o);
  }
  return o;
}

function tlsAgentOptions(t: TlsSettings | undefined): https.AgentOptions {
  return t ? agentTlsOptions(t) : {};
}

/**
 * https-proxy-agent hands only the request's own options to tls.connect for the target (after CONNECT),
 * not the agent's: the CA and client certificate are added here.
 */
class TlsProxyAgent extends HttpsProxyAgent<string> {
  private readonly targetTls: https.AgentOptions;
  constructor(proxy: URL, targetTls: https.AgentOptions) {
    super(proxy.href, { keepAlive: true });
    this.targetTls = targetTls;
  }
  override connect(req: http.ClientRequest, opts: Parameters<HttpsProxyAgent<string>['connect']>[1]): ReturnType<HttpsProxyAgent<string>['connect']> {
    return super.connect(req, { ...opts, ...this.targetTls } as typeof opts);
  }
}

/**
 * An HttpClient that applies the agent's proxy (with bypass) and CA/client certificate to every request, and
 * drops a try that moves no byte for `requestTimeoutMs` (requestTimeout.ts).
 */
export function agentHttpClient(h: AgentHttp): HttpClient {
  const inner = createDefaultHttpClient();
  const proxied = new Map<string, http.Agent>();
  return withRequestTimeout({
    async sendRequest(request: PipelineRequest): Promise<PipelineResponse> {
      const proxy = proxyUrlFor(h, request.url);
      const secure = request.url.toLowerCase().startsWith('https:');
      if (proxy) {
        const key = `${secure ? 's' : 'p'}|${proxy.href}`;
        let agent = proxied.get(key);
        if (!agent) {
          agent = secure
            ? new TlsProxyAgent(proxy, tlsAgentOptions(h.tlsOptions))
            : new HttpProxyAgent(proxy, { keepAlive: true });
          proxied.set(key, agent);
        }
        request.agent = agent;
      } else {
        // a proxyPolicy earlier in an SDK pipeline may have set its own (CA-less) proxy agent: direct it is
        request.agent = undefined;
        // TlsSettings has no secureContext field; core-rest-pipeline spreads it into https.Agent's options
        if (h.tlsOptions && secure) request.tlsSettings = agentTlsOptions(h.tlsOptions) as TlsSettings;
      }
      return inner.sendRequest(request);
    },
  }, h.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS);
}

/** Options every Azure SDK client gets (ARM, Key Vault, identity, blob): same proxy, CA, user agent, retries. */
export function clientOptions(h: AgentHttp): CommonClientOptions {
  return {
    ...(h.proxyOptions ? { proxyOptions: h.proxyOptions } : {}),
    ...(h.tlsOptions ? { tlsOptions: h.tlsOptions } : {}),
    userAgentOptions: { userAgentPrefix: h.userAgent },
    // the default retry policy honours 429/503 Retry-After and backs off on 5xx/408 and network errors
    retryOptions: { maxRetries: 4, retryDelayInMs: 1000, maxRetryDelayInMs: 30000 },
    httpClient: agentHttpClient(h),
  };
}

export interface RawRequest {
  method: string;
  url: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
  timeoutMs?: number;
  abortSignal?: AbortSignal;
}

export interface RawResponse {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
}

async function readAll(stream: NodeJS.ReadableStream | undefined): Promise<Buffer> {
  if (!stream) return Buffer.alloc(0);
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(typeof c === 'string' ? Buffer.from(c) : Buffer.from(c));
  return Buffer.concat(chunks);
}

/** Raw HTTP(S) through core-rest-pipeline's default client with the agent's proxy/CA and the standard retries. */
export async function httpRequest(h: AgentHttp, req: RawRequest): Promise<RawResponse> {
  const o = clientOptions(h);
  const pipeline = createPipelineFromOptions({ ...o, proxyOptions: undefined });
  const request = createPipelineRequest({
    url: req.url,
    method: req.method.toUpperCase() as PipelineRequest['method'],
    headers: createHttpHeaders(req.headers ?? {}),
    body: req.body,
    timeout: req.timeoutMs ?? 0,
    abortSignal: req.abortSignal,
    allowInsecureConnection: req.url.toLowerCase().startsWith('http:'),
    // raw bytes for every status: the caller decides what a status means
    streamResponseStatusCodes: new Set([Number.POSITIVE_INFINITY]),
  });
  const response = await pipeline.sendRequest(o.httpClient as HttpClient, request);
  const body = await readAll(response.readableStreamBody);
  return { status: response.status, headers: response.headers.toJSON(), body };
}
