// Local scoring servers with known behaviour for the tests: fast, slow, flaky, wrong answers,
// key required, never ready, and delays taken from a fixed list (known percentiles).
import * as http from 'node:http';
import * as https from 'node:https';
import type { AddressInfo } from 'node:net';

export interface ScoringServerOptions {
  /** Every route answers 401 unless `Authorization: Bearer <key>` is sent. */
  key?: string;
  /** GET / answers 503 until this many liveness calls were made; 'never' = always 503. */
  readyAfterLivenessCalls?: number | 'never';
  /** Delay of the n-th POST (0-based) = delaysMs[n % length], before the headers are sent. */
  delaysMs?: number[];
  /** Headers are sent at once, the body ends after this delay (body time must be measured). */
  bodyDelayMs?: number;
  /** Every n-th POST (1-based: n, 2n, ...) answers 500. */
  failEvery?: number;
  /** The answer for a payload (default: `{ result: x * 2 }` for payload `{ x }`). */
  answer?: (payload: unknown, postIndex: number) => unknown;
  /** Answer with JSON of a JSON string (what AML does when score.py returns json.dumps). */
  doubleEncode?: boolean;
  /** Serve HTTPS with this certificate (e.g. the emulator's, trusted through Agent.CAInfo). */
  tls?: { cert: string; key: string };
}

export interface ScoringServer {
  url: string;
  origin: string;
  posts: number;
  livenessCalls: number;
  connections: number;
  unauthorized: number;
  /** Authorization header values seen (to check what the task sent). */
  authorizations: string[];
  close(): Promise<void>;
}

export const double = (p: unknown): unknown => ({ result: ((p as { x: number }).x ?? 0) * 2 });

export async function startScoringServer(o: ScoringServerOptions = {}): Promise<ScoringServer> {
  const state = { posts: 0, livenessCalls: 0, connections: 0, unauthorized: 0, authorizations: [] as string[] };
  const handler: http.RequestListener = (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const auth = req.headers.authorization;
      if (auth) state.authorizations.push(auth);
      if (o.key !== undefined && auth !== `Bearer ${o.key}`) {
        state.unauthorized++;
        res.writeHead(401, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ error: 'missing or wrong key' }));
        return;
      }
      if (req.method === 'GET' && req.url === '/') {
        state.livenessCalls++;
        const after = o.readyAfterLivenessCalls ?? 0;
        const ready = after !== 'never' && state.livenessCalls > after;
        res.writeHead(ready ? 200 : 503, { 'content-type': 'text/plain' });
        res.end(ready ? 'Healthy' : 'starting');
        return;
      }
      if (req.method !== 'POST' || req.url !== '/score') {
        res.writeHead(404);
        res.end();
        return;
      }
      const n = state.posts++;
      const delay = o.delaysMs ? o.delaysMs[n % o.delaysMs.length] : 0;
      const reply = (): void => {
        if (o.failEvery && (n + 1) % o.failEvery === 0) {
          res.writeHead(500, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ error: 'injected failure' }));
          return;
        }
        let payload: unknown;
        try {
          payload = JSON.parse(Buffer.concat(chunks).toString('utf8'));
        } catch {
          res.writeHead(400);
          res.end('bad json');
          return;
        }
        const value = (o.answer ?? double)(payload, n);
        const body = o.doubleEncode ? JSON.stringify(JSON.stringify(value)) : JSON.stringify(value);
        res.writeHead(200, { 'content-type': 'application/json' });
        if (o.bodyDelayMs) {
          res.write(body.slice(0, 1));
          setTimeout(() => res.end(body.slice(1)), o.bodyDelayMs);
        } else res.end(body);
      };
      if (delay > 0) setTimeout(reply, delay);
      else reply();
    });
  };
  const server = o.tls ? https.createServer({ cert: o.tls.cert, key: o.tls.key }, handler) : http.createServer(handler);
  server.on(o.tls ? 'secureConnection' : 'connection', () => state.connections++);
  server.keepAliveTimeout = 30000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  const origin = `${o.tls ? 'https' : 'http'}://127.0.0.1:${port}`;
  return {
    url: `${origin}/score`,
    origin,
    get posts() { return state.posts; },
    get livenessCalls() { return state.livenessCalls; },
    get connections() { return state.connections; },
    get unauthorized() { return state.unauthorized; },
    get authorizations() { return state.authorizations; },
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}

/** A forward proxy for plain-HTTP targets (absolute-URI requests), counting what it relayed. */
export async function startForwardProxy(): Promise<{ url: string; relayed: string[]; close(): Promise<void> }> {
  const relayed: string[] = [];
  const server = http.createServer((req, res) => {
    relayed.push(`${req.method} ${req.url}`);
    const target = new URL(req.url ?? '/');
    const up = http.request({ hostname: target.hostname, port: target.port, path: target.pathname + target.search, method: req.method, headers: req.headers }, (r) => {
      res.writeHead(r.statusCode ?? 502, r.headers);
      r.pipe(res);
    });
    up.on('error', () => {
      res.writeHead(502);
      res.end();
    });
    req.pipe(up);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    relayed,
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}

/** Minimal XML well-formedness check: one root, balanced and properly nested tags, quoted attributes, known entities. */
export function assertWellFormedXml(xml: string): void {
  const body = xml.replace(/^<\?xml[^?]*\?>\s*/, '');
  const stack: string[] = [];
  let roots = 0;
  const re = /<(\/?)([A-Za-z_][\w:.-]*)((?:\s+[\w:.-]+="[^"<]*")*)\s*(\/?)>|<!--[\s\S]*?-->|([^<]+)|(<)/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(body)) !== null) {
    if (m[6]) throw new Error(`stray '<' at ${m.index}: ${body.slice(m.index, m.index + 40)}`);
    if (m[5] !== undefined) {
      if (stack.length === 0 && m[5].trim()) throw new Error(`text outside the root at ${m.index}`);
      const bad = m[5].match(/&(?!(amp|lt|gt|quot|apos|#\d+|#x[0-9a-fA-F]+);)/);
      if (bad) throw new Error(`bare '&' in text at ${m.index}`);
      continue;
    }
    if (!m[2]) continue;
    const [, close, name, attrs, selfClose] = m;
    if (/&(?!(amp|lt|gt|quot|apos|#\d+|#x[0-9a-fA-F]+);)/.test(attrs)) throw new Error(`bare '&' in attributes of <${name}>`);
    if (close) {
      const open = stack.pop();
      if (open !== name) throw new Error(`</${name}> closes <${open}>`);
    } else {
      if (stack.length === 0) roots++;
      if (!selfClose) stack.push(name);
    }
  }
  if (stack.length) throw new Error(`unclosed <${stack.join('><')}>`);
  if (roots !== 1) throw new Error(`${roots} root elements`);
}
