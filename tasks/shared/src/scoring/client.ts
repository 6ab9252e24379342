// The scoring HTTP client: plain node http/https with keep-alive agents (no retries, no pipeline
// policies: a retried request would hide an error and distort the latency), through the agent's
// proxy and CA from the shared http module when they apply.
//
// Timing: process.hrtime.bigint() is read just before the request is created and again when the
// last byte of the response body has been read, so a sample covers connection reuse or set-up,
// TLS, upload, server time and the full body download.
import * as http from 'node:http';
import * as https from 'node:https';
import { HttpProxyAgent } from 'http-proxy-agent';
import { HttpsProxyAgent } from 'https-proxy-agent';
import { AgentHttp, agentTlsOptions, proxyUrlFor } from '../http';

export interface Exchange {
  /** HTTP status, undefined when no response arrived (network error or timeout). */
  status?: number;
  body?: Buffer;
  /** Network error code or 'timeout', undefined when a response arrived. */
  error?: string;
  latencyMs: number;
}

export interface ScoringClientOptions {
  /** The scoring URL; requests may also target other paths on its origin (liveness). */
  url: URL;
  /** Headers sent with every request (Authorization, user headers). */
  headers: Record<string, string>;
  /** Total time allowed per request, from sending to the last body byte. */
  timeoutMs: number;
  /** Connections kept open to the endpoint (the concurrency). */
  maxSockets: number;
  /** The agent's proxy and CA; omitted in tests of plain local servers. */
  agentHttp?: AgentHttp;
}

function nodeAgent(o: ScoringClientOptions): http.Agent {
  const secure = o.url.protocol === 'https:';
  // noDelay: a request is one small write; Nagle's algorithm would hold it back against delayed ACKs
  const common = { keepAlive: true, maxSockets: o.maxSockets, maxFreeSockets: o.maxSockets, noDelay: true };
  const t = o.agentHttp?.tlsOptions;
  // one secure context for all sockets (the CA, client certificate and key), not one per connection
  const tlsOptions: https.AgentOptions = t ? agentTlsOptions(t) : {};
  const proxy = o.agentHttp ? proxyUrlFor(o.agentHttp, o.url.href) : undefined;
  if (proxy) return secure ? new HttpsProxyAgent(proxy, { ...common, ...tlsOptions }) : new HttpProxyAgent(proxy, common);
  return secure ? new https.Agent({ ...common, ...tlsOptions }) : new http.Agent(common);
}

function elapsedMs(start: bigint): number {
  return Number(process.hrtime.bigint() - start) / 1e6;
}

/** Request options without the per-request parts, computed once (URL parsing is not free at thousands of requests/s). */
function baseOptions(url: URL, agent: http.Agent): http.RequestOptions {
  return {
    protocol: url.protocol,
    hostname: url.hostname.replace(/^\[|\]$/g, ''),
    port: url.port || (url.protocol === 'https:' ? 443 : 80),
    path: `${url.pathname}${url.search}`,
    agent,
  };
}

export class ScoringClient {
  private readonly agent: http.Agent;
  private readonly scoreOptions: http.RequestOptions;
  private readonly postHeaders: Record<string, string>;

  constructor(private readonly o: ScoringClientOptions) {
    this.agent = nodeAgent(o);
    this.scoreOptions = baseOptions(o.url, this.agent);
    this.postHeaders = { Accept: 'application/json', 'Content-Type': 'application/json', ...o.headers };
  }

  get url(): URL {
    return this.o.url;
  }

  /** POSTs a JSON body to the scoring URL. */
  score(body: Buffer, signal?: AbortSignal): Promise<Exchange> {
    return this.exchange({ ...this.scoreOptions, method: 'POST', headers: { ...this.postHeaders, 'Content-Length': String(body.length) } }, body, signal);
  }

  /** GETs the liveness route: `/` on the scoring URL's origin. */
  liveness(signal?: AbortSignal): Promise<Exchange> {
    return this.send('GET', new URL('/', this.o.url), undefined, signal);
  }

  send(method: string, url: URL, body: Buffer | undefined, signal?: AbortSignal): Promise<Exchange> {
    const headers: Record<string, string> = { Accept: 'application/json', ...this.o.headers };
    if (body) {
      headers['Content-Type'] = 'application/json';
      headers['Content-Length'] = String(body.length);
    }
    return this.exchange({ ...baseOptions(url, this.agent), method, headers }, body, signal);
  }

  private exchange(options: http.RequestOptions, body: Buffer | undefined, signal?: AbortSignal): Promise<Exchange> {
    return new Promise<Exchange>((resolve) => {
      let settled = false;
      const start = process.hrtime.bigint();
      const finish = (e: Omit<Exchange, 'latencyMs'>): void => {
        if (settled) return;
        settled = true;
        const latencyMs = elapsedMs(start);
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        resolve({ ...e, latencyMs });
      };
      const req = (options.protocol === 'https:' ? https : http).request(options);
      const onAbort = (): void => {
        req.destroy();
        finish({ error: 'cancelled' });
      };
      // a total deadline (the socket `timeout` option is an idle timeout and would let a slow trickle through)
      const timer = setTimeout(() => {
        req.destroy();
        finish({ error: 'timeout' });
      }, this.o.timeoutMs);
      if (signal) {
        if (signal.aborted) return onAbort();
        signal.addEventListener('abort', onAbort, { once: true });
      }
      req.on('response', (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => finish({ status: res.statusCode, body: Buffer.concat(chunks) }));
        res.on('error', (err: NodeJS.ErrnoException) => finish({ error: err.code ?? 'ERESPONSE' }));
        res.on('aborted', () => finish({ error: 'ECONNRESET' }));
      });
      req.on('error', (err: NodeJS.ErrnoException) => finish({ error: err.code ?? err.message.split('\n')[0] }));
      req.end(body);
    });
  }

  close(): void {
    this.agent.destroy();
  }
}
