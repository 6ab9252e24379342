import './helpers';
import * as assert from 'node:assert/strict';
import * as sinon from 'sinon';
import * as tl from 'azure-pipelines-task-lib/task';
import { ClientAssertionCredential, ClientCertificateCredential, ClientSecretCredential, ManagedIdentityCredential } from '@azure/identity';
import { createCredential } from '../src/credentials';
import { maskPem, readServiceConnection } from '../src/connection';
import { InputError } from '../src/inputs';
import { Endpoint, stubAgent } from './helpers';

const PEM = '-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIUfakecertline1xx\n-----END CERTIFICATE-----\n-----BEGIN PRIVATE KEY-----\nMIGHAgEAMBMGByqGSM49AgEGCCqfakekeyline\n-----END PRIVATE KEY-----\n';

function endpoint(scheme: string, auth: Record<string, string>, data: Record<string, string> = {}): Endpoint {
  return {
    id: 'conn-1',
    url: 'https://management.azure.com/',
    scheme,
    auth: { tenantid: 'tenant-1', ...auth },
    data: { subscriptionId: 'sub-1', environment: 'AzureCloud', ...data },
  };
}

describe('connection', () => {
  const sb = sinon.createSandbox();
  let masked: string[];
  beforeEach(() => {
    masked = [];
    sb.stub(tl, 'setSecret').callsFake((s: string) => void masked.push(s));
  });
  afterEach(() => sb.restore());
  const given = (ep: Endpoint, input = 'azureSubscription'): void => stubAgent(sb, { inputs: { [input]: ep.id }, endpoints: [ep] });

  it('reads a secret service principal and masks the secret', async () => {
    given(endpoint('ServicePrincipal', { serviceprincipalid: 'app-1', serviceprincipalkey: 's3cret', authenticationType: 'spnKey' }));
    const c = readServiceConnection();
    assert.deepEqual(
      { ...c, cloud: undefined },
      { id: 'conn-1', scheme: 'ServicePrincipal', tenantId: 'tenant-1', clientId: 'app-1', subscriptionId: 'sub-1', secret: 's3cret', cloud: undefined },
    );
    assert.equal(c.cloud.armUrl, 'https://management.azure.com');
    assert.deepEqual(masked, ['s3cret']);
    assert.ok((await createCredential(c, { userAgent: 'x' }).credential()) instanceof ClientSecretCredential);
  });

  it('reads a certificate service principal and masks every line of the PEM', async () => {
    given(endpoint('ServicePrincipal', { serviceprincipalid: 'app-1', servicePrincipalCertificate: PEM, authenticationType: 'spnCertificate' }));
    const c = readServiceConnection();
    assert.equal(c.certificatePem, PEM.trim());
    assert.equal(c.secret, undefined);
    assert.ok(masked.includes('MIGHAgEAMBMGByqGSM49AgEGCCqfakekeyline'));
    assert.ok(masked.every((m) => !/[\r\n]/.test(m)), 'task-lib refuses multi-line secrets');
    assert.ok((await createCredential(c, { userAgent: 'x' }).credential()) instanceof ClientCertificateCredential);
  });

  it('reads workload identity and managed identity connections without secrets', async () => {
    given(endpoint('WorkloadIdentityFederation', { serviceprincipalid: 'app-2' }));
    const w = readServiceConnection();
    assert.equal(w.scheme, 'WorkloadIdentityFederation');
    assert.equal(w.secret, undefined);
    assert.ok((await createCredential(w, { userAgent: 'x' }).credential()) instanceof ClientAssertionCredential);
    sb.restore();
    sb.stub(tl, 'setSecret');
    given(endpoint('managedserviceidentity', { tenantid: '' }));
    const m = readServiceConnection();
    assert.equal(m.scheme, 'ManagedServiceIdentity');
    assert.equal(m.clientId, undefined);
    assert.ok((await createCredential(m, { userAgent: 'x' }).credential()) instanceof ManagedIdentityCredential);
  });

  it('uses a custom input name and the connection cloud data', () => {
    given(
      endpoint(
        'ServicePrincipal',
        { serviceprincipalid: 'a', serviceprincipalkey: 'k' },
        { environment: 'AzureUSGovernment', activeDirectoryAuthority: 'https://login.microsoftonline.us/', AzureKeyVaultDnsSuffix: 'vault.usgovcloudapi.net' },
      ),
      'conn',
    );
    const c = readServiceConnection('conn');
    assert.equal(c.cloud.name, 'AzureUSGovernment');
    assert.equal(c.cloud.authorityHost, 'https://login.microsoftonline.us');
  });

  const bad: [string, Endpoint, RegExp][] = [
    ['unsupported scheme', endpoint('UsernamePassword', {}), /unsupported scheme 'UsernamePassword'.*Expected one of ServicePrincipal/],
    ['no subscription', { ...endpoint('ServicePrincipal', { serviceprincipalid: 'a', serviceprincipalkey: 'k' }), data: {} }, /has no subscription id/],
    ['no tenant', endpoint('ServicePrincipal', { tenantid: '', serviceprincipalid: 'a', serviceprincipalkey: 'k' }), /has no tenant id/],
    ['no client id', endpoint('WorkloadIdentityFederation', {}), /has no service principal \(client\) id/],
    ['no key', endpoint('ServicePrincipal', { serviceprincipalid: 'a', authenticationType: 'spnKey' }), /has no service principal key/],
    ['no cert', endpoint('ServicePrincipal', { serviceprincipalid: 'a', authenticationType: 'spnCertificate' }), /without a certificate/],
    ['no url', { ...endpoint('ServicePrincipal', {}), url: undefined }, /is not available to this job/],
  ];
  for (const [name, ep, re] of bad) {
    it(`fails with an InputError naming the input: ${name}`, () => {
      given(ep);
      assert.throws(() => readServiceConnection(), (e: unknown) => {
        assert.ok(e instanceof InputError);
        assert.equal(e.input, 'azureSubscription');
        assert.match(e.message, re);
        assert.doesNotMatch(e.message, /\n/);
        return true;
      });
    });
  }

  it('fails when the input is empty', () => {
    stubAgent(sb, { inputs: {} });
    assert.throws(() => readServiceConnection(), /Input 'azureSubscription': is required/);
  });

  it('maskPem skips armour lines', () => {
    maskPem('-----BEGIN X-----\nabcdefghijklmnopqrstuvwxyz\nshort\n-----END X-----');
    assert.ok(masked.includes('abcdefghijklmnopqrstuvwxyz'));
    assert.ok(!masked.includes('-----BEGIN X-----'));
    // task-lib 5 throws on a multi-line secret, which broke every certificate connection
    assert.ok(masked.every((m) => !/[\r\n]/.test(m)), 'no masked value spans lines');
  });
});
