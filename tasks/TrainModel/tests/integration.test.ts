// TrainModel end to end: the bundled task as a child process against the emulator + Azurite.
import * as assert from 'assert';
import { codeAssets, environmentAssets, findJob, jobOutputBlobPrefix, jobScripts } from '../../../test/emulator/services/aml-jobs';
import { assertNoSecretsLeaked } from '../../../test/harness/run-task';
import { armCalls, baseInputs, type Bed, makeProject, resetAml, startBed, train } from './helpers';

describe('TrainModel (bundle against the emulator)', function () {
  this.timeout(120_000);
  let b: Bed;
  before(async () => {
    b = await startBed();
  });
  after(async () => {
    await b?.bed.stop();
  });
  beforeEach(() => resetAml(b));

  it('uploads the code, registers code and conda environment, submits the job with lineage and waits for it', async () => {
    const { codePath, condaFile } = makeProject();
    jobScripts(b.bed.emulator).set('*', { metrics: { rmse: [5.1, 4.2], r2: 0.87 }, outputFiles: { 'model.json': '{"w":[1,2]}' } });
    const run = await train(b, baseInputs(codePath, condaFile));
    assert.strictEqual(run.result, 'Succeeded', run.stdout + run.stderr);

    // code: one version named by the content hash, its blobs under LocalUpload/<hash>/ minus ignored files
    const codes = [...codeAssets(b.bed.emulator).values()];
    assert.strictEqual(codes.length, 1);
    const hash = codes[0].name;
    assert.match(hash, /^[0-9a-f]{64}$/);
    const codeVersion = codes[0].versions.get('1');
    assert.ok(codeVersion, 'code version 1');
    const ds = b.bed.emulator.state.getWorkspace('rg-ml', 'mlw')!.datastores.get('workspaceblobstore')!;
    assert.match(String(codeVersion.properties.codeUri), new RegExp(`^https://devstoreaccount1\\.blob\\.localhost:\\d+/${ds.containerName}/LocalUpload/${hash}$`));
    const blobs: string[] = [];
    for await (const blob of b.bed.container(ds.containerName).listBlobsFlat({ prefix: `LocalUpload/${hash}/` })) blobs.push(blob.name.slice(`LocalUpload/${hash}/`.length));
    assert.deepStrictEqual(blobs.sort(), ['.amlignore', 'lib/features.py', 'train.py']);

    // environment: conda file + base image as version <hash16> of the conda file's name
    const env = environmentAssets(b.bed.emulator).get('rg-ml/mlw/energy-env');
    assert.ok(env, 'environment energy-env');
    const [envVersion] = [...env.versions.values()];
    assert.match(envVersion.version, /^[0-9a-f]{16}$/);
    assert.strictEqual(envVersion.properties.image, 'mcr.microsoft.com/azureml/openmpi4.1.0-ubuntu22.04:latest');
    assert.match(String(envVersion.properties.condaFile), /python=3\.11/);

    // the job PUT body
    const puts = armCalls(b, 'PUT', /\/jobs\/[^/]+$/);
    assert.strictEqual(puts.length, 1);
    const jobName = run.outputs.jobName;
    assert.match(jobName, /^train-4711-[0-9a-f]{12}$/);
    assert.ok(puts[0].path.endsWith(`/jobs/${jobName}`));
    const p = JSON.parse(puts[0].body).properties;
    assert.strictEqual(p.jobType, 'Command');
    assert.strictEqual(p.experimentName, 'energy');
    assert.strictEqual(p.displayName, 'energy-build #20240101.3');
    assert.match(p.command, /\$\{\{inputs\.learning_rate\}\}/);
    assert.match(p.codeId, new RegExp(`/workspaces/mlw/codes/${hash}/versions/1$`));
    assert.match(p.environmentId, new RegExp(`/workspaces/mlw/environments/energy-env/versions/${envVersion.version}$`));
    assert.match(p.computeId, /\/workspaces\/mlw\/computes\/cpu-cluster$/);
    assert.deepStrictEqual(p.inputs, {
      learning_rate: { jobInputType: 'literal', value: '0.1' },
      training_data: { jobInputType: 'uri_folder', uri: 'azureml:energy-data:3' },
    });
    assert.deepStrictEqual(p.outputs, { model: { jobOutputType: 'uri_folder', mode: 'ReadWriteMount' } });
    assert.deepStrictEqual(p.environmentVariables, { LOG_LEVEL: 'debug' });
    assert.deepStrictEqual(p.resources, { instanceCount: 1 });
    assert.strictEqual(p.distribution, undefined);
    assert.deepStrictEqual(p.limits, { jobLimitsType: 'Command', timeout: 'PT5M' });
    assert.strictEqual(p.tags.team, 'energy');
    assert.strictEqual(p.tags['ado.runId'], '4711');
    assert.strictEqual(p.tags['ado.project'], 'ml-project');
    assert.strictEqual(p.tags['aml.code'], `${hash}:1`);
    assert.strictEqual(p.tags['aml.environment'], `azureml:energy-env:${envVersion.version}`);

    // waited through the states, metrics printed, outputs set, summary written
    assert.strictEqual(findJob(b.bed.emulator, jobName)?.status, 'Completed');
    for (const s of ['Queued', 'Preparing', 'Running', 'Completed']) assert.match(run.stdout, new RegExp(`Job '${jobName}': ${s} \\(elapsed \\d+s\\) https://ml\\.azure\\.com/runs/${jobName}\\?wsid=`));
    assert.match(run.stdout, /rmse\s+4\.2/);
    assert.strictEqual(run.outputs.jobStatus, 'Completed');
    assert.deepStrictEqual(JSON.parse(run.outputs.metrics), { r2: 0.87, rmse: 4.2 });
    assert.strictEqual(run.outputs.modelOutputUri, `azureml://jobs/${jobName}/outputs/model`);
    assert.match(run.outputs.studioUrl, new RegExp(`^https://ml\\.azure\\.com/runs/${jobName}\\?wsid=/subscriptions/`));
    assert.strictEqual(run.summaries.length, 1);
    assert.match(run.summaries[0], /rmse \| 4\.2/);
    // the model the job wrote is where RegisterModel will look for it
    const model: string[] = [];
    for await (const blob of b.bed.container(ds.containerName).listBlobsFlat({ prefix: jobOutputBlobPrefix(jobName, 'model') })) model.push(blob.name);
    assert.deepStrictEqual(model, [`${jobOutputBlobPrefix(jobName, 'model')}model.json`]);
    assertNoSecretsLeaked(run, b.connection.secrets);
  });
});
