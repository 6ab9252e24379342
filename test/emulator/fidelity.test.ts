// Emulator behaviour taken from the official specs and clients (issue "Azure fidelity"): job input uris,
// listSecrets of identity-based datastores, every JobStatus in replies.
import * as assert from 'assert';
import type { Emulator } from './index';
import { startTestBed, type TestBed } from '../harness/testbed';
import { addDataVersion } from './services/aml-data';
import { assetPutRaces } from './services/aml-workspace';
import { environmentAssets, jobScripts } from './services/aml-jobs';
import { installDnsPreload } from '../harness/run-task';
import { armCall as call, workspaceId } from './call';

installDnsPreload();

describe('emulator fidelity to the official specs and clients', function () {
  this.timeout(30_000);
  let bed: TestBed;
  let emu: Emulator;
  let ws: string;
  let wsId: string;
  before(async () => {
    bed = await startTestBed(); // Azurite too: a finished job writes its log there
    emu = bed.emulator;
    wsId = workspaceId(emu);
    ws = `${emu.urls.arm}${wsId}`;
    const now = new Date().toISOString();
    environmentAssets(emu).set('rg-ml/mlw/env', { name: 'env', properties: {}, created: now, versions: new Map([['1', { version: '1', properties: { image: 'python:3.11' }, created: now }]]) });
    addDataVersion(emu, 'sales', '3', { dataType: 'uri_folder', dataUri: 'azureml://datastores/workspaceblobstore/paths/sales/' });
  });
  after(() => bed?.stop());

  const job = (uri: string): unknown => ({
    properties: {
      jobType: 'Command', command: 'python train.py', environmentId: `${wsId}/environments/env/versions/1`, computeId: `${wsId}/computes/cpu-cluster`,
      inputs: { data: { jobInputType: 'uri_folder', uri } },
    },
  });

  it('job inputs: the client shorthand azureml:<name>:<version> is refused; ARM ids of existing versions, azureml:// paths and URLs are taken', async () => {
    const short = await call(emu, 'PUT', `${ws}/jobs/j1?api-version=2022-10-01`, job('azureml:sales:3'));
    assert.strictEqual(short.status, 400);
    assert.match(short.json.error?.message ?? '', /Input 'data': 'azureml:sales:3' is not a valid input uri/);
    const missing = await call(emu, 'PUT', `${ws}/jobs/j2?api-version=2022-10-01`, job(`${wsId}/data/sales/versions/9`));
    assert.strictEqual(missing.status, 404);
    for (const [i, uri] of [`${wsId}/data/sales/versions/3`, 'azureml://datastores/workspaceblobstore/paths/sales/', 'https://acct.blob.core.windows.net/c/x.csv'].entries()) {
      const ok = await call(emu, 'PUT', `${ws}/jobs/ok${i}?api-version=2022-10-01`, job(uri));
      assert.strictEqual(ok.status, 201, `${uri}: ${JSON.stringify(ok.json)}`);
    }
  });

  it('listSecrets of an identity-based datastore is refused (the spec has no secretsType None)', async () => {
    emu.state.getWorkspace('rg-ml', 'mlw')!.datastores.get('workspaceblobstore')!.credentialsType = 'None';
    try {
      const r = await call(emu, 'POST', `${ws}/datastores/workspaceblobstore/listSecrets?api-version=2022-10-01`);
      assert.strictEqual(r.status, 400);
      assert.match(r.json.error?.message ?? '', /identity-based access/);
    } finally {
      emu.state.getWorkspace('rg-ml', 'mlw')!.datastores.get('workspaceblobstore')!.credentialsType = 'AccountKey';
    }
  });

  it('run history is on the discovery document\'s `api` host (not `history`); a job\'s logs are in its `default` output, not in logFiles', async () => {
    const disc = (await call(emu, 'GET', `${emu.urls.amlDataPlane('eastus')}/discovery`)).json as unknown as Record<string, string>;
    assert.strictEqual(disc.api, emu.urls.amlDataPlane('eastus'));
    assert.notStrictEqual(disc.history, disc.api);
    jobScripts(emu).set('failing', { outcome: 'Failed', states: [], log: 'boom\n' });
    assert.strictEqual((await call(emu, 'PUT', `${ws}/jobs/failing?api-version=2022-10-01`, job(`${wsId}/data/sales/versions/3`))).status, 201);
    const done = (await call(emu, 'GET', `${ws}/jobs/failing?api-version=2022-10-01`)).json as unknown as { properties: { status: string; outputs: Record<string, { uri?: string; jobOutputType?: string }> } };
    assert.strictEqual(done.properties.status, 'Failed');
    assert.deepStrictEqual(done.properties.outputs.default, { jobOutputType: 'uri_folder', mode: 'ReadWriteMount', uri: 'azureml://datastores/workspaceartifactstore/ExperimentRun/dcid.failing' });
    const details = (await call(emu, 'GET', `${disc.api}/history/v1.0${wsId}/runs/failing/details`)).json as unknown as { status: string; error?: { error?: { code?: string } }; logFiles: Record<string, string> };
    assert.strictEqual(details.status, 'Failed');
    assert.strictEqual(details.error?.error?.code, 'UserError');
    assert.deepStrictEqual(details.logFiles, {});
    await assert.rejects(call(emu, 'GET', `${disc.history}/history/v1.0${wsId}/runs/failing/details`));
  });

  it('asset versions: a changed path is a 400 UserError "Asset paths cannot be updated." (model, data, code); 409 only for a create racing another', async () => {
    const put = (kind: string, name: string, version: string, properties: Record<string, unknown>): ReturnType<typeof call> => call(emu, 'PUT', `${ws}/${kind}/${name}/versions/${version}?api-version=2022-10-01`, { properties });
    const blob = (p: string): string => `https://devstoreaccount1.blob.core.windows.net/c/${p}`;
    const cases: [string, (p: string) => Record<string, unknown>][] = [
      ['models', (p) => ({ modelUri: `azureml://datastores/workspaceblobstore/paths/${p}`, modelType: 'custom_model' })],
      ['data', (p) => ({ dataType: 'uri_folder', dataUri: `azureml://datastores/workspaceblobstore/paths/${p}` })],
      ['codes', (p) => ({ codeUri: blob(p) })],
    ];
    for (const [kind, body] of cases) {
      assert.strictEqual((await put(kind, 'clash', '1', body('a'))).status, 201, kind);
      assert.strictEqual((await put(kind, 'clash', '1', body('a'))).status, 200, `${kind}: same path again is an update`);
      const changed = await put(kind, 'clash', '1', body('b'));
      assert.deepStrictEqual([changed.status, changed.json.error], [400, { code: 'UserError', message: 'Asset paths cannot be updated.' }], kind);
    }
    assetPutRaces(emu).set('models/raced/1', { kind: 'sameTime' });
    const raced = await put('models', 'raced', '1', cases[0][1]('a'));
    assert.strictEqual(raced.status, 409);
    assert.strictEqual((await put('models', 'raced', '1', cases[0][1]('a'))).status, 201, 'the race happens once');
    assetPutRaces(emu).set('codes/taken/1', { kind: 'registeredFirst', path: blob('theirs') });
    assert.strictEqual((await put('codes', 'taken', '1', { codeUri: blob('ours') })).status, 400);
    assert.deepStrictEqual(emu.contract.counts.violations, []);
  });

  it('what a job logs with MLflow is in the artifact store (ExperimentRun/dcid.<job>/) and nowhere else', async () => {
    jobScripts(emu).set('logs-model', { states: [], mlflowArtifacts: { 'model/MLmodel': 'flavors: {}\n', 'model/model.pkl': 'p' } });
    assert.strictEqual((await call(emu, 'PUT', `${ws}/jobs/logs-model?api-version=2022-10-01`, job(`${wsId}/data/sales/versions/3`))).status, 201);
    assert.strictEqual((await call(emu, 'GET', `${ws}/jobs/logs-model?api-version=2022-10-01`)).json.properties?.status, 'Completed');
    const w = emu.state.getWorkspace('rg-ml', 'mlw')!;
    const names = async (container: string): Promise<string[]> => {
      const out: string[] = [];
      for await (const b of bed.container(container).listBlobsFlat()) if (b.name.includes('logs-model')) out.push(b.name);
      return out.sort();
    };
    assert.deepStrictEqual(await names(w.datastores.get('workspaceartifactstore')!.containerName), [
      'ExperimentRun/dcid.logs-model/model/MLmodel', 'ExperimentRun/dcid.logs-model/model/model.pkl', 'ExperimentRun/dcid.logs-model/user_logs/std_log.txt',
    ]);
    assert.deepStrictEqual(await names(w.datastores.get('workspaceblobstore')!.containerName), []);
  });

  it('every JobStatus can be produced on demand, and the reply keeps the SDK contract', async () => {
    const states = ['NotStarted', 'Starting', 'Provisioning', 'Preparing', 'Queued', 'Running', 'Finalizing', 'Unknown'];
    jobScripts(emu).set('walk', { states, outcome: 'NotResponding' });
    assert.strictEqual((await call(emu, 'PUT', `${ws}/jobs/walk?api-version=2022-10-01`, job(`${wsId}/data/sales/versions/3`))).status, 201);
    const seen: string[] = [];
    for (let i = 0; i < states.length + 2; i++) seen.push(String((await call(emu, 'GET', `${ws}/jobs/walk?api-version=2022-10-01`)).json.properties?.status));
    assert.deepStrictEqual([...new Set(seen)], [...states.slice(1), 'NotResponding']);
    assert.deepStrictEqual(emu.contract.counts.violations, []);
  });
});
