// The contract check (test/emulator/contract): requests and replies against the official SDK schemas,
// data-plane routes against the official clients' route table.
import * as assert from 'assert';
import { AzureMachineLearningWorkspaces } from '@azure/arm-machinelearning';
import { ClientSecretCredential } from '@azure/identity';
import { startEmulator, type Emulator } from './index';
import { DATA_PLANE_ROUTES, sdkOperations } from './contract';
import { installDnsPreload } from '../harness/run-task';
import { armCall as call, workspaceId } from './call';

installDnsPreload();

describe('emulator contract check', function () {
  this.timeout(30_000);
  let emu: Emulator;
  let ws: string;
  before(async () => {
    emu = await startEmulator();
    ws = `${emu.urls.arm}${workspaceId(emu)}`;
  });
  after(() => emu.stop());

  it('knows the operations of the four SDK packages, with their extensible enums', () => {
    const ops = sdkOperations();
    const put = ops.find((o) => o.method === 'PUT' && /workspaces\/\{workspaceName\}\/jobs\/\{id\}$/.test(o.template));
    assert.ok(put?.requestBody, 'jobs createOrUpdate with a body mapper');
    assert.match(put.name, /@azure\/arm-machinelearning@\S+ .*api-version 2022-10-01/);
    assert.deepStrictEqual(put.models.knownValues.get('JobBaseProperties.status'), [
      'NotStarted', 'Starting', 'Provisioning', 'Preparing', 'Queued', 'Running', 'Finalizing', 'CancelRequested',
      'Completed', 'Failed', 'Canceled', 'NotResponding', 'Paused', 'Unknown',
    ]);
    for (const pkg of ['arm-machinelearning', 'arm-containerinstance', 'arm-containerregistry', 'arm-resources']) {
      assert.ok(ops.some((o) => o.models.source.startsWith(`@azure/${pkg}@`)), pkg);
    }
  });

  it('answers 400 to a request body with a missing required field, naming it', async () => {
    emu.contract.expectViolation(/required property is missing/);
    const r = await call(emu, 'PUT', `${ws}/jobs/j-missing?api-version=2022-10-01`, {
      properties: { jobType: 'Command', environmentId: 'azureml:env:1', computeId: 'x' },
    });
    assert.strictEqual(r.status, 400);
    assert.strictEqual(r.json?.error?.code, 'InvalidRequestContent');
    assert.match(r.json?.error?.message ?? '', /\$\.properties\.command: required property is missing/);
  });

  it('answers 400 to a wrong enum value and to an unknown discriminator', async () => {
    emu.contract.expectViolation(/Upload2/);
    const r = await call(emu, 'PUT', `${ws}/jobs/j-enum?api-version=2022-10-01`, {
      properties: {
        jobType: 'Command', command: 'python train.py', environmentId: 'azureml:env:1',
        outputs: { model: { jobOutputType: 'uri_folder', mode: 'Upload2' } },
      },
    });
    assert.strictEqual(r.status, 400);
    assert.match(r.json?.error?.message ?? '', /\$\.properties\.outputs\.model\.mode: 'Upload2' is not one of ReadWriteMount, Upload/);
    emu.contract.expectViolation(/uri_blob/);
    const d = await call(emu, 'PUT', `${ws}/jobs/j-disc?api-version=2022-10-01`, {
      properties: { jobType: 'Command', command: 'python train.py', environmentId: 'azureml:env:1', inputs: { data: { jobInputType: 'uri_blob', uri: 'https://x' } } },
    });
    assert.strictEqual(d.status, 400);
    assert.match(d.json?.error?.message ?? '', /jobInputType: 'uri_blob' is not one of .*uri_folder/);
  });

  it('answers 400 to an unknown property, and accepts a body that keeps the contract', async () => {
    const rg = `${emu.urls.arm}/subscriptions/${emu.identities.subscriptionId}/resourcegroups/rg-contract?api-version=2025-03-01`;
    emu.contract.expectViolation(/colour/);
    const bad = await call(emu, 'PUT', rg, { location: 'eastus', colour: 'red' });
    assert.strictEqual(bad.status, 400);
    assert.match(bad.json?.error?.message ?? '', /\$\.colour: unknown property/);
    assert.strictEqual(emu.state.getResourceGroup('rg-contract'), undefined, 'nothing created');
    const before = emu.contract.counts.armRequests;
    const ok = await call(emu, 'PUT', rg, { location: 'eastus', tags: { team: 'ml' } });
    assert.strictEqual(ok.status, 201);
    assert.strictEqual(emu.contract.counts.armRequests, before + 1);
  });

  it('turns an emulator reply the SDK could not take into a 500 that the real client reports', async () => {
    emu.addRoute('arm', 'GET', '/subscriptions/{sub}/resourceGroups/{rg}/providers/Microsoft.MachineLearningServices/workspaces/{ws}/batchEndpoints/{name}', (ctx) => {
      if (ctx.params.name === 'wrong-status') return ctx.json(202, {});
      ctx.json(200, { name: ctx.params.name, location: 'eastus', properties: { authMode: 'Key' }, invented: true });
    });
    const cred = new ClientSecretCredential(emu.identities.tenantId, emu.identities.spnSecret.clientId, emu.identities.spnSecret.secret, {
      authorityHost: emu.urls.authorityHost, disableInstanceDiscovery: true, tlsOptions: { ca: emu.caPem },
    } as ConstructorParameters<typeof ClientSecretCredential>[3]);
    const client = new AzureMachineLearningWorkspaces(cred, emu.identities.subscriptionId, {
      endpoint: emu.urls.arm, credentialScopes: [`${emu.urls.arm}/.default`], retryOptions: { maxRetries: 0 }, tlsOptions: { ca: emu.caPem },
    } as ConstructorParameters<typeof AzureMachineLearningWorkspaces>[2]);
    emu.contract.expectViolation(/invented: unknown property/);
    await assert.rejects(client.batchEndpoints.get('rg-ml', 'mlw', 'b1'), (e: Error & { statusCode?: number }) => {
      assert.strictEqual(e.statusCode, 500);
      assert.match(e.message, /reply 200 does not match .*\$\.invented: unknown property/);
      return true;
    });
    emu.contract.expectViolation(/status 202 is not a success status/);
    await assert.rejects(client.batchEndpoints.get('rg-ml', 'mlw', 'wrong-status'), /status 202 is not a success status/);
  });

  it('serves only data-plane routes of the official clients table, each with its source', async () => {
    for (const r of DATA_PLANE_ROUTES) assert.ok(r.source.length > 20, r.template);
    emu.addRoute('amlData', 'GET', '/history/v1.0/invented', (ctx) => ctx.json(200, {}));
    emu.contract.expectViolation(/no official client calls this data-plane route/);
    const r = await call(emu, 'GET', `${emu.urls.amlDataPlane('eastus')}/history/v1.0/invented`);
    assert.strictEqual(r.status, 404);
    const disc = await call(emu, 'GET', `${emu.urls.amlDataPlane('eastus')}/discovery`);
    assert.strictEqual(disc.status, 200);
    assert.ok(emu.contract.counts.dataPlaneRequests >= 1);
    assert.deepStrictEqual(emu.contract.counts.violations, []);
    assert.strictEqual(emu.contract.counts.expectedViolations, 7);
  });

  it('refuses to register an ARM route that no SDK operation has', () => {
    assert.throws(() => emu.addRoute('arm', 'GET', '/subscriptions/{sub}/providers/Microsoft.Invented/things', (ctx) => ctx.json(200, {})),
      /no operation of the SDK packages/);
  });
});
