// An identity-based default datastore (credentials type None): the spec's SecretsType has no None, so
// the task must not call listSecrets; it uploads the code with its own identity, as azure-ai-ml does.
// Azurite runs with `--oauth basic`: it accepts the emulator's bearer tokens for https://storage.azure.com.
import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { addDataVersion } from '../../../test/emulator/services/aml-data';
import { startTestBed, type TestBed } from '../../../test/harness/testbed';
import { runTask, serviceConnectionEnv } from '../../../test/harness/run-task';
import { BUNDLE_DIR, baseInputs, makeProject, PIPELINE_VARIABLES } from './helpers';

describe('TrainModel with an identity-based datastore (credentials type None)', function () {
  this.timeout(120_000);
  let bed: TestBed;
  let bundle: string;
  before(async () => {
    bed = await startTestBed({ azuriteArgs: ['--oauth', 'basic'] });
    const ws = bed.emulator.state.getWorkspace('rg-ml', 'mlw')!;
    ws.datastores.get('workspaceblobstore')!.credentialsType = 'None';
    addDataVersion(bed.emulator, 'energy-data', '3', { dataType: 'uri_folder', dataUri: 'azureml://datastores/workspaceblobstore/paths/energy/' });
    const dir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'train-bundle-')), 'TrainModel');
    fs.cpSync(BUNDLE_DIR, dir, { recursive: true });
    bundle = path.join(dir, 'index.js');
  });
  after(() => bed?.stop());

  it('uploads the code with the task identity and never asks for datastore secrets', async () => {
    const { codePath, condaFile } = makeProject();
    const connection = serviceConnectionEnv(bed.emulator, 'spnKey', { id: 'conn-identity' });
    const run = await runTask(bundle, {
      connection, timeoutMs: 90_000, variables: PIPELINE_VARIABLES,
      inputs: { ...baseInputs(codePath, condaFile), azureSubscription: 'conn-identity', waitForCompletion: 'false' },
    });
    assert.strictEqual(run.result, 'Succeeded', run.stdout);
    const listSecrets = bed.emulator.requests.filter((r) => /\/listSecrets$/i.test(r.path));
    assert.deepStrictEqual(listSecrets.map((r) => `${r.method} ${r.path} -> ${r.status}`), []);
    const blobs: string[] = [];
    const ds = bed.emulator.state.getWorkspace('rg-ml', 'mlw')!.datastores.get('workspaceblobstore')!;
    for await (const b of bed.container(ds.containerName).listBlobsFlat()) blobs.push(b.name);
    assert.ok(blobs.some((n) => n.endsWith('/train.py')), `uploaded: ${blobs.join(', ')}`);
  });
});
