// Issue 15 item 3 (remainder), end to end with the bundled tasks: a Key Vault token or secret goes only to
// `https://<vault>.<vault suffix of the connection's cloud>`, registry credentials only to `<registry>.<acr suffix>`.
// Each case plants a hostile value — a vault URI on another host, a registry whose ARM loginServer or whose token
// realm is another host (replies of the emulator) — on hosts the emulator's certificate covers and serves, so a
// request WOULD be answered and recorded. The task must fail in one line naming the host and the input or
// resource, and no request may reach that host.
import * as assert from 'node:assert/strict';
import { addRegistry, registries, type RegistryRecord } from '../emulator/services/acr';
import { startTestBed, type TestBed } from '../harness/testbed';
import type { TaskRun } from '../harness/run-task';
import { cleanupTemp, FIXTURES, type Fixture } from '../reliability/helpers';

/** The workspace's registry record (the emulator creates it on first use, as Azure ML does). */
function registryOf(bed: TestBed): RegistryRecord {
  const ws = bed.emulator.state.getWorkspace('rg-ml', 'mlw')!;
  return registries(bed.emulator).get(ws.containerRegistryName!.toLowerCase()) ?? addRegistry(bed.emulator, { name: ws.containerRegistryName!, resourceGroup: ws.resourceGroup, location: ws.location });
}

function firstLine(run: TaskRun): string {
  return (run.message ?? '').split('\n')[0];
}

describe('security: tokens and registry credentials only to hosts of the connection\'s cloud (bundled tasks)', function () {
  this.timeout(240_000);
  let bed: TestBed;
  before(async () => {
    bed = await startTestBed();
  });
  after(async () => {
    await bed?.stop();
    cleanupTemp();
  });

  const to = (host: string) => bed.emulator.requests.filter((r) => r.host === host).map((r) => `${r.method} ${r.path}`);

  describe('Key Vault (ProbeEndpoint reads its key)', () => {
    let f: Fixture;
    before(async () => {
      f = await FIXTURES.ProbeEndpoint(bed);
    });
    after(() => f?.stop());

    it('a vault URI outside the cloud\'s vault suffix: one error naming the host and keyVault, no request to it, no token', async () => {
      // *.blob.localhost: the emulator's certificate covers it and the name resolves, but it is no vault of the cloud
      const host = `kv-test.blob.localhost`;
      const mark = bed.emulator.requests.length;
      const run = await f.run({ ...f.inputs(), keyVault: `https://${host}:${bed.emulator.port}` });
      assert.equal(run.result, 'Failed', run.stdout.slice(-2000));
      assert.equal(firstLine(run), `Input 'keyVault': the vault URI names the host '${host}:${bed.emulator.port}', which is not a Key Vault of the service connection's cloud: refusing to send it a token or secret. Expected a vault name, or https://<vault>.vault.localhost.`);
      assert.deepEqual(to(host), []);
      const after = bed.emulator.requests.slice(mark);
      assert.deepEqual(after.filter((r) => r.host.endsWith('.vault.localhost') || /\/oauth2\/v2\.0\/token$/.test(r.path)).map((r) => `${r.method} ${r.host}${r.path}`), [], 'no token asked for, no vault read');
    });

    it('the same vault by name, and by its URI on the cloud\'s suffix, still work', async () => {
      const byName = await f.run(f.inputs());
      assert.equal(byName.result, 'Succeeded', byName.stdout.slice(-2000));
      const byUri = await f.run({ ...f.inputs(), keyVault: bed.emulator.urls.keyVault('kv-test') });
      assert.equal(byUri.result, 'Succeeded', byUri.stdout.slice(-2000));
    });
  });

  describe('container registry (CreateImage)', () => {
    let f: Fixture;
    let registryName: string;
    before(async () => {
      f = await FIXTURES.CreateImage(bed);
      registryName = bed.emulator.state.getWorkspace('rg-ml', 'mlw')!.containerRegistryName!;
    });
    afterEach(() => {
      const r = registries(bed.emulator).get(registryName.toLowerCase());
      if (r) {
        delete r.loginServer;
        delete r.challengeRealm;
      }
    });
    after(() => f?.stop());

    it('ARM reports a loginServer that is not the registry\'s host: one error naming it, no token exchange anywhere', async () => {
      const host = `collector.azurecr.localhost`;
      registryOf(bed).loginServer = `${host}:${bed.emulator.port}`;
      const mark = bed.emulator.requests.length;
      const run = await f.run({ ...f.inputs(), reuseExistingImage: 'true' });
      assert.equal(run.result, 'Failed', run.stdout.slice(-2000));
      assert.equal(firstLine(run), `Registry '${registryName}' (its loginServer from ARM) names '${host}:${bed.emulator.port}', which is not the login server of registry '${registryName}' in the connection's cloud (https://${registryName.toLowerCase()}.azurecr.localhost): refusing to send it registry credentials.`);
      assert.deepEqual(to(host), []);
      const after = bed.emulator.requests.slice(mark);
      assert.deepEqual(after.filter((r) => r.host.endsWith('.azurecr.localhost')).map((r) => `${r.method} ${r.host}${r.path}`), []);
      assert.deepEqual(after.filter((r) => r.method === 'POST' && /\/scheduleRun$/.test(r.path)).length, 0, 'nothing built');
    });

    it('the registry\'s challenge names a token realm on another host: refused before the Entra token is sent', async () => {
      const host = `collector.azurecr.localhost`;
      registryOf(bed).challengeRealm = `https://${host}:${bed.emulator.port}/oauth2/token`;
      const run = await f.run({ ...f.inputs(), reuseExistingImage: 'true' });
      assert.equal(run.result, 'Failed', run.stdout.slice(-2000));
      assert.match(firstLine(run), new RegExp(`^Registry ${registryName.toLowerCase()}\\.azurecr\\.localhost:\\d+: its token realm "https://${host.replace(/\./g, '\\.')}:\\d+/oauth2/token" is not on the registry's own host: refusing to send it a token\\.$`));
      assert.deepEqual(to(host), []);
    });
  });

  describe('container registry (DeployToACI hands the container group a pull identity or the admin password for it)', () => {
    let f: Fixture & { image?: { uri: string } };
    let registryName: string;
    before(async () => {
      f = await FIXTURES.DeployToACI(bed);
      registryName = bed.emulator.state.getWorkspace('rg-ml', 'mlw')!.containerRegistryName!;
    });
    after(async () => {
      const r = registries(bed.emulator).get(registryName.toLowerCase());
      if (r) delete r.loginServer;
      await f?.stop();
    });

    for (const mode of ['managedIdentity', 'adminUser']) {
      it(`a registry whose loginServer (ARM) is another host, registryCredentials ${mode}: no admin password is read, no identity or password handed to the container group`, async () => {
        const host = `collector.azurecr.localhost`;
        const server = `${host}:${bed.emulator.port}`;
        registryOf(bed).loginServer = server;
        const mark = bed.emulator.requests.length;
        const { imageDigest: _digest, ...inputs } = f.inputs() as Record<string, string>;
        const run = await f.run({ ...inputs, imageUri: `${server}/churn:rel`, registryCredentials: mode });
        assert.equal(run.result, 'Failed', run.stdout.slice(-2000));
        assert.match(firstLine(run), new RegExp(`names '${server.replace(/\./g, '\\.')}', which is not the login server of registry '${registryName}' in the connection's cloud \\(https://${registryName.toLowerCase()}\\.azurecr\\.localhost\\): refusing to send it registry credentials\\.$`));
        const after = bed.emulator.requests.slice(mark);
        assert.deepEqual(after.filter((r) => /\/listCredentials$/.test(r.path) || (r.method === 'PUT' && /\/(containerGroups|userAssignedIdentities|roleAssignments)\//.test(r.path))).map((r) => `${r.method} ${r.path}`), []);
        assert.deepEqual(to(host), []);
      });
    }
  });
});
