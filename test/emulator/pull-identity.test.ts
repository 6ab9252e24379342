// The emulator's managed identities, role assignments and ACI pulls with an identity: as strict as Azure. A group
// whose pull identity lacks a pull role on the registry fails to pull (as in Azure: the PUT is accepted, the pull
// fails with 401), so DeployToACI's managed-identity path cannot pass against a kinder emulator.
import * as assert from 'assert';
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as https from 'https';
import * as os from 'os';
import * as path from 'path';
import { startEmulator, type Emulator } from './index';
import { addRegistry, images, loginServerOf } from './services/acr';
import { addIdentity, identityById } from './services/managed-identities';
import { grantRole, REPLICATION_MS, roleAssignments, ROLES } from './services/role-assignments';
import { findContainerGroup } from './services/aci';
import { installDnsPreload } from '../harness/run-task';

installDnsPreload();

interface Reply { status: number; headers: Record<string, string | string[] | undefined>; json: any }

const ROOT = path.resolve(__dirname, '..', '..', '..');

function call(emu: Emulator, method: string, p: string, body?: unknown): Promise<Reply> {
  const token = emu.issueToken({ audience: 'https://management.azure.com/', appId: emu.identities.spnSecret.clientId, objectId: emu.identities.spnSecret.objectId });
  const url = /^https:/.test(p) ? p : `${emu.urls.arm}${p}`;
  const text = body === undefined ? undefined : JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = https.request(url, {
      method, ca: emu.caPem,
      headers: { authorization: `Bearer ${token}`, ...(text !== undefined ? { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(text)) } : {}) },
    }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const t = Buffer.concat(chunks).toString();
        resolve({ status: res.statusCode ?? 0, headers: res.headers, json: t ? JSON.parse(t) : undefined });
      });
    });
    req.on('error', reject);
    req.end(text);
  });
}

describe('emulator: managed identities, role assignments, ACI pulls with an identity', function () {
  this.timeout(60_000);
  let emu: Emulator;
  let sub: string;
  let registryId: string;
  let image: string;
  const dirs: string[] = [];
  const identityPath = (name: string): string => `/subscriptions/${sub}/resourceGroups/rg-ml/providers/Microsoft.ManagedIdentity/userAssignedIdentities/${name}?api-version=2023-01-31`;
  const assignmentPath = (name: string): string => `${registryId}/providers/Microsoft.Authorization/roleAssignments/${name}?api-version=2022-04-01`;
  const roleDef = (role: string): string => `/subscriptions/${sub}/providers/Microsoft.Authorization/roleDefinitions/${role}`;

  /** PUTs a group pulling `image` with `o`, follows the operation, returns its final status. */
  const deploy = async (name: string, o: { identity?: unknown; credentials?: unknown[] }): Promise<{ put: Reply; status?: string }> => {
    const put = await call(emu, 'PUT', `/subscriptions/${sub}/resourceGroups/rg-ml/providers/Microsoft.ContainerInstance/containerGroups/${name}?api-version=2023-05-01`, {
      location: 'eastus',
      ...(o.identity ? { identity: o.identity } : {}),
      properties: {
        osType: 'Linux', restartPolicy: 'Always',
        containers: [{ name, properties: { image, ports: [{ port: 5001 }], resources: { requests: { cpu: 1, memoryInGB: 1 } } } }],
        ...(o.credentials ? { imageRegistryCredentials: o.credentials } : {}),
        ipAddress: { type: 'Public', ports: [{ port: 5001, protocol: 'TCP' }] },
      },
    });
    if (put.status >= 300) return { put };
    for (let i = 0; i < 10; i++) {
      const s = await call(emu, 'GET', String(put.headers['azure-asyncoperation']));
      if (s.json.status !== 'InProgress') return { put, status: s.json.status };
    }
    return { put, status: 'InProgress' };
  };

  before(async () => {
    emu = await startEmulator();
    sub = emu.identities.subscriptionId;
    addRegistry(emu, { name: 'lockedacr', resourceGroup: 'rg-ml', adminUserEnabled: false });
    registryId = `/subscriptions/${sub}/resourceGroups/rg-ml/providers/Microsoft.ContainerRegistry/registries/lockedacr`;
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pull-identity-'));
    dirs.push(dir);
    fs.mkdirSync(path.join(dir, 'scoring'));
    fs.mkdirSync(path.join(dir, 'model'));
    fs.copyFileSync(path.join(ROOT, 'tasks', 'CreateImage', 'assets', 'server.py'), path.join(dir, 'scoring', 'server.py'));
    fs.copyFileSync(path.join(ROOT, 'tasks', 'DeployToACI', 'tests', 'fixtures', 'score.py'), path.join(dir, 'scoring', 'score.py'));
    fs.copyFileSync(path.join(ROOT, 'tasks', 'DeployToACI', 'tests', 'fixtures', 'model.txt'), path.join(dir, 'model', 'model.txt'));
    image = `${loginServerOf(emu, 'lockedacr')}/churn:1`;
    images(emu).set(image, { digest: `sha256:${crypto.createHash('sha256').update(dir).digest('hex')}`, contextDir: dir, labels: {} });
  });
  after(async () => {
    await emu?.stop();
    for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
  });

  describe('userAssignedIdentities', () => {
    it('creates (201) with a principal and client id, updates tags (200) keeping them', async () => {
      const a = await call(emu, 'PUT', identityPath('id-a'), { location: 'eastus', tags: { x: '1' } });
      assert.strictEqual(a.status, 201);
      assert.match(a.json.properties.principalId, /^[0-9a-f-]{36}$/);
      assert.strictEqual(a.json.properties.tenantId, emu.identities.tenantId);
      const b = await call(emu, 'PUT', identityPath('id-a'), { location: 'eastus', tags: { x: '2' } });
      assert.strictEqual(b.status, 200);
      assert.strictEqual(b.json.properties.principalId, a.json.properties.principalId);
      assert.deepStrictEqual((await call(emu, 'GET', identityPath('id-a'))).json.tags, { x: '2' });
      assert.strictEqual((await call(emu, 'GET', identityPath('id-none'))).status, 404);
    });
    it('refuses what the spec does not allow', async () => {
      assert.strictEqual((await call(emu, 'PUT', identityPath('id-b'), { tags: {} })).json.error.code, 'LocationRequired');
      assert.strictEqual((await call(emu, 'PUT', identityPath('id-b'), { location: 'eastus', sku: 'x' })).json.error.code, 'InvalidRequestContent');
      assert.strictEqual((await call(emu, 'PUT', identityPath('id-b'), { location: 'eastus', properties: { isolationScope: 'None' } })).status, 400, 'isolationScope is 2024-11-30 only');
      assert.strictEqual((await call(emu, 'PUT', identityPath('-bad'), { location: 'eastus' })).json.error.code, 'InvalidResourceName');
      assert.strictEqual((await call(emu, 'PUT', identityPath('id-a'), { location: 'westeurope' })).status, 409);
    });
  });

  describe('roleAssignments at a registry', () => {
    it('refuses a fresh identity without principalType (replication delay), takes it with ServicePrincipal; 409 for the same grant under another name', async () => {
      const fresh = (await call(emu, 'PUT', identityPath('id-fresh'), { location: 'eastus' })).json.properties.principalId as string;
      const body = (extra: Record<string, unknown> = {}): unknown => ({ properties: { roleDefinitionId: roleDef(ROLES.AcrPull), principalId: fresh, ...extra } });
      const notYet = await call(emu, 'PUT', assignmentPath(crypto.randomUUID()), body());
      assert.strictEqual(notYet.status, 400);
      assert.strictEqual(notYet.json.error.code, 'PrincipalNotFound');
      assert.ok(REPLICATION_MS > 0);
      const name = crypto.randomUUID();
      const ok = await call(emu, 'PUT', assignmentPath(name), body({ principalType: 'ServicePrincipal' }));
      assert.strictEqual(ok.status, 201, JSON.stringify(ok.json));
      assert.strictEqual(ok.json.properties.scope, registryId);
      assert.strictEqual((await call(emu, 'PUT', assignmentPath(name), body({ principalType: 'ServicePrincipal' }))).status, 201, 'the same PUT again');
      const dup = await call(emu, 'PUT', assignmentPath(crypto.randomUUID()), body({ principalType: 'ServicePrincipal' }));
      assert.deepStrictEqual([dup.status, dup.json.error.code], [409, 'RoleAssignmentExists']);
      const list = await call(emu, 'GET', `${registryId}/providers/Microsoft.Authorization/roleAssignments?api-version=2022-04-01&$filter=${encodeURIComponent(`principalId eq '${fresh}'`)}`);
      assert.deepStrictEqual(list.json.value.map((a: { name: string }) => a.name), [name]);
    });
    it('refuses a name that is no GUID, unknown properties, an unknown role, a bad principalType and other filters', async () => {
      const p = addIdentity(emu, { name: 'id-old', resourceGroup: 'rg-ml' }).principalId;
      const put = (n: string, props: Record<string, unknown>): Promise<Reply> => call(emu, 'PUT', assignmentPath(n), { properties: props });
      assert.strictEqual((await put('not-a-guid', { roleDefinitionId: roleDef(ROLES.AcrPull), principalId: p })).json.error.code, 'InvalidRoleAssignmentId');
      assert.strictEqual((await put(crypto.randomUUID(), { roleDefinitionId: roleDef(ROLES.AcrPull), principalId: p, canDelegate: true })).json.error.code, 'InvalidRequestContent');
      assert.strictEqual((await put(crypto.randomUUID(), { roleDefinitionId: roleDef(crypto.randomUUID()), principalId: p })).json.error.code, 'RoleDefinitionDoesNotExist');
      assert.strictEqual((await put(crypto.randomUUID(), { roleDefinitionId: roleDef(ROLES.AcrPull), principalId: p, principalType: 'Robot' })).json.error.code, 'InvalidRequestContent');
      assert.strictEqual((await put(crypto.randomUUID(), { principalId: p })).json.error.code, 'InvalidRequestContent');
      assert.strictEqual((await call(emu, 'GET', `${registryId}/providers/Microsoft.Authorization/roleAssignments?api-version=2022-04-01&$filter=roleDefinitionId%20eq%20'x'`)).status, 400);
      assert.strictEqual((await put(crypto.randomUUID(), { roleDefinitionId: roleDef(ROLES.AcrPull), principalId: p })).status, 201, 'a replicated identity needs no principalType');
    });
  });

  describe('container groups pulling with an identity', () => {
    const idOf = (name: string): string => `/subscriptions/${sub}/resourceGroups/rg-ml/providers/Microsoft.ManagedIdentity/userAssignedIdentities/${name}`;
    const withIdentity = (id: string): { identity: unknown; credentials: unknown[] } => ({
      identity: { type: 'UserAssigned', userAssignedIdentities: { [id]: {} } },
      credentials: [{ server: loginServerOf(emu, 'lockedacr'), identity: id }],
    });

    it('fails to pull when the identity holds no pull role on the registry (401), pulls once it holds AcrPull', async () => {
      const i = addIdentity(emu, { name: 'id-pull', resourceGroup: 'rg-ml' });
      const denied = await deploy('grp-denied', withIdentity(i.id));
      assert.strictEqual(denied.put.status, 201);
      assert.strictEqual(denied.status, 'Failed');
      assert.ok(findContainerGroup(emu, 'rg-ml', 'grp-denied')?.container.events.some((e) => /401 Unauthorized/.test(e.message)));
      grantRole(emu, { scope: `/subscriptions/${sub}/resourceGroups/rg-other`, role: ROLES.AcrPull, principalId: i.principalId });
      assert.strictEqual((await deploy('grp-denied', withIdentity(i.id))).status, 'Failed', 'a role on another scope does not count');
      grantRole(emu, { scope: registryId, role: ROLES.AcrPull, principalId: i.principalId });
      assert.strictEqual((await deploy('grp-denied', withIdentity(i.id))).status, 'Succeeded');
      const got = await call(emu, 'GET', `/subscriptions/${sub}/resourceGroups/rg-ml/providers/Microsoft.ContainerInstance/containerGroups/grp-denied?api-version=2023-05-01`);
      assert.deepStrictEqual(got.json.identity, { type: 'UserAssigned', userAssignedIdentities: { [i.id]: { principalId: i.principalId, clientId: i.clientId } } });
      assert.deepStrictEqual(got.json.properties.imageRegistryCredentials, [{ server: loginServerOf(emu, 'lockedacr'), identity: i.id }]);
    });

    it('fails to pull from a registry whose admin user is disabled without a working credential', async () => {
      assert.strictEqual((await deploy('grp-anon', {})).status, 'Failed');
      assert.strictEqual((await deploy('grp-admin', { credentials: [{ server: loginServerOf(emu, 'lockedacr'), username: 'lockedacr', password: 'guess' }] })).status, 'Failed');
    });

    it('refuses an identity the group does not have, or one that does not exist (400, nothing created)', async () => {
      const i = addIdentity(emu, { name: 'id-other', resourceGroup: 'rg-ml' });
      const notOnGroup = await deploy('grp-bad1', { credentials: [{ server: loginServerOf(emu, 'lockedacr'), identity: i.id }] });
      assert.deepStrictEqual([notOnGroup.put.status, notOnGroup.put.json.error.code], [400, 'InvalidImageRegistryCredentialIdentity']);
      const missing = await deploy('grp-bad2', withIdentity(idOf('id-missing')));
      assert.deepStrictEqual([missing.put.status, missing.put.json.error.code], [400, 'FailedIdentityOperation']);
      const empty = await deploy('grp-bad3', { identity: { type: 'UserAssigned' } });
      assert.strictEqual(empty.put.status, 400);
      assert.ok(!findContainerGroup(emu, 'rg-ml', 'grp-bad1') && !findContainerGroup(emu, 'rg-ml', 'grp-bad2') && !findContainerGroup(emu, 'rg-ml', 'grp-bad3'));
      assert.ok(identityById(emu, i.id));
      assert.ok(roleAssignments(emu).size > 0);
    });
  });
});
