// What the reliability suite (test/reliability) and the runtime runs (test/integration/runtimes.test.ts) need to
// know about MonitorModel: the emulator seeding for a happy path (a production model version, a reference data
// asset and a day of collected requests without drift in Azurite), eight bad inputs, a request it makes mid-run
// for the fault matrix, and one failure for each Node runtime.
import {
  ARM_HOST, bedFor, fixtureOn, isArm, WORKSPACE, type Fixture, type FixtureOptions, type TaskHarness,
} from '../../../test/reliability/fixture';
import { addDataVersion } from '../../../test/emulator/services/aml-data';
import { getModel, seedModelVersions } from '../../../test/emulator/services/aml-models';

const MODEL = 'rel-monitored';
const PREFIX = 'rel-monitor';

/** Deterministic uniform [0, 1) (mulberry32). */
function uniform(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

async function fixture(where: FixtureOptions): Promise<Fixture> {
  const b = await bedFor(where);
  const emu = b.emulator;
  if (!getModel(emu, MODEL)) {
    seedModelVersions(emu, { name: MODEL, count: 1, tags: () => ({ stage: 'production' }) });
    const container = b.container(emu.state.getWorkspace('rg-ml', 'mlw')?.datastores.get('workspaceblobstore')?.containerName as string);
    const r = uniform(11);
    const ref = ['temperature,occupancy,energy'];
    for (let i = 0; i < 300; i++) ref.push(`${(r() * 40 - 5).toFixed(1)},${Math.floor(r() * 100)},${(40 + r() * 20).toFixed(2)}`);
    await container.getBlockBlobClient(`${PREFIX}/train.csv`).upload(`${ref.join('\n')}\n`, Buffer.byteLength(`${ref.join('\n')}\n`));
    for (let h = 0; h < 24; h++) {
      const hh = String(h).padStart(2, '0');
      const lines = Array.from({ length: 10 }, (_, i) => JSON.stringify({
        specversion: '1.0', id: `r${h}-${i}`, type: 'azureml.inference.model_inputs', time: `2026-12-01T${hh}:${String(i * 5).padStart(2, '0')}:00Z`,
        data: [{ temperature: Number((r() * 40 - 5).toFixed(1)), occupancy: Math.floor(r() * 100) }], correlationid: `r${h}-${i}`,
      })).join('\n');
      await container.getBlockBlobClient(`${PREFIX}/collected/2026/12/01/${hh}/instance-0.jsonl`).upload(`${lines}\n`, Buffer.byteLength(`${lines}\n`));
    }
    addDataVersion(emu, `${PREFIX}-train`, '1', { dataType: 'uri_file', dataUri: `azureml://datastores/workspaceblobstore/paths/${PREFIX}/train.csv` });
  }
  return fixtureOn(where, b, {
    inputs: () => ({
      ...WORKSPACE, modelName: MODEL,
      productionData: `azureml://datastores/workspaceblobstore/paths/${PREFIX}/collected/`, referenceData: `${PREFIX}-train:1`,
      from: '2026-12-01T00:00:00Z', to: '2026-12-02T00:00:00Z', targetColumn: 'energy', onDrift: 'fail',
    }),
  });
}

export const harness: TaskHarness = {
  fixture,
  badInputs: () => [
    { title: 'windowHours that is not a number', inputs: () => ({ from: '', to: '', windowHours: 'a day' }), input: 'windowHours' },
    { title: 'from after to', inputs: () => ({ from: '2026-12-02T00:00:00Z', to: '2026-12-01T00:00:00Z' }), input: 'from' },
    { title: 'psiThreshold 0', inputs: () => ({ psiThreshold: '0' }), input: 'psiThreshold' },
    { title: 'ksPValue above 1', inputs: () => ({ ksPValue: '2' }), input: 'ksPValue' },
    { title: 'productionData as a URL', inputs: () => ({ productionData: 'https://evil.example.com/data/' }), input: 'productionData' },
    { title: 'referenceData with .. in its path', inputs: () => ({ referenceData: 'azureml://datastores/workspaceblobstore/paths/a/../../b.csv' }), input: 'referenceData' },
    { title: 'onDrift=retrain without a pipeline id', inputs: () => ({ onDrift: 'retrain' }), input: 'retrainPipelineId' },
    { title: 'onDrift not supported', inputs: () => ({ onDrift: 'page-someone' }), input: 'onDrift' },
    { title: 'gateMetric without labelsData', inputs: () => ({ gateMetric: 'rmse' }), input: 'gateMetric' },
    { title: 'modelName with a space', inputs: () => ({ modelName: 'my model' }), input: 'modelName' },
  ],
  faults: {
    // its one token is the ARM token, taken first thing (the datastore is read with its account key, issue 14 item 5):
    // no tokenAfter, the matrix hands that token out expired
    what: 'the reference data asset read (ARM GET data/…/versions/1) after the model versions list; the ARM token',
    target: { kind: 'throttle', host: ARM_HOST, method: 'GET', path: new RegExp(`/data/${PREFIX}-train/versions/1$`) },
    after: (r) => isArm(r) && r.method === 'GET' && /\/models\/[^/]+\/versions$/.test(r.path),
  },
  failure: { title: 'a reference data asset that does not exist', inputs: { referenceData: 'no-such-asset:1' }, names: /data asset no-such-asset:1 does not exist/ },
};
