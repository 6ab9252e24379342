// Azure ML online endpoints in the emulator (services/aml-online.ts): ARM resources with real long-running
// operations, provisioning that really runs the scoring server (and really fails), keys and tokens, logs,
// quota errors, and the scoring front door (traffic, mirror traffic, the deployment header, auth).
import * as assert from 'assert';
import { AzureMachineLearningWorkspaces } from '@azure/arm-machinelearning';
import { ClientSecretCredential } from '@azure/identity';
import { installDnsPreload } from '../harness/run-task';
import { startTestBed, type TestBed } from '../harness/testbed';
import type { Emulator } from './index';
import { OLD, OnlineFixture } from './online-fixtures';
import { seedModelVersions } from './services/aml-models';
import { ML_AUDIENCE, onlineControl, onlineDeployments, onlineEndpoints } from './services/aml-online';

installDnsPreload();

describe('emulator: Azure ML online endpoints (aml-online)', function () {
  this.timeout(120_000);
  let bed: TestBed;
  let emu: Emulator;
  let fx: OnlineFixture;
  let token: string;
  const ep = (name: string): string => fx.ep(name);
  const dep = (endpoint: string, name: string): string => fx.dep(endpoint, name);
  const arm = (method: string, p: string, body?: unknown, api?: string) => fx.arm(method, p, body, api);
  const settle = (r: Parameters<OnlineFixture['settle']>[0]) => fx.settle(r);
  const putEndpoint = (name: string, properties: Record<string, unknown>) => fx.putEndpoint(name, properties);
  const putDeployment = (...a: Parameters<OnlineFixture['putDeployment']>) => fx.putDeployment(...a);
  const score = (...a: Parameters<OnlineFixture['score']>) => fx.score(...a);

  before(async () => {
    bed = await startTestBed();
    emu = bed.emulator;
    fx = new OnlineFixture(bed);
    token = fx.token;
    await fx.seed();
  });
  after(async () => bed?.stop());

  it('creates an endpoint with a long-running operation; the reply shapes follow the api-version', async () => {
    const put = await arm('PUT', ep('energy-prod'), { location: 'eastus', tags: { model: 'energy' }, properties: { authMode: 'Key', description: 'prod' } });
    assert.strictEqual(put.status, 201, put.text);
    assert.strictEqual(put.json.properties.provisioningState, 'Creating');
    assert.match(String(put.headers.location), /operationResults/);
    assert.strictEqual((await settle(put)).status, 'Succeeded');
    const get = await arm('GET', ep('energy-prod'));
    assert.strictEqual(get.json.properties.provisioningState, 'Succeeded');
    assert.strictEqual(get.json.properties.scoringUri, `https://energy-prod.eastus.inference.ml.localhost:${emu.port}/score`);
    assert.deepStrictEqual(get.json.properties.traffic, {});
    assert.deepStrictEqual(get.json.properties.mirrorTraffic, {});
    const old = await arm('GET', ep('energy-prod'), undefined, OLD);
    assert.strictEqual(old.json.properties.mirrorTraffic, undefined, '2022-10-01 has no mirrorTraffic');
    assert.strictEqual((await arm('GET', ep('energy-prod'), undefined, '2021-03-01-preview')).status, 400);
  });

  it('refuses bad endpoint names and auth modes as Azure does', async () => {
    assert.match((await arm('PUT', ep('1bad'), { location: 'eastus', properties: { authMode: 'Key' } })).json.error.message, /3-32 characters/);
    assert.match((await arm('PUT', ep('okname'), { location: 'eastus', properties: { authMode: 'Password' } })).json.error.message, /Key, AMLToken or AADToken/);
    assert.strictEqual((await arm('GET', ep('missing'))).status, 404);
  });

  it('provisions a deployment by really starting its scoring server; logs of both containers, with tail', async () => {
    const { put, op } = await putDeployment('energy-prod', 'v-1');
    assert.strictEqual(put.status, 201, put.text);
    assert.strictEqual(put.json.properties.provisioningState, 'Creating');
    assert.strictEqual(op.status, 'Succeeded', JSON.stringify(op));
    const get = await arm('GET', dep('energy-prod', 'v-1'));
    assert.strictEqual(get.json.properties.provisioningState, 'Succeeded');
    assert.strictEqual(get.json.sku.capacity, 1);
    const init = await arm('POST', `${dep('energy-prod', 'v-1')}/getLogs`, { containerType: 'StorageInitializer' });
    assert.match(init.json.content, /Downloaded 1 model file\(s\)/);
    assert.match(init.json.content, /Downloaded 1 code file\(s\)/);
    const server = await arm('POST', `${dep('energy-prod', 'v-1')}/getLogs`, { containerType: 'InferenceServer' });
    assert.match(server.json.content, /model loaded, factor 2/);
    const tail = await arm('POST', `${dep('energy-prod', 'v-1')}/getLogs`, { containerType: 'InferenceServer', tail: 1 });
    assert.strictEqual(tail.json.content.trim().split('\n').length, 1);
    assert.strictEqual((await arm('POST', `${dep('energy-prod', 'v-1')}/getLogs`, { containerType: 'Sidecar' })).status, 400);
  });

  it('routes scoring by traffic with the endpoint key; the header picks a deployment; no traffic is a 404', async () => {
    assert.strictEqual((await putDeployment('energy-prod', 'v-2', { model: '2' })).op.status, 'Succeeded');
    const keys = (await arm('POST', `${ep('energy-prod')}/listKeys`)).json;
    assert.ok(keys.primaryKey && keys.secondaryKey);
    const none = await score('energy-prod', { key: keys.primaryKey });
    assert.strictEqual(none.status, 404);
    assert.match(none.json.message, /No valid deployments to route to/);
    assert.strictEqual((await putEndpoint('energy-prod', { authMode: 'Key', traffic: { 'v-1': 100, 'v-2': 0 } })).status, 'Succeeded');
    assert.strictEqual((await score('energy-prod')).status, 401);
    assert.strictEqual((await score('energy-prod', { key: 'wrong' })).status, 401);
    const r = await score('energy-prod', { key: keys.secondaryKey, data: [1, 2, 3] });
    assert.strictEqual(r.status, 200, r.text);
    assert.deepStrictEqual(r.json, [2, 4, 6]);
    assert.strictEqual(r.headers['azureml-model-deployment'], 'v-1');
    const green = await score('energy-prod', { key: keys.primaryKey, deployment: 'v-2' });
    assert.strictEqual(green.headers['azureml-model-deployment'], 'v-2', 'the header reaches a deployment with 0 % traffic');
    assert.strictEqual((await score('energy-prod', { key: keys.primaryKey, deployment: 'v-9' })).status, 404);
  });

  it('splits live traffic by weight and mirrors a share to green, whose replies are discarded', async () => {
    let queue: number[] = [];
    onlineControl(emu).random = () => queue.shift() ?? 0.5;
    const v2 = onlineDeployments(emu).get('rg-ml/mlw/energy-prod/v-2')!;
    const greenRequests = (): number => (v2.inferenceServerLog.match(/POST \/score/g) ?? []).length;
    try {
      const keys = (await arm('POST', `${ep('energy-prod')}/listKeys`)).json;
      assert.strictEqual((await putEndpoint('energy-prod', { authMode: 'Key', traffic: { 'v-1': 100, 'v-2': 0 }, mirrorTraffic: { 'v-2': 50 } })).status, 'Succeeded');
      const seenBefore = greenRequests();
      queue = [0.1, 0.2, 0.1, 0.9]; // request 1: route, mirror (0.2 < 50 %); request 2: route, no mirror (0.9)
      const a = await score('energy-prod', { key: keys.primaryKey, data: [5] });
      const b = await score('energy-prod', { key: keys.primaryKey, data: [6] });
      assert.deepStrictEqual([a.headers['azureml-model-deployment'], b.headers['azureml-model-deployment']], ['v-1', 'v-1']);
      assert.deepStrictEqual([a.json, b.json], [[10], [12]]);
      const routed = onlineEndpoints(emu).get('rg-ml/mlw/energy-prod')!.routed.slice(-2);
      assert.deepStrictEqual(routed.map((x) => x.mirroredTo), [['v-2'], []]);
      for (let n = 0; n < 100 && greenRequests() < seenBefore + 1; n++) await new Promise((res) => setTimeout(res, 20));
      assert.strictEqual(greenRequests(), seenBefore + 1, 'the mirrored copy reached green exactly once');
      // a header-routed request is never mirrored
      queue = [0.0, 0.0];
      await score('energy-prod', { key: keys.primaryKey, deployment: 'v-1' });
      assert.deepStrictEqual(onlineEndpoints(emu).get('rg-ml/mlw/energy-prod')!.routed.slice(-1)[0], { deployment: 'v-1', mirroredTo: [], byHeader: true });
      // 50/50 live split: 0.1 → v-1, 0.95 → v-2
      assert.strictEqual((await putEndpoint('energy-prod', { authMode: 'Key', traffic: { 'v-1': 50, 'v-2': 50 } })).status, 'Succeeded');
      queue = [0.1, 0.95];
      const s1 = await score('energy-prod', { key: keys.primaryKey });
      const s2 = await score('energy-prod', { key: keys.primaryKey });
      assert.deepStrictEqual([s1.headers['azureml-model-deployment'], s2.headers['azureml-model-deployment']], ['v-1', 'v-2']);
    } finally {
      onlineControl(emu).random = Math.random;
    }
  });

  it('answers 429 past maxConcurrentRequestsPerInstance × instances instead of queueing', async () => {
    await fx.uploadCode('score-sleepy', { 'score.py': 'import time\ndef init():\n    pass\ndef run(raw):\n    time.sleep(0.5)\n    return [1]\n' });
    assert.strictEqual((await putDeployment('energy-prod', 'v-sleepy', { code: 'score-sleepy' })).op.status, 'Succeeded');
    const keys = (await arm('POST', `${ep('energy-prod')}/listKeys`)).json;
    const replies = await Promise.all([0, 1, 2].map(() => score('energy-prod', { key: keys.primaryKey, deployment: 'v-sleepy' })));
    assert.deepStrictEqual(replies.map((r) => r.status).sort(), [200, 429, 429]);
    assert.match(replies.find((r) => r.status === 429)!.json.message, /Too many pending requests: deployment 'v-sleepy' takes 1 at once/);
    assert.strictEqual((await score('energy-prod', { key: keys.primaryKey, deployment: 'v-sleepy' })).status, 200, 'free again once answered');
    const wider = await arm('PATCH', dep('energy-prod', 'v-sleepy'), { sku: { capacity: 3 } });
    assert.strictEqual((await settle(wider)).status, 'Succeeded');
    const three = await Promise.all([0, 1, 2].map(() => score('energy-prod', { key: keys.primaryKey, deployment: 'v-sleepy' })));
    assert.deepStrictEqual(three.map((r) => r.status), [200, 200, 200]);
    const gone = await arm('DELETE', dep('energy-prod', 'v-sleepy'));
    assert.strictEqual((await settle(gone)).status, 'Succeeded');
  });

  it('refuses traffic Azure refuses: not 100 in total, mirror over 50, live and mirror on one deployment, unknown deployments', async () => {
    const bad = async (properties: Record<string, unknown>, pattern: RegExp): Promise<void> => {
      const r = await arm('PUT', ep('energy-prod'), { location: 'eastus', properties: { authMode: 'Key', ...properties } });
      assert.strictEqual(r.status, 400, r.text);
      assert.match(r.json.error.message, pattern);
    };
    await bad({ traffic: { 'v-1': 60, 'v-2': 30 } }, /sum to 100 \(they sum to 90\)/);
    await bad({ traffic: { 'v-1': 100 }, mirrorTraffic: { 'v-2': 60 } }, /at most 50/);
    await bad({ traffic: { 'v-1': 50, 'v-2': 50 }, mirrorTraffic: { 'v-2': 10 } }, /both live traffic/);
    await bad({ traffic: { 'v-1': 90, 'v-7': 10 } }, /'v-7' in traffic does not exist/);
  });

  it('a crashing init() fails the operation with ResourceNotReady; the traceback is in the inference-server log', async () => {
    const { put, op } = await putDeployment('energy-prod', 'v-3', { model: '3', code: 'score-crash' });
    assert.strictEqual(put.status, 201);
    assert.strictEqual(op.status, 'Failed');
    assert.strictEqual(op.error.code, 'ResourceNotReady');
    assert.match(op.error.message, /User container has crashed or terminated/);
    assert.strictEqual((await arm('GET', dep('energy-prod', 'v-3'))).json.properties.provisioningState, 'Failed');
    const logs = await arm('POST', `${dep('energy-prod', 'v-3')}/getLogs`, { containerType: 'InferenceServer', tail: 50 });
    assert.match(logs.json.content, /RuntimeError: cannot load the model: weights missing/);
    const r = await arm('PUT', ep('energy-prod'), { location: 'eastus', properties: { authMode: 'Key', traffic: { 'v-1': 90, 'v-3': 10 } } });
    assert.strictEqual(r.status, 400);
    assert.match(r.json.error.message, /provisioning state 'Failed'/);
  });

  it('an image build failure fails the operation with ImageBuildFailure', async () => {
    onlineControl(emu).imageBuildFailures.add('broken-env');
    const { op } = await putDeployment('energy-prod', 'v-broken', { env: 'broken-env' });
    assert.strictEqual(op.status, 'Failed');
    assert.strictEqual(op.error.code, 'ImageBuildFailure');
  });

  it('answers quota and SKU problems before provisioning, as Azure shapes them', async () => {
    const quota = await putDeployment('energy-prod', 'v-big', { count: 20 });
    assert.strictEqual(quota.put.status, 400);
    assert.strictEqual(quota.put.json.error.code, 'OutOfQuota');
    assert.match(quota.put.json.error.message, /^Not enough quota available for Standard_DS3_v2 in SubscriptionId [0-9a-f-]+\. Current usage\/limit: \d+\/32\. Additional needed: 80 .*aka\.ms\/oe-tsg#error-outofquota$/);
    const sku = await putDeployment('energy-prod', 'v-sku', { instanceType: 'Standard_ZZ9_v9' });
    assert.strictEqual(sku.put.status, 400);
    assert.match(sku.put.json.error.message, /instance type 'Standard_ZZ9_v9' is not supported/);
    const model = await putDeployment('energy-prod', 'v-nomodel', { model: '99' });
    assert.match(model.put.json.error.message, /Could not find asset with ID: .*\/models\/energy\/versions\/99/);
    assert.match((await putDeployment('energy-prod', 'v-1.0')).put.json.error.message, /deployment name 'v-1.0' is invalid/);
    assert.strictEqual(onlineDeployments(emu).has('rg-ml/mlw/energy-prod/v-big'), false, 'nothing was created');
  });

  it('a model whose files are missing fails in the storage initializer, with its log', async () => {
    seedModelVersions(emu, { name: 'ghost', count: 1, uri: () => 'azureml://datastores/workspaceblobstore/paths/models/ghost/1' });
    const put = await arm('PUT', dep('energy-prod', 'v-ghost'), {
      location: 'eastus', sku: { name: 'Default', capacity: 1 },
      properties: { endpointComputeType: 'Managed', instanceType: 'Standard_DS2_v2', model: `${fx.ws}/models/ghost/versions/1`, codeConfiguration: { codeId: `${fx.ws}/codes/score-good/versions/1`, scoringScript: 'score.py' } },
    });
    assert.strictEqual(put.status, 201, put.text);
    const op = await settle(put);
    assert.strictEqual(op.status, 'Failed');
    assert.strictEqual(op.error.code, 'ResourceNotReady');
    assert.match(op.error.message, /storage initializer could not download/);
    const log = await arm('POST', `${dep('energy-prod', 'v-ghost')}/getLogs`, { containerType: 'StorageInitializer' });
    assert.match(log.json.content, /ERROR: no files under azureml:\/\/datastores\/workspaceblobstore\/paths\/models\/ghost\/1/);
  });

  it('a server that never answers its liveness route fails the operation when readiness times out', async () => {
    await fx.uploadCode('score-slow', { 'score.py': 'import time\ndef init():\n    time.sleep(30)\ndef run(raw):\n    return raw\n' });
    onlineControl(emu).readinessTimeoutMs = 800;
    try {
      const { op } = await putDeployment('energy-prod', 'v-slow', { code: 'score-slow' });
      assert.strictEqual(op.status, 'Failed');
      assert.strictEqual(op.error.code, 'ResourceNotReady');
      assert.match(op.error.message, /readiness probe did not succeed within 800 ms/);
      assert.strictEqual(onlineDeployments(emu).get('rg-ml/mlw/energy-prod/v-slow')!.process, undefined, 'the process was stopped');
    } finally {
      onlineControl(emu).readinessTimeoutMs = 30_000;
    }
  });

  it('scales a deployment with PATCH (sku.capacity) within quota, and refuses past it', async () => {
    const grow = await arm('PATCH', dep('energy-prod', 'v-2'), { sku: { capacity: 3 } });
    assert.strictEqual(grow.status, 202, grow.text);
    assert.strictEqual((await settle(grow)).status, 'Succeeded');
    assert.strictEqual((await arm('GET', dep('energy-prod', 'v-2'))).json.sku.capacity, 3);
    const tooMany = await arm('PATCH', dep('energy-prod', 'v-2'), { sku: { capacity: 9 } });
    assert.strictEqual(tooMany.status, 400);
    assert.strictEqual(tooMany.json.error.code, 'OutOfQuota');
    assert.strictEqual((await arm('GET', dep('energy-prod', 'v-2'))).json.sku.capacity, 3, 'unchanged');
    assert.strictEqual((await arm('PATCH', dep('energy-prod', 'v-2'), { sku: { capacity: 1 } })).status, 202);
  });

  it('refuses bad key and log requests', async () => {
    assert.match((await arm('POST', `${ep('energy-prod')}/regenerateKeys`, { keyType: 'Tertiary' })).json.error.message, /Primary or Secondary/);
    assert.match((await arm('POST', `${dep('energy-prod', 'v-1')}/getLogs`, { tail: -3 })).json.error.message, /non-negative integer/);
    assert.strictEqual((await arm('POST', `${dep('energy-prod', 'v-404')}/getLogs`, {})).status, 404);
  });

  it('keeps dataCollector on 2024-04-01 and drops it on 2022-10-01 (which has no such property)', async () => {
    const dataCollector = { collections: { model_inputs: { dataCollectionMode: 'Enabled', samplingRate: 1 } }, rollingRate: 'Hour' };
    const { op } = await putDeployment('energy-prod', 'v-dc', { model: '2', extra: { dataCollector } });
    assert.strictEqual(op.status, 'Succeeded');
    assert.deepStrictEqual((await arm('GET', dep('energy-prod', 'v-dc'))).json.properties.dataCollector, dataCollector);
    assert.strictEqual((await arm('GET', dep('energy-prod', 'v-dc'), undefined, OLD)).json.properties.dataCollector, undefined);
  });

  it('regenerates keys with a long-running operation: the old key stops working', async () => {
    const before = (await arm('POST', `${ep('energy-prod')}/listKeys`)).json;
    const r = await arm('POST', `${ep('energy-prod')}/regenerateKeys`, { keyType: 'Primary' });
    assert.strictEqual(r.status, 202);
    assert.strictEqual((await settle(r)).status, 'Succeeded');
    const after = (await arm('POST', `${ep('energy-prod')}/listKeys`)).json;
    assert.notStrictEqual(after.primaryKey, before.primaryKey);
    assert.strictEqual(after.secondaryKey, before.secondaryKey);
    assert.strictEqual((await score('energy-prod', { key: before.primaryKey })).status, 401);
    assert.strictEqual((await score('energy-prod', { key: after.primaryKey })).status, 200);
  });

  it('AMLToken endpoints take tokens from the token route; AADToken endpoints take Entra tokens for ml.azure.com', async () => {
    assert.strictEqual((await putEndpoint('energy-aml', { authMode: 'AMLToken' })).status, 'Succeeded');
    assert.strictEqual((await putDeployment('energy-aml', 'v-1')).op.status, 'Succeeded');
    assert.strictEqual((await putEndpoint('energy-aml', { authMode: 'AMLToken', traffic: { 'v-1': 100 } })).status, 'Succeeded');
    const t = await arm('POST', `${ep('energy-aml')}/token`);
    assert.strictEqual(t.json.tokenType, 'Bearer');
    assert.ok(t.json.expiryTimeUtc > Date.now() / 1000);
    assert.strictEqual((await score('energy-aml', { key: t.json.accessToken })).status, 200);
    assert.strictEqual((await arm('POST', `${ep('energy-aml')}/listKeys`)).status, 400);

    assert.strictEqual((await putEndpoint('energy-aad', { authMode: 'AADToken' })).status, 'Succeeded');
    assert.strictEqual((await putDeployment('energy-aad', 'v-1')).op.status, 'Succeeded');
    assert.strictEqual((await putEndpoint('energy-aad', { authMode: 'AADToken', traffic: { 'v-1': 100 } })).status, 'Succeeded');
    assert.match((await arm('POST', `${ep('energy-aad')}/token`)).json.error.message, /Microsoft Entra token for https:\/\/ml\.azure\.com/);
    const entra = emu.issueToken({ audience: ML_AUDIENCE, appId: emu.identities.spnSecret.clientId });
    assert.strictEqual((await score('energy-aad', { key: entra })).status, 200);
    assert.strictEqual((await score('energy-aad', { key: token })).status, 401, 'an ARM token is not for the endpoint');
  });

  it('a deployment with traffic cannot be deleted; deleting the endpoint stops every server', async () => {
    const r = await arm('DELETE', dep('energy-prod', 'v-1'));
    assert.strictEqual(r.status, 400);
    assert.match(r.json.error.message, /while it receives traffic \(live 50 %/);
    const idle = await arm('DELETE', dep('energy-prod', 'v-3'));
    assert.strictEqual(idle.status, 202, 'a deployment without traffic is deleted');
    assert.strictEqual((await settle(idle)).status, 'Succeeded');
    assert.strictEqual((await arm('GET', dep('energy-prod', 'v-3'))).status, 404);
    const blue = onlineDeployments(emu).get('rg-ml/mlw/energy-prod/v-1')!;
    const proc = blue.process!;
    assert.ok(proc && proc.exitCode === null);
    const del = await arm('DELETE', ep('energy-prod'));
    assert.strictEqual(del.status, 202);
    assert.strictEqual((await settle(del)).status, 'Succeeded');
    assert.strictEqual((await arm('GET', ep('energy-prod'))).status, 404);
    for (let i = 0; i < 50 && proc.exitCode === null && proc.signalCode === null; i++) await new Promise((res) => setTimeout(res, 20));
    assert.ok(proc.exitCode !== null || proc.signalCode !== null, 'the scoring server process was stopped');
  });

  it('the official JS SDK (2022-10-01) creates and reads an endpoint through the same routes', async () => {
    const cred = new ClientSecretCredential(emu.identities.tenantId, emu.identities.spnSecret.clientId, emu.identities.spnSecret.secret, { authorityHost: emu.urls.authorityHost, disableInstanceDiscovery: true, tlsOptions: { ca: emu.caPem } } as any);
    const client = new AzureMachineLearningWorkspaces(cred, emu.identities.subscriptionId, { endpoint: emu.urls.arm, credentialScopes: [`${emu.urls.arm}/.default`], tlsOptions: { ca: emu.caPem } } as any);
    const created = await client.onlineEndpoints.beginCreateOrUpdateAndWait('rg-ml', 'mlw', 'energy-sdk', { location: 'eastus', properties: { authMode: 'Key' } }, { updateIntervalInMs: 10 });
    assert.strictEqual(created.properties.provisioningState, 'Succeeded');
    const list = [];
    for await (const e of client.onlineEndpoints.list('rg-ml', 'mlw')) list.push(e.name);
    assert.ok(list.includes('energy-sdk'));
  });
});
