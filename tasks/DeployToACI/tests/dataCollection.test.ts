// collectData: the BUNDLED task signs a write-only SAS on the workspace's default blob datastore (Azurite),
// passes it to the container as a secure variable with the collector's settings, and registers the data
// assets of the collected folders (emulator). The scoring server's side is tested in CreateImage's
// serverTelemetry.test.ts.
import * as assert from 'node:assert';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as https from 'node:https';
import * as os from 'node:os';
import * as path from 'node:path';
import { addRegistry, images, loginServerOf } from '../../../test/emulator/services/acr';
import { dataAssets } from '../../../test/emulator/services/aml-data';
import { appInsightsComponent } from '../../../test/emulator/services/aci';
import { telemetryOf } from '../../../test/emulator/services/appinsights';
import type { Emulator } from '../../../test/emulator';
import { assertNoSecretsLeaked, runTask, serviceConnectionEnv, type ServiceConnectionEnv, type TaskRun } from '../../../test/harness/run-task';
import { startTestBed, type TestBed } from '../../../test/harness/testbed';

const ROOT = path.resolve(__dirname, '..', '..', '..', '..');
const DIST = path.join(ROOT, 'dist', 'tasks', 'DeployToACI');
const FIXTURES = path.join(ROOT, 'tasks', 'DeployToACI', 'tests', 'fixtures');

interface EnvVar { name: string; value?: string; secureValue?: string }

describe('DeployToACI collectData (bundled task against the emulator + Azurite)', function () {
  this.timeout(120_000);
  let bed: TestBed;
  let emu: Emulator;
  let conn: ServiceConnectionEnv;
  let bundle: string;
  let image: string;
  const dirs: string[] = [];

  before(async () => {
    const taskDir = fs.mkdtempSync(path.join(os.tmpdir(), 'aci-task-'));
    dirs.push(taskDir);
    fs.cpSync(DIST, taskDir, { recursive: true });
    bundle = path.join(taskDir, 'index.js');
    bed = await startTestBed();
    emu = bed.emulator;
    conn = serviceConnectionEnv(emu, 'spnKey');
    const ws = emu.state.getWorkspace('rg-ml', 'mlw')!;
    const acr = addRegistry(emu, { name: ws.containerRegistryName!, resourceGroup: 'rg-ml' });
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'aci-ctx-'));
    dirs.push(dir);
    fs.mkdirSync(path.join(dir, 'scoring'));
    fs.mkdirSync(path.join(dir, 'model'));
    fs.copyFileSync(path.join(ROOT, 'tasks', 'CreateImage', 'assets', 'server.py'), path.join(dir, 'scoring', 'server.py'));
    fs.copyFileSync(path.join(FIXTURES, 'score.py'), path.join(dir, 'scoring', 'score.py'));
    fs.copyFileSync(path.join(FIXTURES, 'model.txt'), path.join(dir, 'model', 'model.txt'));
    image = `${loginServerOf(emu, acr.name)}/churn:collect`;
    images(emu).set(image, { digest: `sha256:${crypto.createHash('sha256').update(dir).digest('hex')}`, contextDir: dir, labels: {} });
  });
  after(async () => {
    await bed?.stop();
    for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
  });

  const run = (inputs: Record<string, string>): Promise<TaskRun> => runTask(bundle, {
    inputs: { azureSubscription: conn.id, resourceGroup: 'rg-ml', imageUri: image, readinessTimeoutMinutes: '1', ...inputs },
    connection: conn, variables: { 'Build.BuildId': '77' }, timeoutMs: 100_000,
  });
  const envOf = (name: string): Map<string, EnvVar> => {
    const puts = emu.requests.filter((r) => r.method === 'PUT' && r.path.toLowerCase().endsWith(`/containergroups/${name}`) && r.status < 300);
    const body = JSON.parse(puts[puts.length - 1].body) as { properties: { containers: { properties: { environmentVariables: EnvVar[] } }[] } };
    return new Map(body.properties.containers[0].properties.environmentVariables.map((e) => [e.name, e]));
  };
  /** The SAS against Azurite's path-style address (the datastore URL names devstoreaccount1.blob.localhost). */
  const blobRequest = (sasUrl: string, method: 'PUT' | 'GET', blob: string): Promise<number> => {
    const u = new URL(sasUrl);
    const container = u.pathname.split('/').filter(Boolean)[0];
    return new Promise((resolve, reject) => {
      const req = https.request({ host: '127.0.0.1', port: bed.azurite.port, method, path: `/devstoreaccount1/${container}/${blob}${u.search}`, ca: emu.caPem,
        headers: method === 'PUT' ? { 'x-ms-blob-type': 'BlockBlob', 'content-length': 2 } : {} }, (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      });
      req.on('error', reject);
      req.end(method === 'PUT' ? '{}' : undefined);
    });
  };

  /** POST /score through the FQDN → IP mapping the emulator wrote for the DNS preload. */
  const score = (scoringUri: string, key: string, requestId: string): Promise<number> => {
    const u = new URL(scoringUri);
    const hosts = JSON.parse(fs.readFileSync(bed.hostsFile, 'utf8')) as Record<string, string>;
    const payload = JSON.stringify({ data: [[1, 2]] });
    return new Promise((resolve, reject) => {
      const req = http.request({ host: hosts[u.hostname], port: Number(u.port), path: u.pathname, method: 'POST', headers: { host: u.host, 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload), authorization: `Bearer ${key}`, 'x-request-id': requestId } }, (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      });
      req.on('error', reject);
      req.end(payload);
    });
  };
  const until = async <T>(what: string, fn: () => Promise<T | undefined> | T | undefined): Promise<T> => {
    for (let i = 0; i < 100; i++) {
      const v = await fn();
      if (v !== undefined) return v;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`timed out waiting for ${what}`);
  };

  it('passes a write-only SAS as a secure variable, the collector settings as plain ones, and registers the data assets', async () => {
    const t0 = Date.now();
    const r = await run({ containerGroupName: 'churn-collect', workspaceName: 'mlw', collectData: 'true', sampleRate: '0.5', environmentVariables: 'TELEMETRY_FLUSH_SECONDS=0.2' });
    assert.strictEqual(r.result, 'Succeeded', `${r.message}\n${r.stdout}`);
    const env = envOf('churn-collect');
    const sasUrl = env.get('DATA_COLLECTOR_SAS_URL')?.secureValue ?? '';
    assert.strictEqual(env.get('DATA_COLLECTOR_SAS_URL')?.value, undefined);
    const u = new URL(sasUrl);
    assert.match(u.host, /^devstoreaccount1\.blob\.localhost:\d+$/);
    assert.strictEqual(u.searchParams.get('sp'), 'cw', 'create + write only');
    assert.strictEqual(u.searchParams.get('spr'), 'https');
    const expiry = Date.parse(u.searchParams.get('se') ?? '');
    assert.ok(Math.abs(expiry - (t0 + 180 * 86_400_000)) < 600_000, `expires ${u.searchParams.get('se')}`);
    assert.strictEqual(env.get('DATA_COLLECTOR_SAMPLE_RATE')?.value, '0.5');
    assert.strictEqual(env.get('DATA_COLLECTOR_ENDPOINT')?.value, 'churn-collect');
    assert.strictEqual(env.get('DATA_COLLECTOR_DEPLOYMENT')?.value, 'default');
    assert.match(env.get('DATA_COLLECTOR_SOURCE')?.value ?? '', /\/resourceGroups\/rg-ml\/providers\/Microsoft\.ContainerInstance\/containerGroups\/churn-collect$/);
    assert.strictEqual(await blobRequest(sasUrl, 'PUT', 'modelDataCollector/probe.jsonl'), 201, 'the SAS can write');
    assert.strictEqual(await blobRequest(sasUrl, 'GET', 'modelDataCollector/probe.jsonl'), 403, 'the SAS cannot read');
    for (const c of ['model_inputs', 'model_outputs']) {
      const v = dataAssets(emu).get(`rg-ml/mlw/churn-collect-default-${c}`)?.versions.get('1');
      assert.ok(v, `data asset churn-collect-default-${c}`);
      assert.strictEqual(v.dataType, 'uri_folder');
      assert.match(v.dataUri, new RegExp(`^azureml://subscriptions/[^/]+/resourcegroups/rg-ml/workspaces/mlw/datastores/workspaceblobstore/paths/modelDataCollector/churn-collect/default/${c}/$`));
    }
    assert.match(r.stdout, /Data collection: on \(sample rate 0\.5\), write-only SAS on datastore 'workspaceblobstore' valid until /);
    assert.match(r.stdout, /Data assets of the collected data: churn-collect-default-model_inputs \(registered\), churn-collect-default-model_outputs \(registered\)\./);
    assertNoSecretsLeaked(r, [sasUrl, u.searchParams.get('sig') ?? '', emu.state.storage.accountKey, ...conn.secrets]);

    // the running container collects (sample rate 0.5: some of 20 requests) and sends telemetry to the test bed
    for (let i = 0; i < 20; i++) assert.strictEqual(await score(r.outputs.scoringUri, r.outputs.scoringKey, `demo-${i}`), 200);
    const ws = emu.state.getWorkspace('rg-ml', 'mlw')!;
    const blobs = bed.container(ws.datastores.get('workspaceblobstore')!.containerName);
    const lines = await until('collected JSON lines', async () => {
      const out: Record<string, unknown>[] = [];
      for await (const b of blobs.listBlobsFlat({ prefix: 'modelDataCollector/churn-collect/default/model_inputs/' })) {
        out.push(...(await blobs.getBlobClient(b.name).downloadToBuffer()).toString('utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>));
      }
      return out.length > 0 ? out : undefined;
    });
    assert.ok(lines.length < 20, `${lines.length} of 20 collected at 0.5`);
    assert.ok(lines.every((l) => String(l.correlationid).startsWith('demo-') && l.type === 'azureml.inference.model_inputs'));
    const ikey = appInsightsComponent(emu, 'rg-ml', ws.applicationInsightsName!)!.instrumentationKey;
    await until('request telemetry', () => (telemetryOf(emu, ikey).filter((e) => String(e.tags?.['ai.operation.id']).startsWith('demo-')).length >= 20 ? true : undefined));

    const again = await run({ containerGroupName: 'churn-collect', workspaceName: 'mlw', collectData: 'true', sampleRate: '0.5' });
    assert.strictEqual(again.result, 'Succeeded', again.stdout);
    assert.match(again.stdout, /Data assets of the collected data: churn-collect-default-model_inputs, churn-collect-default-model_outputs\./, 'existing versions are kept');
  });

  it('refuses collectData without a workspace, before any call', async () => {
    const r = await run({ containerGroupName: 'churn-nows', collectData: 'true' });
    assert.strictEqual(r.result, 'Failed');
    assert.match(r.message ?? '', /^Input 'collectData': is true but workspaceName is empty\./);
    assert.ok(!emu.requests.some((q) => q.path.toLowerCase().includes('churn-nows')));
  });

  it('fails with one clear line, nothing created, when the default datastore has no account key', async () => {
    const ds = emu.state.getWorkspace('rg-ml', 'mlw')!.datastores.get('workspaceblobstore')!;
    ds.credentialsType = 'None';
    try {
      const r = await run({ containerGroupName: 'churn-identity', workspaceName: 'mlw', collectData: 'true' });
      assert.strictEqual(r.result, 'Failed');
      assert.match(r.message ?? '', /^Input 'collectData': datastore 'workspaceblobstore' of workspace 'mlw' has None credentials, and the write-only SAS for the scoring container is signed with the storage account key\./);
      assert.ok(!emu.requests.some((q) => q.method === 'PUT' && q.path.toLowerCase().includes('churn-identity')));
    } finally {
      ds.credentialsType = 'AccountKey';
    }
  });
});
