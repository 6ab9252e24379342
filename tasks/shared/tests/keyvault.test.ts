import './helpers';
import * as assert from 'node:assert/strict';
import * as tls from 'node:tls';
import * as sinon from 'sinon';
import * as tl from 'azure-pipelines-task-lib/task';
import { contextOf, type AzureContext } from '../src/azure';
import type { CloudEndpoints } from '../src/cloud';
import { TaskError } from '../src/errors';
import { InputError } from '../src/inputs';
import { clientOptions } from '../src/http';
import { getSecret, maskValue, secretClient, setSecret, vaultUrl } from '../src/keyvault';
import { json, makeCa, StaticCredential, startHttpsServer, TestCa, TestServer } from './helpers';
import { installDnsPreload } from '../../../test/harness/run-task';

const CLOUD: CloudEndpoints = { name: 'AzureCloud', armUrl: 'https://management.azure.com', armScope: 's', authorityHost: 'https://login.microsoftonline.com', keyVaultDnsSuffix: 'vault.azure.net' };

describe('keyvault', function () {
  this.timeout(30000);
  const sb = sinon.createSandbox();
  let ca: TestCa;
  let server: TestServer;
  const secrets = new Map<string, string>([['db-password', 'p4ss'], ['multi', 'line-one\nline-two']]);
  let masked: string[];
  /** The test server as a vault of the test cloud (suffix vault.localhost; *.localhost resolves to it). */
  let vault: string;

  before(async () => {
    installDnsPreload();
    ca = makeCa();
    server = await startHttpsServer(ca, (r, res) => {
      if (!r.headers.authorization) {
        res.writeHead(401, { 'www-authenticate': `Bearer authorization="https://login.local/tenant-1", resource="https://vault.azure.net"` });
        return res.end();
      }
      const m = /^\/secrets\/([^/?]+)\/?/.exec(r.url);
      if (!m) return json(res, 400, { error: { code: 'BadParameter', message: r.url } });
      const name = m[1];
      if (name === 'forbidden') return json(res, 403, { error: { code: 'Forbidden', message: 'Caller is not authorized.' } });
      if (r.method === 'PUT') {
        const body = JSON.parse(r.body) as { value: string; tags?: Record<string, string> };
        secrets.set(name, body.value);
        return json(res, 200, { value: body.value, id: `${server.url}/secrets/${name}/v1`, tags: body.tags, attributes: {} });
      }
      if (!secrets.has(name)) return json(res, 404, { error: { code: 'SecretNotFound', message: `A secret with (name/id) ${name} was not found in this key vault.` } });
      return json(res, 200, { value: secrets.get(name), id: `${server.url}/secrets/${name}/v1`, attributes: {} });
    });
  });
  before(() => {
    vault = server.url.replace('//localhost:', '//kv1.vault.localhost:');
  });
  after(() => server.close());
  beforeEach(() => {
    masked = [];
    sb.stub(tl, 'setSecret').callsFake((s: string) => void masked.push(s));
  });
  afterEach(() => sb.restore());

  const ctx = (): AzureContext => contextOf({
    connection: {} as AzureContext['connection'],
    credential: new StaticCredential(),
    subscriptionId: 's',
    cloud: { ...CLOUD, keyVaultDnsSuffix: 'vault.localhost' },
    http: { userAgent: 'test', tlsOptions: { ca: [...tls.rootCertificates, ca.ca] } },
  });

  it('vaultUrl: names become https://<name>.<suffix>, URIs are validated', () => {
    assert.equal(vaultUrl('My-Vault1', CLOUD), 'https://my-vault1.vault.azure.net');
    assert.equal(vaultUrl('kv1', { ...CLOUD, keyVaultDnsSuffix: 'vault.usgovcloudapi.net' }), 'https://kv1.vault.usgovcloudapi.net');
    assert.equal(vaultUrl('https://kv1.vault.azure.net/', CLOUD), 'https://kv1.vault.azure.net');
    assert.equal(vaultUrl(' https://kv1.vault.localhost:8443 ', { ...CLOUD, keyVaultDnsSuffix: 'vault.localhost:8443' }), 'https://kv1.vault.localhost:8443');
    assert.equal(vaultUrl('https://kv1.vault.azure.cn', { ...CLOUD, name: 'AzureChinaCloud', keyVaultDnsSuffix: 'vault.azure.cn' }), 'https://kv1.vault.azure.cn');
  });

  // issue 15 item 3: a vault URI gets the connection's token (and a written secret) only on the cloud's vault suffix
  for (const [bad, host] of [
    ['https://kv1.vault.localhost:8443', 'kv1.vault.localhost:8443'], // the test cloud's vaults on a public-cloud connection
    ['https://kv1.vault.azure.net.evil.example', 'kv1.vault.azure.net.evil.example'],
    ['https://evilvault.azure.net', 'evilvault.azure.net'],
    ['https://a.b.vault.azure.net', 'a.b.vault.azure.net'],
    ['https://vault.azure.net', 'vault.azure.net'],
    ['https://kv1.vault.azure.cn', 'kv1.vault.azure.cn'],
    ['https://127.0.0.1:8443', '127.0.0.1:8443'],
  ]) {
    it(`vaultUrl refuses the host of ${bad} on a public-cloud connection, naming host and input`, () => {
      assert.throws(() => vaultUrl(bad, CLOUD, 'keyVault'), (e: unknown) => {
        assert.ok(e instanceof InputError);
        assert.equal(e.input, 'keyVault');
        assert.equal(e.message, `Input 'keyVault': the vault URI names the host '${host}', which is not a Key Vault of the service connection's cloud: refusing to send it a token or secret. Expected a vault name, or https://<vault>.vault.azure.net.`);
        return true;
      });
    });
  }

  for (const bad of ['ab', 'a'.repeat(25), '1vault', 'my_vault', 'vault-', 'my--vault', 'http://kv1.vault.azure.net', 'https://kv1.vault.azure.net/?sig=x', 'ftp://x', 'https://']) {
    it(`vaultUrl rejects ${JSON.stringify(bad)} with an InputError naming 'keyVault'`, () => {
      assert.throws(() => vaultUrl(bad, CLOUD), (e: unknown) => {
        assert.ok(e instanceof InputError);
        assert.equal(e.input, 'keyVault');
        assert.match(e.message, /Expected a vault name \(3-24 letters, digits or '-', starting with a letter\) or an https:\/\/ vault URI\./);
        assert.doesNotMatch(e.message, /sig=x/);
        return true;
      });
    });
  }

  it('secretClient resolves vault names with the cloud suffix', () => {
    assert.equal(secretClient(ctx(), 'kv1').vaultUrl, 'https://kv1.vault.localhost');
  });

  it('getSecret follows the vault challenge, returns the value and masks it first', async () => {
    const v = await getSecret(ctx(), vault, 'db-password');
    assert.equal(v, 'p4ss');
    assert.ok(masked.includes('p4ss'));
    const r = server.requests.filter((q) => q.url.startsWith('/secrets/db-password'));
    assert.equal(r.length, 2, 'first request without token, second with');
    assert.equal(r[1].headers.authorization, 'Bearer arm-token');
  });

  it('masks multi-line values line by line', async () => {
    await getSecret(ctx(), vault, 'multi');
    // never the whole value: task-lib 5's setSecret throws on a line break (a PEM certificate secret has many)
    assert.ok(!masked.some((m) => /[\r\n]/.test(m)) && masked.includes('line-one') && masked.includes('line-two'), JSON.stringify(masked));
    masked = [];
    maskValue('');
    assert.deepEqual(masked, []);
  });

  it('404: undefined when optional, otherwise a TaskError naming secret and vault', async () => {
    assert.equal(await getSecret(ctx(), vault, 'missing', { optional: true }), undefined);
    await assert.rejects(getSecret(ctx(), vault, 'missing'), (e: unknown) => {
      assert.ok(e instanceof TaskError);
      assert.match(e.message, /^Reading secret 'missing' from Key Vault https:\/\/kv1\.vault\.localhost:\d+ failed: SecretNotFound \(404\)/);
      return true;
    });
  });

  it('403 names the Key Vault role', async () => {
    await assert.rejects(getSecret(ctx(), vault, 'forbidden', { optional: true }), /Key Vault Secrets User/);
  });

  it('rejects invalid secret names before calling the vault', async () => {
    await assert.rejects(getSecret(ctx(), vault, 'bad_name'), /secret name 'bad_name' is not valid/);
  });

  it('setSecret masks the value and sends tags', async () => {
    await setSecret(ctx(), vault, 'new-one', 'v@lue', { 'ado.runId': '7' });
    assert.ok(masked.includes('v@lue'));
    assert.equal(secrets.get('new-one'), 'v@lue');
    const put = server.requests.filter((q) => q.method === 'PUT').at(-1);
    assert.deepEqual((JSON.parse(put!.body) as { tags: unknown }).tags, { 'ado.runId': '7' });
    await assert.rejects(setSecret(ctx(), vault, 'forbidden', 'x'), /Setting secret 'forbidden'.*Key Vault Secrets Officer/);
  });

  it('with challenge verification on (real vaults), a vault naming a foreign resource gets no token', async () => {
    const { SecretClient } = await import('@azure/keyvault-secrets');
    const strict = new SecretClient(server.url, new StaticCredential(), clientOptions(ctx().http));
    await assert.rejects(strict.getSecret('db-password'), /resource|domain|challenge/i);
    assert.equal(server.requests.at(-1)?.headers.authorization, undefined);
  });
});
