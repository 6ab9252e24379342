// What the reliability suite (test/reliability) and the runtime runs (test/integration/runtimes.test.ts) need to
// know about TrainModel: the emulator seeding and happy-path inputs, the bad-input cases, where the fault matrix
// hits it mid-run, one failure on each Node runtime, and the failed job whose log SAS the secret scan checks.
// The suites find this file by the folder's name.
import * as path from 'path';
import { jobScripts } from '../../../test/emulator/services/aml-jobs';
import {
  ARM_HOST, bedFor, fixtureOn, isArm, tempDir, WORKSPACE, writeFile, type Fixture, type FixtureOptions, type TaskHarness,
} from '../../../test/reliability/fixture';

async function fixture(where: FixtureOptions): Promise<Fixture> {
  const b = await bedFor(where);
  const emu = b.emulator;
  const work = tempDir('train');
  const codePath = path.join(work, 'src');
  writeFile(codePath, 'train.py', 'print("training")\n');
  writeFile(codePath, 'lib/features.py', 'def f(x):\n    return x\n');
  const condaFile = writeFile(work, 'conda.yml', 'name: rel-env\nchannels:\n  - conda-forge\ndependencies:\n  - python=3.11\n');
  return fixtureOn(where, b, {
    inputs: () => ({
      ...WORKSPACE, experimentName: 'reliability',
      codePath, command: 'python train.py --out ${{outputs.model}}', environment: condaFile,
      baseImage: 'mcr.microsoft.com/azureml/openmpi4.1.0-ubuntu22.04:latest', compute: 'cpu-cluster',
      jobInputs: 'learning_rate=0.1', pollIntervalSeconds: '0.05', timeoutMinutes: '1',
    }),
    reset: () => {
      jobScripts(emu).clear();
      jobScripts(emu).set('*', { metrics: { rmse: 4.2 }, outputFiles: { 'model.json': '{"w":1}' } });
    },
  });
}

export const harness: TaskHarness = {
  fixture,
  badInputs: ({ missing }) => [
    { title: 'experimentName with a space', inputs: () => ({ experimentName: 'my experiment' }), input: 'experimentName' },
    { title: 'jobName starting with a hyphen', inputs: () => ({ jobName: '-bad' }), input: 'jobName' },
    { title: 'codePath that does not exist', inputs: () => ({ codePath: missing('src') }), input: 'codePath' },
    { title: 'jobInputs line without =', inputs: () => ({ jobInputs: 'learning_rate 0.1' }), input: 'jobInputs' },
    { title: 'unknown distribution', inputs: () => ({ distribution: 'horovod' }), input: 'distribution' },
    { title: 'instanceCount 0', inputs: () => ({ instanceCount: '0' }), input: 'instanceCount' },
    { title: 'compute that is not in the workspace', inputs: () => ({ compute: 'gpu-cluster' }), input: 'compute' },
    { title: 'environment version that does not exist', inputs: () => ({ environment: 'azureml:nope:1' }), input: 'environment' },
    { title: 'conda file without baseImage', inputs: () => ({ baseImage: '' }), input: 'baseImage' },
    { title: 'pollIntervalSeconds below the minimum', inputs: () => ({ pollIntervalSeconds: '0' }), input: 'pollIntervalSeconds' },
    { title: 'timeoutMinutes not a number', inputs: () => ({ timeoutMinutes: 'soon' }), input: 'timeoutMinutes' },
    { title: 'waitForCompletion not a boolean', inputs: () => ({ waitForCompletion: 'maybe' }), input: 'waitForCompletion' },
    { title: 'resourceGroup with invalid characters', inputs: () => ({ resourceGroup: 'rg ml!' }), input: 'resourceGroup' },
    { title: 'modelOutputName starting with a digit', inputs: () => ({ modelOutputName: '1model' }), input: 'modelOutputName' },
  ],
  faults: {
    what: 'the job status polls (ARM GET jobs/<name>) after the job PUT; the MLflow token after it',
    target: { kind: 'throttle', host: ARM_HOST, method: 'GET', path: /\/jobs\/[^/]+$/ },
    after: (r) => isArm(r) && r.method === 'PUT' && /\/jobs\/[^/]+$/.test(r.path),
    tokenAfter: (r) => isArm(r) && r.method === 'PUT' && /\/jobs\/[^/]+$/.test(r.path),
  },
  failure: { title: 'a compute the workspace does not have', inputs: { compute: 'gpu-cluster' }, names: /Input 'compute'/ },
  secretCases: [{
    // the job log's SAS: a failed training job
    title: 'failed job (log SAS URL), wif connection', scheme: 'wif', inputs: (f, c) => f.inputs({ connection: c }),
    setup: (f) => jobScripts(f.emulator).set('*', { outcome: 'Failed', error: { code: 'UserError', message: 'boom' }, log: 'epoch 1\nTraceback\nValueError: boom\n' }),
  }],
};
