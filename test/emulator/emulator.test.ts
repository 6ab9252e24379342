// The emulator's own behaviour: auth, challenges, api-versions, LRO, paging, faults, request log,
// and every credential scheme through the real @azure/identity + ARM / Key Vault clients.
import * as assert from 'assert';
import * as crypto from 'crypto';
import { ClientAssertionCredential, ClientCertificateCredential, ClientSecretCredential, ManagedIdentityCredential, AzurePipelinesCredential, type TokenCredential } from '@azure/identity';
import { ResourceManagementClient } from '@azure/arm-resources';
import { AzureMachineLearningWorkspaces } from '@azure/arm-machinelearning';
import { SecretClient } from '@azure/keyvault-secrets';
import { startEmulator, DEFAULTS, type Emulator } from './index';
import { installDnsPreload } from '../harness/run-task';
import { armToken, call, workspaceId } from './call';

installDnsPreload();

const tls = (emu: Emulator) => ({ tlsOptions: { ca: emu.caPem } });
const credOpts = (emu: Emulator) => ({ authorityHost: emu.urls.authorityHost, disableInstanceDiscovery: true, ...tls(emu) });
const armOpts = (emu: Emulator) => ({ endpoint: emu.urls.arm, credentialScopes: [`${emu.urls.arm}/.default`], ...tls(emu) });

describe('emulator', function () {
  this.timeout(30_000);
  let emu: Emulator;
  let rgPath: string;
  before(async () => {
    emu = await startEmulator();
    rgPath = `${emu.urls.arm}/subscriptions/${emu.identities.subscriptionId}/resourcegroups`;
  });
  after(async () => emu?.stop());
  afterEach(() => emu.faults.clear());

  describe('Entra ID', () => {
    it('serves the OpenID configuration MSAL needs', async () => {
      const r = await call(emu, 'GET', `${emu.urls.authorityHost}/${emu.identities.tenantId}/v2.0/.well-known/openid-configuration`);
      assert.strictEqual(r.status, 200);
      for (const k of ['authorization_endpoint', 'token_endpoint', 'issuer', 'jwks_uri']) assert.ok(r.json[k], k);
      assert.match(r.json.token_endpoint, /^https:\/\/login\.localhost:\d+\/[-0-9a-f]+\/oauth2\/v2\.0\/token$/);
    });

    it('issues JWT-shaped tokens for client_credentials with a secret, verifiable with the JWKS', async () => {
      const { clientId, secret } = emu.identities.spnSecret;
      const body = new URLSearchParams({ grant_type: 'client_credentials', client_id: clientId, client_secret: secret, scope: 'https://management.azure.com//.default' }).toString();
      const r = await call(emu, 'POST', `${emu.urls.authorityHost}/${emu.identities.tenantId}/oauth2/v2.0/token`, { body, headers: { 'content-type': 'application/x-www-form-urlencoded' } });
      assert.strictEqual(r.status, 200, r.text);
      assert.strictEqual(r.json.token_type, 'Bearer');
      assert.ok(r.json.expires_in > 0);
      const parts = String(r.json.access_token).split('.');
      assert.strictEqual(parts.length, 3);
      const claims = JSON.parse(Buffer.from(parts[1], 'base64url').toString());
      assert.strictEqual(claims.aud, 'https://management.azure.com/');
      assert.strictEqual(claims.tid, emu.identities.tenantId);
      assert.strictEqual(claims.appid, clientId);
      assert.ok(claims.oid && claims.exp > Date.now() / 1000);
      const keys = await call(emu, 'GET', `${emu.urls.authorityHost}/${emu.identities.tenantId}/discovery/v2.0/keys`);
      const key = crypto.createPublicKey({ key: { kty: 'RSA', n: keys.json.keys[0].n, e: keys.json.keys[0].e }, format: 'jwk' });
      assert.ok(crypto.verify('sha256', Buffer.from(`${parts[0]}.${parts[1]}`), key, Buffer.from(parts[2], 'base64url')));
      assert.ok(!emu.requests.some((q) => q.body.includes(secret)), 'the request log redacts client_secret');
    });

    it('rejects a wrong secret with AADSTS7000215 and an unknown client with AADSTS700016', async () => {
      const url = `${emu.urls.authorityHost}/${emu.identities.tenantId}/oauth2/v2.0/token`;
      const form = (c: string, s: string) => new URLSearchParams({ grant_type: 'client_credentials', client_id: c, client_secret: s, scope: 'https://management.azure.com/.default' }).toString();
      const bad = await call(emu, 'POST', url, { body: form(emu.identities.spnSecret.clientId, 'nope') });
      assert.strictEqual(bad.status, 401);
      assert.strictEqual(bad.json.error, 'invalid_client');
      assert.match(bad.json.error_description, /^AADSTS7000215/);
      const unknown = await call(emu, 'POST', url, { body: form(crypto.randomUUID(), 'x') });
      assert.strictEqual(unknown.status, 400);
      assert.deepStrictEqual(unknown.json.error_codes, [700016]);
    });
  });

  describe('ARM authentication and api-version', () => {
    it('401 AuthenticationFailed without a token, InvalidAuthenticationToken for garbage', async () => {
      const none = await call(emu, 'GET', `${rgPath}?api-version=2025-03-01`);
      assert.strictEqual(none.status, 401);
      assert.strictEqual(none.json.error.code, 'AuthenticationFailed');
      assert.match(String(none.headers['www-authenticate']), /^Bearer authorization_uri=/);
      const bad = await call(emu, 'GET', `${rgPath}?api-version=2025-03-01`, { token: 'a.b.c' });
      assert.strictEqual(bad.json.error.code, 'InvalidAuthenticationToken');
      const forged = armToken(emu).split('.');
      forged[2] = Buffer.from('forged').toString('base64url');
      const f = await call(emu, 'GET', `${rgPath}?api-version=2025-03-01`, { token: forged.join('.') });
      assert.strictEqual(f.json.error.code, 'InvalidAuthenticationToken');
    });

    it("systemData names the creator and last writer from the caller's token, as ARM does (Application by appid, ManagedIdentity by xms_mirid)", async () => {
      const url = `${emu.urls.arm}/subscriptions/${emu.identities.subscriptionId}/resourceGroups/rg-ml/providers/Microsoft.MachineLearningServices/workspaces/mlw/models/sysdata-m/versions/1?api-version=2022-10-01`;
      const body = (tags: Record<string, string>) => JSON.stringify({ properties: { modelUri: 'azureml://datastores/workspaceblobstore/paths/m/1', tags } });
      const created = await call(emu, 'PUT', url, { token: armToken(emu), body: body({}) });
      assert.strictEqual(created.status, 201, created.text);
      assert.deepStrictEqual([created.json.systemData.createdBy, created.json.systemData.createdByType], [emu.identities.spnSecret.clientId, 'Application']);
      const msi = emu.issueToken({ audience: 'https://management.azure.com/', appId: emu.identities.msi.clientId, objectId: emu.identities.msi.objectId, extra: { xms_mirid: '/subscriptions/s/resourcegroups/r/providers/Microsoft.ManagedIdentity/userAssignedIdentities/i' } });
      const updated = await call(emu, 'PUT', url, { token: msi, body: body({ stage: 'production' }) });
      assert.strictEqual(updated.status, 200, updated.text);
      const sd = (await call(emu, 'GET', url, { token: armToken(emu) })).json.systemData;
      assert.deepStrictEqual([sd.createdBy, sd.createdByType, sd.lastModifiedBy, sd.lastModifiedByType], [emu.identities.spnSecret.clientId, 'Application', emu.identities.msi.clientId, 'ManagedIdentity']);
    });

    it('401 ExpiredAuthenticationToken and InvalidAuthenticationTokenAudience', async () => {
      const expired = await call(emu, 'GET', `${rgPath}?api-version=2025-03-01`, { token: armToken(emu, { expiresInSeconds: -10 }) });
      assert.strictEqual(expired.status, 401);
      assert.strictEqual(expired.json.error.code, 'ExpiredAuthenticationToken');
      const aud = await call(emu, 'GET', `${rgPath}?api-version=2025-03-01`, { token: armToken(emu, { audience: 'https://vault.azure.net' }) });
      assert.strictEqual(aud.status, 401);
      assert.strictEqual(aud.json.error.code, 'InvalidAuthenticationTokenAudience');
    });

    it('400 MissingApiVersionParameter / InvalidApiVersionParameter; 404 SubscriptionNotFound, ResourceGroupNotFound', async () => {
      const token = armToken(emu);
      const ws = `${emu.urls.arm}${workspaceId(emu)}`;
      const missing = await call(emu, 'GET', ws, { token });
      assert.strictEqual(missing.status, 400);
      assert.strictEqual(missing.json.error.code, 'MissingApiVersionParameter');
      const wrong = await call(emu, 'GET', `${ws}?api-version=2099-01-01`, { token });
      assert.strictEqual(wrong.json.error.code, 'InvalidApiVersionParameter');
      const sub = await call(emu, 'GET', `${emu.urls.arm}/subscriptions/${crypto.randomUUID()}/resourcegroups/x?api-version=2025-03-01`, { token });
      assert.strictEqual(sub.status, 404);
      assert.strictEqual(sub.json.error.code, 'SubscriptionNotFound');
      const rg = await call(emu, 'GET', `${rgPath}/nope?api-version=2025-03-01`, { token });
      assert.strictEqual(rg.json.error.code, 'ResourceGroupNotFound');
    });
  });

  describe('Key Vault', () => {
    it('answers a token-less request with the 401 challenge', async () => {
      const r = await call(emu, 'GET', `${emu.urls.keyVault(DEFAULTS.vault)}/secrets/${DEFAULTS.scoringKeySecret}/?api-version=7.6`);
      assert.strictEqual(r.status, 401);
      assert.strictEqual(r.headers['www-authenticate'], `Bearer authorization="${emu.urls.authorityHost}/${emu.identities.tenantId}", resource="https://vault.azure.net"`);
      assert.strictEqual(r.json.error.code, 'Unauthorized');
    });

    it('404 SecretNotFound, accepts api-version 2025-07-01 (encoded hyphen) and rejects unknown versions', async () => {
      const token = emu.issueToken({ audience: 'https://vault.azure.net', appId: emu.identities.spnSecret.clientId });
      const base = emu.urls.keyVault(DEFAULTS.vault);
      const nf = await call(emu, 'GET', `${base}/secrets/missing/?api%2Dversion=2025-07-01`, { token });
      assert.strictEqual(nf.status, 404);
      assert.strictEqual(nf.json.error.code, 'SecretNotFound');
      const ok = await call(emu, 'GET', `${base}/secrets/${DEFAULTS.scoringKeySecret}/?api%2Dversion=2025-07-01`, { token });
      assert.strictEqual(ok.status, 200);
      assert.strictEqual(ok.json.value, emu.state.getSecretValue(DEFAULTS.vault, DEFAULTS.scoringKeySecret));
      const v = await call(emu, 'GET', `${base}/secrets/x?api-version=1.0`, { token });
      assert.strictEqual(v.json.error.code, 'BadParameter');
    });

    it('SecretClient (real SDK) gets, sets, lists versions after the challenge', async () => {
      const cred = new ClientSecretCredential(emu.identities.tenantId, emu.identities.spnSecret.clientId, emu.identities.spnSecret.secret, credOpts(emu));
      const client = new SecretClient(emu.urls.keyVault(DEFAULTS.vault), cred, { disableChallengeResourceVerification: true, ...tls(emu) });
      const s = await client.getSecret(DEFAULTS.scoringKeySecret);
      assert.strictEqual(s.value, emu.state.getSecretValue(DEFAULTS.vault, DEFAULTS.scoringKeySecret));
      await client.setSecret('db-password', 'v1');
      const v2 = await client.setSecret('db-password', 'v2', { tags: { owner: 'tests' } });
      assert.strictEqual((await client.getSecret('db-password')).value, 'v2');
      assert.strictEqual((await client.getSecret('db-password', { version: v2.properties.version })).properties.tags?.owner, 'tests');
      const versions: string[] = [];
      for await (const p of client.listPropertiesOfSecretVersions('db-password')) versions.push(p.version!);
      assert.strictEqual(versions.length, 2);
      await assert.rejects(client.getSecret('nope'), (e: any) => e.statusCode === 404 && e.code === 'SecretNotFound');
      const writes = emu.armWrites().filter((w) => w.host === `${DEFAULTS.vault}.vault.localhost` && w.status === 200);
      assert.strictEqual(writes.length, 2);
    });
  });

  describe('long-running operations and paging', () => {
    it('DELETE resource group: 202 + Azure-AsyncOperation/Location, InProgress then Succeeded', async () => {
      const token = armToken(emu);
      const put = await call(emu, 'PUT', `${rgPath}/rg-lro?api-version=2025-03-01`, { token, body: JSON.stringify({ location: 'westeurope' }) });
      assert.strictEqual(put.status, 201);
      const del = await call(emu, 'DELETE', `${rgPath}/rg-lro?api-version=2025-03-01`, { token });
      assert.strictEqual(del.status, 202);
      const op = String(del.headers['azure-asyncoperation']);
      assert.match(op, /\/providers\/Microsoft\.Resources\/locations\/westeurope\/operationStatuses\/[-0-9a-f]+\?api-version=2025-03-01$/);
      assert.match(String(del.headers.location), /operationResults/);
      assert.ok(['0', '1'].includes(String(del.headers['retry-after'])));
      const first = await call(emu, 'GET', op, { token });
      assert.strictEqual(first.json.status, 'InProgress');
      const second = await call(emu, 'GET', op, { token });
      assert.strictEqual(second.json.status, 'Succeeded');
      assert.strictEqual(emu.state.getResourceGroup('rg-lro'), undefined);
      const result = await call(emu, 'GET', String(del.headers.location), { token });
      assert.strictEqual(result.status, 204);
    });

    it('the real ARM client pages through nextLink and waits for an LRO', async () => {
      for (let i = 0; i < 45; i++) emu.state.addResourceGroup(`rg-page-${String(i).padStart(2, '0')}`, 'eastus');
      const token = armToken(emu);
      const page1 = await call(emu, 'GET', `${rgPath}?api-version=2025-03-01&$top=20`, { token });
      assert.strictEqual(page1.json.value.length, 20);
      assert.match(page1.json.nextLink, /\$skipToken=/);
      const cred = new ClientSecretCredential(emu.identities.tenantId, emu.identities.spnSecret.clientId, emu.identities.spnSecret.secret, credOpts(emu));
      const client = new ResourceManagementClient(cred, emu.identities.subscriptionId, armOpts(emu));
      const names: string[] = [];
      for await (const rg of client.resourceGroups.list({ top: 20 })) names.push(rg.name!);
      assert.strictEqual(names.filter((n) => n.startsWith('rg-page-')).length, 45);
      assert.strictEqual(new Set(names).size, names.length);
      await client.resourceGroups.beginDeleteAndWait('rg-page-00', { updateIntervalInMs: 10 });
      assert.strictEqual(emu.state.getResourceGroup('rg-page-00'), undefined);
    });

    it('startLro can fail an operation with an error body', async () => {
      // An ARM route must be an SDK operation (contract check): workspaces resyncKeys is one no service module serves.
      emu.addRoute('arm', 'POST', '/subscriptions/{sub}/resourceGroups/{rg}/providers/Microsoft.MachineLearningServices/workspaces/{ws}/resyncKeys', (ctx) => {
        emu.startLro(ctx, { polls: 0, outcome: 'Failed', error: { code: 'QuotaExceeded', message: 'No quota.' }, provider: 'Microsoft.MachineLearningServices' });
      });
      const token = armToken(emu);
      const r = await call(emu, 'POST', `${emu.urls.arm}/subscriptions/${emu.identities.subscriptionId}/resourceGroups/rg-ml/providers/Microsoft.MachineLearningServices/workspaces/mlw/resyncKeys?api-version=2022-10-01`, { token });
      assert.strictEqual(r.status, 202);
      const s = await call(emu, 'GET', String(r.headers['azure-asyncoperation']), { token });
      assert.strictEqual(s.json.status, 'Failed');
      assert.deepStrictEqual(s.json.error, { code: 'QuotaExceeded', message: 'No quota.' });
    });
  });

  describe('fault injection and request log', () => {
    it('throttle: 429 + Retry-After + TooManyRequests; unavailable: 503', async () => {
      const token = armToken(emu);
      const h = emu.faults.inject({ host: /^management\./, path: /resourcegroups$/i, kind: 'throttle', retryAfterSeconds: 2, times: 1 });
      const r = await call(emu, 'GET', `${rgPath}?api-version=2025-03-01`, { token });
      assert.strictEqual(r.status, 429);
      assert.strictEqual(r.headers['retry-after'], '2');
      assert.strictEqual(r.json.error.code, 'TooManyRequests');
      assert.strictEqual(h.hits, 1);
      assert.strictEqual((await call(emu, 'GET', `${rgPath}?api-version=2025-03-01`, { token })).status, 200);
      emu.faults.inject({ method: 'GET', kind: 'unavailable' });
      const u = await call(emu, 'GET', `${rgPath}?api-version=2025-03-01`, { token });
      assert.strictEqual(u.status, 503);
      assert.strictEqual(u.json.error.code, 'ServiceUnavailable');
      assert.strictEqual(emu.requests[emu.requests.length - 1].fault, 'unavailable');
    });

    it('reset destroys the socket; slow delays the reply', async () => {
      emu.faults.inject({ kind: 'reset', path: /resourcegroups$/i });
      await assert.rejects(call(emu, 'GET', `${rgPath}?api-version=2025-03-01`, { token: armToken(emu) }), (e: any) => /socket hang up|ECONNRESET/.test(String(e.message ?? e.code)));
      emu.faults.inject({ kind: 'slow', delayMs: 300 });
      const t0 = Date.now();
      const r = await call(emu, 'GET', `${rgPath}?api-version=2025-03-01`, { token: armToken(emu) });
      assert.strictEqual(r.status, 200);
      assert.ok(Date.now() - t0 >= 290);
    });

    it('the SDK retries through 429 and 503 and still succeeds', async () => {
      const cred = new ClientSecretCredential(emu.identities.tenantId, emu.identities.spnSecret.clientId, emu.identities.spnSecret.secret, credOpts(emu));
      const client = new ResourceManagementClient(cred, emu.identities.subscriptionId, armOpts(emu));
      emu.faults.inject({ host: /^management\./, path: /rg-ml$/, kind: 'throttle', retryAfterSeconds: 0 });
      emu.faults.inject({ host: /^management\./, path: /rg-ml$/, kind: 'unavailable', retryAfterSeconds: 0 });
      const rg = await client.resourceGroups.get('rg-ml');
      assert.strictEqual(rg.name, 'rg-ml');
      const statuses = emu.requests.filter((r) => r.path.endsWith('/rg-ml')).slice(-3).map((r) => r.status);
      assert.deepStrictEqual(statuses, [429, 503, 200]);
    });

    it('expireToken: the next token is already expired and ARM says ExpiredAuthenticationToken', async () => {
      emu.faults.inject({ kind: 'expireToken' });
      const cred = new ClientSecretCredential(emu.identities.tenantId, emu.identities.spnSecret.clientId, emu.identities.spnSecret.secret, credOpts(emu));
      const client = new ResourceManagementClient(cred, emu.identities.subscriptionId, { ...armOpts(emu), retryOptions: { maxRetries: 0 } });
      await assert.rejects(client.resourceGroups.get('rg-ml'), (e: any) => e.statusCode === 401 && e.code === 'ExpiredAuthenticationToken');
    });

    it('records every request with the Authorization header redacted; armWrites lists writes only', async () => {
      const token = armToken(emu);
      const before = emu.requests.length;
      await call(emu, 'PUT', `${rgPath}/rg-log?api-version=2025-03-01`, { token, body: JSON.stringify({ location: 'eastus', tags: { a: 'b' } }) });
      await call(emu, 'GET', `${rgPath}/rg-log?api-version=2025-03-01`, { token });
      const ws = `${emu.urls.arm}${workspaceId(emu)}`;
      await call(emu, 'POST', `${ws}/datastores/workspaceblobstore/listSecrets?api-version=2022-10-01`, { token });
      const mine = emu.requests.slice(before);
      assert.strictEqual(mine.length, 3);
      assert.strictEqual(mine[0].headers.authorization, 'Bearer <redacted>');
      assert.ok(!JSON.stringify(emu.requests).includes(token));
      assert.strictEqual(mine[0].host, 'management.localhost');
      assert.strictEqual(mine[0].query['api-version'], '2025-03-01');
      assert.match(mine[0].body, /"location":"eastus"/);
      const writes = emu.armWrites().filter((w) => w.time >= mine[0].time);
      assert.deepStrictEqual(writes.map((w) => `${w.method} ${w.path.split('/').pop()}`), ['PUT rg-log']);
    });
  });

  describe('credential schemes with the real @azure/identity classes, then ARM', () => {
    const getRg = async (cred: TokenCredential): Promise<void> => {
      const client = new ResourceManagementClient(cred, emu.identities.subscriptionId, armOpts(emu));
      const rg = await client.resourceGroups.get(DEFAULTS.resourceGroup);
      assert.strictEqual(rg.location, 'eastus');
    };

    it('ClientSecretCredential', async () => {
      await getRg(new ClientSecretCredential(emu.identities.tenantId, emu.identities.spnSecret.clientId, emu.identities.spnSecret.secret, credOpts(emu)));
    });

    it('ClientCertificateCredential (PEM cert + key; assertion signature checked)', async () => {
      const cred = new ClientCertificateCredential(emu.identities.tenantId, emu.identities.spnCertificate.clientId, { certificate: emu.identities.spnCertificate.pem }, credOpts(emu));
      await getRg(cred);
      const tokenReq = emu.requests.filter((r) => r.host === 'login.localhost' && r.method === 'POST').pop()!;
      assert.match(tokenReq.body, /client_assertion=/);
    });

    it('ClientCertificateCredential with a different certificate is refused (AADSTS700027)', async () => {
      const other = await startEmulator({ services: ['entra'], imds: false });
      try {
        const cred = new ClientCertificateCredential(emu.identities.tenantId, emu.identities.spnCertificate.clientId, { certificate: other.identities.spnCertificate.pem }, credOpts(emu));
        await assert.rejects(cred.getToken(`${emu.urls.arm}/.default`), /AADSTS700027/);
      } finally {
        await other.stop();
      }
    });

    it('ClientAssertionCredential with the pipeline OIDC route (workload identity federation)', async () => {
      const wif = emu.identities.wif;
      const getAssertion = async (): Promise<string> => {
        const r = await call(emu, 'POST', `${emu.urls.oidcRequestUri}?api-version=7.1&serviceConnectionId=${wif.serviceConnectionId}`, { token: wif.systemAccessToken, body: '' });
        assert.strictEqual(r.status, 200, r.text);
        return r.json.oidcToken;
      };
      await getRg(new ClientAssertionCredential(emu.identities.tenantId, wif.clientId, getAssertion, credOpts(emu)));
      const denied = await call(emu, 'POST', `${emu.urls.oidcRequestUri}?api-version=7.1&serviceConnectionId=${wif.serviceConnectionId}`, { token: 'wrong', body: '' });
      assert.strictEqual(denied.status, 401);
      const other = await call(emu, 'POST', `${emu.urls.oidcRequestUri}?api-version=7.1&serviceConnectionId=${crypto.randomUUID()}`, { token: wif.systemAccessToken, body: '' });
      assert.strictEqual(other.status, 404);
    });

    it('AzurePipelinesCredential (SYSTEM_OIDCREQUESTURI)', async () => {
      const wif = emu.identities.wif;
      const saved = process.env.SYSTEM_OIDCREQUESTURI;
      process.env.SYSTEM_OIDCREQUESTURI = emu.urls.oidcRequestUri;
      try {
        await getRg(new AzurePipelinesCredential(emu.identities.tenantId, wif.clientId, wif.serviceConnectionId, wif.systemAccessToken, credOpts(emu)));
      } finally {
        if (saved === undefined) delete process.env.SYSTEM_OIDCREQUESTURI;
        else process.env.SYSTEM_OIDCREQUESTURI = saved;
      }
    });

    it('a federated assertion with the wrong subject is refused (AADSTS70021)', async () => {
      const forged = emu.issueToken({ audience: 'api://AzureADTokenExchange', appId: 'x', extra: { iss: emu.identities.wif.issuer, sub: 'sc://other/project/conn' } });
      const cred = new ClientAssertionCredential(emu.identities.tenantId, emu.identities.wif.clientId, async () => forged, credOpts(emu));
      await assert.rejects(cred.getToken(`${emu.urls.arm}/.default`), /AADSTS70021/);
    });

    it('ManagedIdentityCredential through the IMDS emulator (AZURE_POD_IDENTITY_AUTHORITY_HOST)', async () => {
      const saved = process.env.AZURE_POD_IDENTITY_AUTHORITY_HOST;
      process.env.AZURE_POD_IDENTITY_AUTHORITY_HOST = emu.urls.imds;
      try {
        await getRg(new ManagedIdentityCredential({ clientId: emu.identities.msi.clientId }));
        await getRg(new ManagedIdentityCredential());
      } finally {
        if (saved === undefined) delete process.env.AZURE_POD_IDENTITY_AUTHORITY_HOST;
        else process.env.AZURE_POD_IDENTITY_AUTHORITY_HOST = saved;
      }
      const imds = emu.requests.filter((r) => r.host === 'imds' && r.status === 200);
      assert.ok(imds.length >= 2);
      assert.strictEqual(imds[0].headers.metadata, 'true');
    });
  });

  describe('AML workspace (2022-10-01)', () => {
    it('workspace get, datastores list (paged) / get / listSecrets with the real SDK', async () => {
      const ws = emu.state.getWorkspace(DEFAULTS.resourceGroup, DEFAULTS.workspace)!;
      for (let i = 0; i < 35; i++) ws.datastores.set(`extra${i}`, { name: `extra${i}`, isDefault: false, containerName: `c${i}`, credentialsType: 'AccountKey', created: new Date().toISOString() });
      const cred = new ClientSecretCredential(emu.identities.tenantId, emu.identities.spnSecret.clientId, emu.identities.spnSecret.secret, credOpts(emu));
      const client = new AzureMachineLearningWorkspaces(cred, emu.identities.subscriptionId, armOpts(emu));
      const w = await client.workspaces.get(DEFAULTS.resourceGroup, DEFAULTS.workspace);
      assert.match(w.storageAccount!, /\/Microsoft\.Storage\/storageAccounts\/devstoreaccount1$/);
      assert.match(w.containerRegistry!, /\/Microsoft\.ContainerRegistry\/registries\//);
      assert.match(w.applicationInsights!, /\/microsoft\.insights\/components\//);
      assert.match(w.keyVault!, /\/vaults\/kv-test$/);
      assert.match(w.mlFlowTrackingUri!, /^azureml:\/\/eastus\.api\.azureml\.localhost:\d+\/mlflow\/v1\.0\/subscriptions\//);
      assert.match(w.discoveryUrl!, /^https:\/\/eastus\.api\.azureml\.localhost:\d+\/discovery$/);
      const names: string[] = [];
      for await (const d of client.datastores.list(DEFAULTS.resourceGroup, DEFAULTS.workspace)) names.push(d.name!);
      assert.strictEqual(names.length, 37);
      assert.ok(emu.requests.some((r) => r.path.endsWith('/datastores') && r.query.$skip === '30'), 'second page requested with $skip');
      const d = await client.datastores.get(DEFAULTS.resourceGroup, DEFAULTS.workspace, 'workspaceblobstore');
      const props = d.properties as any;
      assert.strictEqual(props.datastoreType, 'AzureBlob');
      assert.strictEqual(props.accountName, 'devstoreaccount1');
      assert.strictEqual(props.isDefault, true);
      assert.strictEqual(props.protocol, 'https');
      const s = await client.datastores.listSecrets(DEFAULTS.resourceGroup, DEFAULTS.workspace, 'workspaceblobstore');
      assert.strictEqual((s as any).key, emu.state.storage.accountKey);
      await assert.rejects(client.workspaces.get(DEFAULTS.resourceGroup, 'nope'), (e: any) => e.statusCode === 404 && e.code === 'ResourceNotFound');
    });

    it('MLflow runs/get on the workspace tracking URI returns metrics from the store', async () => {
      emu.state.setRunMetrics('run-1', { accuracy: [0.5, 0.8, 0.91], loss: 0.2 }, { params: { lr: '0.1' } });
      const ws = emu.state.getWorkspace(DEFAULTS.resourceGroup, DEFAULTS.workspace)!;
      const tracking = `https://eastus.api.azureml.localhost:${emu.port}/mlflow/v1.0/subscriptions/${emu.identities.subscriptionId}/resourceGroups/${ws.resourceGroup}/providers/Microsoft.MachineLearningServices/workspaces/${ws.name}`;
      const noAuth = await call(emu, 'GET', `${tracking}/api/2.0/mlflow/runs/get?run_id=run-1`);
      assert.strictEqual(noAuth.status, 401);
      const r = await call(emu, 'GET', `${tracking}/api/2.0/mlflow/runs/get?run_id=run-1`, { token: armToken(emu) });
      assert.strictEqual(r.status, 200, r.text);
      assert.strictEqual(r.json.run.info.status, 'FINISHED');
      const acc = r.json.run.data.metrics.find((m: any) => m.key === 'accuracy');
      assert.strictEqual(acc.value, 0.91);
      assert.strictEqual(acc.step, 2);
      assert.ok(typeof acc.timestamp === 'number');
      assert.deepStrictEqual(r.json.run.data.params, [{ key: 'lr', value: '0.1' }]);
      const missing = await call(emu, 'GET', `${tracking}/api/2.0/mlflow/runs/get?run_id=nope`, { token: armToken(emu) });
      assert.strictEqual(missing.status, 404);
      assert.strictEqual(missing.json.error_code, 'RESOURCE_DOES_NOT_EXIST');
    });
  });
});
