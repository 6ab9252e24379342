// TrainModel end to end: the bundled task as a child process against the emulator + Azurite.
import * as assert from 'assert';
import { addCompute, amlJobs, codeAssets, environmentAssets, findJob, jobOutputBlobPrefix, jobScripts } from '../../../test/emulator/services/aml-jobs';
import { assertNoSecretsLeaked, serviceConnectionEnv } from '../../../test/harness/run-task';
import * as fs from 'fs';
import * as path from 'path';
import { addDataVersion } from '../../../test/emulator/services/aml-data';
import { armCalls, baseInputs, type Bed, makeProject, resetAml, startBed, train } from './helpers';
import { assetPutRaces } from '../../../test/emulator/services/aml-workspace';
import { condaEnvironmentVersion, snapshotCode } from '../../shared/src/assets';

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
      // resolved to the data version's ARM id before the PUT, as azure-ai-ml does
      training_data: { jobInputType: 'uri_folder', uri: `/subscriptions/${b.bed.emulator.identities.subscriptionId}/resourceGroups/rg-ml/providers/Microsoft.MachineLearningServices/workspaces/mlw/data/energy-data/versions/3` },
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
  it('the same content is never uploaded twice: a second run uploads nothing and reuses the code version', async () => {
    const { codePath, condaFile } = makeProject();
    const first = await train(b, baseInputs(codePath, condaFile), { variables: { 'Build.BuildId': '100' } });
    assert.strictEqual(first.result, 'Succeeded', first.stdout);
    const [code] = [...codeAssets(b.bed.emulator).values()];
    const ds = b.bed.emulator.state.getWorkspace('rg-ml', 'mlw')!.datastores.get('workspaceblobstore')!;
    const etags = async (): Promise<Record<string, string>> => {
      const out: Record<string, string> = {};
      for await (const blob of b.bed.container(ds.containerName).listBlobsFlat({ prefix: `LocalUpload/${code.name}/` })) out[blob.name] = String(blob.properties.etag);
      return out;
    };
    const before = await etags();
    b.bed.emulator.requests.length = 0;

    const second = await train(b, baseInputs(codePath, condaFile), { variables: { 'Build.BuildId': '101' } });
    assert.strictEqual(second.result, 'Succeeded', second.stdout);
    assert.notStrictEqual(second.outputs.jobName, first.outputs.jobName);
    assert.deepStrictEqual(await etags(), before, 'no blob was written again');
    assert.match(second.stdout, /is already registered as code version [0-9a-f]{64}:1: nothing uploaded/);
    assert.deepStrictEqual(armCalls(b, 'PUT', /\/codes\//), [], 'no code container/version PUT');
    assert.deepStrictEqual(armCalls(b, 'PUT', /\/environments\//), [], 'the conda environment version is reused too');
    const [put] = armCalls(b, 'PUT', /\/jobs\//);
    assert.match(JSON.parse(put.body).properties.codeId, new RegExp(`/codes/${code.name}/versions/1$`));
    assert.strictEqual(codeAssets(b.bed.emulator).size, 1);

    // one changed byte: a new hash, a new upload
    fs.appendFileSync(path.join(codePath, 'train.py'), '# v2\n');
    const third = await train(b, baseInputs(codePath, condaFile), { variables: { 'Build.BuildId': '102' } });
    assert.strictEqual(third.result, 'Succeeded', third.stdout);
    assert.strictEqual(codeAssets(b.bed.emulator).size, 2);
  });

  it('registrations colliding with other writers: a code version PUT at the same moment (409) is retried, one registered first is reused; an environment version registered first with another image fails naming it', async () => {
    const { codePath, condaFile } = makeProject({ extra: { 'race.py': 'print(1)\n' } });
    const hash = snapshotCode(codePath).hash;
    const envVersion = condaEnvironmentVersion(fs.readFileSync(condaFile, 'utf8'), baseInputs(codePath, condaFile).baseImage);
    const races = assetPutRaces(b.bed.emulator);
    races.set(`codes/${hash}/1`, { kind: 'sameTime' });
    races.set(`environments/race-env/${envVersion}`, { kind: 'sameTime' });
    const first = await train(b, { ...baseInputs(codePath, condaFile), environmentName: 'race-env' });
    assert.strictEqual(first.result, 'Succeeded', first.stdout);
    assert.strictEqual(armCalls(b, 'PUT', new RegExp(`/codes/${hash}/versions/1$`)).length, 2, 'the 409 was retried');
    assert.strictEqual(armCalls(b, 'PUT', new RegExp(`/environments/race-env/versions/${envVersion}$`)).length, 2, 'the 409 was retried');

    resetAml(b);
    const theirs = 'https://devstoreaccount1.blob.core.windows.net/other/LocalUpload/theirs';
    races.set(`codes/${hash}/1`, { kind: 'registeredFirst', path: theirs });
    const second = await train(b, { ...baseInputs(codePath, condaFile), environmentName: 'race-env' });
    assert.strictEqual(second.result, 'Succeeded', second.stdout);
    const [put] = armCalls(b, 'PUT', /\/jobs\//);
    assert.match(JSON.parse(put.body).properties.codeId, new RegExp(`/codes/${hash}/versions/1$`), 'the version registered first holds the same content (its name is the hash)');

    resetAml(b);
    races.set(`environments/race-env/${envVersion}`, { kind: 'registeredFirst', path: 'someone/else:1' });
    const third = await train(b, { ...baseInputs(codePath, condaFile), environmentName: 'race-env' });
    assert.strictEqual(third.result, 'Failed', third.stdout);
    assert.strictEqual(third.message, `Environment version 'race-env:${envVersion}' was registered by someone else with another definition (image 'someone/else:1'): environment versions cannot change. Use another environment name (input 'environmentName').`);
    assert.deepStrictEqual(armCalls(b, 'PUT', /\/jobs\//), [], 'no job submitted');
  });

  it('azureml:name@latest resolves the newest version across pages; pytorch distribution on 2 nodes', async () => {
    const { codePath, condaFile } = makeProject();
    const envs = environmentAssets(b.bed.emulator);
    const versions = new Map<string, { version: string; properties: Record<string, unknown>; created: string }>();
    for (let i = 1; i <= 7; i++) versions.set(String(i), { version: String(i), properties: { image: `img:${i}` }, created: new Date(Date.UTC(2024, 0, i === 5 ? 30 : i)).toISOString() });
    envs.set('rg-ml/mlw/torch-env', { name: 'torch-env', properties: {}, created: new Date().toISOString(), versions });
    const run = await train(b, { ...baseInputs(codePath, condaFile), environment: 'azureml:torch-env@latest', distribution: 'pytorch', instanceCount: '2', processCountPerInstance: '4' });
    assert.strictEqual(run.result, 'Succeeded', run.stdout);
    const lists = armCalls(b, 'GET', /\/environments\/torch-env\/versions$/);
    assert.ok(lists.length >= 3, `paged through the versions (${lists.length} pages)`);
    const p = JSON.parse(armCalls(b, 'PUT', /\/jobs\//)[0].body).properties;
    assert.match(p.environmentId, /\/environments\/torch-env\/versions\/5$/);
    assert.deepStrictEqual(p.distribution, { distributionType: 'PyTorch', processCountPerInstance: 4 });
    assert.deepStrictEqual(p.resources, { instanceCount: 2 });
    assert.deepStrictEqual(armCalls(b, 'PUT', /\/environments\//), []);
  });

  it('a failed job: its error, log tail and studio link are shown and the task fails', async () => {
    const { codePath, condaFile } = makeProject();
    jobScripts(b.bed.emulator).set('*', {
      outcome: 'Failed', metrics: { epoch: 3 },
      error: { code: 'UserError', message: "Execution failed. User process 'python' exited with status code 1: ValueError: bad shape" },
      log: 'epoch 1\nepoch 2\nTraceback (most recent call last):\nValueError: bad shape\n##vso[task.setvariable variable=injected]evil\n',
    });
    // workload identity federation this time: the data-plane token comes from the same credential
    const wif = serviceConnectionEnv(b.bed.emulator, 'wif');
    const run = await train(b, { ...baseInputs(codePath, condaFile), azureSubscription: wif.id }, { connection: wif });
    assert.strictEqual(run.result, 'Failed', run.stdout);
    const job = run.outputs.jobName;
    assert.match(run.message ?? '', new RegExp(`Job '${job}' ended with status Failed\\. Error: UserError: Execution failed.*ValueError: bad shape\\. See https://ml\\.azure\\.com/runs/${job}`));
    assert.match(run.stdout, /##\[group\]Last 5 lines of user_logs\/std_log\.txt/);
    assert.match(run.stdout, /Traceback \(most recent call last\):/);
    assert.strictEqual(run.variables.injected, undefined, 'remote log text cannot set variables');
    assert.strictEqual(run.outputs.jobStatus, 'Failed');
    assert.deepStrictEqual(JSON.parse(run.outputs.metrics), { epoch: 3 });
    assert.match(run.summaries[0], /Failed/);
    // as azure-ai-ml: run history on the discovery document's `api` host, the log from the job's `default` output
    // (the artifact store datastore, read with its own credentials), not from the details' logFiles
    const reqs = b.bed.emulator.requests;
    assert.ok(reqs.some((r) => r.host === 'eastus.api.azureml.localhost' && r.path.endsWith(`/runs/${job}/details`) && r.status === 200), 'run details read on the api host');
    assert.ok(reqs.some((r) => r.method === 'POST' && /\/datastores\/workspaceartifactstore\/listSecrets$/.test(r.path)), 'artifact store credentials read');
    assert.ok(run.secrets.includes(b.bed.emulator.state.storage.accountKey), 'the datastore key was registered as a secret');
    assertNoSecretsLeaked(run, [...wif.secrets, b.bed.emulator.state.storage.accountKey]);
  });

  // azure-ai-ml `_run_history_constants.py`: NotResponding and Paused are terminal, Finalizing and Unknown are not
  for (const stuck of ['NotResponding', 'Paused'] as const) {
    it(`a job that ends ${stuck} fails at once (not at timeoutMinutes) and a retry submits a new job`, async () => {
      const { codePath, condaFile } = makeProject();
      jobScripts(b.bed.emulator).set('*', { outcome: stuck });
      const run = await train(b, { ...baseInputs(codePath, condaFile), timeoutMinutes: '0.5', pollIntervalSeconds: '0.2' });
      assert.strictEqual(run.result, 'Failed', run.stdout);
      assert.match(run.message ?? '', new RegExp(`Job '${run.outputs.jobName}' ended with status ${stuck}\\.`));
      assert.strictEqual(run.outputs.jobStatus, stuck);
      assert.strictEqual(findJob(b.bed.emulator, run.outputs.jobName)!.cancelRequests, 0, 'a terminal job is not cancelled');
      jobScripts(b.bed.emulator).set('*', { outcome: 'Completed' });
      const retry = await train(b, baseInputs(codePath, condaFile), { variables: { 'System.JobAttempt': '2' } });
      assert.strictEqual(retry.result, 'Succeeded', retry.stdout);
      assert.strictEqual(retry.outputs.jobName, `${run.outputs.jobName}-a2`);
    });
  }

  it('Finalizing and Unknown are passing states: the task keeps waiting until the job completes', async () => {
    const { codePath, condaFile } = makeProject();
    jobScripts(b.bed.emulator).set('*', { states: ['NotStarted', 'Starting', 'Provisioning', 'Queued', 'Running', 'Unknown', 'Finalizing'], outcome: 'Completed' });
    const run = await train(b, { ...baseInputs(codePath, condaFile), pollIntervalSeconds: '0.2' });
    assert.strictEqual(run.result, 'Succeeded', run.stdout);
    assert.strictEqual(run.outputs.jobStatus, 'Completed');
  });

  it('data-asset inputs: @latest is the newest version, the asset keeps its own type (mltable), a missing asset names the input', async () => {
    const { codePath, condaFile } = makeProject();
    addDataVersion(b.bed.emulator, 'sales', '1', { dataType: 'mltable', dataUri: 'azureml://datastores/workspaceblobstore/paths/sales/v1/' });
    addDataVersion(b.bed.emulator, 'sales', '2', { dataType: 'mltable', dataUri: 'azureml://datastores/workspaceblobstore/paths/sales/v2/' });
    const run = await train(b, { ...baseInputs(codePath, condaFile), jobInputs: 'sales=azureml:sales@latest', waitForCompletion: 'false' });
    assert.strictEqual(run.result, 'Succeeded', run.stdout);
    const put = JSON.parse(armCalls(b, 'PUT', /\/jobs\/[^/]+$/)[0].body);
    assert.deepStrictEqual(put.properties.inputs.sales, { jobInputType: 'mltable', uri: `/subscriptions/${b.bed.emulator.identities.subscriptionId}/resourceGroups/rg-ml/providers/Microsoft.MachineLearningServices/workspaces/mlw/data/sales/versions/2` });
    resetAml(b);
    const missing = await train(b, { ...baseInputs(codePath, condaFile), jobInputs: 'sales=azureml:sales:9' });
    assert.strictEqual(missing.result, 'Failed');
    assert.match(missing.message ?? '', /^Input 'jobInputs': data asset 'sales:9' of input 'sales' does not exist in workspace 'mlw'\./);
    assert.deepStrictEqual(b.bed.emulator.armWrites(), [], 'nothing written');
  });

  it('times out at timeoutMinutes, cancels the job and fails naming the input', async () => {
    const { codePath, condaFile } = makeProject();
    jobScripts(b.bed.emulator).set('*', { neverFinish: true });
    const run = await train(b, { ...baseInputs(codePath, condaFile), timeoutMinutes: '0.1', pollIntervalSeconds: '0.5' });
    assert.strictEqual(run.result, 'Failed', run.stdout);
    assert.match(run.message ?? '', /Timed out after 6s waiting for Job '.*' \(last state: Running\)\. Raise the input 'timeoutMinutes'/);
    const job = findJob(b.bed.emulator, run.outputs.jobName)!;
    assert.strictEqual(job.cancelRequests, 1);
    assert.strictEqual(job.status, 'Canceled');
    assert.strictEqual(JSON.parse(armCalls(b, 'PUT', /\/jobs\//)[0].body).properties.limits.timeout, 'PT6S');
    assert.strictEqual(run.outputs.jobStatus, 'Running');
  });

  it('SIGINT cancels the job and exits well within the 7.5 s grace, result Cancelled', async () => {
    const { codePath, condaFile } = makeProject();
    jobScripts(b.bed.emulator).set('*', { neverFinish: true });
    let signalledAt = 0;
    const run = await train(b, { ...baseInputs(codePath, condaFile), pollIntervalSeconds: '0.2' }, {
      signal: { name: 'SIGINT', whenStdoutMatches: /: Running \(elapsed/ },
      onStdout: (chunk) => {
        if (!signalledAt && /: Running \(elapsed/.test(chunk)) signalledAt = Date.now();
      },
    });
    const exitedAt = Date.now();
    assert.strictEqual(run.result, 'Cancelled', run.stdout);
    assert.ok(signalledAt > 0);
    assert.ok(exitedAt - signalledAt < 7000, `exited ${exitedAt - signalledAt} ms after SIGINT`);
    const cancels = b.bed.emulator.requests.filter((r) => r.method === 'POST' && /\/jobs\/[^/]+\/cancel$/.test(r.path));
    assert.strictEqual(cancels.length, 1);
    assert.strictEqual(cancels[0].status, 202);
    const [job] = [...amlJobs(b.bed.emulator).values()];
    assert.strictEqual(job.status, 'Canceled', 'the cancel LRO was followed to its end');
    assert.match(run.stdout, /Cancel: cancel Azure ML job '.*': done\./);
  });

  it('a cancel that arrives while the job is being submitted cancels the job that submission created', async () => {
    const { codePath, condaFile } = makeProject();
    jobScripts(b.bed.emulator).set('*', { neverFinish: true });
    // the job PUT takes 1.5 s: the SIGINT lands while it is in flight (after the environment line, before the reply)
    const slowPut = b.bed.emulator.faults.inject({ host: /^management\.localhost$/, method: 'PUT', path: /\/jobs\/[^/]+$/, kind: 'slow', delayMs: 1500 });
    const run = await train(b, { ...baseInputs(codePath, condaFile), pollIntervalSeconds: '0.2' }, {
      signal: { name: 'SIGINT', whenStdoutMatches: /^Environment: /m },
    });
    assert.strictEqual(run.result, 'Cancelled', run.stdout);
    assert.strictEqual(slowPut.hits, 1);
    // the signal came while the PUT was in flight: before the submission's reply was printed (if it was at all)
    const received = run.stdout.indexOf('Received SIGINT');
    const submitted = run.stdout.indexOf('Submitted job');
    assert.ok(received >= 0 && (submitted < 0 || received < submitted), run.stdout);
    const [job] = [...amlJobs(b.bed.emulator).values()];
    assert.ok(job, 'the submission created the job');
    const cancels = b.bed.emulator.requests.filter((r) => r.method === 'POST' && /\/jobs\/[^/]+\/cancel$/.test(r.path));
    assert.strictEqual(cancels.length, 1, run.stdout);
    assert.ok(cancels[0].path.endsWith(`/jobs/${job.name}/cancel`));
    assert.strictEqual(job.status, 'Canceled');
    assert.match(run.stdout, /Cancel: cancel Azure ML job '.*': done\./);
  });

  it('a cancel that arrives before anything is in Azure to clean up still reports Cancelled (no exit by signal)', async () => {
    const { codePath, condaFile } = makeProject();
    // the code snapshot line comes before any clean-up is registered: the handlers are installed at start (runTask)
    const run = await train(b, baseInputs(codePath, condaFile), { signal: { name: 'SIGINT', whenStdoutMatches: /^Code snapshot: /m } });
    assert.strictEqual(run.result, 'Cancelled', run.stdout);
    assert.match(run.stdout, /Received SIGINT: cancelling; 0 clean-up step\(s\)/);
  });

  it('SIGINT with cancelJobOnPipelineCancel=false leaves the job running', async () => {
    const { codePath, condaFile } = makeProject();
    jobScripts(b.bed.emulator).set('*', { neverFinish: true });
    const run = await train(b, { ...baseInputs(codePath, condaFile), pollIntervalSeconds: '0.2', cancelJobOnPipelineCancel: 'false' }, {
      signal: { name: 'SIGINT', whenStdoutMatches: /: Running \(elapsed/ },
    });
    assert.strictEqual(run.result, 'Cancelled', run.stdout);
    assert.strictEqual(b.bed.emulator.requests.filter((r) => /\/cancel$/.test(r.path)).length, 0);
    assert.match(run.stdout, /keeps running/);
  });

  it('a retried stage (System.JobAttempt=2) re-attaches to the job of attempt 1 instead of submitting again', async () => {
    const { codePath, condaFile } = makeProject();
    const first = await train(b, { ...baseInputs(codePath, condaFile), waitForCompletion: 'false' });
    assert.strictEqual(first.result, 'Succeeded', first.stdout);
    assert.strictEqual(first.outputs.jobStatus, 'NotStarted');
    assert.strictEqual(armCalls(b, 'PUT', /\/jobs\//).length, 1);
    b.bed.emulator.requests.length = 0;

    const retry = await train(b, baseInputs(codePath, condaFile), { variables: { 'System.JobAttempt': '2' } });
    assert.strictEqual(retry.result, 'Succeeded', retry.stdout);
    assert.strictEqual(retry.outputs.jobName, first.outputs.jobName);
    assert.deepStrictEqual(b.bed.emulator.armWrites(), [], 'no job PUT, no upload registration, nothing written');
    assert.match(retry.stdout, /already exists for this pipeline run .*re-attaching/);
    assert.strictEqual(retry.outputs.jobStatus, 'Completed');
  });

  it('a retried stage does not re-attach to a job another identity created under its name: it submits <name>-a2 and says why', async () => {
    const { codePath, condaFile } = makeProject();
    const first = await train(b, { ...baseInputs(codePath, condaFile), waitForCompletion: 'false' });
    assert.strictEqual(first.result, 'Succeeded', first.stdout);
    // the job under attempt 1's name now belongs to someone else (ARM's systemData names another application)
    const planted = findJob(b.bed.emulator, first.outputs.jobName);
    assert.ok(planted);
    const intruder = 'f00dfeed-0000-4000-8000-000000000001';
    planted.creator = { by: intruder, type: 'Application' };

    const retry = await train(b, baseInputs(codePath, condaFile), { variables: { 'System.JobAttempt': '2' } });
    assert.strictEqual(retry.result, 'Succeeded', retry.stdout);
    assert.strictEqual(retry.outputs.jobName, `${first.outputs.jobName}-a2`);
    const why = retry.stdout.split('\n').filter((l) => l.startsWith(`Not re-attaching to job '${first.outputs.jobName}'`));
    assert.strictEqual(why.length, 1, retry.stdout);
    assert.match(why[0], new RegExp(`created by another identity \\(Application '${intruder}'\\), not by this service connection\\. Submitting '${first.outputs.jobName}-a2' instead\\.$`));
    assert.strictEqual(armCalls(b, 'PUT', /\/jobs\//).length, 2);
    // the new job is this connection's own
    const own = findJob(b.bed.emulator, `${first.outputs.jobName}-a2`);
    assert.deepStrictEqual(own?.creator, { by: b.bed.emulator.identities.spnSecret.clientId, type: 'Application' });
  });

  it("attempt 1 finds another identity's job under its own name: it submits <name>-r2, and a retry re-attaches to that one", async () => {
    const { codePath, condaFile } = makeProject();
    const first = await train(b, { ...baseInputs(codePath, condaFile), waitForCompletion: 'false' });
    const name = first.outputs.jobName;
    findJob(b.bed.emulator, name)!.creator = { by: 'someone@contoso.com', type: 'User' };
    const again = await train(b, { ...baseInputs(codePath, condaFile), waitForCompletion: 'false' });
    assert.strictEqual(again.result, 'Succeeded', again.stdout);
    assert.strictEqual(again.outputs.jobName, `${name}-r2`);
    assert.match(again.stdout, /Not re-attaching to job '[^']+': it was created by a user \('someone@contoso\.com'\)/);
    b.bed.emulator.requests.length = 0;
    const third = await train(b, { ...baseInputs(codePath, condaFile), waitForCompletion: 'false' });
    assert.strictEqual(third.outputs.jobName, `${name}-r2`);
    assert.match(third.stdout, /re-attaching/);
    assert.deepStrictEqual(b.bed.emulator.armWrites(), [], 'nothing submitted');
  });

  it('a retry after a failed attempt submits <name>-a2', async () => {
    const { codePath, condaFile } = makeProject();
    jobScripts(b.bed.emulator).set('*', { outcome: 'Failed' });
    const first = await train(b, baseInputs(codePath, condaFile));
    assert.strictEqual(first.result, 'Failed');
    jobScripts(b.bed.emulator).set('*', { outcome: 'Completed' });
    const retry = await train(b, baseInputs(codePath, condaFile), { variables: { 'System.JobAttempt': '2' } });
    assert.strictEqual(retry.result, 'Succeeded', retry.stdout);
    assert.strictEqual(retry.outputs.jobName, `${first.outputs.jobName}-a2`);
    assert.strictEqual(armCalls(b, 'PUT', /\/jobs\//).length, 2);
  });

  it('429 and 503 during the wait are retried (Retry-After honoured) and the job still completes', async () => {
    const { codePath, condaFile } = makeProject();
    jobScripts(b.bed.emulator).set('*', { pollsPerState: 2 });
    const jobGet = { host: /^management\.localhost$/, method: 'GET', path: /\/jobs\/train-[^/]+$/ };
    const throttle = b.bed.emulator.faults.inject({ ...jobGet, kind: 'throttle', times: 2, retryAfterSeconds: 1 });
    const unavailable = b.bed.emulator.faults.inject({ ...jobGet, kind: 'unavailable', times: 2, retryAfterSeconds: 1 });
    const run = await train(b, baseInputs(codePath, condaFile));
    assert.strictEqual(run.result, 'Succeeded', run.stdout);
    assert.strictEqual(throttle.hits, 2);
    assert.strictEqual(unavailable.hits, 2);
    const statuses = b.bed.emulator.requests.filter((r) => r.method === 'GET' && jobGet.path.test(r.path)).map((r) => r.status);
    assert.ok(statuses.includes(429) && statuses.includes(503), statuses.join(','));
    assert.strictEqual(run.outputs.jobStatus, 'Completed');
  });

  it('waitForCompletion=false: submits, sets outputs and succeeds without waiting', async () => {
    const { codePath, condaFile } = makeProject();
    const run = await train(b, { ...baseInputs(codePath, condaFile), waitForCompletion: 'false', jobName: 'my-explicit-job' });
    assert.strictEqual(run.result, 'Succeeded', run.stdout);
    assert.strictEqual(run.outputs.jobName, 'my-explicit-job');
    assert.strictEqual(run.outputs.jobStatus, 'NotStarted');
    assert.strictEqual(run.outputs.modelOutputUri, 'azureml://jobs/my-explicit-job/outputs/model');
    assert.strictEqual(findJob(b.bed.emulator, 'my-explicit-job')?.status, 'NotStarted');
  });

  describe('bad inputs fail before any write, naming the input', () => {
    const cases: { name: string; inputs: (codePath: string, condaFile: string) => Record<string, string>; input: string; pattern?: RegExp; setup?: () => void }[] = [
      { name: 'missing experimentName', inputs: (c, e) => ({ ...baseInputs(c, e), experimentName: '' }), input: 'experimentName' },
      { name: 'invalid experimentName', inputs: (c, e) => ({ ...baseInputs(c, e), experimentName: 'my experiment' }), input: 'experimentName', pattern: /'my experiment' is not a valid Azure ML name/ },
      { name: 'invalid jobName', inputs: (c, e) => ({ ...baseInputs(c, e), jobName: '-bad' }), input: 'jobName' },
      { name: 'nonexistent codePath', inputs: (c, e) => ({ ...baseInputs(c, e), codePath: path.join(c, 'nope') }), input: 'codePath', pattern: /does not exist/ },
      { name: 'codePath with only ignored files', inputs: (_c, e) => ({ ...baseInputs(makeIgnoredOnly(), e) }), input: 'codePath', pattern: /no files left/ },
      { name: 'malformed jobInputs line', inputs: (c, e) => ({ ...baseInputs(c, e), jobInputs: 'learning_rate 0.1' }), input: 'jobInputs', pattern: /line 1/ },
      { name: 'malformed data asset', inputs: (c, e) => ({ ...baseInputs(c, e), jobInputs: 'data=azureml:energy' }), input: 'jobInputs', pattern: /not a data asset reference/ },
      { name: 'unknown compute', inputs: (c, e) => ({ ...baseInputs(c, e), compute: 'gpu-cluster' }), input: 'compute', pattern: /'gpu-cluster' does not exist in workspace 'mlw'\. Expected one of 'cpu-cluster'/ },
      { name: 'bad distribution', inputs: (c, e) => ({ ...baseInputs(c, e), distribution: 'horovod' }), input: 'distribution', pattern: /'horovod' is not supported/ },
      { name: 'instanceCount 0', inputs: (c, e) => ({ ...baseInputs(c, e), instanceCount: '0' }), input: 'instanceCount', pattern: /out of range/ },
      { name: 'instanceCount not a number', inputs: (c, e) => ({ ...baseInputs(c, e), instanceCount: 'two' }), input: 'instanceCount' },
      { name: 'unknown environment version', inputs: (c, e) => ({ ...baseInputs(c, e), environment: 'azureml:nope:1' }), input: 'environment', pattern: /environment 'nope:1' of workspace 'mlw' does not exist/ },
      { name: 'environment without versions', inputs: (c, e) => ({ ...baseInputs(c, e), environment: 'azureml:nope@latest' }), input: 'environment', pattern: /has no versions/ },
      { name: 'conda file without baseImage', inputs: (c, e) => ({ ...baseInputs(c, e), baseImage: '' }), input: 'baseImage' },
      { name: 'environment neither reference nor file', inputs: (c, e) => ({ ...baseInputs(c, e), environment: 'sklearn-env' }), input: 'environment' },
    ];
    for (const c of cases) {
      it(c.name, async () => {
        const { codePath, condaFile } = makeProject();
        const run = await train(b, c.inputs(codePath, condaFile));
        assert.strictEqual(run.result, 'Failed', run.stdout);
        assert.ok((run.message ?? '').startsWith(`Input '${c.input}':`), run.message);
        if (c.pattern) assert.match(run.message ?? '', c.pattern);
        assert.deepStrictEqual(b.bed.emulator.armWrites().map((r) => `${r.method} ${r.path}`), []);
        assert.strictEqual(codeAssets(b.bed.emulator).size, 0);
        assertNoSecretsLeaked(run, b.connection.secrets);
      });
    }
  });

  it('another compute cluster of the workspace is used by its ARM id', async () => {
    const { codePath, condaFile } = makeProject();
    addCompute(b.bed.emulator, 'rg-ml', 'mlw', 'gpu-a100');
    const run = await train(b, { ...baseInputs(codePath, condaFile), compute: 'gpu-a100' });
    assert.strictEqual(run.result, 'Succeeded', run.stdout);
    assert.match(JSON.parse(armCalls(b, 'PUT', /\/jobs\//)[0].body).properties.computeId, /\/computes\/gpu-a100$/);
  });
});

function makeIgnoredOnly(): string {
  const { codePath } = makeProject();
  fs.writeFileSync(path.join(codePath, '.amlignore'), '*\n');
  return codePath;
}
