import './helpers';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as tls from 'node:tls';
// the default import is the module object itself (not a namespace copy), so sinon can spy on what Node's https calls
import tlsModule from 'node:tls';
import * as sinon from 'sinon';
import * as tl from 'azure-pipelines-task-lib/task';
import { agentHttp, AgentHttp, clientOptions, httpRequest, proxyUrlFor } from '../src/http';
import { makeCa, startConnectProxy, startHttpServer, startHttpsServer, stubAgent, TestCa, TestProxy, TestServer, tmpDir } from './helpers';

describe('http', function () {
  this.timeout(30000);
  const sb = sinon.createSandbox();
  let ca: TestCa;
  let server: TestServer;
  let plain: TestServer;
  let proxy: TestProxy;

  before(async () => {
    ca = makeCa();
    server = await startHttpsServer(ca, (r, res) => {
      res.writeHead(200, { 'content-type': 'application/octet-stream', 'x-echo': r.method });
      res.end(Buffer.from([0, 1, 2, 255]));
    });
    plain = await startHttpServer((r, res) => {
      res.writeHead(r.url.startsWith('/missing') ? 404 : 200);
      res.end(`${r.method} ${r.url} ${r.body}`);
    });
    proxy = await startConnectProxy();
  });
  after(async () => {
    await server.close();
    await plain.close();
    await proxy.close();
  });
  beforeEach(() => sb.stub(tl, 'setSecret'));
  afterEach(() => {
    sb.restore();
    proxy.seen.length = 0;
    proxy.auth.length = 0;
  });

  const withCa = (): AgentHttp => ({ userAgent: 'test', tlsOptions: { ca: [...tls.rootCertificates, ca.ca] } });

  it('agentHttp reads proxy (with credentials and bypass list) and the agent CA from task-lib', () => {
    const dir = tmpDir();
    fs.writeFileSync(path.join(dir, 'ca.pem'), ca.ca);
    stubAgent(sb, {
      variables: {
        'Agent.ProxyUrl': 'http://proxy.corp:3128',
        'Agent.ProxyUsername': 'user',
        'Agent.ProxyPassword': 'p@ss',
        'Agent.ProxyBypassList': JSON.stringify(['.*\\.internal\\.corp']),
        'Agent.CAInfo': path.join(dir, 'ca.pem'),
      },
    });
    const h = agentHttp();
    assert.deepEqual(h.proxyOptions, { host: 'http://proxy.corp', port: 3128, username: 'user', password: 'p@ss' });
    assert.deepEqual(h.proxyBypass, ['.*\\.internal\\.corp']);
    const cas = h.tlsOptions?.ca as string[];
    assert.equal(cas[cas.length - 1], ca.ca);
    assert.ok(cas.length > 10, 'public roots are kept next to the agent CA');
    assert.ok((tl.setSecret as sinon.SinonStub).calledWith('p@ss'));
    assert.equal(proxyUrlFor(h, 'https://x.internal.corp/a'), undefined);
    assert.equal(proxyUrlFor(h, 'https://management.azure.com/')?.href, 'http://user:p%40ss@proxy.corp:3128/');
  });

  it('builds one TLS secure context per run for the agent CA, reused by every client, connection and proxy tunnel', async () => {
    const dir = tmpDir();
    fs.writeFileSync(path.join(dir, 'ca.pem'), ca.ca);
    stubAgent(sb, { variables: { 'Agent.CAInfo': path.join(dir, 'ca.pem') } });
    const h = agentHttp();
    const contexts = sb.spy(tlsModule, 'createSecureContext');
    const connects = sb.spy(tlsModule, 'connect');
    // each httpRequest builds its own client and https agent, so each opens a new TLS connection
    for (const n of [1, 2, 3]) {
      const r = await httpRequest(h, { method: 'GET', url: `${server.url}/ctx${n}` });
      assert.equal(r.status, 200);
    }
    const p = new URL(proxy.url);
    const tunnelled = await httpRequest({ ...h, proxyOptions: { host: `http://${p.hostname}`, port: Number(p.port) } }, { method: 'GET', url: `${server.url}/ctx-proxy` });
    assert.equal(tunnelled.status, 200);
    assert.deepEqual(proxy.seen, [`CONNECT localhost:${server.port}`]);
    assert.ok(connects.callCount >= 4, `4 TLS connections, saw ${connects.callCount}`);
    assert.equal(contexts.callCount, 1, 'one secure context for the run');
    // the agent's list keeps every public root next to its CA (so hosts signed by a public root stay
    // trusted): the context starts from Node's default root store (no `ca` option) plus the agent CA
    assert.equal(contexts.firstCall.args[0]?.ca, undefined);
    // a client without the agent CA still fails: the context is not a blanket trust
    await assert.rejects(httpRequest({ userAgent: 'test' }, { method: 'GET', url: `${server.url}/ctx-none` }), /certificate/i);
  });

  it('a CA list without all public roots is used as given (no default root store added)', async () => {
    // the agent CA alone: a host signed by it is reached, and the context is built from the list as given
    const contexts = sb.spy(tlsModule, 'createSecureContext');
    const r = await httpRequest({ userAgent: 'test', tlsOptions: { ca: ca.ca } }, { method: 'GET', url: `${server.url}/only-ca` });
    assert.equal(r.status, 200);
    assert.equal(contexts.firstCall.args[0]?.ca, ca.ca);
  });

  it('agentHttp reads a client certificate and masks its key and passphrase', () => {
    const dir = tmpDir();
    fs.writeFileSync(path.join(dir, 'c.pem'), 'CERT');
    fs.writeFileSync(path.join(dir, 'k.pem'), 'KEYDATA');
    stubAgent(sb, { variables: { 'Agent.ClientCert': path.join(dir, 'c.pem'), 'Agent.ClientCertKey': path.join(dir, 'k.pem'), 'Agent.ClientCertPassword': 'pw' } });
    const h = agentHttp();
    assert.equal(h.tlsOptions?.cert, 'CERT');
    assert.equal(h.tlsOptions?.key, 'KEYDATA');
    assert.equal(h.tlsOptions?.passphrase, 'pw');
    assert.equal(h.proxyOptions, undefined);
    const s = tl.setSecret as sinon.SinonStub;
    assert.ok(s.calledWith('KEYDATA') && s.calledWith('pw'));
  });

  it('agentHttp without agent settings has only a user agent', () => {
    stubAgent(sb, {});
    assert.deepEqual(agentHttp(), { userAgent: 'aml-devops-tasks/1' });
  });

  it('clientOptions carries proxy, TLS, user agent, retries and the agent-aware http client', () => {
    const o = clientOptions({ ...withCa(), proxyOptions: { host: 'http://p', port: 1 } });
    assert.deepEqual(o.proxyOptions, { host: 'http://p', port: 1 });
    assert.ok(o.tlsOptions?.ca);
    assert.equal(o.userAgentOptions?.userAgentPrefix, 'test');
    assert.equal(o.retryOptions?.maxRetries, 4);
    assert.equal(typeof o.httpClient?.sendRequest, 'function');
  });

  it('reaches a self-signed HTTPS server only when its CA is configured', async () => {
    await assert.rejects(httpRequest({ userAgent: 'test' }, { method: 'GET', url: `${server.url}/x` }), /certificate/i);
    const r = await httpRequest(withCa(), { method: 'GET', url: `${server.url}/x` });
    assert.equal(r.status, 200);
    assert.deepEqual([...r.body], [0, 1, 2, 255]);
    assert.equal(r.headers['x-echo'], 'GET');
  });

  it('tunnels HTTPS through the proxy with CONNECT, keeping the CA', async () => {
    const p = new URL(proxy.url);
    const h: AgentHttp = { ...withCa(), proxyOptions: { host: `http://${p.hostname}`, port: Number(p.port), username: 'u', password: 'pw' } };
    const r = await httpRequest(h, { method: 'POST', url: `${server.url}/tunnel`, body: 'hi' });
    assert.equal(r.status, 200);
    assert.deepEqual(proxy.seen, [`CONNECT localhost:${server.port}`]);
    assert.deepEqual(proxy.auth, [`Basic ${Buffer.from('u:pw').toString('base64')}`]);
    assert.equal(server.requests.at(-1)?.url, '/tunnel');
  });

  it('sends plain HTTP through the proxy in absolute form', async () => {
    const p = new URL(proxy.url);
    const r = await httpRequest({ userAgent: 't', proxyOptions: { host: `http://${p.hostname}`, port: Number(p.port) } }, { method: 'GET', url: `${plain.url}/abs?q=1` });
    assert.equal(r.status, 200);
    assert.deepEqual(proxy.seen, [`GET ${plain.url}/abs?q=1`]);
  });

  it('bypasses the proxy for hosts on the agent bypass list', async () => {
    const p = new URL(proxy.url);
    const h: AgentHttp = { ...withCa(), proxyOptions: { host: `http://${p.hostname}`, port: Number(p.port) }, proxyBypass: ['localhost'] };
    const r = await httpRequest(h, { method: 'GET', url: `${server.url}/direct` });
    assert.equal(r.status, 200);
    assert.deepEqual(proxy.seen, []);
  });

  it('returns non-2xx statuses with their body instead of throwing', async () => {
    const r = await httpRequest({ userAgent: 't' }, { method: 'PUT', url: `${plain.url}/missing`, body: Buffer.from('b'), headers: { 'x-a': '1' } });
    assert.equal(r.status, 404);
    assert.equal(r.body.toString(), 'PUT /missing b');
    assert.equal(plain.requests.at(-1)?.headers['x-a'], '1');
    assert.match(String(plain.requests.at(-1)?.headers['user-agent']), /^t /);
  });

  it('honours an abort signal', async () => {
    const ac = new AbortController();
    ac.abort();
    await assert.rejects(httpRequest({ userAgent: 't' }, { method: 'GET', url: `${plain.url}/x`, abortSignal: ac.signal }), /abort/i);
  });
});
