import './helpers';
import * as assert from 'node:assert/strict';
import * as tls from 'node:tls';
import * as sinon from 'sinon';
import * as tl from 'azure-pipelines-task-lib/task';
import { StorageSharedKeyCredential } from '@azure/storage-blob';
import { contextOf, type AzureContext } from '../src/azure';
import { TaskError } from '../src/errors';
import { datastoreBlobEndpoint, datastoreContainer, resolveWorkspace, studioUrls, toHttps } from '../src/workspace';
import { json, makeCa, StaticCredential, startHttpsServer, TestCa, TestServer } from './helpers';

const SUB = '00000000-0000-0000-0000-000000000001';
const WSID = `/subscriptions/${SUB}/resourceGroups/rg1/providers/Microsoft.MachineLearningServices/workspaces/ws1`;

interface State {
  workspace: number;
  listDefault: unknown[];
  blobstore: number;
  secrets: unknown;
  secretsStatus: number;
  mlflow?: string;
}

describe('workspace', function () {
  this.timeout(30000);
  const sb = sinon.createSandbox();
  let ca: TestCa;
  let server: TestServer;
  let state: State;
  let masked: string[];
  const blobDs = (name: string, isDefault: boolean): unknown => ({
    id: `${WSID}/datastores/${name}`,
    name,
    properties: { datastoreType: 'AzureBlob', accountName: 'acct1', containerName: 'azureml-blobstore-1', endpoint: 'core.windows.net', protocol: 'https', isDefault, credentials: { credentialsType: 'AccountKey' } },
  });

  before(async () => {
    ca = makeCa();
    server = await startHttpsServer(ca, (r, res) => {
      const u = new URL(r.url, 'https://x');
      const p = u.pathname;
      if (p.endsWith('/workspaces/ws1')) {
        if (state.workspace !== 200) return json(res, state.workspace, { error: { code: 'ResourceNotFound', message: "The Resource 'ws1' was not found." } });
        return json(res, 200, {
          id: WSID,
          name: 'ws1',
          location: 'westeurope',
          properties: {
            discoveryUrl: 'https://westeurope.api.azureml.ms/discovery',
            mlFlowTrackingUri: state.mlflow,
            containerRegistry: '/subscriptions/s/resourceGroups/rg1/providers/Microsoft.ContainerRegistry/registries/acr1',
            applicationInsights: '/subscriptions/s/resourceGroups/rg1/providers/Microsoft.Insights/components/ai1',
          },
        });
      }
      if (p.endsWith('/datastores')) {
        assert.equal(u.searchParams.get('isDefault'), 'true');
        return json(res, 200, { value: state.listDefault });
      }
      if (p.endsWith('/datastores/workspaceblobstore')) {
        return state.blobstore === 200 ? json(res, 200, blobDs('workspaceblobstore', false)) : json(res, state.blobstore, { error: { code: 'NotFound', message: 'no' } });
      }
      if (p.endsWith('/listSecrets')) return json(res, state.secretsStatus, state.secrets);
      return json(res, 404, { error: { code: 'NotFound', message: p } });
    });
  });
  after(() => server.close());
  beforeEach(() => {
    state = { workspace: 200, listDefault: [blobDs('mystore', true)], blobstore: 200, secrets: { secretsType: 'AccountKey', key: 'a2V5a2V5a2V5' }, secretsStatus: 200, mlflow: 'azureml://westeurope.api.azureml.ms/mlflow/v1.0' + WSID };
    masked = [];
    sb.stub(tl, 'setSecret').callsFake((s: string) => void masked.push(s));
  });
  afterEach(() => sb.restore());

  const ctx = (cloudName = 'AzureCloud'): AzureContext => contextOf({
    connection: {} as AzureContext['connection'],
    credential: new StaticCredential(),
    subscriptionId: SUB,
    cloud: { name: cloudName, armUrl: server.url, armScope: 'https://management.local/.default', authorityHost: 'https://login.local', keyVaultDnsSuffix: 'vault.localhost' },
    http: { userAgent: 'test', tlsOptions: { ca: [...tls.rootCertificates, ca.ca] } },
  });

  it('helpers: azureml:// → https://, blob endpoint from the datastore, studio URLs', () => {
    assert.equal(toHttps('azureml://eastus.api.azureml.ms/mlflow/v1.0/x'), 'https://eastus.api.azureml.ms/mlflow/v1.0/x');
    assert.equal(toHttps('https://a/b'), 'https://a/b');
    assert.equal(datastoreBlobEndpoint({ accountName: 'a', endpoint: 'core.chinacloudapi.cn', protocol: 'https' }, 'x'), 'https://a.blob.core.chinacloudapi.cn');
    assert.equal(datastoreBlobEndpoint({ accountName: 'a' }, 'core.usgovcloudapi.net'), 'https://a.blob.core.usgovcloudapi.net');
    const u = studioUrls('ml.azure.com', WSID);
    assert.equal(u.studioJobUrl('train 1'), `https://ml.azure.com/runs/train%201?wsid=${WSID}`);
    assert.equal(u.studioModelUrl('m', '3'), `https://ml.azure.com/model/m:3/details/overview?wsid=${WSID}`);
  });

  it('resolves the workspace, its default datastore and the https MLflow URI', async () => {
    const ws = await resolveWorkspace(ctx(), 'rg1', 'ws1');
    assert.equal(ws.id, WSID);
    assert.equal(ws.name, 'ws1');
    assert.equal(ws.location, 'westeurope');
    assert.deepEqual(ws.defaultDatastore, { name: 'mystore', accountName: 'acct1', containerName: 'azureml-blobstore-1', blobEndpoint: 'https://acct1.blob.core.windows.net', credentialsType: 'AccountKey' });
    assert.equal(ws.mlflowTrackingUri, `https://westeurope.api.azureml.ms/mlflow/v1.0${WSID}`);
    assert.equal(ws.discoveryUrl, 'https://westeurope.api.azureml.ms/discovery');
    assert.match(ws.containerRegistryId ?? '', /registries\/acr1$/);
    assert.match(ws.applicationInsightsId ?? '', /components\/ai1$/);
    assert.equal(ws.studioJobUrl('j1'), `https://ml.azure.com/runs/j1?wsid=${WSID}`);
  });

  it('sovereign clouds get their studio host', async () => {
    assert.match((await resolveWorkspace(ctx('AzureUSGovernment'), 'rg1', 'ws1')).studioJobUrl('j'), /^https:\/\/ml\.azure\.us\/runs\/j\?/);
    assert.match((await resolveWorkspace(ctx('AzureChinaCloud'), 'rg1', 'ws1')).studioModelUrl('m', '1'), /^https:\/\/studio\.ml\.azure\.cn\/model\/m:1\//);
  });

  it('falls back to workspaceblobstore and derives MLflow from the discovery host', async () => {
    state.listDefault = [];
    state.mlflow = undefined;
    const ws = await resolveWorkspace(ctx(), 'rg1', 'ws1');
    assert.equal(ws.defaultDatastore.name, 'workspaceblobstore');
    assert.equal(ws.mlflowTrackingUri, `https://westeurope.api.azureml.ms/mlflow/v1.0${WSID}`);
  });

  it('no default blob datastore is a TaskError with a hint', async () => {
    state.listDefault = [];
    state.blobstore = 404;
    await assert.rejects(resolveWorkspace(ctx(), 'rg1', 'ws1'), (e: unknown) => e instanceof TaskError && /has no default Azure Blob datastore/.test(e.message));
  });

  it('a missing workspace names workspace and resource group', async () => {
    state.workspace = 404;
    await assert.rejects(resolveWorkspace(ctx(), 'rg1', 'ws1'), (e: unknown) => {
      assert.ok(e instanceof TaskError);
      assert.match(e.message, /^Reading workspace 'ws1' in resource group 'rg1' failed: ResourceNotFound \(404\).*Hint: workspace 'ws1' in resource group 'rg1' was not found/);
      return true;
    });
  });

  it('datastoreContainer: account key → shared key credential at <protocol>://<account>.blob.<endpoint>/<container>, key masked', async () => {
    const ws = await resolveWorkspace(ctx(), 'rg1', 'ws1');
    const c = await datastoreContainer(ctx(), ws);
    assert.equal(c.url, 'https://acct1.blob.core.windows.net/azureml-blobstore-1');
    assert.equal(c.accountName, 'acct1');
    assert.ok(c.credential instanceof StorageSharedKeyCredential);
    assert.ok(masked.includes('a2V5a2V5a2V5'));
  });

  it("datastoreContainer: an endpoint or protocol outside the connection's cloud gets no key, SAS or token (issue 15 item 3)", async () => {
    for (const [endpoint, protocol, shown] of [['blob-collector.example', 'https', "'https://acct1.blob.blob-collector.example'"], ['core.windows.net', 'http', "'http://acct1.blob.core.windows.net'"]]) {
      const ws = await resolveWorkspace(ctx(), 'rg1', 'ws1');
      const hostile = { ...ws, defaultDatastore: { ...ws.defaultDatastore, blobEndpoint: datastoreBlobEndpoint({ accountName: 'acct1', endpoint, protocol }, 'core.windows.net') } };
      masked = [];
      await assert.rejects(datastoreContainer(ctx(), hostile), (e: unknown) => e instanceof TaskError && e.message.includes(shown) && /refusing to send it a token, key or SAS/.test(e.message));
      assert.deepEqual(masked, [], 'no secret was read');
    }
  });

  it('datastoreContainer: SAS → SAS URL, masked', async () => {
    state.secrets = { secretsType: 'Sas', sasToken: '?sv=2021&sig=abc' };
    const ws = await resolveWorkspace(ctx(), 'rg1', 'ws1');
    const c = await datastoreContainer(ctx(), ws);
    assert.equal(c.url, 'https://acct1.blob.core.windows.net/azureml-blobstore-1?sv=2021&sig=abc');
    assert.ok(masked.includes('sv=2021&sig=abc'));
    assert.ok(masked.includes('https://acct1.blob.core.windows.net/azureml-blobstore-1?sv=2021&sig=abc'));
  });

  it('datastoreContainer: identity-based datastore → the task credential; other errors are described', async () => {
    state.secretsStatus = 400;
    state.secrets = { error: { code: 'UserError', message: 'No secrets for identity-based datastore' } };
    const ws = await resolveWorkspace(ctx(), 'rg1', 'ws1');
    const c = await datastoreContainer(ctx(), ws);
    assert.equal(c.url, 'https://acct1.blob.core.windows.net/azureml-blobstore-1');
    assert.ok(c.credential instanceof StaticCredential);
    state.secretsStatus = 403;
    state.secrets = { error: { code: 'AuthorizationFailed', message: 'no listSecrets' } };
    await assert.rejects(datastoreContainer(ctx(), ws), /Reading the credentials of datastore 'mystore'.*AzureML Data Scientist/);
  });
});
