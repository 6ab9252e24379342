// What the reliability suite (test/reliability) and the runtime runs (test/integration/runtimes.test.ts) need to
// know about RegisterModel: the emulator seeding and happy-path inputs, the bad-input cases, where the fault matrix
// hits it mid-run, one failure on each Node runtime, and the local upload whose account key the secret scan checks.
// The suites find this file by the folder's name.
import * as path from 'path';
import { seedModelVersions } from '../../../test/emulator/services/aml-models';
import {
  ARM_HOST, bedFor, fixtureOn, isArm, nextId, tempDir, WORKSPACE, writeFile, type Fixture, type FixtureOptions, type TaskHarness,
} from '../../../test/reliability/fixture';
import { seedJob } from './jobStub';

/** The fixture with a local model source: its folder and metrics file (uploaded through the datastore's account key). */
type RegisterFixture = Fixture & { local: { modelPath: string; metricsFile: string } };

async function fixture(where: FixtureOptions): Promise<RegisterFixture> {
  const b = await bedFor(where);
  const emu = b.emulator;
  const work = tempDir('register');
  const modelPath = writeFile(work, 'model/weights.json', '{"w":[1,2,3]}');
  const metricsFile = writeFile(work, 'metrics.json', '{"accuracy": 0.93}');
  return fixtureOn(where, b, {
    inputs: () => {
      const n = nextId();
      const job = `rel-job-${n}`;
      seedJob(emu, job, { status: 'Completed', outputs: ['model'] });
      emu.state.setRunMetrics(job, { accuracy: [0.8, 0.93], loss: 0.2 });
      // a production version to compare with, so the gate reads the registry and the job's metrics
      seedModelVersions(emu, { name: `rel-model-${n}`, count: 2, tags: (i) => (i === 1 ? { stage: 'production' } : {}), properties: () => ({ 'metric.accuracy': '0.9' }) });
      return {
        ...WORKSPACE, modelName: `rel-model-${n}`, modelSourceType: 'job', jobName: job, gateMetric: 'accuracy', gateThreshold: '0.5',
      };
    },
  }, { local: { modelPath: path.dirname(modelPath), metricsFile } });
}
/** Happy-path inputs with the local model source instead of the job. */
function localInputs(f: Fixture): Record<string, string> {
  const { local } = f as RegisterFixture;
  return { ...f.inputs(), modelSourceType: 'local', jobName: '', ...local };
}

export const harness: TaskHarness = {
  fixture,
  badInputs: ({ missing }) => [
    { title: 'modelName with a space', inputs: () => ({ modelName: 'bad name!' }), input: 'modelName' },
    { title: 'unknown action', inputs: () => ({ action: 'deploy' }), input: 'action' },
    { title: 'minImprovement not a number', inputs: () => ({ minImprovement: 'abc%' }), input: 'minImprovement' },
    { title: 'unknown gateDirection', inputs: () => ({ gateDirection: 'sideways' }), input: 'gateDirection' },
    { title: 'gateThreshold not a number', inputs: () => ({ gateThreshold: 'high' }), input: 'gateThreshold' },
    { title: 'metricsFile that does not exist', inputs: () => ({ metricsFile: missing('metrics.json') }), input: 'metricsFile' },
    { title: 'job source without jobName', inputs: () => ({ jobName: '' }), input: 'jobName' },
    { title: 'local source without modelPath', inputs: () => ({ modelSourceType: 'local', jobName: '' }), input: 'modelPath' },
    { title: 'unknown modelType', inputs: () => ({ modelType: 'onnx' }), input: 'modelType' },
    { title: 'productionTag without =', inputs: () => ({ productionTag: 'production' }), input: 'productionTag' },
    { title: 'reserved tag key', inputs: () => ({ tags: 'team=ml\nado.runId=1' }), input: 'tags' },
    { title: 'modelVersion with a space', inputs: () => ({ modelVersion: '1 0' }), input: 'modelVersion' },
    { title: 'unknown onGateFailure', inputs: () => ({ onGateFailure: 'ignore' }), input: 'onGateFailure' },
  ],
  faults: {
    what: 'the model versions list (ARM) after the job was read; the MLflow token after it',
    target: { kind: 'throttle', host: ARM_HOST, method: 'GET', path: /\/models\/[^/]+\/versions$/ },
    after: (r) => isArm(r) && r.method === 'GET' && /\/jobs\/rel-job-\d+$/.test(r.path),
    tokenAfter: (r) => isArm(r) && r.method === 'GET' && /\/jobs\/rel-job-\d+$/.test(r.path),
  },
  failure: { title: 'a metrics file that does not exist', inputs: { modelSourceType: 'local', jobName: '', modelPath: '.', metricsFile: 'no-such-metrics.json' }, names: /Input 'metricsFile'/ },
  secretCases: [
    // the datastore's account key: a local model upload
    { title: 'local model upload (datastore account key), spnCertificate connection', scheme: 'spnCertificate', inputs: (f, c) => ({ ...localInputs(f), azureSubscription: c.id }) },
  ],
};
