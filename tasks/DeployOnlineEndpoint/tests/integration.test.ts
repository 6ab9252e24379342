// Integration tests: the BUNDLED task (dist/tasks/DeployOnlineEndpoint/index.js) runs as a child process the way
// the agent runs it, against the emulator's online endpoints (each deployment's scoring server really runs,
// the front door routes by traffic and by the azureml-model-deployment header) and Azurite. Model 'energy'
// versions 1 and 2 multiply by 2, version 3 by 3: a rollout from 2 to 3 fails its first step on agreement.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Emulator } from '../../../test/emulator';
import { OnlineFixture, SCORE } from '../../../test/emulator/online-fixtures';
import { onlineControl, onlineDeployments, onlineEndpoints } from '../../../test/emulator/services/aml-online';
import { assertNoSecretsLeaked, installDnsPreload, runTask, serviceConnectionEnv, type ServiceConnectionEnv, type TaskRun } from '../../../test/harness/run-task';
import { startTestBed, type TestBed } from '../../../test/harness/testbed';

installDnsPreload();

const ROOT = path.resolve(__dirname, '..', '..', '..', '..');
const DIST = path.join(ROOT, 'dist', 'tasks', 'DeployOnlineEndpoint');

describe('DeployOnlineEndpoint (bundled task against the emulator)', function () {
  this.timeout(240_000);
  let bed: TestBed;
  let emu: Emulator;
  let fx: OnlineFixture;
  let conn: ServiceConnectionEnv;
  let bundle: string;
  let work: string;
  const dirs: string[] = [];

  const inputs = (o: Record<string, string>): Record<string, string> => ({
    azureSubscription: conn.id, resourceGroup: 'rg-ml', workspaceName: 'mlw',
    scoringScript: path.join(work, 'code', 'score.py'), environment: 'azureml:sklearn:1',
    payloadFile: path.join(work, 'payloads.jsonl'), requestCount: '8', concurrency: '2', maxConcurrentRequestsPerInstance: '4',
    stepWaitMinutes: '0', pollIntervalSeconds: '1', ...o,
  });
  const run = (o: Record<string, string>, extra: Partial<Parameters<typeof runTask>[1]> = {}, buildId = '5001'): Promise<TaskRun> =>
    runTask(bundle, { inputs: inputs(o), connection: conn, variables: { 'Build.BuildId': buildId, 'Build.DefinitionName': 'release-energy' }, timeoutMs: 180_000, ...extra });

  const traffic = (endpoint: string): { traffic: Record<string, number>; mirrorTraffic: Record<string, number> } => {
    const ep = [...onlineEndpoints(emu).values()].find((e) => e.name === endpoint);
    assert.ok(ep, `endpoint ${endpoint} missing`);
    return { traffic: ep.traffic, mirrorTraffic: ep.mirrorTraffic };
  };
  const armWrites = (endpoint: string, what: 'endpoint' | 'deployment'): string[] => emu.requests
    .filter((r) => (r.method === 'PUT' || r.method === 'DELETE') && r.status < 300 && (what === 'endpoint' ? new RegExp(`/onlineEndpoints/${endpoint}$`, 'i') : new RegExp(`/onlineEndpoints/${endpoint}/deployments/[^/]+$`, 'i')).test(r.path))
    .map((r) => `${r.method} ${r.path.split('/').slice(-1)[0]}${r.body ? ` ${JSON.stringify(JSON.parse(r.body).properties?.traffic ?? '')}` : ''}`);
  const secrets = (): string[] => [...conn.secrets, emu.identities.spnSecret.secret, ...[...onlineEndpoints(emu).values()].flatMap((e) => [e.keys.primaryKey, e.keys.secondaryKey])];

  before(async () => {
    assert.ok(fs.existsSync(path.join(DIST, 'index.js')), `${DIST}/index.js is missing: run npm run build first`);
    const taskDir = fs.mkdtempSync(path.join(os.tmpdir(), 'online-task-'));
    dirs.push(taskDir);
    fs.cpSync(DIST, taskDir, { recursive: true });
    bundle = path.join(taskDir, 'index.js');
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'online-work-'));
    dirs.push(work);
    fs.mkdirSync(path.join(work, 'code'));
    fs.writeFileSync(path.join(work, 'code', 'score.py'), SCORE);
    fs.writeFileSync(path.join(work, 'payloads.jsonl'), '{"data": [1, 2]}\n{"data": [3]}\n{"data": [10, 20, 30]}\n');
    bed = await startTestBed();
    emu = bed.emulator;
    fx = new OnlineFixture(bed);
    await fx.seed();
    conn = serviceConnectionEnv(emu, 'spnKey');
  });
  after(async () => {
    await bed?.stop();
    for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
  });
  afterEach(() => emu.faults.clear());

  it('creates the endpoint, deploys v-1 and gives it all traffic; then rolls v-2 out in mirror 10, 10, 50, 100', async () => {
    const first = await run({ endpointName: 'energy-prod', modelId: 'azureml:energy:1' });
    assert.equal(first.result, 'Succeeded', first.stdout);
    assert.deepEqual(traffic('energy-prod').traffic, { 'v-1': 100 });
    assert.equal(first.outputs.deploymentName, 'v-1');
    assert.equal(first.outputs.previousDeployment, '');
    assert.match(first.outputs.scoringUri, /^https:\/\/energy-prod\.eastus\.inference\.ml\.localhost:\d+\/score$/);
    assert.match(first.outputs.swaggerUri, /swagger\.json$/);
    const ep = [...onlineEndpoints(emu).values()].find((e) => e.name === 'energy-prod');
    assert.equal(ep?.authMode, 'Key');
    assert.equal(ep?.tags['ado.runId'], '5001');

    const before = emu.requests.length;
    const second = await run({ endpointName: 'energy-prod', modelId: 'azureml:energy:2' }, {}, '5002');
    assert.equal(second.result, 'Succeeded', second.stdout);
    assert.deepEqual(traffic('energy-prod'), { traffic: { 'v-1': 0, 'v-2': 100 }, mirrorTraffic: {} });
    assert.equal(second.outputs.deploymentName, 'v-2');
    assert.equal(second.outputs.previousDeployment, 'v-1');
    const puts = emu.requests.slice(before).filter((r) => r.method === 'PUT' && /\/onlineEndpoints\/energy-prod$/i.test(r.path) && r.status < 300).map((r) => JSON.parse(r.body).properties);
    assert.deepEqual(puts.map((p) => [p.traffic, p.mirrorTraffic]), [
      [{ 'v-1': 100, 'v-2': 0 }, { 'v-2': 10 }],
      [{ 'v-1': 90, 'v-2': 10 }, {}],
      [{ 'v-1': 50, 'v-2': 50 }, {}],
      [{ 'v-1': 0, 'v-2': 100 }, {}],
    ]);
    // the step checks reached green and blue by header, through the front door
    const byHeader = ep?.routed.filter((r) => r.byHeader) ?? [];
    assert.ok(byHeader.some((r) => r.deployment === 'v-2') && byHeader.some((r) => r.deployment === 'v-1'));
    // the deployment body: request settings, probes, App Insights, code and environment by id
    const d = onlineDeployments(emu).get('rg-ml/mlw/energy-prod/v-2');
    assert.equal((d?.properties.requestSettings as { maxConcurrentRequestsPerInstance: number }).maxConcurrentRequestsPerInstance, 4);
    assert.equal(d?.properties.appInsightsEnabled, true);
    assert.match(String((d?.properties.codeConfiguration as { codeId: string }).codeId), /\/codes\/[0-9a-f]{64}\/versions\/1$/);
    assert.equal(d?.tags['aml.model'], 'energy:2');
    // the summary: the rollout table and the chart
    const summary = second.summaries.join('\n');
    assert.match(summary, /\| mirror 10 % \| 0 \| 10 \|/);
    assert.match(summary, /\| live 100 % \| 100 \| 0 \|/);
    assert.match(summary, /data:image\/svg\+xml;base64,/);
    assertNoSecretsLeaked(second, secrets());
  });

  it('rolls back a green that answers differently: the first step fails on agreement, all traffic back on blue, green\'s logs printed', async () => {
    const r = await run({ endpointName: 'energy-prod', modelId: 'azureml:energy:3' }, {}, '5003');
    assert.equal(r.result, 'Failed', r.stdout);
    assert.match(r.message ?? '', /^Step 1\/4 \(mirror 10 %\) failed: agreement: .*All traffic is back on 'v-2'\.$/);
    assert.deepEqual(traffic('energy-prod'), { traffic: { 'v-2': 100, 'v-3': 0 }, mirrorTraffic: {} });
    assert.equal(r.outputs.previousDeployment, 'v-2');
    // both containers' logs, from getLogs
    assert.match(r.stdout, /Logs of deployment 'v-3', container StorageInitializer/);
    assert.match(r.stdout, /Logs of deployment 'v-3', container InferenceServer[\s\S]*model loaded, factor 3/);
    assert.match(r.summaries.join('\n'), /\| rollback \|/);
    assertNoSecretsLeaked(r, secrets());
  });

  it('resumes after a failure that left traffic moved: the re-run checks the step the endpoint shows and goes on, without deploying green again', async () => {
    await fx.putEndpoint('energy-resume', { authMode: 'Key' });
    assert.equal((await fx.putDeployment('energy-resume', 'v-1', { model: '1', concurrency: 4 })).op.status, 'Succeeded');
    await fx.putEndpoint('energy-resume', { authMode: 'Key', traffic: { 'v-1': 100 } });
    // every endpoint PUT after the first step fails (ARM answers 503 to the step and to the rollback)
    let armed = false;
    const r1 = await run({ endpointName: 'energy-resume', modelId: 'azureml:energy:2', stepWaitMinutes: '0.05' }, {
      onStdout: (chunk) => {
        if (!armed && /Step 1\/4 \(mirror 10 %\) passed/.test(chunk)) {
          armed = true;
          emu.faults.inject({ kind: 'unavailable', method: 'PUT', path: /\/onlineEndpoints\/energy-resume$/i, times: 1000 });
        }
      },
    }, '6001');
    assert.equal(r1.result, 'Failed', r1.stdout);
    assert.match(r1.stdout, /The rollback failed too/);
    assert.deepEqual(traffic('energy-resume'), { traffic: { 'v-1': 100, 'v-2': 0 }, mirrorTraffic: { 'v-2': 10 } });
    emu.faults.clear();

    const deploymentPuts = armWrites('energy-resume', 'deployment').length;
    const r2 = await run({ endpointName: 'energy-resume', modelId: 'azureml:energy:2' }, {}, '6001');
    assert.equal(r2.result, 'Succeeded', r2.stdout);
    assert.match(r2.stdout, /reusing it: it already receives traffic/);
    assert.match(r2.stdout, /Step 1\/4 \(mirror 10 %\): the endpoint already shows this step/);
    assert.equal(armWrites('energy-resume', 'deployment').length, deploymentPuts, 'green was not deployed again');
    assert.deepEqual(traffic('energy-resume'), { traffic: { 'v-1': 0, 'v-2': 100 }, mirrorTraffic: {} });
  });

  it('a pipeline cancel during the rollout puts all traffic back on blue and shows green\'s logs', async () => {
    await fx.putEndpoint('energy-cancel', { authMode: 'Key' });
    assert.equal((await fx.putDeployment('energy-cancel', 'v-1', { model: '1', concurrency: 4 })).op.status, 'Succeeded');
    await fx.putEndpoint('energy-cancel', { authMode: 'Key', traffic: { 'v-1': 100 } });
    const r = await run({ endpointName: 'energy-cancel', modelId: 'azureml:energy:2', stepWaitMinutes: '10' }, { signal: { name: 'SIGINT', whenStdoutMatches: /Waiting \d+ s \(stepWaitMinutes\)/ } }, '7001');
    assert.equal(r.result, 'Cancelled', r.stdout);
    assert.match(r.stdout, /Cancel: traffic set back on 'v-1'/);
    assert.match(r.stdout, /Logs of deployment 'v-2', container InferenceServer/);
    assert.deepEqual(traffic('energy-cancel'), { traffic: { 'v-1': 100, 'v-2': 0 }, mirrorTraffic: {} });
  });

  it('not enough quota for the instance type: the failure names instanceType, and nothing serves from green', async () => {
    onlineControl(emu).coreQuota = 4;
    try {
      const r = await run({ endpointName: 'energy-prod', modelId: 'azureml:energy:3', instanceType: 'Standard_DS4_v2' }, {}, '8001');
      assert.equal(r.result, 'Failed', r.stdout);
      assert.match(r.message ?? '', /^Input 'instanceType': Azure has not enough quota for 1 x Standard_DS4_v2 \(OutOfQuota: Not enough quota available/);
      assert.deepEqual(traffic('energy-prod'), { traffic: { 'v-2': 100, 'v-3': 0 }, mirrorTraffic: {} });
    } finally {
      onlineControl(emu).coreQuota = 32;
    }
  });

  it('a model that does not exist and a bad endpoint name fail before any write, naming the input', async () => {
    const before = emu.requests.length;
    const missing = await run({ endpointName: 'energy-new', modelId: 'azureml:energy:9' }, {}, '9001');
    assert.equal(missing.result, 'Failed');
    assert.equal(missing.message, "Input 'modelId': model 'energy' version '9' in workspace 'mlw' does not exist. Expected a registered model version (the modelId output of RegisterModel).");
    const bad = await run({ endpointName: '1-energy', modelId: 'azureml:energy:2' }, {}, '9002');
    assert.equal(bad.result, 'Failed');
    assert.match(bad.message ?? '', /^Input 'endpointName': '1-energy' is not a valid online endpoint name\. Expected 3-32 characters/);
    assert.deepEqual(emu.requests.slice(before).filter((r) => r.method !== 'GET' && r.host === 'management.localhost' && !/listKeys|token/.test(r.path)), []);
  });
});
