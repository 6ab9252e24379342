// L0 tests: the tsc-compiled task's main (out/tasks/CreateImage/src/main.js, through tests/L0/entry.js) run by
// task-lib's MockTestRunner, one scenario script per case (tests/L0/<case>.ts), with recording fakes injected
// into main for every call to Azure (see tests/L0/common.ts). Nothing here reaches a network.
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { assertFailedBeforeAnyCall, callsOf, leakedBeyondAgentMasking, runScenario, ScenarioRun } from '../../shared/tests/l0';
import { DIGEST, LOGIN_SERVER, SP_KEY, SUBSCRIPTION } from './L0/common';

const scenario = (name: string): Promise<ScenarioRun> => runScenario(path.join(__dirname, 'L0', `${name}.js`), { timeoutMs: 60000 });
const leaks = (run: ScenarioRun): string[] => leakedBeyondAgentMasking(run, [SP_KEY]);
const AZURE_MOCKS = ['openWorkspace', 'resolveModel', 'resolveRegistry', 'modelFiles', 'ensureImage'];

describe('CreateImage L0 (MockTestRunner)', function () {
  this.timeout(120000);

  it('builds from the model id into the workspace registry and sets every output', async () => {
    const run = await scenario('success');
    assert.equal(run.result, 'Succeeded', run.stdout);
    assert.ok(run.succeeded);
    assert.deepEqual(run.errors, []);
    assert.deepEqual(run.calls.map((c) => c.name), AZURE_MOCKS);
    const conn = { subscriptionId: SUBSCRIPTION, scheme: 'ServicePrincipal', tenantId: '72f988bf-86f1-41af-91ab-2d7cd011db47' };
    assert.deepEqual(callsOf(run, 'openWorkspace'), [{ ...conn, resourceGroup: 'rg-ml', workspaceName: 'ws-prod' }]);
    assert.deepEqual(callsOf(run, 'resolveModel'), [{ ...conn, workspace: 'ws-prod', ref: { name: 'churn', version: '3' } }]);
    assert.deepEqual(callsOf(run, 'modelFiles'), [{ model: 'azureml:churn:3' }]);
    assert.deepEqual(callsOf(run, 'resolveRegistry'), [{ ...conn, workspace: 'ws-prod', choice: { kind: 'workspace' } }]);
    const [build] = callsOf(run, 'ensureImage') as {
      loginServer: string; target: unknown; reuse: boolean; timeoutMs: number; upstream: Record<string, string>; contextFiles: string[]; dockerfile: string;
    }[];
    assert.equal(build.loginServer, LOGIN_SERVER);
    // default name from the model, default tag <version>-<Build.BuildId>
    assert.deepEqual(build.target, { repository: 'churn', tag: '3-42' });
    assert.equal(build.reuse, true);
    assert.equal(build.timeoutMs, 30 * 60000);
    assert.deepEqual(build.upstream, { 'azureml.model': 'azureml:churn:3' });
    // the context really assembled: scoring script, scoring server, model files, generated Dockerfile
    assert.deepEqual(build.contextFiles, ['Dockerfile', 'model/churn/model.pkl', 'scoring/score.py', 'scoring/server.py']);
    assert.match(build.dockerfile, /^FROM mcr\.microsoft\.com\/azureml\/minimal-ubuntu22\.04-py39-cpu-inference:latest/m);

    assert.deepEqual(run.outputs, {
      imageName: 'churn',
      imageTag: '3-42',
      imageUri: `${LOGIN_SERVER}/churn:3-42`,
      imageDigest: DIGEST,
      pinnedImageUri: `${LOGIN_SERVER}/churn@${DIGEST}`,
      registryLoginServer: LOGIN_SERVER,
    });
    // the connection's secret is registered with the agent and printed nowhere else (task-lib's own
    // debug echo of endpoint auth parameters is masked by the agent, which knows its endpoint secrets)
    assert.ok(run.secrets.includes(SP_KEY), 'the client secret is registered with the agent');
    assert.deepEqual(leaks(run), []);
  });

  it('passes model name + version, the registry by name and explicit image name/tag to the steps', async () => {
    const run = await scenario('successExplicit');
    assert.equal(run.result, 'Succeeded', run.stdout);
    assert.deepEqual(run.calls.map((c) => c.name), AZURE_MOCKS);
    assert.deepEqual((callsOf(run, 'resolveModel')[0] as { ref: unknown }).ref, { name: 'churn', version: '7' });
    assert.deepEqual((callsOf(run, 'resolveRegistry')[0] as { choice: unknown }).choice, { kind: 'name', name: 'otheracr01' });
    const build = callsOf(run, 'ensureImage')[0] as { target: unknown; reuse: boolean; timeoutMs: number };
    assert.deepEqual(build.target, { repository: 'scoring/churn', tag: 'v7' });
    assert.equal(build.reuse, false);
    assert.equal(build.timeoutMs, 5 * 60000);
    assert.equal(run.outputs.imageUri, `${LOGIN_SERVER}/scoring/churn:v7`);
    assert.equal(run.outputs.imageName, 'scoring/churn');
    assert.equal(run.outputs.imageTag, 'v7');
  });

  const bad: [scenario: string, message: RegExp][] = [
    ['badWorkspaceName', /^Input 'workspaceName': 'my ws' is not a valid Azure ML name\. Expected /],
    ['noModel', /^Input 'modelId': is empty and so is modelName\. Expected /],
    ['scoringScriptNotPython', /^Input 'scoringScript': '.*' is not a \.py file\./],
    ['registryLoginServer', /^Input 'containerRegistry': 'mlacr12345\.azurecr\.io' is neither a registry name nor a registry resource id\./],
    ['unknownConnection', /^Input 'azureSubscription': service connection 'conn-missing' is not available to this job/],
    ['workersOutOfRange', /^Input 'workers': .*0.* Expected .*1.*64/],
    ['workersWithDockerfile', /^Input 'workers': is set together with dockerfile '.*workersWithDockerfile\.js'\. Expected workers for the generated Dockerfile only; in your own Dockerfile set ENV WORKER_COUNT=<n>/],
  ];
  for (const [name, message] of bad) {
    it(`fails on a bad input before any Azure call: ${name}`, async () => {
      const run = await scenario(name);
      assertFailedBeforeAnyCall(run, message, [SP_KEY]);
    });
  }
});
