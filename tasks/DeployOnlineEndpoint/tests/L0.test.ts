// L0 tests: the tsc-compiled task's main run by task-lib's MockTestRunner (tests/L0/scenario.js), with recording
// fakes for the ML client, raw ARM (an in-memory endpoint) and the scoring client injected into main (see
// tests/L0/common.ts). Bad inputs fail before any fake is called; failure paths end with traffic on blue.
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { assertFailedBeforeAnyCall, callsOf, leakedBeyondAgentMasking, runScenario, type ScenarioRun } from '../../shared/tests/l0';
import { ENDPOINT_KEY, SP_KEY, type OnlineScenario } from './L0/common';

const SECRETS = [SP_KEY, ENDPOINT_KEY];
const scenario = (o: OnlineScenario = {}): Promise<ScenarioRun> =>
  runScenario(path.join(__dirname, 'L0', 'scenario.js'), { timeoutMs: 60000, env: { L0_ONLINE_SCENARIO_OPTIONS: JSON.stringify(o) } });

interface ArmCall { method: string; path: string; traffic?: Record<string, number>; mirrorTraffic?: Record<string, number>; containerType?: string }
const armCalls = (run: ScenarioRun): ArmCall[] => callsOf(run, 'arm') as ArmCall[];
const writes = (run: ScenarioRun): ArmCall[] => armCalls(run).filter((c) => c.method !== 'GET' && !c.path.endsWith('/listKeys') && !c.path.endsWith('/getLogs'));
const endpointPuts = (run: ScenarioRun): [Record<string, number> | undefined, Record<string, number> | undefined][] =>
  armCalls(run).filter((c) => c.method === 'PUT' && c.path === '<ws>/onlineEndpoints/energy-prod').map((c) => [c.traffic, c.mirrorTraffic]);

describe('DeployOnlineEndpoint L0 (MockTestRunner)', function () {
  this.timeout(180000);

  it('rolls v-2 out over v-1 in mirror 10, 10, 50, 100 and sets every output', async () => {
    const run = await scenario();
    assert.equal(run.result, 'Succeeded', run.stdout);
    assert.deepEqual(endpointPuts(run), [
      [{ 'v-1': 100, 'v-2': 0 }, { 'v-2': 10 }], [{ 'v-1': 90, 'v-2': 10 }, {}], [{ 'v-1': 50, 'v-2': 50 }, {}], [{ 'v-1': 0, 'v-2': 100 }, {}],
    ]);
    assert.equal(run.outputs.deploymentName, 'v-2');
    assert.equal(run.outputs.previousDeployment, 'v-1');
    assert.equal(run.outputs.scoringUri, 'https://energy-prod.westeurope.inference.ml.azure.com/score');
    assert.equal(run.outputs.swaggerUri, 'https://energy-prod.westeurope.inference.ml.azure.com/swagger.json');
    assert.deepEqual(leakedBeyondAgentMasking(run, SECRETS), []);
  });

  const bad: [string, Record<string, string>, RegExp][] = [
    ['rollout steps that do not increase', { rolloutSteps: 'mirror:10, 50, 10, 100' }, /^Input 'rolloutSteps': steps do not increase \('live 50 %' then '10'\)/],
    ['a rollout step over 100', { rolloutSteps: '10, 150' }, /^Input 'rolloutSteps': '150' is outside 1-100/],
    ['an instance type that is no VM size', { instanceType: 'DS3_v2' }, /^Input 'instanceType': 'DS3_v2' is not an Azure VM size/],
    ['an instance count of 0', { instanceCount: '0' }, /^Input 'instanceCount': '0' is not a whole number of instances\. Expected an integer of 1 or more\.$/],
    ['an endpoint name that breaks Azure\'s rule', { endpointName: 'energy_prod' }, /^Input 'endpointName': 'energy_prod' is not a valid online endpoint name\. Expected 3-32 characters/],
    ['an endpoint name too long', { endpointName: `e${'x'.repeat(32)}` }, /^Input 'endpointName': .* is not a valid online endpoint name/],
    ['a malformed modelId', { modelId: 'energy:1:2' }, /^Input 'modelId': 'energy:1:2' is not a model version reference/],
    ['two environment sources', { condaFile: __filename }, /^Input 'condaFile': is set together with environment/],
  ];
  for (const [what, inputs, message] of bad) {
    it(`bad input, before any Azure call: ${what}`, async () => {
      assertFailedBeforeAnyCall(await scenario({ inputs }), message, SECRETS);
    });
  }

  it('a model version that does not exist fails after the reads, naming modelId, with nothing written', async () => {
    const run = await scenario({ inputs: { modelId: 'azureml:energy:9' } });
    assert.equal(run.result, 'Failed');
    assert.equal(run.message, "Input 'modelId': model 'energy' version '9' in workspace 'ws-prod' does not exist. Expected a registered model version (the modelId output of RegisterModel).");
    assert.deepEqual(writes(run), []);
  });

  it('a green that answers differently fails step 1 on agreement: all traffic back on v-1, green\'s two logs printed neutralised', async () => {
    const run = await scenario({ inputs: { modelId: 'azureml:energy:3' }, factors: { '3': 3 } });
    assert.equal(run.result, 'Failed', run.stdout);
    assert.match(run.message, /^Step 1\/4 \(mirror 10 %\) failed: agreement: .*All traffic is back on 'v-1'\.$/);
    assert.deepEqual(endpointPuts(run), [[{ 'v-1': 100, 'v-3': 0 }, { 'v-3': 10 }], [{ 'v-1': 100, 'v-3': 0 }, {}]]);
    assert.deepEqual(armCalls(run).filter((c) => c.path.endsWith('/getLogs')).map((c) => c.containerType), ['StorageInitializer', 'InferenceServer']);
    assert.doesNotMatch(run.stdout, /^##vso\[task\.complete result=Succeeded;\]injected/m);
    assert.equal(run.outputs.previousDeployment, 'v-1');
    assert.deepEqual(leakedBeyondAgentMasking(run, SECRETS), []);
  });

  it('a deployment that fails to provision: its logs, a failure naming Azure\'s reason, and no traffic change', async () => {
    const run = await scenario({ provisioningError: { code: 'ResourceNotReady', message: 'User container has crashed or terminated.' } });
    assert.equal(run.result, 'Failed', run.stdout);
    assert.match(run.message, /deployment 'v-2' failed in Azure: ResourceNotReady\. User container has crashed or terminated.*the endpoint's traffic is unchanged/);
    assert.deepEqual(endpointPuts(run), []);
    assert.equal(armCalls(run).filter((c) => c.path.endsWith('/getLogs')).length, 2);
  });

  it('Azure refuses the deployment for quota: the failure names instanceType', async () => {
    const run = await scenario({ putError: { status: 400, code: 'OutOfQuota', message: 'Not enough quota available for Standard_DS3_v2 in SubscriptionId x. Current usage/limit: 32/32.' } });
    assert.equal(run.result, 'Failed', run.stdout);
    assert.match(run.message, /^Input 'instanceType': Azure has not enough quota for 1 x Standard_DS3_v2 \(OutOfQuota: Not enough quota available/);
    assert.deepEqual(endpointPuts(run), []);
  });

  it('modelId as a model name deploys its latest version', async () => {
    const run = await scenario({ inputs: { modelId: 'energy' } });
    assert.equal(run.result, 'Succeeded', run.stdout);
    assert.deepEqual(callsOf(run, 'modelContainers.get'), [{ name: 'energy' }]);
    assert.equal(run.outputs.deploymentName, 'v-3');
  });

  it('a new endpoint: created with the auth mode, and the first deployment takes all traffic after its own probe', async () => {
    const run = await scenario({ blue: false, inputs: { authMode: 'key' } });
    assert.equal(run.result, 'Succeeded', run.stdout);
    assert.deepEqual(endpointPuts(run), [[{}, {}], [{ 'v-2': 100 }, {}]]);
    assert.equal(run.outputs.previousDeployment, '');
  });
});
