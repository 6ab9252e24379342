// What the reliability suite (test/reliability) and the runtime runs (test/integration/runtimes.test.ts) need to
// know about DeployOnlineEndpoint: the emulator seeding for a happy path (model 'energy' versions, code and
// environments: test/emulator/online-fixtures.ts), a fresh endpoint per run (the first deployment takes all
// traffic, no rollout steps to wait for), nine bad inputs, a request it makes mid-run for the fault matrix, and
// one failure for each Node runtime.
import {
  ARM_HOST, bedFor, fixtureOn, isArm, nextId, tempDir, WORKSPACE, writeFile, type Fixture, type FixtureOptions, type TaskHarness,
} from '../../../test/reliability/fixture';
import { OnlineFixture, SCORE } from '../../../test/emulator/online-fixtures';
import { getModel } from '../../../test/emulator/services/aml-models';
import { onlineEndpoints } from '../../../test/emulator/services/aml-online';
import { installDnsPreload } from '../../../test/harness/run-task';

async function fixture(where: FixtureOptions): Promise<Fixture> {
  const b = await bedFor(where);
  const emu = b.emulator;
  // the seeding talks ARM from this process (management.localhost → 127.0.0.1)
  installDnsPreload();
  if (!getModel(emu, 'energy')) await new OnlineFixture(b).seed();
  const work = tempDir('online');
  const scoringScript = writeFile(work, 'code/score.py', SCORE);
  const payloadFile = writeFile(work, 'payloads.jsonl', '{"data": [1, 2]}\n{"data": [3]}\n');
  return fixtureOn(where, b, {
    inputs: () => ({
      ...WORKSPACE,
      endpointName: `rel-online-${nextId()}`, modelId: 'azureml:energy:1', scoringScript, environment: 'azureml:sklearn:1',
      payloadFile, requestCount: '4', concurrency: '2', maxConcurrentRequestsPerInstance: '4', stepWaitMinutes: '0', pollIntervalSeconds: '1',
    }),
    // the endpoint keys the emulator made for the runs so far
    plantedSecrets: () => [...onlineEndpoints(emu).values()].flatMap((e) => [e.keys.primaryKey, e.keys.secondaryKey]),
  });
}

const MODEL_GET = /\/models\/energy\/versions\/1$/;

export const harness: TaskHarness = {
  fixture,
  badInputs: () => [
    { title: 'endpointName of two characters', inputs: () => ({ endpointName: 'ep' }), input: 'endpointName' },
    { title: 'endpointName starting with a digit', inputs: () => ({ endpointName: '1-energy' }), input: 'endpointName' },
    { title: 'endpointName of 33 characters', inputs: () => ({ endpointName: `e${'x'.repeat(32)}` }), input: 'endpointName' },
    { title: 'instanceType that is no VM size', inputs: () => ({ instanceType: 'large' }), input: 'instanceType' },
    { title: 'instanceCount 0', inputs: () => ({ instanceCount: '0' }), input: 'instanceCount' },
    { title: 'rolloutSteps that do not increase', inputs: () => ({ rolloutSteps: '50, 10, 100' }), input: 'rolloutSteps' },
    { title: 'rolloutSteps over 100', inputs: () => ({ rolloutSteps: '10, 150' }), input: 'rolloutSteps' },
    { title: 'workspaceName with a space', inputs: () => ({ workspaceName: 'my ws' }), input: 'workspaceName' },
    { title: 'service connection that is not there', inputs: () => ({ azureSubscription: 'conn-missing' }), input: 'azureSubscription' },
  ],
  faults: {
    // its one ARM token is taken first thing (the probes use the endpoint key): no tokenAfter, the matrix hands that token out expired
    what: 'the model version read (ARM GET models/energy/versions/1) after the workspace read; the ARM token',
    target: { kind: 'throttle', host: ARM_HOST, method: 'GET', path: MODEL_GET },
    after: (r) => isArm(r) && r.method === 'GET' && /\/workspaces\/mlw$/.test(r.path),
  },
  failure: { title: 'a model version that does not exist', inputs: { modelId: 'azureml:energy:99' }, names: /energy/ },
};
