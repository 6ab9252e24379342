// L0 tests: the tsc-compiled task's main (out/tasks/RegisterModel/src/main.js, through tests/L0/entry.js) run by task-lib's MockTestRunner,
// one scenario script per case (tests/L0/<case>.ts), with recording fakes injected into main for every call
// to Azure (see tests/L0/common.ts). Nothing here reaches a network.
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { assertFailedBeforeAnyCall, callsOf, leakedBeyondAgentMasking, runScenario, ScenarioRun } from '../../shared/tests/l0';
import { JOB, SP_KEY, SUBSCRIPTION, WS_ID } from './L0/common';

const scenario = (name: string): Promise<ScenarioRun> => runScenario(path.join(__dirname, 'L0', `${name}.js`), { timeoutMs: 60000 });
const leaks = (run: ScenarioRun): string[] => leakedBeyondAgentMasking(run, [SP_KEY]);

const CONN = { subscriptionId: SUBSCRIPTION, scheme: 'ServicePrincipal' };
const SCOPE = { resourceGroup: 'rg-ml', workspaceName: 'ws-prod', modelName: 'churn' };
const OUTPUT_NAMES = ['gateResult', 'modelAssetId', 'modelId', 'modelName', 'modelVersion', 'registered'];
const NOTHING_REGISTERED = { modelName: 'churn', modelVersion: '', modelId: '', modelAssetId: '', gateResult: 'failed', registered: 'false' };
const AZURE_WRITES = ['datastoreContainer', 'uploadPlanned', 'registerVersion', 'promote'];

interface RegisterCall {
  version: string;
  explicit: boolean;
  content: { modelUri: string; modelType: string; description?: string; jobName?: string; tags: Record<string, string>; properties: Record<string, string> };
}

describe('RegisterModel L0 (MockTestRunner)', function () {
  this.timeout(120000);

  it("registers a job's output whose gate metric beats production, with lineage, verdict and metric properties, and sets every output", async () => {
    const run = await scenario('success');
    assert.equal(run.result, 'Succeeded', run.stdout);
    assert.ok(run.succeeded);
    assert.deepEqual(run.errors, []);
    assert.deepEqual(run.warnings, []);
    assert.deepEqual(run.calls.map((c) => c.name), ['openWorkspace', 'resolveJobSource', 'listVersions', 'jobMetrics', 'registerVersion']);
    assert.deepEqual(callsOf(run, 'openWorkspace'), [{ ...CONN, resourceGroup: 'rg-ml', workspaceName: 'ws-prod' }]);
    assert.deepEqual(callsOf(run, 'resolveJobSource'), [{ workspace: 'ws-prod', jobName: JOB, outputName: 'model' }]);
    assert.deepEqual(callsOf(run, 'listVersions'), [{ ...SCOPE, includeArchived: true }]);
    assert.deepEqual(callsOf(run, 'jobMetrics'), [{ ...CONN, workspace: 'ws-prod', jobName: JOB }]);

    const [reg] = callsOf(run, 'registerVersion') as (RegisterCall & Record<string, unknown>)[];
    assert.equal(reg.modelName, 'churn');
    // versions 1 and 2 exist: the next one is 3
    assert.equal(reg.version, '3');
    assert.equal(reg.explicit, false);
    assert.equal(reg.content.modelUri, `azureml://jobs/${JOB}/outputs/model`);
    assert.equal(reg.content.modelType, 'custom_model');
    assert.equal(reg.content.description, 'churn classifier');
    assert.equal(reg.content.jobName, JOB);
    const tags = reg.content.tags;
    assert.equal(tags.team, 'churn');
    assert.equal(tags['ado.runId'], '42');
    assert.equal(tags['upstream.job'], JOB);
    assert.equal(tags['gate.result'], 'passed');
    assert.equal(tags['gate.metric'], 'accuracy');
    assert.equal(tags['gate.candidate'], '0.93');
    assert.equal(tags['gate.baseline'], '0.9');
    assert.equal(tags['gate.baselineVersion'], '1');
    assert.equal(tags.stage, undefined, 'a new version is not production');
    assert.deepEqual(reg.content.properties, { 'metric.accuracy': '0.93', 'metric.loss': '0.21', 'metrics.source': `job ${JOB}` });

    assert.deepEqual(Object.keys(run.outputs).sort(), OUTPUT_NAMES);
    assert.deepEqual(run.outputs, {
      modelName: 'churn',
      modelVersion: '3',
      modelId: 'azureml:churn:3',
      modelAssetId: `${WS_ID}/models/churn/versions/3`,
      gateResult: 'passed',
      registered: 'true',
    });
    assert.ok(run.secrets.includes(SP_KEY), 'the client secret is registered with the agent');
    assert.deepEqual(leaks(run), []);
  });

  it('registers a local folder with a metrics file and no production version: noBaseline, uploaded only after the gate', async () => {
    const run = await scenario('localNoBaseline');
    assert.equal(run.result, 'Succeeded', run.stdout);
    assert.deepEqual(run.calls.map((c) => c.name), ['openWorkspace', 'listVersions', 'datastoreContainer', 'uploadPlanned', 'registerVersion']);
    const [upload] = callsOf(run, 'uploadPlanned') as { prefix: string; files: string[]; datastoreName: string }[];
    assert.match(upload.prefix, /^LocalUpload\/[0-9a-f]{32}\/model$/);
    assert.deepEqual(upload.files, ['conda.yaml', 'model.pkl']);
    assert.equal(upload.datastoreName, 'workspaceblobstore');
    const [reg] = callsOf(run, 'registerVersion') as RegisterCall[];
    assert.equal(
      reg.content.modelUri,
      `azureml://subscriptions/${SUBSCRIPTION}/resourcegroups/rg-ml/workspaces/ws-prod/datastores/workspaceblobstore/paths/${upload.prefix}/`,
    );
    assert.equal(reg.content.modelType, 'mlflow_model');
    assert.equal(reg.content.jobName, undefined);
    assert.equal(reg.content.tags['gate.result'], 'noBaseline');
    assert.equal(reg.content.tags['gate.baseline'], undefined);
    assert.equal(reg.content.properties['metric.accuracy'], '0.91');
    assert.equal(reg.content.properties['metric.f1'], '0.8');
    assert.equal(run.outputs.gateResult, 'noBaseline');
    assert.equal(run.outputs.registered, 'true');
    assert.equal(run.outputs.modelId, 'azureml:churn:3');
    assert.deepEqual(leaks(run), []);
  });

  it('gate failed with onGateFailure=fail: Failed with one line, outputs say failed/not registered, nothing written', async () => {
    const run = await scenario('gateFailed');
    assert.equal(run.result, 'Failed', run.stdout);
    assert.equal(run.succeeded, false);
    assert.deepEqual(run.calls.map((c) => c.name), ['openWorkspace', 'resolveJobSource', 'listVersions', 'jobMetrics']);
    assert.match(run.message, /GateFailed .*accuracy 0\.85 vs 0\.9 \(version 1\)/);
    assert.ok(!run.message.includes('\n'), 'one line');
    assert.deepEqual(run.outputs, NOTHING_REGISTERED);
    assert.deepEqual(leaks(run), []);
  });

  it('gate failed with onGateFailure=skip: SucceededWithIssues, registered=false, nothing uploaded or registered', async () => {
    const run = await scenario('gateFailedSkip');
    assert.equal(run.result, 'SucceededWithIssues', run.stdout);
    assert.deepEqual(run.errors, []);
    assert.match(run.message, /GateFailedSkip .*accuracy 0\.85 vs 0\.9/);
    assert.deepEqual(run.calls.map((c) => c.name), ['openWorkspace', 'listVersions']);
    for (const write of AZURE_WRITES) assert.deepEqual(callsOf(run, write), [], `no ${write}`);
    assert.deepEqual(run.outputs, NOTHING_REGISTERED);
    assert.deepEqual(leaks(run), []);
  });

  it('promote: moves the production tag to the given version with the promotion record, registers nothing', async () => {
    const run = await scenario('promote');
    assert.equal(run.result, 'Succeeded', run.stdout);
    assert.deepEqual(run.calls.map((c) => c.name), ['openWorkspace', 'promotionTarget', 'promote']);
    assert.deepEqual(callsOf(run, 'promotionTarget'), [{ ...SCOPE, requested: '3', runId: '42' }]);
    const [p] = callsOf(run, 'promote') as Record<string, unknown>[];
    assert.equal(p.target, '3');
    assert.deepEqual(p.tag, { key: 'stage', value: 'production' });
    assert.equal(p.by, 'Ada Lovelace');
    assert.equal(p.runId, '42');
    assert.equal(p.runUrl, 'https://dev.azure.com/contoso/ml/_build/results?buildId=42');
    assert.match(String(p.at), /^\d{4}-\d\d-\d\dT/);
    assert.deepEqual(run.outputs, {
      modelName: 'churn',
      modelVersion: '3',
      modelId: 'azureml:churn:3',
      modelAssetId: `${WS_ID}/models/churn/versions/3`,
      gateResult: 'skipped',
      registered: 'false',
    });
    assert.deepEqual(leaks(run), []);
  });

  const bad: [scenario: string, message: RegExp][] = [
    ['badModelName', /^Input 'modelName': 'churn model' is not a valid Azure ML name\. Expected /],
    ['noJobName', /^Input 'jobName': is required when modelSourceType is 'job'\. Expected /],
    ['badMinImprovement', /^Input 'minImprovement': 'a lot' is not a number or a percentage\. Expected /],
    ['reservedTag', /^Input 'tags': key 'ado\.runId' is reserved for the task\. Expected /],
    ['thresholdWithoutMetric', /^Input 'gateMetric': is empty but gateThreshold is set\. Expected /],
    ['badMetricsFile', /^Input 'metricsFile': '.*metrics\.json' holds an array, not an object\. Expected /],
  ];
  for (const [name, message] of bad) {
    it(`fails on a bad input before any Azure call: ${name}`, async () => {
      const run = await scenario(name);
      assertFailedBeforeAnyCall(run, message, [SP_KEY]);
    });
  }
});
