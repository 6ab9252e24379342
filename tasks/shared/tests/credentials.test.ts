import './helpers';
import * as assert from 'node:assert/strict';
import * as tls from 'node:tls';
import * as sinon from 'sinon';
import * as tl from 'azure-pipelines-task-lib/task';
import { createCredential } from '../src/credentials';
import { ServiceConnection } from '../src/connection';
import { credentialOptions } from '../src/credentials/common';
import { requestOidcToken, systemAccessToken } from '../src/credentials/workloadIdentity';
import { TaskError } from '../src/errors';
import type { AgentHttp } from '../src/http';
import { entraHandler, json, makeCa, startConnectProxy, startHttpsServer, stubAgent, TestCa, TestProxy, TestServer } from './helpers';

const SCOPE = 'https://management.local/.default';

describe('credentials', function () {
  this.timeout(30000);
  const sb = sinon.createSandbox();
  let ca: TestCa;
  let server: TestServer;
  let proxy: TestProxy;
  const tokens: URLSearchParams[] = [];
  let oidcCalls = 0;
  let oidcStatus = 200;
  let oidcBody: unknown = { oidcToken: 'oidc-token-value' };
  let masked: string[];

  before(async () => {
    ca = makeCa();
    const entra = entraHandler(() => server.url, tokens);
    server = await startHttpsServer(ca, (r, res) => {
      if (entra(r, res)) return;
      if (r.url.startsWith('/oidc')) {
        oidcCalls++;
        json(res, oidcStatus, oidcBody);
        return;
      }
      json(res, 404, { error: { code: 'NotFound', message: r.url } });
    });
    proxy = await startConnectProxy();
  });
  after(async () => {
    await server.close();
    await proxy.close();
  });
  beforeEach(() => {
    tokens.length = 0;
    oidcCalls = 0;
    oidcStatus = 200;
    oidcBody = { oidcToken: 'oidc-token-value' };
    masked = [];
    sb.stub(tl, 'setSecret').callsFake((s: string) => void masked.push(s));
  });
  afterEach(() => sb.restore());

  const http = (): AgentHttp => ({ userAgent: 'test', tlsOptions: { ca: [...tls.rootCertificates, ca.ca] } });
  const conn = (o: Partial<ServiceConnection>): ServiceConnection => ({
    id: 'conn-1',
    scheme: 'ServicePrincipal',
    tenantId: 'tenant-1',
    clientId: 'app-1',
    subscriptionId: 'sub-1',
    cloud: { name: 'Local', armUrl: 'https://management.local', armScope: SCOPE, authorityHost: server.url, keyVaultDnsSuffix: 'vault.localhost' },
    ...o,
  });

  it('credentialOptions: authority from the cloud, no instance discovery, agent http client', () => {
    const o = credentialOptions(conn({}), http());
    assert.equal(o.authorityHost, server.url);
    assert.equal(o.disableInstanceDiscovery, true);
    assert.ok(o.httpClient);
    assert.ok(o.tlsOptions);
  });

  it('client secret: token from the connection authority, trusting the agent CA', async () => {
    const t = await createCredential(conn({ secret: 's3cret' }), http()).getToken(SCOPE);
    assert.equal(t?.token, 'at-1');
    assert.equal(tokens[0].get('client_secret'), 's3cret');
    assert.equal(tokens[0].get('client_id'), 'app-1');
    assert.match(tokens[0].get('scope') ?? '', /https:\/\/management\.local\/\.default/);
  });

  it('client secret through the agent proxy (CONNECT) with the CA', async () => {
    const p = new URL(proxy.url);
    const h = { ...http(), proxyOptions: { host: `http://${p.hostname}`, port: Number(p.port) } };
    const t = await createCredential(conn({ secret: 's3cret' }), h).getToken(SCOPE);
    assert.equal(t?.token, 'at-1');
    assert.ok(proxy.seen.some((s) => s === `CONNECT localhost:${server.port}`));
  });

  it('certificate: signs a client assertion with the PEM', async () => {
    const t = await createCredential(conn({ certificatePem: ca.cert + ca.key }), http()).getToken(SCOPE);
    assert.equal(t?.token, 'at-1');
    assert.equal(tokens[0].get('client_assertion_type'), 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer');
    assert.ok((tokens[0].get('client_assertion') ?? '').split('.').length === 3);
  });

  it('workload identity: OIDC token from the pipeline becomes the client assertion', async () => {
    stubAgent(sb, { variables: { 'System.OidcRequestUri': `${server.url}/oidc/request` }, endpoints: [{ id: 'SYSTEMVSSCONNECTION', auth: { ACCESSTOKEN: 'sys-token' } }] });
    const t = await createCredential(conn({ scheme: 'WorkloadIdentityFederation' }), http()).getToken(SCOPE);
    assert.equal(t?.token, 'at-1');
    assert.equal(tokens[0].get('client_assertion'), 'oidc-token-value');
    const oidcReq = server.requests.find((r) => r.url.startsWith('/oidc'));
    assert.equal(oidcReq?.method, 'POST');
    const q = new URL(oidcReq!.url, server.url).searchParams;
    assert.equal(q.get('api-version'), '7.1');
    assert.equal(q.get('serviceConnectionId'), 'conn-1');
    assert.equal(oidcReq?.headers.authorization, 'Bearer sys-token');
    assert.ok(masked.includes('sys-token') && masked.includes('oidc-token-value'));
  });

  it('workload identity: asks for a fresh OIDC token for every assertion', async () => {
    stubAgent(sb, { variables: { 'System.OidcRequestUri': `${server.url}/oidc/request`, 'System.AccessToken': 'var-token' } });
    await requestOidcToken(conn({}), http());
    await requestOidcToken(conn({}), http());
    assert.equal(oidcCalls, 2);
    assert.equal(systemAccessToken(), 'var-token');
  });

  it('workload identity: clear errors without the OIDC URI, the access token, or on a failed request', async () => {
    stubAgent(sb, { variables: {} });
    await assert.rejects(requestOidcToken(conn({}), http()), (e: unknown) => e instanceof TaskError && /System\.OidcRequestUri is not set/.test(e.message));
    sb.restore();
    sb.stub(tl, 'setSecret');
    stubAgent(sb, { variables: { 'System.OidcRequestUri': `${server.url}/oidc/request` } });
    await assert.rejects(requestOidcToken(conn({}), http()), /System\.AccessToken is not available/);
    sb.restore();
    sb.stub(tl, 'setSecret');
    stubAgent(sb, { variables: { 'System.OidcRequestUri': `${server.url}/oidc/request`, 'System.AccessToken': 'var-token' } });
    oidcStatus = 401;
    oidcBody = { message: 'nope' };
    await assert.rejects(requestOidcToken(conn({}), http()), (e: unknown) => e instanceof TaskError && /HTTP 401/.test(e.message) && !e.message.includes('var-token'));
    oidcStatus = 200;
    oidcBody = {};
    await assert.rejects(requestOidcToken(conn({}), http()), /without an oidcToken/);
  });

  it('managed identity: user-assigned client id is passed', async () => {
    const c = await createCredential(conn({ scheme: 'ManagedServiceIdentity', clientId: 'mi-1' }), http()).credential();
    assert.equal(c.constructor.name, 'ManagedIdentityCredential');
    const none = await createCredential(conn({ scheme: 'ManagedServiceIdentity', clientId: undefined }), http()).credential();
    assert.equal(none.constructor.name, 'ManagedIdentityCredential');
  });

  it('loads a scheme\'s module only on the first token request, once, and checks the connection at once', async () => {
    const cred = createCredential(conn({ secret: 's3cret' }), http());
    assert.equal(cred.kind, 'ClientSecretCredential');
    assert.equal(cred.credential(), cred.credential(), 'one credential per connection');
    assert.throws(() => createCredential(conn({ secret: undefined, certificatePem: undefined }), http()), /has no client secret/);
    assert.throws(() => createCredential(conn({ scheme: 'WorkloadIdentityFederation', clientId: undefined }), http()), /has no client id/);
  });
});
