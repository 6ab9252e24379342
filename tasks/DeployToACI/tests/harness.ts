// What the reliability suite (test/reliability) and the runtime runs (test/integration/runtimes.test.ts) need to
// know about DeployToACI: the emulator seeding and happy-path inputs, the bad-input cases, where the fault matrix
// hits it mid-run, one failure on each Node runtime. The suites find this file by the folder's name.
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { addRegistry, images, loginServerOf, registries } from '../../../test/emulator/services/acr';
import { aciControl, appInsightsComponent } from '../../../test/emulator/services/aci';
import {
  ARM_HOST, bedFor, fixtureOn, ROOT, isArm, nextId, tempDir, WORKSPACE, type Fixture, type FixtureOptions, type TaskHarness,
} from '../../../test/reliability/fixture';

const SERVER_PY = path.join(ROOT, 'tasks', 'CreateImage', 'assets', 'server.py');
const ACI_FIXTURES = path.join(ROOT, 'tasks', 'DeployToACI', 'tests', 'fixtures');

export type DeployFixture = Fixture & { image: { uri: string; digest: string }; registryPassword: string; appInsights: string; apiKey: string; dbPassword: string };
async function fixture(where: FixtureOptions): Promise<DeployFixture> {
  const b = await bedFor(where);
  const emu = b.emulator;
  const ws = emu.state.getWorkspace('rg-ml', 'mlw')!;
  const acr = registries(emu).get(ws.containerRegistryName!.toLowerCase()) ?? addRegistry(emu, { name: ws.containerRegistryName!, resourceGroup: 'rg-ml' });
  const loginServer = loginServerOf(emu, acr.name);
  const dir = tempDir('aci-ctx');
  fs.mkdirSync(path.join(dir, 'scoring'));
  fs.mkdirSync(path.join(dir, 'model'));
  fs.copyFileSync(SERVER_PY, path.join(dir, 'scoring', 'server.py'));
  fs.copyFileSync(path.join(ACI_FIXTURES, 'score.py'), path.join(dir, 'scoring', 'score.py'));
  fs.copyFileSync(path.join(ACI_FIXTURES, 'model.txt'), path.join(dir, 'model', 'model.txt'));
  const digest = `sha256:${crypto.createHash('sha256').update(dir).digest('hex')}`;
  const uri = `${loginServer}/churn:rel`;
  images(emu).set(uri, { digest, contextDir: dir, labels: {} });
  images(emu).set(`${loginServer}/churn@${digest}`, { digest, contextDir: dir, labels: {} });
  const apiKey = `kvval-${crypto.randomBytes(12).toString('hex')}`;
  const dbPassword = `dbpw-${crypto.randomBytes(12).toString('hex')}`;
  emu.state.setSecret('kv-test', 'rel-api-key', apiKey);
  const appInsights = appInsightsComponent(emu, 'rg-ml', ws.applicationInsightsName ?? '')?.connectionString ?? '';
  return fixtureOn(where, b, {
    secretVariables: { dbPassword },
    inputs: () => ({
      ...WORKSPACE, containerGroupName: `rel-aci-${nextId()}`,
      imageUri: uri, imageDigest: digest, keyVault: 'kv-test', secretEnvironmentVariables: 'API_KEY=rel-api-key',
      secureEnvironmentVariables: `DB_PASSWORD=${dbPassword}`, environmentVariables: 'MODE=reliability', readinessTimeoutMinutes: '1',
    }),
    plantedSecrets: () => [apiKey, dbPassword, ...(appInsights ? [appInsights] : [])],
    reset: () => Object.assign(aciControl(emu), { holdPulling: false, provisioningPolls: 1 }),
  }, { image: { uri, digest }, registryPassword: acr.passwords[0], appInsights, apiKey, dbPassword });
}

export const harness: TaskHarness = {
  fixture,
  badInputs: () => [
    { title: 'containerGroupName with upper case', inputs: () => ({ containerGroupName: 'Churn_Prod' }), input: 'containerGroupName' },
    { title: 'cpu above the ACI limit', inputs: () => ({ cpu: '8' }), input: 'cpu' },
    { title: 'memoryGb above the ACI limit', inputs: () => ({ memoryGb: '64' }), input: 'memoryGb' },
    { title: 'environmentVariables line without =', inputs: () => ({ environmentVariables: 'MODE=prod\nDEBUG' }), input: 'environmentVariables' },
    { title: 'dnsNameLabel with upper case', inputs: () => ({ dnsNameLabel: 'My_Label' }), input: 'dnsNameLabel' },
    { title: 'Key Vault secret that does not exist', inputs: () => ({ secretEnvironmentVariables: 'API_KEY=no-such-secret' }), input: 'secretEnvironmentVariables' },
    { title: 'imageUri that is not an image reference', inputs: () => ({ imageUri: 'not an image' }), input: 'imageUri' },
    { title: 'imageDigest that is not a digest', inputs: () => ({ imageDigest: 'sha256:xyz' }), input: 'imageDigest' },
    { title: 'port out of range', inputs: () => ({ port: '70000' }), input: 'port' },
    { title: 'given registry credentials without a user name', inputs: () => ({ registryCredentials: 'given' }), input: 'registryUsername' },
    { title: 'pullIdentity that is no identity name or id', inputs: () => ({ pullIdentity: 'my identity' }), input: 'pullIdentity' },
    { title: 'pullIdentity that does not exist', inputs: () => ({ pullIdentity: 'no-such-identity' }), input: 'pullIdentity' },
    { title: 'pullIdentity with registryCredentials adminUser', inputs: () => ({ registryCredentials: 'adminUser', pullIdentity: 'id-pull' }), input: 'pullIdentity' },
    { title: 'readinessTimeoutMinutes 0', inputs: () => ({ readinessTimeoutMinutes: '0' }), input: 'readinessTimeoutMinutes' },
    { title: 'scoringKeySecret with invalid characters', inputs: () => ({ scoringKeySecret: 'bad_name!' }), input: 'scoringKeySecret' },
    { title: 'authEnabled not a boolean', inputs: () => ({ authEnabled: 'yes please' }), input: 'authEnabled' },
  ],
  faults: {
    what: 'the operation status / container group polls (ARM) after the group PUT; the Key Vault token after the pull identity is read',
    target: { kind: 'throttle', host: ARM_HOST, method: 'GET', path: /(\/operationStatuses\/[^/]+|\/containerGroups\/[^/]+)$/ },
    after: (r) => isArm(r) && r.method === 'PUT' && /\/containerGroups\/[^/]+$/.test(r.path),
    tokenAfter: (r) => isArm(r) && r.method === 'GET' && /\/userAssignedIdentities\/[^/]+$/.test(r.path),
  },
  // the default pulls with a managed identity (no password at all): the admin password path runs under the strict scan too
  secretCases: [{ title: 'admin user credentials (registryCredentials adminUser)', scheme: 'spnKey', inputs: (f, c) => ({ ...f.inputs({ connection: c }), registryCredentials: 'adminUser' }) }],
  failure: { title: 'a Key Vault secret that does not exist', inputs: { secretEnvironmentVariables: 'API_KEY=no-such-secret' }, names: /Input 'secretEnvironmentVariables'/ },
};
