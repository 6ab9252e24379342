// L0 tests of MonitorModel: its compiled main run by task-lib's MockTestRunner with fakes injected
// (tests/L0/common.ts): local folders stand in for the datastores, so the readers, statistics, verdicts, report
// and outcome run for real. One scenario script per case, no network.
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { assertFailedBeforeAnyCall, callsOf, leakedBeyondAgentMasking, runScenario, type ScenarioRun } from '../../shared/tests/l0';
import { ACCESS_TOKEN, SP_KEY } from './L0/common';

const scenario = (name: string): Promise<ScenarioRun> => runScenario(path.join(__dirname, 'L0', `${name}.js`));
const SECRETS = [SP_KEY, ACCESS_TOKEN];

describe('MonitorModel L0 (MockTestRunner)', function () {
  this.timeout(120000);

  describe('verdicts and actions', () => {
    it('drift with onDrift=retrain: flags temperature only, queues the training pipeline with the reason and window, sets the outputs', async () => {
      const run = await scenario('driftRetrain');
      assert.equal(run.result, 'SucceededWithIssues', run.stdout);
      assert.match(run.message ?? '', /^Drift: drift in temperature \(worst PSI [\d.]+\)\. Queued training run 4242: https:\/\/dev\.azure\.com\/contoso\/energy\/_build\/results\?buildId=4242$/);
      assert.equal(run.outputs.driftDetected, 'true');
      assert.equal(run.outputs.driftedFeatures, 'temperature');
      assert.equal(run.outputs.verdict, 'drift');
      assert.equal(run.outputs.metricOnWindow, '');
      assert.equal(run.outputs.retrainRunUrl, 'https://dev.azure.com/contoso/energy/_build/results?buildId=4242');
      assert.deepEqual(callsOf(run, 'pipelines.get'), [{ id: 12 }]);
      assert.deepEqual(callsOf(run, 'pipelines.queue'), [{
        id: 12,
        run: { branch: 'refs/heads/main', templateParameters: { retrainReason: (callsOf(run, 'pipelines.queue')[0] as { run: { templateParameters: { retrainReason: string } } }).run.templateParameters.retrainReason, driftWindow: '2026-12-01T00:00:00.000Z/2026-12-02T00:00:00.000Z' } },
      }]);
      assert.match((callsOf(run, 'pipelines.queue')[0] as { run: { templateParameters: { retrainReason: string } } }).run.templateParameters.retrainReason, /^energy:3: drift in temperature \(worst PSI/);
      assert.deepEqual(callsOf(run, 'jobDataInputs'), [{ job: 'job-1' }]);
      assert.match(run.stdout, /Reference:? model version energy:3 → job job-1 → input 'training_data' \(azureml:train:1\)/); // tl.loc prints loc_mock_<key> in L0
      assert.match(run.stdout, /624 record\(s\) from 624 envelope\(s\) in 24 collected file\(s\)$/m);
      // one trend per monitored stream: the model, and the endpoint and deployment the data was collected from
      assert.deepEqual(callsOf(run, 'trend.write'), [{ name: 'monitoring/energy/energy-ep-blue/psi-trend.json', runs: 1 }]);
      assert.ok(run.commands.some((c) => c.command === 'results.publish'), 'JUnit published');
      assert.deepEqual(leakedBeyondAgentMasking(run, SECRETS), []);
    });

    it('keeps the trend of another deployment of the same model apart, carrying on a trend of the old per-model layout', async () => {
      const run = await scenario('otherDeploymentOldTrend');
      assert.equal(run.result, 'SucceededWithIssues', run.stdout);
      assert.deepEqual(callsOf(run, 'trend.write'), [{ name: 'monitoring/energy/energy-ep-green/psi-trend.json', runs: 2 }]);
      assert.match(run.stdout, /PSI trend: carrying on the trend kept per model in datastore 'workspaceblobstore' blob 'monitoring\/energy\/psi-trend\.json'/);
      assert.match(run.stdout, /PSI trend: 2 run\(s\) in datastore 'workspaceblobstore' blob 'monitoring\/energy\/energy-ep-green\/psi-trend\.json'/);
    });

    it('drift with onDrift=warn succeeds with issues and queues nothing', async () => {
      const run = await scenario('driftWarn');
      assert.equal(run.result, 'SucceededWithIssues', run.stdout);
      assert.match(run.message ?? '', /^Drift: drift in temperature/);
      assert.deepEqual(callsOf(run, 'pipelines.get'), []);
      assert.equal(run.outputs.retrainRunUrl, '');
    });

    it('drift with onDrift=fail fails naming the feature, after writing the trend and the outputs', async () => {
      const run = await scenario('driftFail');
      assert.equal(run.result, 'Failed', run.stdout);
      assert.match(run.message ?? '', /^Drift: drift in temperature \(worst PSI [\d.]+\)\.$/);
      assert.equal(run.outputs.driftedFeatures, 'temperature');
      assert.equal(callsOf(run, 'trend.write').length, 1);
    });

    it('no drift passes even with onDrift=fail', async () => {
      const run = await scenario('noDrift');
      assert.equal(run.result, 'Succeeded', run.stdout);
      assert.equal(run.outputs.driftDetected, 'false');
      assert.equal(run.outputs.verdict, 'noDrift');
    });
  });

  describe('failure paths', () => {
    it('an empty window is "insufficient data" with the count, never a pass', async () => {
      const run = await scenario('emptyWindow');
      assert.equal(run.result, 'SucceededWithIssues', run.stdout);
      assert.match(run.message ?? '', /^Insufficient data: temperature \(production window has 0 row\(s\), fewer than minSamples 100\); occupancy \(production window has 0 row\(s\), fewer than minSamples 100\); production window has 0 row\(s\)\.$/);
      assert.equal(run.outputs.verdict, 'insufficientData');
      assert.equal(run.outputs.driftDetected, 'false');
    });

    it('a reference with other columns fails naming the missing and the extra columns', async () => {
      const run = await scenario('otherColumns');
      assert.equal(run.result, 'Failed', run.stdout);
      assert.equal(run.message, 'The reference (referenceData other-columns:1) and the production data have different columns: production data lacks reference column(s) humidity; production data has column(s) the reference lacks: occupancy. Expected the model\'s input columns on both sides (or list the features to watch in \'features\').');
      assert.deepEqual(callsOf(run, 'trend.write'), []);
      assert.deepEqual(run.outputs, {});
    });

    it('a training pipeline id the project does not have fails in one line before judging or writing', async () => {
      const run = await scenario('missingPipeline');
      assert.equal(run.result, 'Failed', run.stdout);
      assert.equal(run.message, "Input 'retrainPipelineId': pipeline 99 does not exist in https://dev.azure.com/contoso/ project 'energy' (or the job's build service identity cannot see it). Expected the id of the training pipeline (the definitionId in its URL).");
      assert.deepEqual(callsOf(run, 'pipelines.queue'), []);
      assert.deepEqual(callsOf(run, 'trend.write'), []);
      assert.deepEqual(leakedBeyondAgentMasking(run, SECRETS), []);
    });

    it('features naming a column the reference lacks fails naming it', async () => {
      const run = await scenario('unknownFeature');
      assert.equal(run.result, 'Failed', run.stdout);
      assert.match(run.message ?? '', /^Input 'features': names column\(s\) the reference lacks: humidity\. /);
    });
  });

  describe('bad inputs: one line naming the input, before any call', () => {
    const cases: [string, RegExp][] = [
      ['badWindowHours', /^Input 'windowHours': 'a day' is not a number of hours\. Expected a positive number up to 8784/],
      ['badFromTo', /^Input 'from': 2026-12-02T00:00:00\.000Z is not before to 2026-12-01T00:00:00\.000Z\. Expected from < to\.$/],
      ['badPsi', /^Input 'psiThreshold': 0 is not above 0\. Expected a number above 0/],
      ['badProductionData', /^Input 'productionData': 'https:\/\/evil\.example\.com\/data\/' is a URL; name the data through a datastore or a data asset/],
      ['retrainWithoutPipeline', /^Input 'retrainPipelineId': is required but empty\. Expected an integer >= 1\.$/],
      ['reservedParameter', /^Input 'retrainParameters': sets 'retrainReason', which the task passes itself\./],
      ['metricWithoutLabels', /^Input 'gateMetric': is 'rmse' but labelsData is empty\./],
    ];
    for (const [name, message] of cases) {
      it(name, async () => assertFailedBeforeAnyCall(await scenario(name), message, SECRETS));
    }
  });
});
