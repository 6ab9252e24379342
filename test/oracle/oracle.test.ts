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
  });
});

