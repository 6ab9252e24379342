// The cross-task bad-input contract (issue 9): one table over the five bundled tasks. Every case starts
// from the task's happy-path inputs, breaks one input, and must fail with ONE line that starts with
// `Input '<name>'`, with no write to Azure (ARM, Key Vault: emulator.armWrites(); no PUT/PATCH/DELETE on
// any emulator host) and no write to Azurite (every container's blob listing, etags included, is unchanged).
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import type { TaskRun } from '../harness/run-task';
import {
  blobSnapshot, cleanupTemp, describeRequest, FIXTURES, mapLimit, oneLine, stackTraceLines, TASKS, tempDir, writeFile, type Fixture, type TaskName,
} from './helpers';

interface Case {
  task: TaskName;
  title: string;
  /** Overrides of the happy-path inputs ('' clears an input). */
  inputs: (f: Fixture) => Record<string, string>;
  /** The input the message must name. */
  input: string;
}

const work = tempDir('bad-inputs');
const file = (rel: string, content: string): string => writeFile(work, rel, content);
const missing = (name: string): string => path.join(work, 'does-not-exist', name);

const CASES: Case[] = [
  // ---- TrainModel
  { task: 'TrainModel', title: 'experimentName with a space', inputs: () => ({ experimentName: 'my experiment' }), input: 'experimentName' },
  { task: 'TrainModel', title: 'jobName starting with a hyphen', inputs: () => ({ jobName: '-bad' }), input: 'jobName' },
  { task: 'TrainModel', title: 'codePath that does not exist', inputs: () => ({ codePath: missing('src') }), input: 'codePath' },
  { task: 'TrainModel', title: 'jobInputs line without =', inputs: () => ({ jobInputs: 'learning_rate 0.1' }), input: 'jobInputs' },
  { task: 'TrainModel', title: 'unknown distribution', inputs: () => ({ distribution: 'horovod' }), input: 'distribution' },
  { task: 'TrainModel', title: 'instanceCount 0', inputs: () => ({ instanceCount: '0' }), input: 'instanceCount' },
  { task: 'TrainModel', title: 'compute that is not in the workspace', inputs: () => ({ compute: 'gpu-cluster' }), input: 'compute' },
  { task: 'TrainModel', title: 'environment version that does not exist', inputs: () => ({ environment: 'azureml:nope:1' }), input: 'environment' },
  { task: 'TrainModel', title: 'conda file without baseImage', inputs: () => ({ baseImage: '' }), input: 'baseImage' },
  { task: 'TrainModel', title: 'pollIntervalSeconds below the minimum', inputs: () => ({ pollIntervalSeconds: '0' }), input: 'pollIntervalSeconds' },
  { task: 'TrainModel', title: 'timeoutMinutes not a number', inputs: () => ({ timeoutMinutes: 'soon' }), input: 'timeoutMinutes' },
  { task: 'TrainModel', title: 'waitForCompletion not a boolean', inputs: () => ({ waitForCompletion: 'maybe' }), input: 'waitForCompletion' },
  { task: 'TrainModel', title: 'resourceGroup with invalid characters', inputs: () => ({ resourceGroup: 'rg ml!' }), input: 'resourceGroup' },
  { task: 'TrainModel', title: 'modelOutputName starting with a digit', inputs: () => ({ modelOutputName: '1model' }), input: 'modelOutputName' },
  // ---- RegisterModel
  { task: 'RegisterModel', title: 'modelName with a space', inputs: () => ({ modelName: 'bad name!' }), input: 'modelName' },
  { task: 'RegisterModel', title: 'unknown action', inputs: () => ({ action: 'deploy' }), input: 'action' },
  { task: 'RegisterModel', title: 'minImprovement not a number', inputs: () => ({ minImprovement: 'abc%' }), input: 'minImprovement' },
  { task: 'RegisterModel', title: 'unknown gateDirection', inputs: () => ({ gateDirection: 'sideways' }), input: 'gateDirection' },
  { task: 'RegisterModel', title: 'gateThreshold not a number', inputs: () => ({ gateThreshold: 'high' }), input: 'gateThreshold' },
  { task: 'RegisterModel', title: 'metricsFile that does not exist', inputs: () => ({ metricsFile: missing('metrics.json') }), input: 'metricsFile' },
  { task: 'RegisterModel', title: 'job source without jobName', inputs: () => ({ jobName: '' }), input: 'jobName' },
  { task: 'RegisterModel', title: 'local source without modelPath', inputs: () => ({ modelSourceType: 'local', jobName: '' }), input: 'modelPath' },
  { task: 'RegisterModel', title: 'unknown modelType', inputs: () => ({ modelType: 'onnx' }), input: 'modelType' },
  { task: 'RegisterModel', title: 'productionTag without =', inputs: () => ({ productionTag: 'production' }), input: 'productionTag' },
  { task: 'RegisterModel', title: 'reserved tag key', inputs: () => ({ tags: 'team=ml\nado.runId=1' }), input: 'tags' },
  { task: 'RegisterModel', title: 'modelVersion with a space', inputs: () => ({ modelVersion: '1 0' }), input: 'modelVersion' },
  { task: 'RegisterModel', title: 'unknown onGateFailure', inputs: () => ({ onGateFailure: 'ignore' }), input: 'onGateFailure' },
  // ---- CreateImage
  { task: 'CreateImage', title: 'scoringScript that does not exist', inputs: () => ({ scoringScript: missing('score.py') }), input: 'scoringScript' },
  { task: 'CreateImage', title: 'scoringScript without init()', inputs: () => ({ scoringScript: file('noinit/score.py', 'def run(d):\n    return d\n') }), input: 'scoringScript' },
  { task: 'CreateImage', title: 'modelId without the azureml: prefix', inputs: () => ({ modelId: 'relmodel:1' }), input: 'modelId' },
  { task: 'CreateImage', title: 'modelId of a model that does not exist', inputs: () => ({ modelId: 'azureml:nosuchmodel:1' }), input: 'modelId' },
  { task: 'CreateImage', title: 'imageName with upper case and a space', inputs: () => ({ imageName: 'Churn Model' }), input: 'imageName' },
  { task: 'CreateImage', title: 'imageTag starting with a hyphen', inputs: () => ({ imageTag: '-latest' }), input: 'imageTag' },
  { task: 'CreateImage', title: 'condaFile and requirementsFile together', inputs: () => ({ condaFile: file('env/conda.yml', 'dependencies:\n  - python=3.11\n') }), input: 'requirementsFile' },
  { task: 'CreateImage', title: 'containerRegistry that does not exist', inputs: () => ({ containerRegistry: 'nosuchregistry1' }), input: 'containerRegistry' },
  { task: 'CreateImage', title: 'timeoutMinutes 0', inputs: () => ({ timeoutMinutes: '0' }), input: 'timeoutMinutes' },
  { task: 'CreateImage', title: 'baseImage that is not an image reference', inputs: () => ({ baseImage: 'not an image!!' }), input: 'baseImage' },
  { task: 'CreateImage', title: 'reuseExistingImage not a boolean', inputs: () => ({ reuseExistingImage: 'perhaps' }), input: 'reuseExistingImage' },
  // ---- DeployToACI
  { task: 'DeployToACI', title: 'containerGroupName with upper case', inputs: () => ({ containerGroupName: 'Churn_Prod' }), input: 'containerGroupName' },
  { task: 'DeployToACI', title: 'cpu above the ACI limit', inputs: () => ({ cpu: '8' }), input: 'cpu' },
  { task: 'DeployToACI', title: 'memoryGb above the ACI limit', inputs: () => ({ memoryGb: '64' }), input: 'memoryGb' },
  { task: 'DeployToACI', title: 'environmentVariables line without =', inputs: () => ({ environmentVariables: 'MODE=prod\nDEBUG' }), input: 'environmentVariables' },
  { task: 'DeployToACI', title: 'dnsNameLabel with upper case', inputs: () => ({ dnsNameLabel: 'My_Label' }), input: 'dnsNameLabel' },
  { task: 'DeployToACI', title: 'Key Vault secret that does not exist', inputs: () => ({ secretEnvironmentVariables: 'API_KEY=no-such-secret' }), input: 'secretEnvironmentVariables' },
  { task: 'DeployToACI', title: 'imageUri that is not an image reference', inputs: () => ({ imageUri: 'not an image' }), input: 'imageUri' },
  { task: 'DeployToACI', title: 'imageDigest that is not a digest', inputs: () => ({ imageDigest: 'sha256:xyz' }), input: 'imageDigest' },
  { task: 'DeployToACI', title: 'port out of range', inputs: () => ({ port: '70000' }), input: 'port' },
  { task: 'DeployToACI', title: 'given registry credentials without a user name', inputs: () => ({ registryCredentials: 'given' }), input: 'registryUsername' },
  { task: 'DeployToACI', title: 'readinessTimeoutMinutes 0', inputs: () => ({ readinessTimeoutMinutes: '0' }), input: 'readinessTimeoutMinutes' },
  { task: 'DeployToACI', title: 'scoringKeySecret with invalid characters', inputs: () => ({ scoringKeySecret: 'bad_name!' }), input: 'scoringKeySecret' },
  { task: 'DeployToACI', title: 'authEnabled not a boolean', inputs: () => ({ authEnabled: 'yes please' }), input: 'authEnabled' },
  // ---- ProbeEndpoint
  { task: 'ProbeEndpoint', title: 'scoringUri with an ftp scheme', inputs: () => ({ scoringUri: 'ftp://example.localhost/score' }), input: 'scoringUri' },
  { task: 'ProbeEndpoint', title: 'relative scoringUri', inputs: () => ({ scoringUri: '/score' }), input: 'scoringUri' },
  { task: 'ProbeEndpoint', title: 'negative requestCount', inputs: () => ({ requestCount: '-5' }), input: 'requestCount' },
  { task: 'ProbeEndpoint', title: 'concurrency 0', inputs: () => ({ concurrency: '0' }), input: 'concurrency' },
  { task: 'ProbeEndpoint', title: 'payloadFile that does not exist', inputs: () => ({ payloadFile: missing('payloads.jsonl') }), input: 'payloadFile' },
  { task: 'ProbeEndpoint', title: 'payloadFile with invalid JSON Lines', inputs: () => ({ payloadFile: file('bad.jsonl', '{"x": 1}\n{"x": }\n') }), input: 'payloadFile' },
  { task: 'ProbeEndpoint', title: 'authKey together with Key Vault', inputs: () => ({ authKey: 'pl4nted-key-both' }), input: 'authKey' },
  { task: 'ProbeEndpoint', title: 'maxErrorRate above 1', inputs: () => ({ maxErrorRate: '5' }), input: 'maxErrorRate' },
  { task: 'ProbeEndpoint', title: 'minAgreement without a baseline', inputs: () => ({ minAgreement: '0.9' }), input: 'minAgreement' },
  { task: 'ProbeEndpoint', title: 'header line without a separator', inputs: () => ({ headers: 'X-Api-Key pl4nted-header-value' }), input: 'headers' },
  { task: 'ProbeEndpoint', title: 'expectedStatus out of range', inputs: () => ({ expectedStatus: '999' }), input: 'expectedStatus' },
  { task: 'ProbeEndpoint', title: 'Key Vault without a service connection', inputs: () => ({ azureSubscription: '' }), input: 'azureSubscription' },
];

interface Outcome { run: TaskRun; writes: string[]; blobsBefore: Record<string, string>; blobsAfter: Record<string, string>; scoringCalls: number }

describe('reliability: bad inputs fail with one line naming the input, and write nothing', function () {
  this.timeout(240_000);
  const fixtures = new Map<TaskName, Fixture>();
  const results = new Map<Case, Outcome>();

  before(async () => {
    const made = await Promise.all(TASKS.map((t) => FIXTURES[t]()));
    made.forEach((f) => fixtures.set(f.task, f));
    // tasks side by side (one bed each), cases of one task one after the other (exact request windows)
    await mapLimit(TASKS, 5, async (task) => {
      const f = fixtures.get(task)!;
      const server = (f as Fixture & { server?: { posts: number; livenessCalls: number } }).server;
      for (const c of CASES.filter((x) => x.task === task)) {
        const inputs = f.inputs();
        const blobsBefore = await blobSnapshot(f.bed);
        const mark = f.emulator.requests.length;
        const calls = server ? server.posts + server.livenessCalls : 0;
        const run = await f.run({ ...inputs, ...c.inputs(f) }, { timeoutMs: 30_000 });
        const requests = f.emulator.requests.slice(mark);
        const armWrites = f.emulator.armWrites().filter((r) => requests.includes(r));
        const writes = [...new Set([...armWrites, ...requests.filter((r) => ['PUT', 'PATCH', 'DELETE'].includes(r.method))])].map(describeRequest);
        const blobsAfter = await blobSnapshot(f.bed);
        results.set(c, { run, writes, blobsBefore, blobsAfter, scoringCalls: server ? server.posts + server.livenessCalls - calls : 0 });
      }
    });
  });

  after(async () => {
    await Promise.all([...fixtures.values()].map((f) => f.stop()));
    cleanupTemp();
  });

  it(`the table has at least 40 cases over all five tasks (${CASES.length})`, () => {
    assert.ok(CASES.length >= 40);
    for (const t of TASKS) assert.ok(CASES.filter((c) => c.task === t).length >= 8, `${t} has fewer than 8 cases`);
  });

  for (const task of TASKS) {
    describe(task, () => {
      for (const c of CASES.filter((x) => x.task === task)) {
        it(`${c.title} → Input '${c.input}'`, () => {
          const o = results.get(c)!;
          const { run } = o;
          assert.equal(run.timedOut, false, 'hung');
          assert.equal(run.result, 'Failed', `${run.result}: ${run.message}\n${run.stdout.slice(-2000)}`);
          assert.ok(oneLine(run.message), `not one line: ${JSON.stringify(run.message)}`);
          assert.ok((run.message ?? '').startsWith(`Input '${c.input}'`), `does not name the input first: ${run.message}`);
          assert.deepEqual(stackTraceLines(run), [], 'a stack trace outside the debug lines');
          assert.deepEqual(o.writes, [], 'a write to Azure');
          assert.deepEqual(o.blobsAfter, o.blobsBefore, 'Azurite changed');
          assert.equal(o.scoringCalls, 0, 'the scoring endpoint was called');
          for (const v of ['pl4nted-key-both', 'pl4nted-header-value']) assert.ok(!run.stdout.split('\n').some((l) => !l.startsWith('##vso[') && l.includes(v)), `${v} echoed`);
        });
      }
    });
  }
});
