import './helpers';
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as tls from 'node:tls';
import { isRestError } from '@azure/core-rest-pipeline';
import * as sinon from 'sinon';
import * as tl from 'azure-pipelines-task-lib/task';
import type { SchemeCredential } from '../src/credentials';
import { armClientOptions, blobContainerClient, contextOf, createAzureContext, machineLearning, type AzureContext } from '../src/azure';
import { describeAzureError } from '../src/errors';
import { json, makeCa, StaticCredential, startHttpsServer, stubAgent, TestCa, TestServer } from './helpers';

describe('azure', function () {
  this.timeout(30000);
  const sb = sinon.createSandbox();
  let ca: TestCa;
  let server: TestServer;
  let throttled = 0;

  before(async () => {
    ca = makeCa();
    server = await startHttpsServer(ca, (r, res) => {
      const u = new URL(r.url, 'https://x');
      if (u.pathname.endsWith('/throttled') && throttled++ === 0) return json(res, 429, { error: { code: 'TooManyRequests', message: 'wait' } }, { 'retry-after': '1' });
      if (u.pathname.endsWith('/fails')) return json(res, 403, { error: { code: 'AuthorizationFailed', message: 'The client has no access.' } });
      if (u.pathname.endsWith('/accepted')) return json(res, 202, '', { location: `${server.url}/op/1` });
      if (/\/resourcegroups\/rg1$/i.test(u.pathname)) return json(res, 200, { id: '/subscriptions/sub-1/resourceGroups/rg1', name: 'rg1', location: 'westeurope' });
      if (/\/workspaces\/ws1$/i.test(u.pathname)) return json(res, 200, { id: '/x/ws1', name: 'ws1', location: 'westeurope', properties: {} });
      if (/\/containerGroups\/cg1$/i.test(u.pathname)) return json(res, 200, { id: '/x/cg1', name: 'cg1', location: 'westeurope', properties: { containers: [], osType: 'Linux' } });
      if (/\/registries\/acr1$/i.test(u.pathname)) return json(res, 200, { id: '/x/acr1', name: 'acr1', location: 'westeurope', sku: { name: 'Basic' }, properties: { loginServer: 'acr1.azurecr.io' } });
      if (r.method === 'HEAD' || u.searchParams.get('restype') === 'container') {
        res.writeHead(200, { 'x-ms-version': '2021-01-01', etag: '"1"', 'last-modified': new Date().toUTCString() });
        return res.end();
      }
      return json(res, 200, { echo: { method: r.method, path: u.pathname, apiVersion: u.searchParams.get('api-version'), body: r.body } });
    });
  });
  after(() => server.close());
  afterEach(() => sb.restore());

  const ctx = (cred = new StaticCredential(), withCa = true): AzureContext => contextOf({
    connection: {} as AzureContext['connection'],
    credential: cred,
    subscriptionId: '00000000-0000-0000-0000-000000000001',
    cloud: { name: 'Local', armUrl: server.url, armScope: 'https://management.local/.default', authorityHost: 'https://login.local', keyVaultDnsSuffix: 'vault.localhost' },
    http: { userAgent: 'test', ...(withCa ? { tlsOptions: { ca: [...tls.rootCertificates, ca.ca] } } : {}) },
  });

  it('createAzureContext reads the connection, agent http settings and builds the credential', async () => {
    sb.stub(tl, 'setSecret');
    stubAgent(sb, {
      inputs: { azureSubscription: 'c1' },
      endpoints: [{ id: 'c1', url: 'https://management.azure.com/', scheme: 'ServicePrincipal', auth: { tenantid: 't', serviceprincipalid: 'a', serviceprincipalkey: 'k' }, data: { subscriptionId: 's' } }],
    });
    const c = createAzureContext({ ml: machineLearning });
    assert.deepEqual(Object.keys(c.clients), ['ml'], 'only the clients the task names');
    assert.equal(c.subscriptionId, 's');
    assert.equal(c.cloud.armUrl, 'https://management.azure.com');
    // the scheme's credential is loaded on the first token request (credentials/index.ts)
    assert.equal((await (c.credential as SchemeCredential).credential()).constructor.name, 'ClientSecretCredential');
    assert.equal(c.http.userAgent, 'aml-devops-tasks/1');
  });

  it('armClientOptions: endpoint and scope from the cloud plus the shared client options', () => {
    const o = armClientOptions(ctx());
    assert.equal(o.endpoint, server.url);
    assert.deepEqual(o.credentialScopes, ['https://management.local/.default']);
    assert.ok(o.httpClient && o.tlsOptions && o.retryOptions);
  });

  it('all four ARM clients reach the connection ARM URL with the bearer token and the agent CA', async () => {
    const cred = new StaticCredential();
    const c = ctx(cred);
    const rg = await c.clients.resources.resourceGroups.get('rg1');
    assert.equal(rg.name, 'rg1');
    const ws = await c.clients.ml.workspaces.get('rg1', 'ws1');
    assert.equal(ws.name, 'ws1');
    const cg = await c.clients.aci.containerGroups.get('rg1', 'cg1');
    assert.equal(cg.name, 'cg1');
    const acr = await c.clients.acr.registries.get('rg1', 'acr1');
    assert.equal(acr.loginServer, 'acr1.azurecr.io');
    const recent = server.requests.slice(-4);
    for (const r of recent) {
      assert.equal(r.headers.authorization, 'Bearer arm-token');
      assert.match(String(r.headers['user-agent']), /^test /);
    }
    assert.ok(cred.scopes.every((s) => s[0] === 'https://management.local/.default'));
  });

  it('ARM clients fail on an untrusted certificate when no CA is configured', async () => {
    await assert.rejects(ctx(new StaticCredential(), false).clients.resources.resourceGroups.get('rg1'), /certificate/i);
  });

  it('clients are built once per run, on first use, and load their SDK only then', () => {
    const c = ctx();
    assert.equal(c.clients.ml, c.clients.ml);
    assert.equal(c.clients.arm, c.clients.arm);
    assert.equal(c.clients.keyVault('kv1'), c.clients.keyVault('https://kv1.vault.localhost'));
    assert.notEqual(ctx().clients.aci, c.clients.aci, 'another run gets its own clients');
    // a fresh process: creating the context loads no ARM SDK; reading ctx.clients.aci loads only that one
    const azure = require.resolve('../src/azure');
    const script = `
      const a = require(${JSON.stringify(azure)});
      const loaded = (m) => Object.keys(require.cache).some((k) => k.includes('/node_modules/@azure/' + m + '/'));
      const c = a.contextOf({ connection: {}, credential: { getToken: async () => null }, subscriptionId: 's', cloud: { name: 'AzureCloud', armUrl: 'https://management.azure.com', armScope: 'x', authorityHost: 'https://login.microsoftonline.com', keyVaultDnsSuffix: 'vault.azure.net' }, http: { userAgent: 't' } });
      const before = ['arm-containerinstance', 'arm-machinelearning', 'arm-containerregistry', 'arm-resources', 'keyvault-secrets', 'storage-blob'].filter(loaded);
      void c.clients.aci;
      const after = ['arm-containerinstance', 'arm-machinelearning'].filter(loaded);
      console.log(JSON.stringify({ before, after }));`;
    const out = execFileSync(process.execPath, ['-e', script], { encoding: 'utf8' });
    const last = out.trim().split('\n').pop() ?? '';
    assert.deepEqual(JSON.parse(last), { before: [], after: ['arm-containerinstance'] });
  });

  it('armRequest: path + api-version + JSON body + bearer token', async () => {
    const r = await ctx().clients.arm.request<{ echo: { method: string; path: string; apiVersion: string; body: string } }>('put', '/subscriptions/sub-1/things/a', '2024-01-01', { x: 1 });
    assert.deepEqual(r.echo, { method: 'PUT', path: '/subscriptions/sub-1/things/a', apiVersion: '2024-01-01', body: '{"x":1}' });
    assert.equal(server.requests.at(-1)?.headers.authorization, 'Bearer arm-token');
    assert.equal(server.requests.at(-1)?.headers['content-type'], 'application/json');
  });

  it('armRequest keeps an existing api-version and accepts full ARM URLs', async () => {
    const r = await ctx().clients.arm.request<{ echo: { apiVersion: string } }>('GET', `${server.url}/x?api-version=1`, '2');
    assert.equal(r.echo.apiVersion, '1');
  });

  it('armRequest refuses to send the ARM token to another host', async () => {
    await assert.rejects(ctx().clients.arm.request('GET', 'https://evil.example/x', '1'), /Refusing to send an ARM token/);
  });

  it('armRequest retries 429 after Retry-After', async () => {
    throttled = 0;
    const started = Date.now();
    await ctx().clients.arm.request('GET', '/subscriptions/sub-1/throttled', '1');
    assert.equal(throttled, 2);
    assert.ok(Date.now() - started >= 900);
  });

  it('armRequest errors are RestErrors with the ARM body, described with a role hint', async () => {
    const err = await ctx().clients.arm.request('GET', '/subscriptions/sub-1/resourceGroups/rg1/providers/Microsoft.MachineLearningServices/workspaces/ws1/fails', '1').then(
      () => undefined,
      (e: unknown) => e,
    );
    assert.ok(isRestError(err));
    assert.equal(err.statusCode, 403);
    assert.equal(err.code, 'AuthorizationFailed');
    assert.match(describeAzureError(err), /AuthorizationFailed \(403\): The client has no access\. Hint: .*'AzureML Data Scientist' or 'Contributor' role on \/subscriptions\/sub-1\/resourceGroups\/rg1\/providers\/Microsoft\.MachineLearningServices\/workspaces\/ws1/);
  });

  it('armResponse exposes status and headers for long-running operations', async () => {
    const r = await ctx().clients.arm.response('POST', '/subscriptions/sub-1/accepted', '1', {});
    assert.equal(r.status, 202);
    assert.equal(r.headers.location, `${server.url}/op/1`);
  });

  it('blobContainerClient uses the agent CA (storage pipeline gets the agent http client)', async () => {
    const ok = blobContainerClient(ctx(), `${server.url}/acct/container`);
    const props = await ok.getProperties();
    assert.equal(props.etag, '"1"');
    const bad = blobContainerClient(ctx(new StaticCredential(), false).http, `${server.url}/acct/container`);
    await assert.rejects(bad.getProperties(), /certificate/i);
  });
});
