// ProbeEndpoint against an Azure ML online endpoint of the emulator (bundled task, as the agent runs it):
// authType aadToken sends the service connection's Entra token (audience https://ml.azure.com) and
// deploymentName the azureml-model-deployment header, so a deployment at 0 % traffic can be probed.
// Model 'energy' version 1 multiplies by 2, version 3 by 3.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { OnlineFixture } from '../../../test/emulator/online-fixtures';
import { onlineEndpoints } from '../../../test/emulator/services/aml-online';
import { assertNoSecretsLeaked, installDnsPreload, runTask, serviceConnectionEnv, type ServiceConnectionEnv, type TaskRun } from '../../../test/harness/run-task';
import { startTestBed, type TestBed } from '../../../test/harness/testbed';

installDnsPreload();

const ROOT = path.resolve(__dirname, '..', '..', '..', '..');
const DIST = path.join(ROOT, 'dist', 'tasks', 'ProbeEndpoint');

describe('ProbeEndpoint on an Azure ML online endpoint (aadToken, deploymentName)', function () {
  this.timeout(180_000);
  let bed: TestBed;
  let fx: OnlineFixture;
  let conn: ServiceConnectionEnv;
  let bundle: string;
  let work: string;
  let scoringUri: string;

  const run = (inputs: Record<string, string>): Promise<TaskRun> => runTask(bundle, {
    inputs: {
      azureSubscription: conn.id, scoringUri, authType: 'aadToken', payloadFile: path.join(work, 'payloads.jsonl'),
      expectedResponseFile: path.join(work, 'times3.jsonl'), requestCount: '6', concurrency: '1', readinessTimeoutSeconds: '0', publishTestResults: 'false', ...inputs,
    },
    connection: conn, timeoutMs: 120_000,
  });

  before(async () => {
    bundle = path.join(DIST, 'index.js');
    assert.ok(fs.existsSync(bundle), `${bundle} is missing: run npm run build first`);
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'probe-online-'));
    fs.writeFileSync(path.join(work, 'payloads.jsonl'), '{"data": [1, 2]}\n{"data": [5]}\n');
    fs.writeFileSync(path.join(work, 'times3.jsonl'), '[3, 6]\n[15]\n');
    bed = await startTestBed();
    fx = new OnlineFixture(bed);
    await fx.seed();
    conn = serviceConnectionEnv(bed.emulator, 'spnKey');
    assert.equal((await fx.putEndpoint('energy-aad', { authMode: 'AADToken' })).status, 'Succeeded');
    for (const v of ['1', '3']) assert.equal((await fx.putDeployment('energy-aad', `v-${v}`, { model: v, concurrency: 2 })).op.status, 'Succeeded');
    assert.equal((await fx.putEndpoint('energy-aad', { authMode: 'AADToken', traffic: { 'v-1': 100, 'v-3': 0 } })).status, 'Succeeded');
    scoringUri = `https://energy-aad.eastus.inference.ml.localhost:${bed.emulator.port}/score`;
  });
  after(async () => {
    await bed?.stop();
    fs.rmSync(work, { recursive: true, force: true });
  });

  it('probes the deployment at 0 % with an Entra token: every request reaches v-3 by header and its answers match', async () => {
    const ep = [...onlineEndpoints(bed.emulator).values()].find((e) => e.name === 'energy-aad');
    const before = ep?.routed.length ?? 0;
    const r = await run({ deploymentName: 'v-3' });
    assert.equal(r.result, 'Succeeded', r.stdout);
    assert.match(r.stdout, /Microsoft Entra token of the service connection \(https:\/\/ml\.azure\.com\/\.default\)/);
    const routed = ep?.routed.slice(before) ?? [];
    assert.ok(routed.length >= 8);
    assert.ok(routed.every((x) => x.deployment === 'v-3' && x.byHeader), JSON.stringify(routed.slice(0, 3)));
    assertNoSecretsLeaked(r, [...conn.secrets, bed.emulator.identities.spnSecret.secret]);
  });

  it('without deploymentName the traffic split decides (v-1, factor 2): the correctness check fails', async () => {
    const r = await run({});
    assert.equal(r.result, 'Failed', r.stdout);
    assert.match(r.message ?? '', /failed 1 check\(s\): correctness/);
  });

  it('refuses to send the token to anything but an online endpoint, and a bad deployment name, before any request', async () => {
    const foreign = await run({ scoringUri: `https://example.com:${bed.emulator.port}/score` });
    assert.equal(foreign.result, 'Failed');
    assert.match(foreign.message ?? '', /^Input 'scoringUri': 'https:\/\/example\.com:\d+\/score' is not an Azure ML online endpoint, and authType 'aadToken' sends a Microsoft Entra token only there\./);
    assert.deepEqual(foreign.dnsLog, []);
    const bad = await run({ deploymentName: 'v1' });
    assert.equal(bad.result, 'Failed');
    assert.match(bad.message ?? '', /^Input 'deploymentName': 'v1' is not a valid online deployment name\. Expected 3-32 characters/);
  });

  it('a key endpoint with authType aadToken answers 401 and the status check says so', async () => {
    assert.equal((await fx.putEndpoint('energy-key', { authMode: 'Key' })).status, 'Succeeded');
    assert.equal((await fx.putDeployment('energy-key', 'v-1', { model: '1', concurrency: 2 })).op.status, 'Succeeded');
    assert.equal((await fx.putEndpoint('energy-key', { authMode: 'Key', traffic: { 'v-1': 100 } })).status, 'Succeeded');
    const r = await run({ scoringUri: `https://energy-key.eastus.inference.ml.localhost:${bed.emulator.port}/score`, expectedResponseFile: '' });
    assert.equal(r.result, 'Failed');
    assert.match(r.stdout, /status: 2 of 2 payload\(s\) did not return expectedStatus 200 \(HTTP 401/);
  });
});
