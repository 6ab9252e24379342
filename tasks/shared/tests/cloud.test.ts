import './helpers';
import * as assert from 'node:assert/strict';
import { checkRegistryHost, cloudFromData, registrySuffix, storageSuffix, studioHost } from '../src/cloud';
import { InputError } from '../src/inputs';

describe('cloud', () => {
  it('uses connection data over defaults and keeps the resource id slash in the scope', () => {
    const c = cloudFromData({
      url: 'https://arm.local:8443/',
      environment: 'AzureStack',
      activeDirectoryAuthority: 'https://login.local:8443/',
      activeDirectoryServiceEndpointResourceId: 'https://management.local/',
      azureKeyVaultDnsSuffix: 'vault.local',
    });
    assert.deepEqual(c, {
      name: 'AzureStack',
      armUrl: 'https://arm.local:8443',
      armScope: 'https://management.local//.default',
      authorityHost: 'https://login.local:8443',
      keyVaultDnsSuffix: 'vault.local',
    });
  });

  it('falls back to environmentAuthorityUrl and the ARM URL as audience', () => {
    const c = cloudFromData({ url: 'https://management.azure.com/', environmentAuthorityUrl: 'https://login.windows.net/' });
    assert.equal(c.authorityHost, 'https://login.windows.net');
    assert.equal(c.armScope, 'https://management.azure.com/.default');
    assert.equal(c.name, 'AzureCloud');
    assert.equal(c.keyVaultDnsSuffix, 'vault.azure.net');
  });

  it('has documented defaults for the US Government and China clouds', () => {
    const us = cloudFromData({ url: 'https://management.usgovcloudapi.net', environment: 'AzureUSGovernment' });
    assert.equal(us.authorityHost, 'https://login.microsoftonline.us');
    assert.equal(us.keyVaultDnsSuffix, 'vault.usgovcloudapi.net');
    assert.equal(storageSuffix(us), 'core.usgovcloudapi.net');
    assert.equal(studioHost(us), 'ml.azure.us');
    const cn = cloudFromData({ url: 'https://management.chinacloudapi.cn', environment: 'azurechinacloud' });
    assert.equal(cn.authorityHost, 'https://login.chinacloudapi.cn');
    assert.equal(cn.keyVaultDnsSuffix, 'vault.azure.cn');
    assert.equal(studioHost(cn), 'studio.ml.azure.cn');
    assert.equal(storageSuffix(cn), 'core.chinacloudapi.cn');
  });

  it('public cloud studio and storage defaults; custom clouds use their own storage suffix', () => {
    const pub = cloudFromData({ url: 'https://management.azure.com' });
    assert.equal(studioHost(pub), 'ml.azure.com');
    assert.equal(storageSuffix(pub), 'core.windows.net');
    const custom = cloudFromData({ url: 'https://arm.local', environment: 'Custom', activeDirectoryAuthority: 'https://login.local', storageDnsSuffix: '.blob-suffix.local' });
    assert.equal(storageSuffix(custom), 'blob-suffix.local');
  });

  it('an unknown environment without authority is an input error', () => {
    assert.throws(() => cloudFromData({ url: 'https://arm.local', environment: 'Mystery' }, 'conn'), (e: unknown) => {
      assert.ok(e instanceof InputError);
      assert.equal(e.input, 'conn');
      assert.match(e.message, /environment 'Mystery' has no activeDirectoryAuthority/);
      return true;
    });
  });

  it('rejects non-https ARM URL and authority', () => {
    assert.throws(() => cloudFromData({ url: 'http://arm.local' }), /is not https/);
    assert.throws(() => cloudFromData({ url: 'https://arm.local', activeDirectoryAuthority: 'http://login.local' }), /activeDirectoryAuthority.*is not https/);
    assert.throws(() => cloudFromData({ url: 'not a url' }), /is not a URL/);
  });

  it('registry suffix per cloud: azurecr.io/.us/.cn, the connection\'s acrLoginServerEndpoint over it, none for an unknown cloud', () => {
    assert.equal(registrySuffix(cloudFromData({ url: 'https://management.azure.com' })), 'azurecr.io');
    assert.equal(registrySuffix(cloudFromData({ url: 'https://management.usgovcloudapi.net', environment: 'AzureUSGovernment' })), 'azurecr.us');
    assert.equal(registrySuffix(cloudFromData({ url: 'https://management.chinacloudapi.cn', environment: 'AzureChinaCloud' })), 'azurecr.cn');
    assert.equal(registrySuffix(cloudFromData({ url: 'https://management.azure.com', acrDnsSuffix: '.azurecr.localhost' })), 'azurecr.localhost');
    assert.equal(registrySuffix(cloudFromData({ url: 'https://arm.local', environment: 'AzureStack', activeDirectoryAuthority: 'https://login.local' })), undefined);
  });

  it('registry credentials go only to <registry>.<acr suffix> (issue 15 item 3)', () => {
    const pub = cloudFromData({ url: 'https://management.azure.com' });
    for (const ok of ['myacr.azurecr.io', 'MyAcr.AzureCR.io', 'https://myacr.azurecr.io', 'myacr.azurecr.io:443', 'myacr-a1b2c3.azurecr.io']) {
      assert.doesNotThrow(() => checkRegistryHost(ok, 'myacr', pub, 'Registry'), ok);
    }
    const refused = (host: string, shown: string, cloud = pub): void => {
      assert.throws(() => checkRegistryHost(host, 'myacr', cloud, "Registry 'myacr' (its loginServer from ARM)"), (e: unknown) => {
        assert.match(String((e as Error).message), new RegExp(`^Registry 'myacr' \\(its loginServer from ARM\\) names '${shown.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}', which is not the login server of registry 'myacr' in the connection's cloud \\(.*\\): refusing to send it registry credentials\\.$`));
        return true;
      }, host);
    };
    refused('other.azurecr.io', 'other.azurecr.io');
    refused('myacr.azurecr.io.evil.example', 'myacr.azurecr.io.evil.example');
    refused('myacr.evil.example', 'myacr.evil.example');
    refused('myacr.azurecr.cn', 'myacr.azurecr.cn');
    refused('http://myacr.azurecr.io', 'http://myacr.azurecr.io');
    refused('x.myacr.azurecr.io', 'x.myacr.azurecr.io');
    refused('myacr-evil.example.azurecr.io', 'myacr-evil.example.azurecr.io');
    // an unknown cloud without acrLoginServerEndpoint: nothing is trusted
    refused('myacr.azurecr.io', 'myacr.azurecr.io', cloudFromData({ url: 'https://arm.local', environment: 'AzureStack', activeDirectoryAuthority: 'https://login.local' }));
  });
});
