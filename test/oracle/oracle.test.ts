// The official client as an oracle (issue "Azure fidelity", item 9): azure-ai-ml 1.4 does against the
// emulator what our tasks do; the emulator must accept every request it sends (the contract check
// validates each one), and our tasks' requests must carry the fields the official client sends.
import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { startTestBed, type TestBed } from '../harness/testbed';
import { environmentAssets } from '../emulator/services/aml-jobs';
import { addDataVersion } from '../emulator/services/aml-data';
import { azureAiMlMissing, runAzureAiMl, type OracleRun } from './azure-ai-ml';
import type { RecordedRequest } from '../emulator';
import { runTask, serviceConnectionEnv } from '../harness/run-task';

const REPO = path.resolve(__dirname, '..', '..', '..');

/** Every JSON path of a body (`properties.inputs.training_data.uri`), with the names of inputs/outputs/tags as `*`. */
export function fieldPaths(v: unknown, at = ''): string[] {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return [at];
  const out: string[] = [];
  for (const [k, child] of Object.entries(v as Record<string, unknown>)) {
    const name = /\.(inputs|outputs|tags|environmentVariables|properties\.properties)$/.test(at) ? '*' : k;
    out.push(...fieldPaths(child, at ? `${at}.${name}` : name));
  }
  return [...new Set(out)].sort();
}

/**
 * Fields only the official client sends, and why ours need not: azure-ai-ml records its own client-side
 * bookkeeping in the job's `properties` bag and tags (`_azureml.ComputeTargetType`, `ContentSnapshotId`…).
 */
const OFFICIAL_CLIENT_ONLY: RegExp[] = [
  /^properties\.properties\./,
  /^properties\.isArchived$/, // always false on a new job; the spec's default (JobBaseProperties.isArchived)
];

/** `PUT …/jobs/{id}` → `PUT jobs/{}`: the route of a request without names and ids. */
export function routeOf(r: RecordedRequest): string {
  const p = r.path.replace(/^.*\/workspaces\/[^/]+/i, '');
  return `${r.method} ${p.replace(/\/(jobs|codes|environments|data|models|datastores|computes)\/[^/]+/gi, '/$1/{}').replace(/\/versions\/[^/]+/gi, '/versions/{}')}`;
}

function describeRun(run: OracleRun): string {
  return `exit ${run.exitCode}\n${run.stderr.split('\n').slice(-15).join('\n')}\nrequests:\n${run.requests.map((r) => `${r.method} ${r.host}${r.path} -> ${r.status}`).join('\n')}`;
}

describe('official client oracle: azure-ai-ml against the emulator', function () {
  this.timeout(180_000);
  const missing = azureAiMlMissing();
  let bed: TestBed;
  let work: string;

  before(async function () {
    if (missing) {
      console.log(`      oracle not run: ${missing}`);
      this.skip();
    }
    bed = await startTestBed();
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'oracle-'));
    fs.mkdirSync(path.join(work, 'src'));
    fs.writeFileSync(path.join(work, 'src', 'train.py'), 'print("training")\n');
    const now = new Date().toISOString();
    environmentAssets(bed.emulator).set('rg-ml/mlw/sklearn-env', {
      name: 'sklearn-env', properties: {}, created: now,
      versions: new Map([['1', { version: '1', properties: { image: 'mcr.microsoft.com/azureml/openmpi4.1.0-ubuntu20.04' }, created: now }]]),
    });
    addDataVersion(bed.emulator, 'sales', '3', { dataType: 'uri_folder', dataUri: 'azureml://datastores/workspaceblobstore/paths/sales/' });
  });
  after(async () => {
    if (missing) return;
    await bed?.stop();
    if (work) fs.rmSync(work, { recursive: true, force: true });
  });

  let trained: OracleRun;
  it('uploads code and creates a command job with a data-asset input; the emulator accepts every request', async () => {
    trained = await runAzureAiMl(bed.emulator, {
      cwd: work,
      args: ['train', JSON.stringify({
        name: 'oracle-job-1', code: './src', command: 'python train.py --data ${{inputs.training_data}}',
        environment: 'azureml:sklearn-env:1', compute: 'cpu-cluster', experiment: 'oracle',
        inputs: { training_data: { type: 'uri_folder', path: 'azureml:sales:3' } },
      })],
    });
    assert.strictEqual(trained.exitCode, 0, describeRun(trained));
    const failed = trained.requests.filter((r) => r.status >= 400);
    assert.deepStrictEqual(failed.map((r) => `${r.method} ${r.path} -> ${r.status}`), [], describeRun(trained));
    const put = trained.requests.find((r) => r.method === 'PUT' && /\/jobs\/oracle-job-1$/.test(r.path));
    assert.ok(put, describeRun(trained));
    const body = JSON.parse(put.body) as { properties: { inputs: Record<string, { uri: string; jobInputType: string }> } };
    // azure-ai-ml resolves the data asset to its ARM id before the PUT (_job_operations._resolve_job_input)
    assert.match(body.properties.inputs.training_data.uri, /^\/subscriptions\/.+\/workspaces\/mlw\/data\/sales\/versions\/3$/);
  });

  it('our TrainModel sends the job the official client sends (paths and body fields; api-versions may differ)', async function () {
    if (!trained || trained.exitCode !== 0) this.skip();
    const emu = bed.emulator;
    const connection = serviceConnectionEnv(emu, 'spnKey', { id: 'conn-oracle' });
    const first = emu.requests.length;
    const run = await runTask(path.join(REPO, 'dist', 'tasks', 'TrainModel', 'index.js'), {
      connection, timeoutMs: 90_000,
      inputs: {
        azureSubscription: 'conn-oracle', resourceGroup: 'rg-ml', workspaceName: 'mlw', experimentName: 'oracle',
        codePath: path.join(work, 'src'), command: 'python train.py --data ${{inputs.training_data}}',
        environment: 'azureml:sklearn-env:1', compute: 'cpu-cluster', jobInputs: 'training_data=azureml:sales:3',
        jobName: 'ours-job-1', waitForCompletion: 'false',
      },
      variables: { 'Build.BuildId': '1' },
    });
    assert.strictEqual(run.result, 'Succeeded', run.stdout);
    const ours = emu.requests.slice(first).filter((r) => r.host === 'management.localhost');
    const theirs = trained.requests.filter((r) => r.host === 'management.localhost');
    const jobPut = (rs: RecordedRequest[]): Record<string, unknown> => JSON.parse(rs.find((r) => r.method === 'PUT' && /\/jobs\/[^/]+$/.test(r.path))!.body) as Record<string, unknown>;
    const officialJob = jobPut(theirs);
    const ourJob = jobPut(ours);
    // every write the official client makes to submit the job, we make too (reads may differ)
    const writes = (rs: RecordedRequest[]): string[] => [...new Set(rs.filter((r) => r.method !== 'GET').map(routeOf))].sort();
    assert.deepStrictEqual(writes(ours).filter((w) => !writes(theirs).includes(w)), [], `writes only we make: ${writes(ours).join(', ')} vs ${writes(theirs).join(', ')}`);
    // the job body: every field the official client sends, we send (extra fields of ours are named below)
    const theirFields = fieldPaths(officialJob);
    const ourFields = fieldPaths(ourJob);
    const missingInOurs = theirFields.filter((f) => !ourFields.includes(f) && !OFFICIAL_CLIENT_ONLY.some((re) => re.test(f)));
    assert.deepStrictEqual(missingInOurs, [], `official: ${JSON.stringify(officialJob)}\nours: ${JSON.stringify(ourJob)}`);
    // the values that decide what Azure runs: the input is the data version's ARM id of its own type
    const input = (j: Record<string, unknown>): Record<string, unknown> => ((j.properties as Record<string, Record<string, unknown>>).inputs.training_data) as Record<string, unknown>;
    assert.deepStrictEqual(
      { type: input(ourJob).jobInputType, uri: String(input(ourJob).uri).toLowerCase() },
      { type: input(officialJob).jobInputType, uri: String(input(officialJob).uri).toLowerCase() },
    );
  });

  it('reads a job and creates a model version from a job output; the emulator accepts every request', async function () {
    if (!trained || trained.exitCode !== 0) this.skip();
    let shown: OracleRun | undefined;
    for (let i = 0; i < 8; i++) {
      shown = await runAzureAiMl(bed.emulator, { args: ['show', JSON.stringify({ name: 'oracle-job-1' })] });
      assert.strictEqual(shown.exitCode, 0, describeRun(shown));
      if ((shown.result as { result: { status: string } }).result.status === 'Completed') break;
    }
    assert.deepStrictEqual((shown!.result as { result: unknown }).result, { name: 'oracle-job-1', status: 'Completed' });
    const reg = await runAzureAiMl(bed.emulator, { args: ['register', JSON.stringify({ name: 'oracle-model', version: '1', job: 'oracle-job-1', output: 'model' })] });
    assert.strictEqual(reg.exitCode, 0, describeRun(reg));
    assert.deepStrictEqual(reg.requests.filter((r) => r.status >= 400).map((r) => `${r.method} ${r.path} -> ${r.status}`), [], describeRun(reg));
    const put = reg.requests.find((r) => r.method === 'PUT' && /\/models\/oracle-model\/versions\/1$/.test(r.path));
    assert.ok(put, describeRun(reg));
    assert.match(JSON.parse(put.body).properties.modelUri, /^azureml:\/\/jobs\/oracle-job-1\/outputs\/model/);
    // an MLflow-logged model by both of its names: the official client sends them as given, the emulator takes them
    for (const [version, uri] of [['2', 'runs:/oracle-job-1/model'], ['3', 'azureml://jobs/oracle-job-1/outputs/artifacts/paths/model']]) {
      const mlflow = await runAzureAiMl(bed.emulator, { args: ['register', JSON.stringify({ name: 'oracle-model', version, uri, type: 'mlflow_model' })] });
      assert.strictEqual(mlflow.exitCode, 0, describeRun(mlflow));
      assert.deepStrictEqual(mlflow.requests.filter((r) => r.status >= 400).map((r) => `${r.method} ${r.path} -> ${r.status}`), [], describeRun(mlflow));
      const sent = mlflow.requests.find((r) => r.method === 'PUT' && new RegExp(`/models/oracle-model/versions/${version}$`).test(r.path));
      assert.deepStrictEqual(sent && { uri: JSON.parse(sent.body).properties.modelUri, type: JSON.parse(sent.body).properties.modelType }, { uri, type: 'mlflow_model' }, describeRun(mlflow));
    }
  });
});

