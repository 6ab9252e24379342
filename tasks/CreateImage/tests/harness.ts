// What the reliability suite (test/reliability) and the runtime runs (test/integration/runtimes.test.ts) need to
// know about CreateImage: the emulator seeding and happy-path inputs, the bad-input cases, where the fault matrix
// hits it mid-run, one failure on each Node runtime. The suites find this file by the folder's name.
import { acrControl } from '../../../test/emulator/services/acr';
import { seedModelVersions } from '../../../test/emulator/services/aml-models';
import {
  ARM_HOST, bedFor, fixtureOn, isArm, nextId, tempDir, WORKSPACE, writeFile, type Fixture, type FixtureOptions, type TaskHarness,
} from '../../../test/reliability/fixture';

const SCORE = 'import json, os\n\ndef init():\n    global w\n    w = json.load(open(os.path.join(os.environ["AZUREML_MODEL_DIR"], "model", "weights.json")))["w"]\n\ndef run(raw):\n    return [x * w for x in json.loads(raw)["data"]]\n';

async function fixture(where: FixtureOptions): Promise<Fixture> {
  const b = await bedFor(where);
  const emu = b.emulator;
  const work = tempDir('image');
  const ws = emu.state.getWorkspace('rg-ml', 'mlw')!;
  const container = b.container(ws.datastores.get('workspaceblobstore')!.containerName);
  await container.getBlockBlobClient('models/relmodel/1/model/weights.json').uploadData(Buffer.from('{"w": 2}'));
  seedModelVersions(emu, { name: 'relmodel', count: 1, uri: () => 'azureml://datastores/workspaceblobstore/paths/models/relmodel/1/model' });
  const score = writeFile(work, 'proj/score.py', SCORE);
  const requirements = writeFile(work, 'proj/requirements.txt', 'numpy==1.26.4\n');
  return fixtureOn(where, b, {
    inputs: () => ({
      ...WORKSPACE, modelId: 'azureml:relmodel:1',
      scoringScript: score, requirementsFile: requirements, imageTag: `rel-${nextId()}`, reuseExistingImage: 'false', timeoutMinutes: '2',
    }),
    // one Running poll before the run ends: the wait is real but short
    reset: () => Object.assign(acrControl(emu), { holdRuns: false, failBuildsWith: undefined, runningPolls: 1 }),
  });
}

export const harness: TaskHarness = {
  fixture,
  badInputs: ({ file, missing }) => [
    { title: 'scoringScript that does not exist', inputs: () => ({ scoringScript: missing('score.py') }), input: 'scoringScript' },
    { title: 'scoringScript without init()', inputs: () => ({ scoringScript: file('noinit/score.py', 'def run(d):\n    return d\n') }), input: 'scoringScript' },
    { title: 'modelId without the azureml: prefix', inputs: () => ({ modelId: 'relmodel:1' }), input: 'modelId' },
    { title: 'modelId of a model that does not exist', inputs: () => ({ modelId: 'azureml:nosuchmodel:1' }), input: 'modelId' },
    { title: 'imageName with upper case and a space', inputs: () => ({ imageName: 'Churn Model' }), input: 'imageName' },
    { title: 'imageTag starting with a hyphen', inputs: () => ({ imageTag: '-latest' }), input: 'imageTag' },
    { title: 'condaFile and requirementsFile together', inputs: () => ({ condaFile: file('env/conda.yml', 'dependencies:\n  - python=3.11\n') }), input: 'requirementsFile' },
    { title: 'containerRegistry that does not exist', inputs: () => ({ containerRegistry: 'nosuchregistry1' }), input: 'containerRegistry' },
    { title: 'timeoutMinutes 0', inputs: () => ({ timeoutMinutes: '0' }), input: 'timeoutMinutes' },
    { title: 'baseImage that is not an image reference', inputs: () => ({ baseImage: 'not an image!!' }), input: 'baseImage' },
    { title: 'reuseExistingImage not a boolean', inputs: () => ({ reuseExistingImage: 'perhaps' }), input: 'reuseExistingImage' },
  ],
  faults: {
    what: 'the ACR run polls (ARM GET registries/<r>/runs/<id>) after scheduleRun; the registry token after the registry was read',
    target: { kind: 'throttle', host: ARM_HOST, method: 'GET', path: /\/registries\/[^/]+\/runs\/[^/]+$/ },
    after: (r) => isArm(r) && r.method === 'POST' && /\/scheduleRun$/.test(r.path),
    tokenAfter: (r) => isArm(r) && r.method === 'GET' && /\/registries\/[^/]+$/.test(r.path),
  },
  failure: { title: 'a model that is not registered', inputs: { modelId: 'azureml:nosuchmodel:1' }, names: /Input 'modelId'/ },
};
