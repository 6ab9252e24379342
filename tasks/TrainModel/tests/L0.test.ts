// L0 tests: the tsc-compiled task's main (out/tasks/TrainModel/src/main.js, through tests/L0/entry.js) run by task-lib's MockTestRunner,
// one scenario script per case (tests/L0/<case>.ts), with recording fakes injected into main for every call
// to Azure (see tests/L0/common.ts). Nothing here reaches a network.
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { assertFailedBeforeAnyCall, callsOf, leakedBeyondAgentMasking, runScenario, ScenarioRun } from '../../shared/tests/l0';
import { CODE_ID, COMPUTE_ID, DATA_ID, ENV_ID, INJECTION, JOB_ERROR, SP_KEY, SUBSCRIPTION } from './L0/common';

const scenario = (name: string): Promise<ScenarioRun> => runScenario(path.join(__dirname, 'L0', `${name}.js`), { timeoutMs: 60000 });
const leaks = (run: ScenarioRun): string[] => leakedBeyondAgentMasking(run, [SP_KEY]);

const JOB_NAME = /^train-42-[0-9a-f]{12}$/;
const OUTPUT_NAMES = ['jobName', 'jobStatus', 'metrics', 'modelOutputUri', 'studioUrl'];
const CONN = { subscriptionId: SUBSCRIPTION, scheme: 'ServicePrincipal' };

interface SubmitCall {
  name: string;
  body: { properties: Record<string, unknown> & { tags: Record<string, string> } };
}

describe('TrainModel L0 (MockTestRunner)', function () {
  this.timeout(120000);

  it('snapshots the code, submits a new job, waits, reads metrics and sets every output', async () => {
    const run = await scenario('success');
    assert.equal(run.result, 'Succeeded', run.stdout);
    assert.ok(run.succeeded);
    assert.deepEqual(run.errors, []);
    // reads first (every name checked), then the writes, then the wait
    assert.deepEqual(run.calls.map((c) => c.name), [
      'openWorkspace', 'checkCompute', 'resolveEnvironment', 'resolveDataInputs', 'findPlan',
      'ensureCodeVersion', 'registerEnvironment', 'submitJob', 'waitForJob', 'fetchMetrics',
    ]);
    assert.deepEqual(callsOf(run, 'openWorkspace'), [{ ...CONN, resourceGroup: 'rg-ml', workspaceName: 'ws-prod' }]);
    assert.deepEqual(callsOf(run, 'checkCompute'), [{ workspace: 'ws-prod', name: 'cpu-cluster' }]);
    assert.deepEqual(callsOf(run, 'resolveEnvironment'), [
      { workspace: 'ws-prod', spec: { kind: 'version', name: 'sklearn-env', version: '3', text: 'azureml:sklearn-env:3' }, runId: '42' },
    ]);
    const [plan] = callsOf(run, 'findPlan') as { base: string; attempt: number; explicit: boolean }[];
    assert.match(plan.base, JOB_NAME);
    assert.equal(plan.attempt, 1);
    assert.equal(plan.explicit, false);
    // .amlignore applied: debug.log is not part of the snapshot
    const [code] = callsOf(run, 'ensureCodeVersion') as { files: string[]; hash: string }[];
    assert.deepEqual(code.files, ['.amlignore', 'requirements.txt', 'src/train.py']);
    assert.match(code.hash, /^[0-9a-f]{64}$/);

    const [submit] = callsOf(run, 'submitJob') as SubmitCall[];
    assert.equal(submit.name, plan.base);
    const props = submit.body.properties;
    assert.equal(props.jobType, 'Command');
    assert.equal(props.experimentName, 'churn');
    assert.equal(props.displayName, 'churn-ci #20240501.3');
    assert.equal(props.command, 'python src/train.py --lr ${{inputs.learning_rate}} --data ${{inputs.training_data}} --out ${{outputs.model}}');
    assert.equal(props.codeId, CODE_ID);
    assert.equal(props.environmentId, ENV_ID);
    assert.equal(props.computeId, COMPUTE_ID);
    assert.deepEqual(props.inputs, {
      learning_rate: { jobInputType: 'literal', value: '0.1' },
      training_data: { jobInputType: 'uri_folder', uri: DATA_ID },
    });
    assert.deepEqual(props.outputs, { model: { jobOutputType: 'uri_folder', mode: 'ReadWriteMount' } });
    assert.deepEqual(props.environmentVariables, { MODE: 'ci' });
    assert.deepEqual(props.limits, { jobLimitsType: 'Command', timeout: 'PT1H' });
    assert.equal(props.tags.team, 'churn');
    assert.equal(props.tags['ado.runId'], '42');
    assert.equal(props.tags['ado.pipeline'], 'churn-ci');
    assert.equal(props.tags['aml.code'], `${code.hash}:1`);
    assert.equal(props.tags['aml.environment'], 'azureml:sklearn-env:3');

    const studioUrl = `https://ml.azure.com/runs/${plan.base}`;
    assert.deepEqual(callsOf(run, 'waitForJob'), [{ workspace: 'ws-prod', jobName: plan.base, studioUrl, timeoutMs: 60 * 60000, pollIntervalMs: 5000 }]);
    assert.deepEqual(callsOf(run, 'fetchMetrics'), [{ ...CONN, workspace: 'ws-prod', jobName: plan.base }]);

    assert.deepEqual(Object.keys(run.outputs).sort(), OUTPUT_NAMES);
    assert.deepEqual(run.outputs, {
      jobName: plan.base,
      jobStatus: 'Completed',
      studioUrl,
      metrics: '{"accuracy":0.93,"loss":0.125}',
      modelOutputUri: `azureml://jobs/${plan.base}/outputs/model`,
    });
    assert.ok(run.secrets.includes(SP_KEY), 'the client secret is registered with the agent');
    assert.deepEqual(leaks(run), []);
  });

  it('waitForCompletion=false: succeeds once submitted with the submission status, no wait and no metrics', async () => {
    const run = await scenario('noWait');
    assert.equal(run.result, 'Succeeded', run.stdout);
    assert.deepEqual(run.calls.map((c) => c.name), ['openWorkspace', 'checkCompute', 'resolveEnvironment', 'resolveDataInputs', 'findPlan', 'ensureCodeVersion', 'registerEnvironment', 'submitJob']);
    assert.deepEqual(Object.keys(run.outputs).sort(), OUTPUT_NAMES);
    assert.match(run.outputs.jobName, JOB_NAME);
    assert.equal(run.outputs.jobStatus, 'NotStarted');
    assert.equal(run.outputs.metrics, '{}');
    assert.equal(run.outputs.modelOutputUri, `azureml://jobs/${run.outputs.jobName}/outputs/model`);
    assert.deepEqual(leaks(run), []);
  });

  it('re-attaches to the running job of an explicit jobName: nothing uploaded, registered or submitted', async () => {
    const run = await scenario('reattach');
    assert.equal(run.result, 'Succeeded', run.stdout);
    assert.deepEqual(run.calls.map((c) => c.name), ['openWorkspace', 'checkCompute', 'resolveEnvironment', 'resolveDataInputs', 'findPlan', 'waitForJob', 'fetchMetrics']);
    const [found] = callsOf(run, 'findPlan') as { expect: { codeId: string; environmentId: string } }[];
    // re-attach only to a job running this snapshot's code version and this environment (issue 15 item 6)
    assert.match(found.expect.codeId, /\/workspaces\/ws-prod\/codes\/[0-9a-f]{64}\/versions\/1$/);
    assert.deepEqual(callsOf(run, 'findPlan'), [{ workspace: 'ws-prod', base: 'churn-train-7', attempt: 1, explicit: true, expect: { codeId: found.expect.codeId, environmentId: ENV_ID } }]);
    assert.equal((callsOf(run, 'waitForJob')[0] as { jobName: string }).jobName, 'churn-train-7');
    assert.equal(run.outputs.jobName, 'churn-train-7');
    assert.equal(run.outputs.jobStatus, 'Completed');
    assert.equal(run.outputs.modelOutputUri, 'azureml://jobs/churn-train-7/outputs/model');
  });

  it("fails when the job fails, with the job's error in the one-line message, its log tail printed safely and the outputs set", async () => {
    const run = await scenario('jobFailed');
    assert.equal(run.result, 'Failed', run.stdout);
    assert.equal(run.succeeded, false);
    assert.deepEqual(run.calls.map((c) => c.name), [
      'openWorkspace', 'checkCompute', 'resolveEnvironment', 'resolveDataInputs', 'findPlan',
      'ensureCodeVersion', 'registerEnvironment', 'submitJob', 'waitForJob', 'fetchMetrics', 'fetchRunDetails',
    ]);
    assert.ok(run.message.includes(JOB_ERROR), run.message);
    assert.ok(run.message.includes(`https://ml.azure.com/runs/${run.outputs.jobName}`), 'the message links the job');
    assert.ok(!run.message.includes('\n'), 'one line');
    assert.deepEqual(run.errors, [run.message]);
    assert.equal(run.outputs.jobStatus, 'Failed');
    assert.equal(run.outputs.metrics, '{}');
    assert.deepEqual(Object.keys(run.outputs).sort(), OUTPUT_NAMES);
    // the log tail is printed, with the ##vso[ of the remote text neutralised: only the task's own complete
    assert.ok(run.stdout.includes('ModuleNotFoundError: No module named sklearn'));
    assert.ok(!run.stdout.includes(INJECTION), 'the injected command is neutralised');
    assert.deepEqual(run.commands.filter((c) => c.command === 'task.complete').map((c) => c.properties.result), ['Failed']);
    assert.deepEqual(leaks(run), []);
  });

  const bad: [scenario: string, message: RegExp][] = [
    ['badExperimentName', /^Input 'experimentName': 'churn exp' is not a valid Azure ML name\. Expected /],
    ['missingCodePath', /^Input 'codePath': '\/nonexistent\/l0-train-code' does not exist\. Expected the path of an existing directory\.$/],
    ['badEnvironment', /^Input 'environment': 'azureml:sklearn-env' is not a valid environment reference\. Expected /],
    ['badJobInput', /^Input 'jobInputs': line 2 \('training_data'\): 'ftp:\/\/files\.example\.com\/churn\.csv' is not a supported URI\. Expected /],
    ['badInstanceCount', /^Input 'instanceCount': 0 is out of range\. Expected an integer from 1 to 1000\.$/],
    ['unknownConnection', /^Input 'azureSubscription': service connection 'conn-missing' is not available to this job/],
  ];
  for (const [name, message] of bad) {
    it(`fails on a bad input before any Azure call: ${name}`, async () => {
      const run = await scenario(name);
      assertFailedBeforeAnyCall(run, message, [SP_KEY]);
    });
  }
});
