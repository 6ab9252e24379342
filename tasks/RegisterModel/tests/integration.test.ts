// Integration: the BUNDLED task (dist/tasks/RegisterModel/index.js) as a child process against the
// emulator (ARM, MLflow) and Azurite (datastore blobs). Assertions on the registry state, the recorded
// requests and the ##vso commands.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { startTestBed, type TestBed } from '../../../test/harness/testbed';
import { assertNoSecretsLeaked, runTask, serviceConnectionEnv, type ServiceConnectionEnv, type TaskRun } from '../../../test/harness/run-task';
import { getModel, getModelVersion, models, seedModelVersions, setModelPageSize } from '../../../test/emulator/services/aml-models';
import type { RecordedRequest } from '../../../test/emulator';
import { seedJob } from './jobStub';
import { assetPutRaces } from '../../../test/emulator/services/aml-workspace';

// REGISTER_MODEL_BUNDLE: run another build of the bundle (e.g. one made outside the shared dist/ folder)
const BUNDLE = process.env.REGISTER_MODEL_BUNDLE ?? path.resolve(__dirname, '..', '..', '..', '..', 'dist', 'tasks', 'RegisterModel', 'index.js');
const MODELS = '/providers/microsoft.machinelearningservices/workspaces/mlw/models/';

describe('RegisterModel integration (bundled task, emulator + Azurite)', function () {
  this.timeout(180_000);
  let bed: TestBed;
  let conn: ServiceConnectionEnv;
  let work: string;
  let n = 0;

  before(async function () {
    assert.ok(fs.existsSync(BUNDLE), `build first: ${BUNDLE} is missing`);
    bed = await startTestBed();
    conn = serviceConnectionEnv(bed.emulator, 'spnKey', { id: 'conn1' });
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'regmodel-it-'));
  });
  after(async () => {
    await bed?.stop();
    if (work) fs.rmSync(work, { recursive: true, force: true });
  });

  /** A fresh model name per test, so tests do not see each other's versions. */
  function modelName(): string {
    n++;
    return `model-${n}`;
  }

  async function run(inputs: Record<string, string>, variables: Record<string, string> = {}): Promise<TaskRun> {
    const r = await runTask(BUNDLE, {
      inputs: { azureSubscription: 'conn1', resourceGroup: 'rg-ml', workspaceName: 'mlw', ...inputs },
      connection: conn,
      variables,
      timeoutMs: 120_000,
    });
    // the datastore's account key (listSecrets) is a secret too: the local-upload runs read it
    assertNoSecretsLeaked(r, [bed.emulator.identities.spnSecret.secret, bed.emulator.state.storage.accountKey, ...conn.secrets]);
    return r;
  }

  function writesSince(mark: number): RecordedRequest[] {
    return bed.emulator.armWrites().filter((w) => w.time >= mark);
  }

  function modelWritesSince(mark: number): RecordedRequest[] {
    return writesSince(mark).filter((w) => w.path.toLowerCase().includes(MODELS));
  }

  function file(name: string, content: string): string {
    const p = path.join(work, name);
    fs.mkdirSync(path.dirname(p), { recursive: true });
    fs.writeFileSync(p, content);
    return p;
  }

  it('registers a job output with lineage tags and metric properties (no production yet: noBaseline)', async () => {
    const name = modelName();
    seedJob(bed.emulator, 'job-first', { status: 'Completed', outputs: ['model'] });
    bed.emulator.state.setRunMetrics('job-first', { accuracy: [0.5, 0.91], loss: 0.2 });
    const r = await run({ modelName: name, jobName: 'job-first', gateMetric: 'accuracy', gateThreshold: '0.8' });
    assert.equal(r.result, 'Succeeded', r.stdout);
    assert.deepEqual(
      { v: r.outputs.modelVersion, id: r.outputs.modelId, gate: r.outputs.gateResult, reg: r.outputs.registered, name: r.outputs.modelName },
      { v: '1', id: `azureml:${name}:1`, gate: 'noBaseline', reg: 'true', name },
    );
    assert.match(r.outputs.modelAssetId, new RegExp(`/workspaces/mlw/models/${name}/versions/1$`));
    const v = getModelVersion(bed.emulator, name, '1')!;
    assert.equal(v.modelUri, 'azureml://jobs/job-first/outputs/model');
    assert.equal(v.jobName, 'job-first');
    assert.equal(v.modelType, 'custom_model');
    assert.equal(v.tags['ado.runId'], '1234');
    assert.equal(v.tags['ado.pipeline'], 'ml-training');
    assert.equal(v.tags['ado.commit'], '3f786850e387550fdab836ed7e6dc881de23001b');
    assert.equal(v.tags['upstream.job'], 'job-first');
    assert.equal(v.tags['gate.result'], 'noBaseline');
    assert.equal(v.tags.stage, undefined, 'registering never makes a version production');
    assert.deepEqual({ a: v.properties['metric.accuracy'], l: v.properties['metric.loss'] }, { a: '0.91', l: '0.2' }, 'latest MLflow value');
    assert.ok(r.summaries.some((s) => /\| accuracy \| 0\.91 \| - \| - \| noBaseline \|/.test(s)), r.summaries.join('\n'));
    assert.match(r.stdout, /production: no production version to compare with \(noBaseline\)/);
  });

  it('finds production on a later page (150 versions, $skip paging) and registers 151 when the gate passes', async () => {
    const name = modelName();
    seedModelVersions(bed.emulator, {
      name,
      count: 150,
      tags: (i) => (i === 20 ? { stage: 'production' } : i === 140 ? { stage: 'staging' } : {}),
      properties: (i) => ({ 'metric.accuracy': i === 20 ? '0.9' : '0.1' }),
    });
    seedJob(bed.emulator, 'job-better', { status: 'Completed', outputs: ['model'] });
    bed.emulator.state.setRunMetrics('job-better', { accuracy: 0.93 });
    const mark = Date.now();
    const r = await run({ modelName: name, jobName: 'job-better', gateMetric: 'accuracy', minImprovement: '1%' }, { 'Build.BuildId': '2001' });
    assert.equal(r.result, 'Succeeded', r.stdout);
    assert.equal(r.outputs.gateResult, 'passed');
    assert.equal(r.outputs.modelVersion, '151');
    const lists = bed.emulator.requests.filter((q) => q.time >= mark && q.method === 'GET' && q.path.endsWith(`/models/${name}/versions`));
    assert.ok(lists.some((q) => q.query.$skip !== undefined), 'followed a $skip nextLink');
    // the table: candidate, production, delta, verdict
    assert.match(r.stdout, /accuracy\s+0\.93\s+0\.9\s+\+0\.03\s+passed/);
    assert.match(r.stdout, /version 20/);
    const v = getModelVersion(bed.emulator, name, '151')!;
    assert.equal(v.tags['gate.baselineVersion'], '20');
    assert.equal(v.tags['gate.baseline'], '0.9');
  });

  it('a failed gate (onGateFailure=fail) fails the task and writes nothing', async () => {
    const name = modelName();
    seedModelVersions(bed.emulator, { name, count: 130, tags: (i) => (i === 3 ? { stage: 'production' } : {}), properties: () => ({ 'metric.rmse': '1.2' }) });
    seedJob(bed.emulator, 'job-worse', { status: 'Completed', outputs: ['model'] });
    bed.emulator.state.setRunMetrics('job-worse', { rmse: 1.25 });
    const mark = Date.now();
    const r = await run({ modelName: name, jobName: 'job-worse', gateMetric: 'rmse', gateDirection: 'lowerIsBetter' });
    assert.equal(r.result, 'Failed', r.stdout);
    assert.match(r.message ?? '', /Quality gate failed: production: rmse 1\.25 vs 1\.2 \(version 3\)/);
    assert.deepEqual(writesSince(mark), [], 'no Azure write at all');
    assert.equal(getModel(bed.emulator, name)!.versions.size, 130);
    assert.deepEqual({ g: r.outputs.gateResult, reg: r.outputs.registered, v: r.outputs.modelVersion }, { g: 'failed', reg: 'false', v: '' });
    assert.match(r.stdout, /rmse\s+1\.25\s+1\.2\s+\+0\.05\s+failed/);
    assert.ok(r.summaries.some((s) => /Nothing was registered/.test(s)));
  });

  it('a failed gate with onGateFailure=skip succeeds with issues and registers nothing', async () => {
    const name = modelName();
    seedModelVersions(bed.emulator, { name, count: 2, tags: (i) => (i === 2 ? { stage: 'production' } : {}), properties: () => ({ 'metric.accuracy': '0.9' }) });
    const metrics = file('skip/metrics.json', JSON.stringify({ accuracy: 0.9 }));
    seedJob(bed.emulator, 'job-tie', { status: 'Completed', outputs: ['model'] });
    const mark = Date.now();
    const r = await run({ modelName: name, jobName: 'job-tie', metricsFile: metrics, gateMetric: 'accuracy', minImprovement: '0.001', onGateFailure: 'skip' });
    assert.equal(r.result, 'SucceededWithIssues', r.stdout);
    assert.match(r.message ?? '', /a tie is not an improvement/);
    assert.deepEqual(writesSince(mark), []);
    assert.deepEqual({ g: r.outputs.gateResult, reg: r.outputs.registered }, { g: 'failed', reg: 'false' });
  });

  it('a threshold failure fails even without a production version', async () => {
    const name = modelName();
    const metrics = file('thr/metrics.json', JSON.stringify({ auc: 0.6 }));
    const model = file('thr/model.pkl', 'weights-thr');
    const mark = Date.now();
    const r = await run({ modelName: name, modelSourceType: 'local', modelPath: model, metricsFile: metrics, gateMetric: 'auc', gateThreshold: '0.7' });
    assert.equal(r.result, 'Failed', r.stdout);
    assert.match(r.message ?? '', /threshold: auc 0\.6 >= 0\.7 failed/);
    assert.deepEqual(writesSince(mark), []);
    assert.equal(getModel(bed.emulator, name), undefined);
  });

  it('production without the metric: noBaseline with a warning, still registers', async () => {
    const name = modelName();
    seedModelVersions(bed.emulator, { name, count: 1, tags: () => ({ stage: 'production' }), properties: () => ({ 'metric.other': '1' }) });
    const metrics = file('nb/metrics.json', JSON.stringify({ f1: 0.7 }));
    const model = file('nb/model.bin', 'weights-nb');
    const r = await run({ modelName: name, modelSourceType: 'local', modelPath: model, metricsFile: metrics, gateMetric: 'f1' });
    assert.equal(r.result, 'Succeeded', r.stdout);
    assert.equal(r.outputs.gateResult, 'noBaseline');
    assert.ok(r.issues.some((i) => i.type === 'warning' && /Production version 1 .* has no value for 'f1'/.test(i.message)), JSON.stringify(r.issues));
  });

  it('uploads a local file under a content-hash path once and registers the long datastore URI', async () => {
    const name = modelName();
    const model = file('local1/model.pkl', 'pickled-weights-1');
    const metrics = file('local1/metrics.json', JSON.stringify({ accuracy: 0.8 }));
    const r = await run({ modelName: name, modelSourceType: 'local', modelPath: model, metricsFile: metrics, modelType: 'mlflow_model', description: 'first local' }, { 'Build.BuildId': '3001' });
    assert.equal(r.result, 'Succeeded', r.stdout);
    const v = getModelVersion(bed.emulator, name, '1')!;
    const m = /^azureml:\/\/subscriptions\/([^/]+)\/resourcegroups\/rg-ml\/workspaces\/mlw\/datastores\/workspaceblobstore\/paths\/(LocalUpload\/[0-9a-f]{32}\/model\.pkl)$/.exec(v.modelUri ?? '');
    assert.ok(m, v.modelUri);
    assert.equal(m[1], bed.emulator.identities.subscriptionId);
    assert.equal(v.modelType, 'mlflow_model');
    assert.equal(v.description, 'first local');
    const ws = bed.emulator.state.getWorkspace('rg-ml', 'mlw')!;
    const container = bed.container(ws.datastores.get('workspaceblobstore')!.containerName);
    const blob = await container.getBlobClient(m[2]).downloadToBuffer();
    assert.equal(blob.toString(), 'pickled-weights-1');
    assert.match(r.stdout, /Uploaded 1 file\(s\)/);
    // another run with the same content: same path, nothing uploaded again, a new version
    const r2 = await run({ modelName: name, modelSourceType: 'local', modelPath: model, metricsFile: metrics }, { 'Build.BuildId': '3002' });
    assert.equal(r2.result, 'Succeeded', r2.stdout);
    assert.match(r2.stdout, /already in datastore 'workspaceblobstore'.*nothing uploaded/);
    assert.equal(getModelVersion(bed.emulator, name, '2')!.modelUri, v.modelUri);
  });

  it('uploads a local folder (every file, nested) and registers the folder URI', async () => {
    const name = modelName();
    file('folder/mlmodel/MLmodel', 'flavors: {}');
    file('folder/mlmodel/model.pkl', 'folder-weights');
    file('folder/mlmodel/env/conda.yaml', 'name: x');
    const r = await run({ modelName: name, modelSourceType: 'local', modelPath: path.join(work, 'folder', 'mlmodel') });
    assert.equal(r.result, 'Succeeded', r.stdout);
    assert.equal(r.outputs.gateResult, 'skipped', 'no gate metric: no gate');
    const uri = getModelVersion(bed.emulator, name, '1')!.modelUri ?? '';
    const m = /\/paths\/(LocalUpload\/[0-9a-f]{32}\/mlmodel)\/$/.exec(uri);
    assert.ok(m, uri);
    const ws = bed.emulator.state.getWorkspace('rg-ml', 'mlw')!;
    const container = bed.container(ws.datastores.get('workspaceblobstore')!.containerName);
    const names: string[] = [];
    for await (const b of container.listBlobsFlat({ prefix: `${m[1]}/` })) names.push(b.name);
    assert.deepEqual(names.sort(), [`${m[1]}/MLmodel`, `${m[1]}/env/conda.yaml`, `${m[1]}/model.pkl`]);
  });

  it('an MLflow-logged model (artifacts/<path> or runs:/<job>/<path>) is registered from the artifact store as mlflow_model', async () => {
    const ws = bed.emulator.state.getWorkspace('rg-ml', 'mlw')!;
    const store = bed.container(ws.datastores.get('workspaceartifactstore')!.containerName);
    await store.createIfNotExists();
    for (const job of ['job-mlflow', 'job-runs']) {
      seedJob(bed.emulator, job, { status: 'Completed', outputs: [] });
      await store.getBlockBlobClient(`ExperimentRun/dcid.${job}/model/MLmodel`).uploadData(Buffer.from('flavors:\n  sklearn: {}\n'));
      await store.getBlockBlobClient(`ExperimentRun/dcid.${job}/model/model.pkl`).uploadData(Buffer.from('pickle'));
    }
    // an MLmodel on the default datastore's output path is not where Azure keeps a logged model
    seedJob(bed.emulator, 'job-elsewhere', { status: 'Completed', outputs: [] });
    await bed.container(ws.datastores.get('workspaceblobstore')!.containerName).getBlockBlobClient('azureml/job-elsewhere/artifacts/model/MLmodel').uploadData(Buffer.from('flavors: {}\n'));

    const name = modelName();
    const a = await run({ modelName: name, jobName: 'job-mlflow', jobOutputName: 'artifacts/model' });
    assert.equal(a.result, 'Succeeded', a.stdout);
    const b = await run({ modelName: name, jobOutputName: 'runs:/job-runs/model' });
    assert.equal(b.result, 'Succeeded', b.stdout);
    const c = await run({ modelName: name, jobName: 'job-elsewhere', jobOutputName: 'artifacts/model' });
    assert.equal(c.result, 'Succeeded', c.stdout);
    const v = (n: string): { uri?: string; type?: string; job?: string } => {
      const x = getModelVersion(bed.emulator, name, n)!;
      return { uri: x.modelUri, type: x.modelType, job: x.jobName };
    };
    assert.deepEqual(v('1'), { uri: 'azureml://jobs/job-mlflow/outputs/artifacts/paths/model', type: 'mlflow_model', job: 'job-mlflow' });
    assert.deepEqual(v('2'), { uri: 'runs:/job-runs/model', type: 'mlflow_model', job: 'job-runs' }, 'a model URI is registered as given (as azure-ai-ml sends it)');
    assert.deepEqual(v('3'), { uri: 'azureml://jobs/job-elsewhere/outputs/artifacts/paths/model', type: 'custom_model', job: 'job-elsewhere' });
    assert.match(a.stdout, /Model type: mlflow_model \(an MLmodel file is at the model root\)/);

    const mismatch = await run({ modelName: name, jobName: 'job-mlflow', jobOutputName: 'runs:/job-runs/model' });
    assert.equal(mismatch.result, 'Failed');
    assert.equal(mismatch.message, "Input 'jobOutputName': 'runs:/job-runs/model' names job 'job-runs', but jobName is 'job-mlflow'. Expected a model URI of the job in jobName, or leave jobName empty.");
  });

  it('when the model files cannot be read, an empty modelType fails naming the input; a given modelType registers', async () => {
    seedJob(bed.emulator, 'job-unreadable', { status: 'Completed', outputs: [] });
    const fault = bed.emulator.faults.inject({ host: /^management\.localhost$/, method: 'POST', path: /\/datastores\/workspaceartifactstore\/listSecrets$/, kind: 'unavailable', times: 100, retryAfterSeconds: 1 });
    try {
      const name = modelName();
      const mark = Date.now();
      const auto = await run({ modelName: name, jobName: 'job-unreadable', jobOutputName: 'artifacts/model' });
      assert.equal(auto.result, 'Failed', auto.stdout);
      assert.match(auto.message ?? '', /^Cannot tell whether the model is an MLflow model \(an MLmodel file at its root\): azureml:\/\/datastores\/workspaceartifactstore\/paths\/ExperimentRun\/dcid\.job-unreadable\/model could not be read: .*Set the input 'modelType'/);
      assert.deepEqual(modelWritesSince(mark), []);
      const given = await run({ modelName: name, jobName: 'job-unreadable', jobOutputName: 'artifacts/model', modelType: 'mlflow_model' });
      assert.equal(given.result, 'Succeeded', given.stdout);
      assert.equal(getModelVersion(bed.emulator, name, '1')!.modelType, 'mlflow_model');
    } finally {
      assert.ok(fault.hits > 0, 'the fault was hit');
      bed.emulator.faults.clear();
    }
  });

  it('a retried run of the same pipeline run reuses its version instead of registering another', async () => {
    const name = modelName();
    seedJob(bed.emulator, 'job-retry', { status: 'Completed', outputs: ['model'] });
    bed.emulator.state.setRunMetrics('job-retry', { accuracy: 0.95 });
    const inputs = { modelName: name, jobName: 'job-retry', gateMetric: 'accuracy' };
    const first = await run(inputs, { 'Build.BuildId': '4001' });
    assert.equal(first.result, 'Succeeded', first.stdout);
    const mark = Date.now();
    const again = await run(inputs, { 'Build.BuildId': '4001', 'System.JobAttempt': '2' });
    assert.equal(again.result, 'Succeeded', again.stdout);
    assert.deepEqual(modelWritesSince(mark), []);
    assert.equal(getModel(bed.emulator, name)!.versions.size, 1);
    assert.deepEqual({ v: again.outputs.modelVersion, g: again.outputs.gateResult, reg: again.outputs.registered }, { v: '1', g: 'noBaseline', reg: 'true' });
    assert.match(again.stdout, /registered by this pipeline run already/);
  });

  it('another writer takes the computed version between the read and the PUT (400 "Asset paths cannot be updated."): the next number is registered', async () => {
    const name = modelName();
    seedModelVersions(bed.emulator, { name, count: 2 });
    seedJob(bed.emulator, 'job-race', { status: 'Completed', outputs: ['model'] });
    assetPutRaces(bed.emulator).set(`models/${name}/3`, { kind: 'registeredFirst', path: 'azureml://jobs/someone-else/outputs/model' });
    const r = await run({ modelName: name, jobName: 'job-race' });
    assert.equal(r.result, 'Succeeded', r.stdout);
    assert.equal(r.outputs.modelVersion, '4');
    assert.equal(getModelVersion(bed.emulator, name, '3')!.modelUri, 'azureml://jobs/someone-else/outputs/model', 'the other writer\'s version is untouched');
    assert.equal(getModelVersion(bed.emulator, name, '4')!.modelUri, 'azureml://jobs/job-race/outputs/model');
  });

  it('a create racing another create of the same version (409) is retried on the same number', async () => {
    const name = modelName();
    seedModelVersions(bed.emulator, { name, count: 1 });
    seedJob(bed.emulator, 'job-409', { status: 'Completed', outputs: ['model'] });
    assetPutRaces(bed.emulator).set(`models/${name}/2`, { kind: 'sameTime' });
    const r = await run({ modelName: name, jobName: 'job-409' });
    assert.equal(r.result, 'Succeeded', r.stdout);
    assert.equal(r.outputs.modelVersion, '2');
    assert.equal(getModel(bed.emulator, name)!.versions.size, 2);
  });

  it('an explicit modelVersion taken by another writer between the read and the PUT fails clearly', async () => {
    const name = modelName();
    seedJob(bed.emulator, 'job-explicit-race', { status: 'Completed', outputs: ['model'] });
    assetPutRaces(bed.emulator).set(`models/${name}/7`, { kind: 'registeredFirst', path: 'azureml://jobs/someone-else/outputs/model' });
    const r = await run({ modelName: name, jobName: 'job-explicit-race', modelVersion: '7' });
    assert.equal(r.result, 'Failed', r.stdout);
    assert.match(r.message ?? '', new RegExp(`Model version ${name}:7 already exists with other content: it points to azureml://jobs/someone-else/outputs/model, this run would register azureml://jobs/job-explicit-race/outputs/model`));
  });

  it('an explicit modelVersion that exists with other content is a clear conflict, nothing written', async () => {
    const name = modelName();
    seedModelVersions(bed.emulator, { name, count: 3 });
    seedJob(bed.emulator, 'job-conflict', { status: 'Completed', outputs: ['model'] });
    const mark = Date.now();
    const r = await run({ modelName: name, jobName: 'job-conflict', modelVersion: '2' });
    assert.equal(r.result, 'Failed', r.stdout);
    assert.match(r.message ?? '', /Model version model-\d+:2 already exists with other content: it points to .*azureml:\/\/jobs\/seed-job-2\/outputs\/model.*azureml:\/\/jobs\/job-conflict\/outputs\/model/);
    assert.deepEqual(writesSince(mark), []);
  });

  it('registers an explicit new modelVersion', async () => {
    const name = modelName();
    seedModelVersions(bed.emulator, { name, count: 3 });
    seedJob(bed.emulator, 'job-explicit', { status: 'Completed', outputs: ['model'] });
    const r = await run({ modelName: name, jobName: 'job-explicit', modelVersion: '10' });
    assert.equal(r.result, 'Succeeded', r.stdout);
    assert.equal(r.outputs.modelVersion, '10');
    assert.equal(getModelVersion(bed.emulator, name, '10')!.modelUri, 'azureml://jobs/job-explicit/outputs/model');
  });

  it('reads the baseline from the production job\'s MLflow run when the version has no metric properties (WIF connection, throttled list)', async () => {
    const name = modelName();
    seedModelVersions(bed.emulator, { name, count: 1, tags: () => ({ stage: 'production' }) });
    getModelVersion(bed.emulator, name, '1')!.jobName = 'job-old-prod';
    bed.emulator.state.setRunMetrics('job-old-prod', { accuracy: 0.97 });
    seedJob(bed.emulator, 'job-new', { status: 'Completed', outputs: ['model'] });
    bed.emulator.state.setRunMetrics('job-new', { accuracy: 0.96 });
    const throttle = bed.emulator.faults.inject({ host: /^management\.localhost$/, method: 'GET', path: new RegExp(`/models/${name}/versions$`), kind: 'throttle', retryAfterSeconds: 1 });
    const wif = serviceConnectionEnv(bed.emulator, 'wif', { id: 'connwif' });
    const mark = Date.now();
    const r = await runTask(BUNDLE, {
      inputs: { azureSubscription: 'connwif', resourceGroup: 'rg-ml', workspaceName: 'mlw', modelName: name, jobName: 'job-new', gateMetric: 'accuracy' },
      connection: wif,
      timeoutMs: 120_000,
    });
    assertNoSecretsLeaked(r, [bed.emulator.identities.wif.systemAccessToken, ...wif.secrets]);
    assert.equal(throttle.hits, 1, 'the 429 was answered and retried');
    assert.equal(r.result, 'Failed', r.stdout);
    assert.match(r.message ?? '', /accuracy 0\.96 vs 0\.97 \(version 1\)/);
    assert.deepEqual(writesSince(mark), []);
  });

  describe('job source checks (before any write)', () => {
    const cases: { title: string; job?: { status: string; outputs: string[] }; jobName: string; inputs?: Record<string, string>; metrics?: Record<string, number>; re: RegExp }[] = [
      { title: 'job not found', jobName: 'job-missing', re: /Job 'job-missing' was not found in workspace 'mlw'/ },
      { title: 'job still running', job: { status: 'Running', outputs: ['model'] }, jobName: 'job-running', re: /Job 'job-running' is Running, not Completed/ },
      { title: 'job failed', job: { status: 'Failed', outputs: ['model'] }, jobName: 'job-failed', re: /Job 'job-failed' is Failed, not Completed/ },
      { title: 'no such output', job: { status: 'Completed', outputs: ['weights', 'logs'] }, jobName: 'job-outputs', re: /Job 'job-outputs' has no output 'model' \(input 'jobOutputName'\)\. Expected one of: weights, logs/ },
      { title: 'candidate lacks the gate metric', job: { status: 'Completed', outputs: ['model'] }, jobName: 'job-nometric', metrics: { accuracy: 0.9 }, inputs: { gateMetric: 'auc' }, re: /Gate metric 'auc' is not among the candidate's metrics \(accuracy\).*job job-nometric/ },
      { title: 'no MLflow run for the job', job: { status: 'Completed', outputs: ['model'] }, jobName: 'job-norun', inputs: { gateMetric: 'auc' }, re: /Reading the MLflow metrics of job 'job-norun' failed: RESOURCE_DOES_NOT_EXIST \(404\)/ },
    ];
    for (const c of cases) {
      it(c.title, async () => {
        if (c.job) seedJob(bed.emulator, c.jobName, c.job);
        if (c.metrics) bed.emulator.state.setRunMetrics(c.jobName, c.metrics);
        const mark = Date.now();
        const r = await run({ modelName: modelName(), jobName: c.jobName, ...(c.inputs ?? {}) });
        assert.equal(r.result, 'Failed', r.stdout);
        assert.match(r.message ?? '', c.re);
        assert.deepEqual(writesSince(mark), []);
      });
    }
  });

  describe('bad inputs fail before any Azure write', () => {
    const cases: { title: string; inputs: () => Record<string, string>; re: RegExp }[] = [
      { title: 'invalid modelName', inputs: () => ({ modelName: 'bad name!', jobName: 'j' }), re: /^Input 'modelName': 'bad name!' is not a valid Azure ML name\. Expected 1-255 letters/ },
      { title: 'unknown action', inputs: () => ({ modelName: 'm', action: 'deploy' }), re: /^Input 'action': 'deploy' is not supported\. Expected one of 'register', 'promote'/ },
      { title: 'minImprovement abc%', inputs: () => ({ modelName: 'm', jobName: 'j', gateMetric: 'a', minImprovement: 'abc%' }), re: /^Input 'minImprovement': 'abc%' is not a number or a percentage\. Expected a non-negative number/ },
      { title: 'negative minImprovement', inputs: () => ({ modelName: 'm', jobName: 'j', gateMetric: 'a', minImprovement: '-1' }), re: /^Input 'minImprovement': '-1' is not a number or a percentage/ },
      { title: 'bad gateDirection', inputs: () => ({ modelName: 'm', jobName: 'j', gateMetric: 'a', gateDirection: 'sideways' }), re: /^Input 'gateDirection': 'sideways' is not supported\. Expected one of 'higherIsBetter', 'lowerIsBetter'/ },
      { title: 'bad gateThreshold', inputs: () => ({ modelName: 'm', jobName: 'j', gateMetric: 'a', gateThreshold: 'high' }), re: /^Input 'gateThreshold': 'high' is not a number/ },
      { title: 'missing metricsFile', inputs: () => ({ modelName: 'm', jobName: 'j', metricsFile: path.join(work, 'nope.json') }), re: /^Input 'metricsFile': '.*nope\.json' does not exist/ },
      { title: 'non-numeric metrics', inputs: () => ({ modelName: 'm', jobName: 'j', metricsFile: file('bad/metrics.json', '{"accuracy": "0.9x"}') }), re: /^Input 'metricsFile': '.*metrics\.json' has non-numeric values for 'accuracy' \("0\.9x"\)\. Expected a JSON object/ },
      { title: 'metrics file not an object', inputs: () => ({ modelName: 'm', jobName: 'j', metricsFile: file('bad/array.json', '[1]') }), re: /^Input 'metricsFile': .* holds an array, not an object/ },
      { title: 'modelSourceType=job without jobName', inputs: () => ({ modelName: 'm', modelSourceType: 'job' }), re: /^Input 'jobName': is required when modelSourceType is 'job'/ },
      { title: 'local without modelPath', inputs: () => ({ modelName: 'm', modelSourceType: 'local' }), re: /^Input 'modelPath': is required but empty/ },
      { title: 'local gate without a metrics source', inputs: () => ({ modelName: 'm', modelSourceType: 'local', modelPath: file('bad/m.pkl', 'x'), gateMetric: 'a' }), re: /^Input 'metricsFile': is empty, so the gate metric 'a' has no source/ },
      { title: 'bad modelSourceType', inputs: () => ({ modelName: 'm', modelSourceType: 's3' }), re: /^Input 'modelSourceType': 's3' is not supported/ },
      { title: 'bad modelType', inputs: () => ({ modelName: 'm', jobName: 'j', modelType: 'onnx' }), re: /^Input 'modelType': 'onnx' is not supported/ },
      { title: 'bad onGateFailure', inputs: () => ({ modelName: 'm', jobName: 'j', onGateFailure: 'ignore' }), re: /^Input 'onGateFailure': 'ignore' is not supported/ },
      { title: 'bad productionTag', inputs: () => ({ modelName: 'm', jobName: 'j', productionTag: 'production' }), re: /^Input 'productionTag': 'production' is not a 'key=value' tag/ },
      { title: 'reserved tag key', inputs: () => ({ modelName: 'm', jobName: 'j', tags: 'team=ml\nado.runId=1' }), re: /^Input 'tags': key 'ado\.runId' is reserved for the task/ },
      { title: 'production tag key in tags', inputs: () => ({ modelName: 'm', jobName: 'j', tags: 'stage=production' }), re: /^Input 'tags': key 'stage' is the production tag's key/ },
      { title: 'bad modelVersion', inputs: () => ({ modelName: 'm', jobName: 'j', modelVersion: '1 0' }), re: /^Input 'modelVersion': '1 0' is not a valid model version/ },
      { title: 'threshold without a gate metric', inputs: () => ({ modelName: 'm', jobName: 'j', gateThreshold: '0.5' }), re: /^Input 'gateMetric': is empty but gateThreshold is set/ },
    ];
    for (const c of cases) {
      it(c.title, async () => {
        const mark = Date.now();
        const r = await run(c.inputs());
        assert.equal(r.result, 'Failed', r.stdout);
        assert.match(r.message ?? '', c.re);
        assert.deepEqual(writesSince(mark), [], 'nothing written');
        assert.equal(bed.emulator.requests.filter((q) => q.time >= mark && q.host === 'management.localhost').length, 0, 'not even a read');
      });
    }
  });

  describe('promote', () => {
    it('moves the production tag, records who/when/which run, and a second promote writes nothing', async () => {
      const name = modelName();
      seedModelVersions(bed.emulator, { name, count: 120, tags: (i) => (i === 7 ? { stage: 'production', team: 'ml' } : { team: 'ml' }) });
      setModelPageSize(bed.emulator, 50);
      try {
        const mark = Date.now();
        const r = await run({ action: 'promote', modelName: name, modelVersion: '110' }, { 'Build.BuildId': '5001' });
        assert.equal(r.result, 'Succeeded', r.stdout);
        assert.deepEqual({ v: r.outputs.modelVersion, id: r.outputs.modelId, g: r.outputs.gateResult, reg: r.outputs.registered }, { v: '110', id: `azureml:${name}:110`, g: 'skipped', reg: 'false' });
        const promoted = getModelVersion(bed.emulator, name, '110')!;
        assert.equal(promoted.tags.stage, 'production');
        assert.equal(promoted.tags.team, 'ml', 'other tags kept');
        assert.equal(promoted.tags['promotion.by'], 'Pipeline Author');
        assert.equal(promoted.tags['promotion.runId'], '5001');
        assert.match(promoted.tags['promotion.runUrl'], /ml-project\/_build\/results\?buildId=5001$/);
        assert.ok(!Number.isNaN(Date.parse(promoted.tags['promotion.at'])));
        assert.equal(promoted.tags['promotion.previous'], '7');
        const old = getModelVersion(bed.emulator, name, '7')!;
        assert.equal(old.tags.stage, undefined);
        assert.equal(old.tags.team, 'ml');
        assert.equal(old.tags['promotion.demotedByRun'], '5001');
        assert.equal(old.modelUri, 'azureml://jobs/seed-job-7/outputs/model', 'content unchanged');
        const writes = modelWritesSince(mark);
        assert.deepEqual(writes.map((w) => `${w.method} ${w.path.split('/models/')[1]}`).sort(), [`PUT ${name}/versions/110`, `PUT ${name}/versions/7`]);
        const filtered = bed.emulator.requests.filter((q) => q.time >= mark && q.path.endsWith(`/models/${name}/versions`) && q.query.tags === 'stage=production');
        assert.ok(filtered.length >= 1, 'used the tags filter');
        assert.match(r.stdout, /Removed stage=production from model version model-\d+:7/);

        const mark2 = Date.now();
        const again = await run({ action: 'promote', modelName: name, modelVersion: '110' }, { 'Build.BuildId': '5002' });
        assert.equal(again.result, 'Succeeded', again.stdout);
        assert.deepEqual(modelWritesSince(mark2), [], 're-promote writes nothing');
        assert.match(again.stdout, /already carries stage=production and no other version does/);
      } finally {
        setModelPageSize(bed.emulator, 100);
      }
    });

    it('two promotions at the same time: exactly one version ends as production, the other run fails naming it (issue 15, low)', async () => {
      const name = modelName();
      seedModelVersions(bed.emulator, { name, count: 3, tags: (i) => (i === 1 ? { stage: 'production' } : {}) });
      // every model-version PUT takes 1.5 s: both runs have read the holders before either tag lands
      const slow = bed.emulator.faults.inject({ host: /^management\.localhost$/, method: 'PUT', path: new RegExp(`/models/${name}/versions/[^/]+$`), kind: 'slow', delayMs: 1500, times: 20 });
      try {
        const [a, b] = await Promise.all([
          run({ action: 'promote', modelName: name, modelVersion: '2' }, { 'Build.BuildId': '7001' }),
          run({ action: 'promote', modelName: name, modelVersion: '3' }, { 'Build.BuildId': '7002' }),
        ]);
        assert.ok(slow.hits >= 2);
        const holders = [...getModel(bed.emulator, name)!.versions.values()].filter((v) => v.tags.stage === 'production').map((v) => v.version);
        assert.equal(holders.length, 1, `holders ${holders.join(',')}\n${a.stdout.slice(-1500)}\n${b.stdout.slice(-1500)}`);
        const winner = holders[0] === '2' ? a : b;
        const loser = winner === a ? b : a;
        assert.equal(winner.result, 'Succeeded', winner.stdout);
        assert.equal(loser.result, 'Failed', loser.stdout);
        assert.match(loser.message ?? '', new RegExp(`^Another promotion moved stage=production to model version ${name}:${holders[0]} \\(pipeline run 700[12]\\) at the same time: version [23] was not promoted \\(its tag was taken back\\)\\.`));
        // the loser's version keeps no trace of the promotion that did not happen; version 1 was demoted
        const lost = getModelVersion(bed.emulator, name, holders[0] === '2' ? '3' : '2')!;
        assert.equal(lost.tags.stage, undefined);
        assert.equal(lost.tags['promotion.at'], undefined);
        assert.equal(getModelVersion(bed.emulator, name, '1')!.tags.stage, undefined);
      } finally {
        bed.emulator.faults.clear();
      }
    });

    it('removes the tag from every previous holder (two holders after a partial failure)', async () => {
      const name = modelName();
      seedModelVersions(bed.emulator, { name, count: 5, tags: (i) => (i === 2 || i === 4 ? { stage: 'production' } : {}) });
      const r = await run({ action: 'promote', modelName: name, modelVersion: '4' });
      assert.equal(r.result, 'Succeeded', r.stdout);
      const holders = [...getModel(bed.emulator, name)!.versions.values()].filter((v) => v.tags.stage === 'production').map((v) => v.version);
      assert.deepEqual(holders, ['4']);
    });

    it('uses a custom productionTag', async () => {
      const name = modelName();
      seedModelVersions(bed.emulator, { name, count: 2, tags: (i) => (i === 1 ? { env: 'prod', stage: 'production' } : {}) });
      const r = await run({ action: 'promote', modelName: name, modelVersion: '2', productionTag: 'env=prod' });
      assert.equal(r.result, 'Succeeded', r.stdout);
      assert.equal(getModelVersion(bed.emulator, name, '2')!.tags.env, 'prod');
      assert.equal(getModelVersion(bed.emulator, name, '1')!.tags.env, undefined);
      assert.equal(getModelVersion(bed.emulator, name, '1')!.tags.stage, 'production', 'other tags untouched');
    });

    it('without modelVersion promotes the version this pipeline run registered', async () => {
      const name = modelName();
      seedJob(bed.emulator, 'job-promote-mine', { status: 'Completed', outputs: ['model'] });
      const reg = await run({ modelName: name, jobName: 'job-promote-mine' }, { 'Build.BuildId': '6001' });
      assert.equal(reg.result, 'Succeeded', reg.stdout);
      seedJob(bed.emulator, 'job-other-run', { status: 'Completed', outputs: ['model'] });
      const other = await run({ modelName: name, jobName: 'job-other-run' }, { 'Build.BuildId': '6002' });
      assert.equal(other.outputs.modelVersion, '2');
      const r = await run({ action: 'promote', modelName: name }, { 'Build.BuildId': '6001' });
      assert.equal(r.result, 'Succeeded', r.stdout);
      assert.equal(r.outputs.modelVersion, '1');
      assert.equal(getModelVersion(bed.emulator, name, '1')!.tags.stage, 'production');
      assert.equal(getModelVersion(bed.emulator, name, '2')!.tags.stage, undefined);
    });

    it('the promoted version becomes the baseline of the next gate', async () => {
      const name = modelName();
      seedModelVersions(bed.emulator, { name, count: 2, properties: (i) => ({ 'metric.accuracy': i === 1 ? '0.95' : '0.8' }) });
      assert.equal((await run({ action: 'promote', modelName: name, modelVersion: '1' })).result, 'Succeeded');
      seedJob(bed.emulator, 'job-after-promote', { status: 'Completed', outputs: ['model'] });
      bed.emulator.state.setRunMetrics('job-after-promote', { accuracy: 0.9 });
      const r = await run({ modelName: name, jobName: 'job-after-promote', gateMetric: 'accuracy' }, { 'Build.BuildId': '7001' });
      assert.equal(r.result, 'Failed', r.stdout);
      assert.match(r.message ?? '', /accuracy 0\.9 vs 0\.95 \(version 1\)/);
    });

    it('fails clearly for a missing version or no version of this run, writing nothing', async () => {
      const name = modelName();
      seedModelVersions(bed.emulator, { name, count: 1 });
      const mark = Date.now();
      const r = await run({ action: 'promote', modelName: name, modelVersion: '9' });
      assert.equal(r.result, 'Failed', r.stdout);
      assert.match(r.message ?? '', /Model version model-\d+:9 was not found in workspace 'mlw' \(input 'modelVersion'\)/);
      const r2 = await run({ action: 'promote', modelName: name }, { 'Build.BuildId': '9999' });
      assert.equal(r2.result, 'Failed', r2.stdout);
      assert.match(r2.message ?? '', /^Input 'modelVersion': is empty and no version of model 'model-\d+' was registered by this pipeline run \(tag ado\.runId=9999\)/);
      assert.deepEqual(writesSince(mark), []);
      assert.ok(models(bed.emulator).has(`rg-ml/mlw/${name}`));
    });
  });
});
