// TrainModel with `jobFile`: the bundled task against the emulator + Azurite, for a command, a sweep and a
// pipeline job file: what it writes, how it waits (trials, steps), the outputs that chain into RegisterModel,
// and the bad inputs that must change nothing in Azure.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { addCompute, amlJobs, componentAssets, environmentAssets, findJob, jobScripts } from '../../../../test/emulator/services/aml-jobs';
import { addDataVersion } from '../../../../test/emulator/services/aml-data';
import { blobLocation } from '../../../../test/emulator/services/aml-online';
import { armCalls, type Bed, CONNECTION_ID, resetAml, startBed, train } from '../helpers';

const SWEEP = `$schema: https://azuremlschemas.azureedge.net/latest/sweepJob.schema.json
type: sweep
experiment_name: churn-sweep
trial:
  command: python train.py --lr \${{search_space.lr}} --data \${{inputs.data}} --model \${{outputs.model}}
  code: src
  environment: azureml:sklearn:3
inputs:
  data:
    type: uri_folder
    path: azureml:iris:1
outputs:
  model:
    type: uri_folder
compute: azureml:cpu-cluster
sampling_algorithm: grid
search_space:
  lr:
    type: choice
    values: [0.01, 0.1, 0.3]
objective:
  goal: maximize
  primary_metric: accuracy
limits:
  max_total_trials: 3
  max_concurrent_trials: 2
  timeout: 3600
`;

const PIPELINE = `$schema: https://azuremlschemas.azureedge.net/latest/pipelineJob.schema.json
type: pipeline
experiment_name: churn-pipeline
settings:
  default_compute: azureml:cpu-cluster
inputs:
  raw:
    type: uri_folder
    path: azureml:iris:1
outputs:
  trained:
    type: uri_folder
jobs:
  prep:
    type: command
    command: python prep.py --raw \${{inputs.raw}} --clean \${{outputs.clean}}
    code: src
    environment: azureml:sklearn:3
    inputs:
      raw: \${{parent.inputs.raw}}
    outputs:
      clean:
        type: uri_folder
  train:
    type: command
    command: python train.py --data \${{inputs.data}} --model \${{outputs.model}}
    code: src
    environment: azureml:sklearn:3
    inputs:
      data: \${{parent.jobs.prep.outputs.clean}}
    outputs:
      model: \${{parent.outputs.trained}}
`;

const COMMAND = `command: python train.py --data \${{inputs.data}} --model \${{outputs.model}}
code: src
environment: azureml:sklearn:3
compute: azureml:cpu-cluster
experiment_name: churn
inputs:
  data:
    type: uri_folder
    path: azureml:iris:1
outputs:
  model:
    type: uri_folder
`;

function makeRepo(files: Record<string, string>): string {
  const repo = fs.mkdtempSync(path.join(os.tmpdir(), 'jobfile-repo-'));
  const all: Record<string, string> = { 'src/train.py': 'print("train")\n', 'src/prep.py': 'print("prep")\n', ...files };
  for (const [rel, content] of Object.entries(all)) {
    fs.mkdirSync(path.dirname(path.join(repo, rel)), { recursive: true });
    fs.writeFileSync(path.join(repo, rel), content);
  }
  return repo;
}

function inputs(repo: string, jobFile: string, more: Record<string, string> = {}): Record<string, string> {
  return {
    azureSubscription: CONNECTION_ID, resourceGroup: 'rg-ml', workspaceName: 'mlw', jobFile: path.join(repo, jobFile),
    pollIntervalSeconds: '0.05', timeoutMinutes: '5', ...more,
  };
}

const writes = (b: Bed): string[] => b.bed.emulator.requests.filter((r) => r.method !== 'GET' && r.host === 'management.localhost').map((r) => `${r.method} ${r.path}`);

describe('TrainModel jobFile (bundle against the emulator)', function () {
  this.timeout(180_000);
  let b: Bed;
  before(async () => {
    b = await startBed();
  });
  after(async () => {
    await b?.bed.stop();
  });
  beforeEach(() => {
    resetAml(b);
    componentAssets(b.bed.emulator).clear();
    const now = new Date().toISOString();
    environmentAssets(b.bed.emulator).set('rg-ml/mlw/sklearn', {
      name: 'sklearn', properties: {}, created: now,
      versions: new Map([['3', { version: '3', properties: { image: 'mcr.microsoft.com/azureml/openmpi4.1.0-ubuntu20.04' }, created: now }]]),
    });
    addDataVersion(b.bed.emulator, 'iris', '1', { dataType: 'uri_folder', dataUri: 'azureml://datastores/workspaceblobstore/paths/iris/' });
    addCompute(b.bed.emulator, 'rg-ml', 'mlw', 'cpu-cluster');
  });
  const run = (repo: string, file: string, more: Record<string, string> = {}, variables: Record<string, string> = {}): ReturnType<typeof train> =>
    train(b, inputs(repo, file, more), { variables: { 'Build.SourcesDirectory': repo, ...variables } });

  it('a command job file: code uploaded by content hash, the job PUT with lineage tags, waited for', async () => {
    const repo = makeRepo({ 'jobs/train.yml': COMMAND.replace('code: src', 'code: ../src') });
    const r = await run(repo, 'jobs/train.yml', { tags: 'team=churn' });
    assert.equal(r.result, 'Succeeded', r.stdout + r.stderr);
    const [put] = armCalls(b, 'PUT', /\/jobs\/[^/]+$/);
    const p = JSON.parse(put.body).properties;
    assert.equal(p.jobType, 'Command');
    assert.equal(p.experimentName, 'churn');
    assert.match(p.codeId, /\/codes\/[0-9a-f]{64}\/versions\/1$/);
    assert.match(p.environmentId, /\/environments\/sklearn\/versions\/3$/);
    assert.equal(p.tags.team, 'churn');
    assert.equal(p.tags['ado.runId'], '4711');
    assert.equal(p.tags['aml.jobFile'], 'jobs/train.yml');
    assert.match(r.outputs.jobName, /^train-4711-[0-9a-f]{12}$/);
    assert.equal(r.outputs.modelOutputUri, `azureml://jobs/${r.outputs.jobName}/outputs/model`);
    assert.equal(findJob(b.bed.emulator, r.outputs.jobName)?.status, 'Completed');
  });

  it('a sweep: progress of trials with the best so far; outputs name the best trial for RegisterModel', async () => {
    const repo = makeRepo({ 'sweep.yml': SWEEP });
    jobScripts(b.bed.emulator).set('*', { trials: [{ metrics: { accuracy: 0.71 } }, { metrics: { accuracy: 0.93 } }, { metrics: { accuracy: 0.82 } }] });
    const r = await run(repo, 'sweep.yml', { jobName: 'churn-sweep-1' });
    assert.equal(r.result, 'Succeeded', r.stdout + r.stderr);
    const p = JSON.parse(armCalls(b, 'PUT', /\/jobs\/churn-sweep-1$/)[0].body).properties;
    assert.equal(p.jobType, 'Sweep');
    assert.deepEqual(p.searchSpace, { lr: ['choice', [[0.01, 0.1, 0.3]]] });
    assert.match(r.stdout, /Trials: 0 done, 2 running/);
    assert.match(r.stdout, /Trials: 2 done, 1 running; best so far: accuracy 0\.93 \(trial churn-sweep-1_1\)/);
    assert.match(r.stdout, /Trials: 3 done, 0 running; best so far: accuracy 0\.93/);
    assert.equal(r.outputs.bestTrialJobName, 'churn-sweep-1_1');
    assert.equal(r.outputs.bestTrialMetric, '0.93');
    assert.deepEqual(JSON.parse(r.outputs.bestTrialParameters), { lr: 0.1 });
    // jobName / metrics / modelOutputUri describe the best trial: RegisterModel takes them unchanged
    assert.equal(r.outputs.jobName, 'churn-sweep-1_1');
    assert.deepEqual(JSON.parse(r.outputs.metrics), { accuracy: 0.93 });
    assert.equal(r.outputs.modelOutputUri, 'azureml://jobs/churn-sweep-1_1/outputs/model');
    assert.equal(r.outputs.jobStatus, 'Completed');
    // the trial ran the sampled value
    assert.equal(findJob(b.bed.emulator, 'churn-sweep-1_1')?.properties.command, 'python train.py --lr 0.1 --data ${{inputs.data}} --model ${{outputs.model}}');
  });

  it('a pipeline: steps as components, their progress in dependency order, `<step>.<output>` as the model', async () => {
    const repo = makeRepo({ 'pipeline.yml': PIPELINE });
    const r = await run(repo, 'pipeline.yml', { jobName: 'churn-pipe-1', modelOutputName: 'train.model' });
    assert.equal(r.result, 'Succeeded', r.stdout + r.stderr);
    // inline steps registered as anonymous components before the job
    const components = [...componentAssets(b.bed.emulator).values()];
    assert.deepEqual(components.map((c) => c.name), ['azureml_anonymous']);
    assert.equal(components[0].versions.size, 2);
    const order = writes(b).map((w) => w.replace(/^.*\/workspaces\/mlw\//, '').replace(/\/versions\/.*$/, '').replace(/\/[0-9a-f]{64}$/, '/<hash>'));
    assert.deepEqual(order.slice(-3), ['components/azureml_anonymous', 'components/azureml_anonymous', 'jobs/churn-pipe-1']);
    assert.match(r.stdout, /Steps: prep Running, train NotStarted/);
    assert.match(r.stdout, /Steps: prep Completed, train Running/);
    assert.match(r.stdout, /Steps: prep Completed, train Completed/);
    const trainStep = [...amlJobs(b.bed.emulator).values()].find((j) => j.parentName === 'churn-pipe-1' && j.displayName === 'train');
    assert.ok(trainStep);
    const prepStep = [...amlJobs(b.bed.emulator).values()].find((j) => j.parentName === 'churn-pipe-1' && j.displayName === 'prep');
    // the binding between steps became the upstream step's output
    assert.deepEqual((trainStep.properties.inputs as Record<string, unknown>).data, { jobInputType: 'uri_folder', uri: `azureml://jobs/${prepStep?.name}/outputs/clean` });
    assert.equal(r.outputs.jobName, trainStep.name);
    assert.equal(r.outputs.modelOutputUri, `azureml://jobs/${trainStep.name}/outputs/model`);
  });

  it('a pipeline output as the model: Azure promotes the step output bound to it, so it names that step\'s job and output', async () => {
    const repo = makeRepo({ 'pipeline.yml': PIPELINE });
    jobScripts(b.bed.emulator).set('churn-pipe-3', { steps: { train: { outputFiles: { 'model.pkl': 'weights' }, outputName: 'model' } } });
    const r = await run(repo, 'pipeline.yml', { jobName: 'churn-pipe-3', modelOutputName: 'trained' });
    assert.equal(r.result, 'Succeeded', r.stdout + r.stderr);
    const trainStep = [...amlJobs(b.bed.emulator).values()].find((j) => j.parentName === 'churn-pipe-3' && j.displayName === 'train');
    assert.ok(trainStep);
    // TrainModel: the step's own job and output, as `train.model` would name them (RegisterModel reads the files there)
    assert.equal(r.outputs.jobName, trainStep.name);
    assert.equal(r.outputs.modelOutputUri, `azureml://jobs/${trainStep.name}/outputs/model`);
    // the emulator: the completed pipeline's output is the step's data (its uri), and its job-output URI reads those files
    const pipeline = findJob(b.bed.emulator, 'churn-pipe-3')!;
    const promoted = `azureml://datastores/workspaceblobstore/paths/azureml/${trainStep.name}/model/`;
    assert.equal((pipeline.properties.outputs as Record<string, { uri?: string }>).trained.uri, promoted);
    const ws = b.bed.emulator.state.getWorkspace('rg-ml', 'mlw')!;
    assert.deepEqual(blobLocation(b.bed.emulator, ws, 'azureml://jobs/churn-pipe-3/outputs/trained'), blobLocation(b.bed.emulator, ws, `azureml://jobs/${trainStep.name}/outputs/model`));
    const at = blobLocation(b.bed.emulator, ws, promoted);
    const names: string[] = [];
    for await (const blob of b.bed.container(at.container).listBlobsFlat({ prefix: at.prefix })) names.push(blob.name);
    assert.deepEqual(names, [`${at.prefix}model.pkl`]);
  });

  it('a pipeline output as the model; a failed step fails the pipeline and is named with its (neutralised) error', async () => {
    const repo = makeRepo({ 'pipeline.yml': PIPELINE });
    jobScripts(b.bed.emulator).set('churn-pipe-2', { steps: { train: { outcome: 'Failed', error: { code: 'UserError', message: 'boom ##vso[task.setvariable variable=pwned]yes' } } } });
    const r = await run(repo, 'pipeline.yml', { jobName: 'churn-pipe-2', modelOutputName: 'trained' });
    assert.equal(r.result, 'Failed', r.stdout);
    assert.match(r.stdout, /Step 'train' \(job [0-9a-f-]{36}\) ended Failed: UserError: boom # #vso\[task\.setvariable variable=pwned\]yes/);
    assert.ok(!/##vso\[task\.setvariable variable=pwned/.test(r.stdout), 'the step error reached the log as an agent command');
    assert.equal(r.outputs.modelOutputUri, 'azureml://jobs/churn-pipe-2/outputs/trained');
    assert.equal(findJob(b.bed.emulator, 'churn-pipe-2')?.status, 'Failed');
  });

  it('a retried stage re-attaches to the job file\'s job instead of submitting it again', async () => {
    const repo = makeRepo({ 'sweep.yml': SWEEP });
    const first = await run(repo, 'sweep.yml');
    assert.equal(first.result, 'Succeeded', first.stdout);
    const puts = armCalls(b, 'PUT', /\/jobs\/[^/]+$/).length;
    const second = await run(repo, 'sweep.yml', {}, { 'System.JobAttempt': '2' });
    assert.equal(second.result, 'Succeeded', second.stdout);
    assert.match(second.stdout, /already exists for this pipeline run \(status Completed\): re-attaching/);
    assert.equal(armCalls(b, 'PUT', /\/jobs\/[^/]+$/).length, puts);
    assert.equal(second.outputs.bestTrialJobName, first.outputs.bestTrialJobName);
  });

  it('SIGINT during a sweep cancels the sweep (its trials with it) and ends Cancelled', async () => {
    const repo = makeRepo({ 'sweep.yml': SWEEP.replace('max_concurrent_trials: 2', 'max_concurrent_trials: 1') });
    const again = await train(b, inputs(repo, 'sweep.yml', { jobName: 'churn-sweep-cancel', pollIntervalSeconds: '0.2' }), {
      variables: { 'Build.SourcesDirectory': repo }, signal: { name: 'SIGINT', whenStdoutMatches: /Trials: 0 done, 1 running/ },
    });
    assert.equal(again.result, 'Cancelled', again.stdout);
    const cancels = b.bed.emulator.requests.filter((q) => q.method === 'POST' && /\/jobs\/churn-sweep-cancel\/cancel$/.test(q.path));
    assert.equal(cancels.length, 1);
    assert.equal(findJob(b.bed.emulator, 'churn-sweep-cancel')?.status, 'Canceled');
    const trials = [...amlJobs(b.bed.emulator).values()].filter((j) => j.parentName === 'churn-sweep-cancel');
    assert.equal(trials.length, 3);
    assert.ok(trials.some((t) => t.status === 'Canceled'), trials.map((t) => t.status).join(', '));
  });

  const BAD: { name: string; files: Record<string, string>; file: string; more?: Record<string, string>; message: RegExp }[] = [
    { name: 'an inline job input beside jobFile', files: { 'job.yml': COMMAND }, file: 'job.yml', more: { command: 'python x.py' }, message: /Input 'command': is set together with jobFile/ },
    { name: 'a YAML syntax error', files: { 'job.yml': 'command: [python\ncode: src\n' }, file: 'job.yml', message: /Input 'jobFile': \S*job\.yml line 2, column \d+: is not valid YAML/ },
    { name: 'a missing required field', files: { 'job.yml': SWEEP.replace(/objective:\n  goal: maximize\n  primary_metric: accuracy\n/, '') }, file: 'job.yml', message: /objective/ },
    { name: 'code outside the repository', files: { 'job.yml': COMMAND.replace('code: src', 'code: ../..') }, file: 'job.yml', message: /outside the repository/ },
    { name: 'an override typo', files: { 'job.yml': COMMAND }, file: 'job.yml', more: { jobOverrides: 'input.lr=0.2' }, message: /input\.lr/ },
    { name: 'a step output that names no step', files: { 'pipeline.yml': PIPELINE }, file: 'pipeline.yml', more: { modelOutputName: 'tain.model' }, message: /Input 'modelOutputName': 'tain\.model' names step 'tain'/ },
  ];
  for (const c of BAD) {
    it(`bad input: ${c.name} fails in one line and writes nothing in Azure`, async () => {
      const repo = makeRepo(c.files);
      const r = await run(repo, c.file, c.more);
      assert.equal(r.result, 'Failed', r.stdout);
      assert.match(r.message ?? '', c.message);
      assert.deepEqual(writes(b), []);
    });
  }
});
