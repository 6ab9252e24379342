// Test helpers: temp dirs, env for task-lib, endpoint stubs, a CA made with openssl, local HTTPS
// servers and a CONNECT proxy. Nothing here reaches a non-loopback host.
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as https from 'node:https';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import type { AddressInfo } from 'node:net';
import type { SinonSandbox } from 'sinon';
import type { AccessToken, TokenCredential } from '@azure/core-auth';
import * as tl from 'azure-pipelines-task-lib/task';
import * as tlInternal from 'azure-pipelines-task-lib/internal';

export function tmpDir(prefix = 'shared-test-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

// task-lib writes .taskkey into the working directory without it
if (!process.env.AGENT_TEMPDIRECTORY) process.env.AGENT_TEMPDIRECTORY = tmpDir('agent-temp-');

export interface Endpoint {
  id: string;
  url?: string;
  scheme?: string;
  auth?: Record<string, string>;
  data?: Record<string, string>;
}

/** Stubs task-lib's input, endpoint and variable readers (keys case-insensitive, as the agent's env vars are). */
export function stubAgent(
  sb: SinonSandbox,
  o: { inputs?: Record<string, string>; endpoints?: Endpoint[]; variables?: Record<string, string> },
): void {
  const lower = (r: Record<string, string> | undefined): Map<string, string> => new Map(Object.entries(r ?? {}).map(([k, v]) => [k.toLowerCase(), v]));
  const inputs = lower(o.inputs);
  const vars = lower(o.variables);
  const eps = new Map((o.endpoints ?? []).map((e) => [e.id, { ...e, auth: lower(e.auth), data: lower(e.data) }]));
  sb.stub(tl, 'getInput').callsFake((name: string, required?: boolean) => {
    const v = inputs.get(name.toLowerCase());
    if (required && !v) throw new Error(`Input required: ${name}`);
    return v;
  });
  // quietInput/secretInput read task-lib's vault directly (no debug echo): answer those reads too
  const vault = tlInternal._vault as unknown as { retrieveSecret(key: string): string | undefined } | undefined;
  if (vault) {
    const byKey = new Map([...inputs].map(([k, v]) => [`INPUT_${tlInternal._getVariableKey(k)}`, v]));
    // secret variables (System.AccessToken) are read from the vault as SECRET_<KEY> (agentSecrets.ts)
    for (const [k, v] of vars) byKey.set(`SECRET_${tlInternal._getVariableKey(k)}`, v);
    // connection.ts reads the endpoint's auth scheme and parameters from the vault too (agentSecrets.ts)
    for (const e of o.endpoints ?? []) {
      if (e.scheme !== undefined) byKey.set(`ENDPOINT_AUTH_SCHEME_${e.id}`, e.scheme);
      for (const [k, v] of Object.entries(e.auth ?? {})) byKey.set(`ENDPOINT_AUTH_PARAMETER_${e.id}_${k.toUpperCase()}`, v);
    }
    const original = vault.retrieveSecret.bind(vault);
    sb.stub(vault, 'retrieveSecret').callsFake((key: string) => (/^(INPUT_|ENDPOINT_AUTH_|SECRET_)/.test(key) ? byKey.get(key) : original(key)));
  }
  sb.stub(tl, 'getVariable').callsFake((name: string) => vars.get(name.toLowerCase()));
  sb.stub(tl, 'getEndpointUrl').callsFake((id: string) => eps.get(id)?.url as string);
  sb.stub(tl, 'getEndpointAuthorizationScheme').callsFake((id: string) => eps.get(id)?.scheme as string);
  sb.stub(tl, 'getEndpointAuthorizationParameter').callsFake((id: string, key: string) => eps.get(id)?.auth.get(key.toLowerCase()) as string);
  sb.stub(tl, 'getEndpointDataParameter').callsFake((id: string, key: string) => eps.get(id)?.data.get(key.toLowerCase()) as string);
}

/** Captures everything written to stdout while fn runs (console.log included). */
export async function captureStdout<T>(fn: () => Promise<T> | T): Promise<{ result: T; out: string }> {
  const chunks: string[] = [];
  const write = process.stdout.write;
  process.stdout.write = ((chunk: unknown): boolean => {
    chunks.push(String(chunk));
    return true;
  }) as typeof process.stdout.write;
  try {
    const result = await fn();
    return { result, out: chunks.join('') };
  } finally {
    process.stdout.write = write;
  }
}

export interface TestCa {
  dir: string;
  caPath: string;
  ca: string;
  cert: string;
  key: string;
}

/** A CA and a server certificate for localhost / 127.0.0.1 / *.vault.localhost / *.blob.localhost, made with openssl now. */
export function makeCa(): TestCa {
  const dir = tmpDir('ca-');
  const run = (args: string[]): void => {
    execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
  };
  run(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca.key', '-out', 'ca.crt', '-days', '2', '-subj', '/CN=Shared Test CA']);
  run(['req', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'server.key', '-out', 'server.csr', '-subj', '/CN=localhost']);
  fs.writeFileSync(
    path.join(dir, 'ext.cnf'),
    'subjectAltName=DNS:localhost,IP:127.0.0.1,DNS:*.vault.localhost,DNS:*.blob.localhost\nbasicConstraints=CA:FALSE\nkeyUsage=digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\n',
  );
  run(['x509', '-req', '-in', 'server.csr', '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'server.crt', '-days', '2', '-extfile', 'ext.cnf']);
  const read = (f: string): string => fs.readFileSync(path.join(dir, f), 'utf8');
  return { dir, caPath: path.join(dir, 'ca.crt'), ca: read('ca.crt'), cert: read('server.crt'), key: read('server.key') };
}

export interface Recorded {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

export type Handler = (req: Recorded, res: http.ServerResponse) => void;

export interface TestServer {
  url: string;
  port: number;
  requests: Recorded[];
  close(): Promise<void>;
}

function listen(server: http.Server | https.Server, requests: Recorded[], handler: Handler, scheme: string): Promise<TestServer> {
  server.on('request', (req: http.IncomingMessage, res: http.ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const r: Recorded = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8') };
      requests.push(r);
      try {
        handler(r, res);
      } catch (err) {
        res.statusCode = 500;
        res.end(String(err));
      }
    });
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as AddressInfo).port;
      resolve({
        url: `${scheme}://localhost:${port}`,
        port,
        requests,
        close: () =>
          new Promise<void>((r) => {
            server.closeAllConnections?.();
            server.close(() => r());
          }),
      });
    });
  });
}

export function startHttpsServer(ca: TestCa, handler: Handler): Promise<TestServer> {
  return listen(https.createServer({ cert: ca.cert, key: ca.key }), [], handler, 'https');
}

export function startHttpServer(handler: Handler): Promise<TestServer> {
  return listen(http.createServer(), [], handler, 'http');
}

export interface TestProxy {
  url: string;
  /** "CONNECT host:port" and "GET http://…" lines the proxy saw. */
  seen: string[];
  /** Proxy-Authorization headers it saw. */
  auth: string[];
  close(): Promise<void>;
}

/** A minimal forward proxy: CONNECT tunnels and absolute-form plain HTTP requests, to loopback only. */
export function startConnectProxy(): Promise<TestProxy> {
  const seen: string[] = [];
  const auth: string[] = [];
  const sockets = new Set<net.Socket>();
  const server = http.createServer((req, res) => {
    seen.push(`${req.method} ${req.url}`);
    if (req.headers['proxy-authorization']) auth.push(String(req.headers['proxy-authorization']));
    const target = new URL(req.url ?? '');
    const up = http.request({ host: '127.0.0.1', port: target.port, path: target.pathname + target.search, method: req.method, headers: req.headers }, (r) => {
      res.writeHead(r.statusCode ?? 502, r.headers);
      r.pipe(res);
    });
    up.on('error', () => res.destroy());
    req.pipe(up);
  });
  server.on('connect', (req: http.IncomingMessage, client: net.Socket, head: Buffer) => {
    seen.push(`CONNECT ${req.url}`);
    if (req.headers['proxy-authorization']) auth.push(String(req.headers['proxy-authorization']));
    const [, port] = (req.url ?? '').split(':');
    const upstream = net.connect(Number(port), '127.0.0.1', () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      if (head.length) upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    sockets.add(client).add(upstream);
    upstream.on('error', () => client.destroy());
    client.on('error', () => upstream.destroy());
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as AddressInfo).port;
      resolve({
        url: `http://127.0.0.1:${port}`,
        seen,
        auth,
        close: () =>
          new Promise<void>((r) => {
            for (const s of sockets) s.destroy();
            server.closeAllConnections();
            server.close(() => r());
          }),
      });
    });
  });
}

export function json(res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
}

/** A fake Entra ID on a test server: OpenID configuration and a token endpoint that records form bodies. */
export function entraHandler(baseUrl: () => string, tokens: URLSearchParams[]): (r: Recorded, res: http.ServerResponse) => boolean {
  return (r, res) => {
    const m = /^\/([^/]+)\/v2\.0\/\.well-known\/openid-configuration/.exec(r.url);
    if (m) {
      const t = m[1];
      json(res, 200, {
        authorization_endpoint: `${baseUrl()}/${t}/oauth2/v2.0/authorize`,
        token_endpoint: `${baseUrl()}/${t}/oauth2/v2.0/token`,
        issuer: `${baseUrl()}/${t}/v2.0`,
        jwks_uri: `${baseUrl()}/${t}/discovery/v2.0/keys`,
      });
      return true;
    }
    if (/^\/[^/]+\/oauth2\/v2\.0\/token/.test(r.url)) {
      tokens.push(new URLSearchParams(r.body));
      json(res, 200, { token_type: 'Bearer', expires_in: 3600, ext_expires_in: 3600, access_token: `at-${tokens.length}` });
      return true;
    }
    return false;
  };
}

/** A credential that hands out a fixed token and records the scopes asked for. */
export class StaticCredential implements TokenCredential {
  scopes: string[][] = [];
  async getToken(scopes: string | string[]): Promise<AccessToken> {
    this.scopes.push(Array.isArray(scopes) ? scopes : [scopes]);
    return { token: 'arm-token', expiresOnTimestamp: Date.now() + 3600_000 };
  }
}

/**
 * What the agent would act on in a task's stdout: it splits lines at CR, LF and CRLF (StreamReader.ReadLine),
 * runs `##vso[` anywhere in a line and formats a line that starts with `##[`. Returns those lines.
 */
export function agentDirectives(out: string): string[] {
  return out.split(/\r\n|\r|\n/).filter((l) => l.includes('##vso[') || l.startsWith('##['));
}

/** Text from outside that tries every trick on the agent: commands, a lone CR before a format marker, CRLF. */
export const HOSTILE = 'ok ##vso[task.setvariable variable=jobStatus]Completed\r##[error]fake error\r\n##[group]hidden ##VSO[task.complete result=Succeeded;]x';
