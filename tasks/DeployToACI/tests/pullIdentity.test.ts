// Unit tests of the pull identity (src/pullIdentity.ts): what is read, what is written and in which order, the
// idempotent answers (409 RoleAssignmentExists), the 403 of a connection that may not assign roles, and the identity
// block of the group. The ARM pipeline is a recording fake; the end-to-end runs are in integration.test.ts.
import * as assert from 'node:assert';
import { RestError } from '@azure/core-rest-pipeline';
import type { ContainerGroup } from '@azure/arm-containerinstance';
import type { AzureContext } from '../../shared/src/azure';
import { groupIdentity } from '../src/containerGroup';
import { ACR_PULL_ROLE, ensurePullIdentity, readPullIdentity, roleAssignmentName, type PullIdentityPlan } from '../src/pullIdentity';
import { pullDenied } from '../src/rbacPropagation';

const SUB = '00000000-0000-0000-0000-000000000001';
const REGISTRY = { id: `/subscriptions/${SUB}/resourceGroups/rg-acr/providers/Microsoft.ContainerRegistry/registries/mlacr`, name: 'mlacr' };
const IDENTITY = `/subscriptions/${SUB}/resourceGroups/rg-ml/providers/Microsoft.ManagedIdentity/userAssignedIdentities/acrpull-mlacr`;

type Reply = { status?: number; code?: string; body?: unknown };
interface Call { method: string; path: string; body?: unknown }

function fakeContext(answer: (c: Call) => Reply): { ctx: AzureContext; calls: Call[] } {
  const calls: Call[] = [];
  const request = async (method: string, path: string, _api: string, body?: unknown): Promise<unknown> => {
    const c = { method, path, ...(body !== undefined ? { body } : {}) };
    calls.push(c);
    const r = answer(c);
    if ((r.status ?? 200) >= 400) throw new RestError(`ARM answered ${r.status}`, { statusCode: r.status, code: r.code });
    return r.body;
  };
  const ctx = { subscriptionId: SUB, clients: { arm: { request, response: async () => ({ status: 200, headers: {}, body: undefined }) } } } as unknown as AzureContext;
  return { ctx, calls };
}

const plan = (o: Partial<PullIdentityPlan> = {}): PullIdentityPlan => ({ id: IDENTITY, name: 'acrpull-mlacr', resourceGroup: 'rg-ml', location: 'eastus', registry: REGISTRY, hasPullRole: false, ...o });

describe('DeployToACI pull identity', () => {
  it('creates a missing identity, then grants AcrPull at the registry scope with principalType ServicePrincipal', async () => {
    const { ctx, calls } = fakeContext((c) => (c.method === 'PUT' && c.path === IDENTITY ? { status: 201, body: { properties: { principalId: 'p-1' } } } : { status: 201, body: {} }));
    const { lines, newGrant } = await ensurePullIdentity(ctx, plan());
    assert.strictEqual(newGrant, true);
    assert.deepStrictEqual(calls.map((c) => `${c.method} ${c.path}`), [
      `PUT ${IDENTITY}`,
      `PUT ${REGISTRY.id}/providers/Microsoft.Authorization/roleAssignments/${roleAssignmentName(REGISTRY.id, 'p-1', ACR_PULL_ROLE)}`,
    ]);
    assert.strictEqual((calls[0].body as { location: string }).location, 'eastus');
    assert.deepStrictEqual((calls[1].body as { properties: Record<string, string> }).properties, {
      roleDefinitionId: `/subscriptions/${SUB}/providers/Microsoft.Authorization/roleDefinitions/${ACR_PULL_ROLE}`,
      principalId: 'p-1', principalType: 'ServicePrincipal', description: 'AcrPull for Azure Container Instances (DeployToACI pipeline task)',
    });
    assert.deepStrictEqual(lines, ["Created managed identity 'acrpull-mlacr' in resource group 'rg-ml'.", "Granted AcrPull on container registry 'mlacr' to managed identity 'acrpull-mlacr'."]);
  });

  it('names the assignment with a stable GUID (a rerun PUTs the same one)', () => {
    const a = roleAssignmentName(REGISTRY.id, 'p-1', ACR_PULL_ROLE);
    assert.match(a, /^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    assert.strictEqual(roleAssignmentName(REGISTRY.id.toUpperCase(), 'P-1', ACR_PULL_ROLE), a);
    assert.notStrictEqual(roleAssignmentName(REGISTRY.id, 'p-2', ACR_PULL_ROLE), a);
  });

  it('writes nothing when the identity exists and a pull role covers the registry', async () => {
    const { ctx, calls } = fakeContext(() => ({ status: 500 }));
    assert.deepStrictEqual(await ensurePullIdentity(ctx, plan({ principalId: 'p-1', hasPullRole: true })), { lines: [], newGrant: false });
    assert.deepStrictEqual(calls, []);
  });

  it('takes 409 RoleAssignmentExists as done (another run granted it first)', async () => {
    const { ctx } = fakeContext(() => ({ status: 409, code: 'RoleAssignmentExists' }));
    assert.deepStrictEqual(await ensurePullIdentity(ctx, plan({ principalId: 'p-1' })), { lines: ["Managed identity 'acrpull-mlacr' already holds AcrPull on container registry 'mlacr'."], newGrant: false });
  });

  it('explains a 403 in one line: who grants it, or adminUser', async () => {
    const { ctx } = fakeContext(() => ({ status: 403, code: 'AuthorizationFailed' }));
    await assert.rejects(ensurePullIdentity(ctx, plan({ principalId: 'p-1' })), (e: Error) => {
      assert.match(e.message, /^The service connection may not grant roles on container registry 'mlacr' \(403 AuthorizationFailed .*\)\. Fix one of: .*az role assignment create --assignee-object-id p-1 --assignee-principal-type ServicePrincipal --role AcrPull --scope \/subscriptions\/.*registries\/mlacr\); .*registryCredentials to 'adminUser'\.$/);
      assert.ok(!e.message.includes('\n'));
      return true;
    });
  });

  it('passes other failures on (a 409 of another kind is no success)', async () => {
    const { ctx } = fakeContext(() => ({ status: 409, code: 'Conflict' }));
    await assert.rejects(ensurePullIdentity(ctx, plan({ principalId: 'p-1' })), (e: Error) => e.name === 'AzureCallError' && /Granting AcrPull on container registry 'mlacr'/.test(e.message));
  });

  it('counts a pull role inherited from above the registry, not one on another registry or another principal', async () => {
    const assignments = (scope: string, role: string, principalId = 'p-1'): Reply => ({ body: { value: [{ properties: { scope, principalId, roleDefinitionId: `/subscriptions/${SUB}/providers/Microsoft.Authorization/roleDefinitions/${role}` } }] } });
    const read = async (list: Reply): Promise<PullIdentityPlan> => {
      const { ctx, calls } = fakeContext((c) => (c.path === IDENTITY ? { body: { location: 'westeurope', properties: { principalId: 'p-1' } } } : list));
      const p = await readPullIdentity(ctx, { ref: { name: 'acrpull-mlacr', given: false }, deploymentResourceGroup: 'rg-ml', location: 'eastus', registry: REGISTRY });
      assert.ok(calls.every((c) => c.method === 'GET'), 'reads only');
      assert.match(calls[1].path, /\/registries\/mlacr\/providers\/Microsoft\.Authorization\/roleAssignments\?\$filter=principalId%20eq%20'p-1'$/);
      return p;
    };
    assert.strictEqual((await read(assignments(`/subscriptions/${SUB}/resourceGroups/rg-acr`, ACR_PULL_ROLE))).hasPullRole, true);
    assert.strictEqual((await read(assignments(`/subscriptions/${SUB}/resourceGroups/rg-acr/providers/Microsoft.ContainerRegistry/registries/mlacr2`, ACR_PULL_ROLE))).hasPullRole, false);
    assert.strictEqual((await read(assignments(REGISTRY.id, ACR_PULL_ROLE, 'p-2'))).hasPullRole, false);
    assert.strictEqual((await read(assignments(REGISTRY.id, 'b7e6dc6d-f1e8-4753-8033-0f276bb0955b'))).hasPullRole, false, 'a role without pull');
    const p = await read(assignments(REGISTRY.id, ACR_PULL_ROLE));
    assert.deepStrictEqual([p.principalId, p.location], ['p-1', 'westeurope']);
  });

  it('refuses a pullIdentity that does not exist (input error, nothing written); the default identity may be missing', async () => {
    const { ctx, calls } = fakeContext(() => ({ status: 404, code: 'ResourceNotFound' }));
    await assert.rejects(readPullIdentity(ctx, { ref: { name: 'id-pull', given: true }, deploymentResourceGroup: 'rg-ml', location: 'eastus', registry: REGISTRY }),
      /^InputError: Input 'pullIdentity': the user-assigned managed identity 'id-pull' does not exist in resource group 'rg-ml'\. Expected /);
    const p = await readPullIdentity(ctx, { ref: { name: 'acrpull-mlacr', given: false }, deploymentResourceGroup: 'rg-ml', location: 'eastus', registry: REGISTRY });
    assert.deepStrictEqual([p.principalId, p.hasPullRole, p.id], [undefined, false, IDENTITY]);
    assert.ok(calls.every((c) => c.method === 'GET'));
  });

  it('recognises a pull refused for lack of authorization in the events (and nothing else)', () => {
    const g = (message: string, name = 'Failed'): ContainerGroup => ({ containers: [{ name: 'c', image: 'i', resources: { requests: { cpu: 1, memoryInGB: 1 } }, instanceView: { events: [{ name, message }] } }] } as unknown as ContainerGroup);
    assert.strictEqual(pullDenied(g('Failed to pull image "x": rpc error: code = Unknown desc = failed to authorize: failed to fetch anonymous token: unexpected status: 401 Unauthorized')), true);
    assert.strictEqual(pullDenied(g('Failed to pull image "x": rpc error: code = NotFound desc = x: not found')), false);
    assert.strictEqual(pullDenied(g('Back-off restarting failed container', 'BackOff')), false);
    assert.strictEqual(pullDenied(undefined), false);
  });

  it('gives the group the pull identity and keeps the identities it already has', () => {
    assert.deepStrictEqual(groupIdentity(IDENTITY), { type: 'UserAssigned', userAssignedIdentities: { [IDENTITY]: {} } });
    const other = IDENTITY.replace('acrpull-mlacr', 'app-identity');
    assert.deepStrictEqual(groupIdentity(IDENTITY, { type: 'SystemAssigned, UserAssigned', userAssignedIdentities: { [other]: {}, [IDENTITY.toLowerCase()]: {} } }), {
      type: 'SystemAssigned, UserAssigned', userAssignedIdentities: { [other]: {}, [IDENTITY]: {} },
    });
  });
});
