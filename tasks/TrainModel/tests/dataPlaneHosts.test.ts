// Issue 15 item 3: the run-history host comes from the discovery REPLY. The ARM token goes there only when
// it is one of the workspace's own data-plane hosts (from ARM: discoveryUrl, mlFlowTrackingUri); a hostile
// reply gets no token and one warning line naming its host.
import '../../shared/tests/helpers';
import * as assert from 'node:assert/strict';
import type { AccessToken } from '@azure/core-auth';
import type { AzureSession } from '../../shared/src/azure';
import { checkDataPlaneHost } from '../../shared/src/mlflow';
import type { WorkspaceInfo } from '../../shared/src/workspace';
import { captureStdout, startHttpServer, type TestServer } from '../../shared/tests/helpers';
import { fetchRunDetails } from '../src/dataplane';

describe('TrainModel: the Azure token goes only to the workspace data-plane hosts', () => {
  let discovery: TestServer;
  let history = '';
  before(async () => {
    discovery = await startHttpServer((_r, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ history, api: history }));
    });
  });
  after(() => discovery.close());

  it('a discovery reply naming another host: no token is requested, one warning names the host', async () => {
    history = 'https://collector.localhost:9';
    const scopes: string[] = [];
    const ctx = {
      credential: { getToken: async (s: string | string[]): Promise<AccessToken> => (scopes.push(String(s)), { token: 'arm-token', expiresOnTimestamp: Date.now() + 3600_000 }) },
      cloud: { armScope: 'https://management.azure.com/.default' },
      http: { userAgent: 't' },
    } as unknown as AzureSession;
    const ws = { id: '/subscriptions/s/resourceGroups/rg/providers/Microsoft.MachineLearningServices/workspaces/w', discoveryUrl: `${discovery.url}/discovery/workspaces/w`, mlflowTrackingUri: 'https://eastus.api.azureml.ms/mlflow/v1.0/x' } as WorkspaceInfo;
    const { result, out } = await captureStdout(() => fetchRunDetails({ ctx, ws } as unknown as Parameters<typeof fetchRunDetails>[0], 'job-1'));
    assert.equal(result, undefined);
    assert.deepEqual(scopes, [], 'no token was requested for the foreign host');
    const warnings = out.split('\n').filter((l) => l.startsWith('##vso[task.issue type=warning'));
    assert.equal(warnings.length, 1, out);
    assert.match(warnings[0], /names the host 'https:\/\/collector\.localhost:9', which is not an Azure ML data-plane host of this workspace/);
  });

  it('checkDataPlaneHost: https and the hosts ARM named only', () => {
    const ws = { discoveryUrl: 'https://eastus.api.azureml.ms/discovery/workspaces/x', mlflowTrackingUri: 'azureml://eastus.api.azureml.ms/mlflow/v1.0/x' };
    checkDataPlaneHost('https://eastus.api.azureml.ms/history/v1.0/x', ws, 'r');
    for (const bad of ['http://eastus.api.azureml.ms/h', 'https://eastus.api.azureml.ms.evil.example/h', 'https://westus.api.azureml.ms/h', 'not a url']) {
      assert.throws(() => checkDataPlaneHost(bad, ws, 'The reply'), /refusing to send it the Azure token/, bad);
    }
  });
});
