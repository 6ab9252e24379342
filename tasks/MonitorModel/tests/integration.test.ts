// Integration tests: the BUNDLED task (dist/tasks/MonitorModel/index.js) runs as the agent runs it against the
// emulator (ARM, AML model/job/data assets, Azure DevOps pipelines) and Azurite, whose workspace datastore holds
// a week of collected requests written by the examples project's generator with a known shift (temperature_c
// +10 °C from 2026-12-01). The reference is found through lineage (production model version → its job → the
// job's training-data asset), the retraining run is queued through the emulator's Azure DevOps route.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Emulator } from '../../../test/emulator';
import { addDataVersion } from '../../../test/emulator/services/aml-data';
import { amlJobs } from '../../../test/emulator/services/aml-jobs';
import { getModelVersion, seedModelVersions } from '../../../test/emulator/services/aml-models';
import { addPipeline, queuedRuns } from '../../../test/emulator/services/devops-pipelines';
import { assertNoSecretsLeaked, runTask, serviceConnectionEnv, type ServiceConnectionEnv, type TaskRun } from '../../../test/harness/run-task';
import { startTestBed, type TestBed } from '../../../test/harness/testbed';
import { collectedWeek, DRIFT_FROM, filesUnder, PROJECT, WEEK_END, WEEK_START, type CollectedWeek } from './projectData';

const ROOT = path.resolve(__dirname, '..', '..', '..', '..');
const DIST = path.join(ROOT, 'dist', 'tasks', 'MonitorModel');
const PIPELINE_ID = 12;

describe('MonitorModel (bundled task against the emulator and Azurite)', function () {
  this.timeout(180_000);
  let bed: TestBed;
  let emu: Emulator;
  let conn: ServiceConnectionEnv;
  let bundle: string;
  let dir: string;
  let week: CollectedWeek;
  let containerName: string;

  const AML = { azureSubscription: 'conn1', resourceGroup: 'rg-ml', workspaceName: 'mlw', modelName: 'energy' };
  const run = (inputs: Record<string, string>): Promise<TaskRun> => runTask(bundle, {
    inputs: { ...AML, productionData: 'energy-ep-blue-model_inputs:1', targetColumn: 'energy_kwh', ...inputs },
    connection: conn, variables: { 'Build.BuildId': String(500 + Math.floor(Math.random() * 1000)) }, timeoutMs: 120_000,
  });
  const secrets = (): string[] => [emu.identities.wif.systemAccessToken, emu.state.storage.accountKey];
  const trendBlob = async (): Promise<{ runs: { psi: Record<string, number>; verdict: string }[] } | undefined> => {
    const b = bed.container(containerName).getBlobClient('monitoring/energy/energy-ep-blue/psi-trend.json');
    return (await b.exists()) ? JSON.parse((await b.downloadToBuffer()).toString('utf8')) as { runs: { psi: Record<string, number>; verdict: string }[] } : undefined;
  };

  before(async () => {
    bed = await startTestBed();
    emu = bed.emulator;
    conn = serviceConnectionEnv(emu, 'wif', { id: 'conn1' });
    const taskDir = fs.mkdtempSync(path.join(os.tmpdir(), 'monitor-task-'));
    fs.cpSync(DIST, taskDir, { recursive: true });
    bundle = path.join(taskDir, 'index.js');
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'monitor-it-'));
    week = collectedWeek(dir, { endpoint: 'energy-ep', deployment: 'blue', rowsPerHour: 20, driftFeature: 'temperature_c' });

    containerName = emu.state.getWorkspace('rg-ml', 'mlw')!.datastores.get('workspaceblobstore')!.containerName;
    const c = bed.container(containerName);
    const upload = async (file: string, name: string): Promise<void> => { await c.getBlockBlobClient(name).uploadFile(file); };
    for (const rel of filesUnder(week.collector)) await upload(path.join(week.collector, rel), `modelDataCollector/${rel}`);
    await upload(path.join(PROJECT, 'data', 'train.csv'), 'data/energy/train.csv');
    await upload(week.labels, 'labels/energy/labels.csv');

    const sub = emu.identities.subscriptionId;
    const folder = (collection: string): string => `azureml://subscriptions/${sub}/resourcegroups/rg-ml/workspaces/mlw/datastores/workspaceblobstore/paths/modelDataCollector/energy-ep/blue/${collection}/`;
    addDataVersion(emu, 'energy-ep-blue-model_inputs', '1', { dataType: 'uri_folder', dataUri: folder('model_inputs') });
    addDataVersion(emu, 'energy-ep-blue-model_outputs', '1', { dataType: 'uri_folder', dataUri: folder('model_outputs') });
    addDataVersion(emu, 'energy-train', '1', { dataType: 'uri_file', dataUri: 'azureml://datastores/workspaceblobstore/paths/data/energy/train.csv' });
    amlJobs(emu).set('rg-ml/mlw/train-energy-1', {
      name: 'train-energy-1', workspaceKey: 'rg-ml/mlw', resourceGroup: 'rg-ml', workspaceName: 'mlw', status: 'Completed', created: new Date().toISOString(),
      gets: 0, cancelRequests: 0, finished: true,
      properties: {
        jobType: 'Command', command: 'python src/train.py --data ${{inputs.training_data}}',
        environmentId: `/subscriptions/${sub}/resourceGroups/rg-ml/providers/Microsoft.MachineLearningServices/workspaces/mlw/environments/energy-env/versions/1`,
        computeId: `/subscriptions/${sub}/resourceGroups/rg-ml/providers/Microsoft.MachineLearningServices/workspaces/mlw/computes/cpu-cluster`,
        // as TrainModel submits it: the data asset resolved to its version's ARM id
        inputs: { training_data: { jobInputType: 'uri_file', uri: `/subscriptions/${sub}/resourceGroups/rg-ml/providers/Microsoft.MachineLearningServices/workspaces/mlw/data/energy-train/versions/1` }, epochs: { jobInputType: 'literal', value: '300' } } },
    });
    seedModelVersions(emu, { name: 'energy', count: 2, tags: (n) => (n === 2 ? { stage: 'production' } : {}), properties: () => ({ 'metric.rmse': String(week.metrics.rmse) }) });
    getModelVersion(emu, 'energy', '2')!.jobName = 'train-energy-1';
    addPipeline(emu, { id: PIPELINE_ID, name: 'energy-train', project: 'ml-project', parameters: { retrainReason: '', driftWindow: '', epochs: '300' } });
  });

  after(async () => {
    await bed?.stop();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
    if (bundle) fs.rmSync(path.dirname(bundle), { recursive: true, force: true });
  });

  it('flags exactly temperature_c over the drifted days, queues the training pipeline and keeps the trend', async () => {
    const r = await run({
      from: DRIFT_FROM, to: WEEK_END, labelsData: 'azureml://datastores/workspaceblobstore/paths/labels/energy/labels.csv', gateMetric: 'rmse', maxMetricDrop: '50%',
      onDrift: 'retrain', retrainPipelineId: String(PIPELINE_ID), retrainBranch: 'main', retrainParameters: 'epochs=300',
    });
    assert.equal(r.result, 'SucceededWithIssues', r.stdout);
    assert.equal(r.outputs.driftDetected, 'true');
    assert.equal(r.outputs.driftedFeatures, 'temperature_c');
    assert.ok(Number(r.outputs.worstPsi) >= 0.2, r.outputs.worstPsi);
    assert.ok(Math.abs(Number(r.outputs.metricOnWindow) - week.metrics.rmse) < week.metrics.rmse, r.outputs.metricOnWindow);
    assert.match(r.stdout, /Reference: model version energy:2 → job train-energy-1 → input 'training_data' \(\/subscriptions\/.*\/data\/energy-train\/versions\/1\)/);
    assert.match(r.stdout, /1440 record\(s\) from 1440 envelope\(s\) in 72 collected file\(s\)/);

    const runs = queuedRuns(emu);
    assert.equal(runs.length, 1);
    assert.equal(runs[0].pipelineId, PIPELINE_ID);
    assert.equal(runs[0].refName, 'refs/heads/main');
    assert.equal(runs[0].templateParameters.driftWindow, '2026-12-01T00:00:00.000Z/2026-12-04T00:00:00.000Z');
    assert.match(runs[0].templateParameters.retrainReason, /^energy:2: drift in temperature_c/);
    assert.equal(runs[0].templateParameters.epochs, '300');
    assert.equal(r.outputs.retrainRunUrl, `${emu.urls.devops}ml-project/_build/results?buildId=${runs[0].id}`);
    assert.match(r.stdout, new RegExp(`Queued training run ${runs[0].id} of pipeline 'energy-train': https://dev\\.azure\\.localhost`));

    const publish = r.commands.find((c) => c.name === 'results.publish');
    assert.ok(publish, 'JUnit results published');
    const junit = fs.readFileSync(String(publish.properties.resultFiles), 'utf8');
    assert.match(junit, /<testcase classname="[^"]+" name="feature temperature_c" time="0">\s*<failure/);
    assert.match(junit, /name="feature occupancy" time="0">\s*<system-out>noDrift/);
    assert.match(junit, /name="metric rmse"/);
    const summary = fs.readFileSync(r.summaryFiles[0], 'utf8');
    assert.match(summary, /#### temperature\\_c: reference vs production\n\n!\[temperature\\_c histogram\]\(data:image\/svg\+xml;base64,/);
    assert.match(summary, /PSI trend/);
    assert.deepEqual((await trendBlob())?.runs.map((x) => x.verdict), ['drift']);
    assertNoSecretsLeaked(r, secrets());
  });

  it('finds no drift before the shift (onDrift=fail passes) and appends the run to the trend', async () => {
    const r = await run({ from: WEEK_START, to: DRIFT_FROM, onDrift: 'fail', predictionsData: 'energy-ep-blue-model_outputs' });
    assert.equal(r.result, 'Succeeded', r.stdout);
    assert.equal(r.outputs.driftDetected, 'false');
    assert.equal(r.outputs.driftedFeatures, '');
    assert.equal(r.outputs.verdict, 'noDrift');
    assert.deepEqual((await trendBlob())?.runs.map((x) => x.verdict), ['drift', 'noDrift']);
    assertNoSecretsLeaked(r, secrets());
  });

  it('says insufficient data with the count for a window with nothing collected, never no drift', async () => {
    const r = await run({ from: '2026-12-10T00:00:00Z', to: '2026-12-11T00:00:00Z', referenceData: 'energy-train:1' });
    assert.equal(r.result, 'SucceededWithIssues', r.stdout);
    assert.match(r.message ?? '', /^Insufficient data: .*production window has 0 row\(s\)/);
    assert.equal(r.outputs.verdict, 'insufficientData');
    assert.equal(r.outputs.driftDetected, 'false');
  });

  it('fails in one line for a training pipeline id the project does not have, before judging or writing', async () => {
    const before = (await trendBlob())?.runs.length;
    const r = await run({ from: DRIFT_FROM, to: WEEK_END, onDrift: 'retrain', retrainPipelineId: '999' });
    assert.equal(r.result, 'Failed', r.stdout);
    assert.match(r.message ?? '', /^Input 'retrainPipelineId': pipeline 999 does not exist in https:\/\/dev\.azure\.localhost:\d+\/contoso\/ project 'ml-project'/);
    assert.equal(queuedRuns(emu).length, 1);
    assert.equal((await trendBlob())?.runs.length, before);
    assertNoSecretsLeaked(r, secrets());
  });
});
