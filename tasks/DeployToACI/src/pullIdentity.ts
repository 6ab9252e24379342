// Pulling from Azure Container Registry with a managed identity (registryCredentials 'managedIdentity', the
// default): the container group gets a user-assigned identity, and its registry credential names that identity
// instead of a user and password (ACI spec 2023-05-01: ContainerGroup.identity `{ type: 'UserAssigned',
// userAssignedIdentities: { <id>: {} } }`, ImageRegistryCredential.identity = the identity's resource id; what
// `az container create --acr-identity <id> --assign-identity <id>` sends). The identity needs a pull role on the
// registry: AcrPull (role definition 7f951dda-4ed3-4680-a7ca-43fe172d538d) is granted at the registry's scope.
//
// What is read (prepare, no writes): the identity (GET) and the role assignments of its principal that apply to
// the registry (list with `principalId eq`). What is written (ensurePullIdentity, right before the container
// group): the default identity when it is missing, and the AcrPull assignment when no pull role covers the
// registry yet. Both writes are idempotent: a PUT of an existing identity keeps its principal, and a 409
// RoleAssignmentExists means another run granted the role first. Raw ARM calls (no @azure/arm-msi or
// @azure/arm-authorization in the bundle for two requests each); shapes from azure-rest-api-specs
// Microsoft.ManagedIdentity stable/2023-01-31 and Microsoft.Authorization stable/2022-04-01.
import * as crypto from 'node:crypto';
import { AzureCallError, AzureContext, azureCall, toAzureCallError } from '../../shared/src/azure';
import { InputError, TaskError } from '../../shared/src/errors';
import { lineageTags } from '../../shared/src/lineage';

export const MSI_API_VERSION = '2023-01-31';
export const AUTHORIZATION_API_VERSION = '2022-04-01';
/** Built-in role AcrPull (learn.microsoft.com "Azure built-in roles"). */
export const ACR_PULL_ROLE = '7f951dda-4ed3-4680-a7ca-43fe172d538d';
/** Roles that include pulling (ACR docs "roles and permissions": AcrPull, AcrPush, Reader, Contributor, Owner). */
export const PULL_ROLES: readonly string[] = [
  ACR_PULL_ROLE,
  '8311e382-0749-4cb8-b61a-304f252e45ec', // AcrPush
  'acdd72a7-3385-48ef-bd42-f606fba81ae7', // Reader
  'b24988ac-6180-42a0-ab88-20f7382dd24c', // Contributor
  '8e3af657-a8ff-443c-a75c-2fe8c4bcb635', // Owner
];

/** Where the identity is: from the input pullIdentity, or the default one the task manages. */
export interface PullIdentityRef {
  subscriptionId?: string;
  resourceGroup?: string;
  name: string;
  /** true: named by the input (must exist); false: the task's default identity (created when missing). */
  given: boolean;
}

export interface PullIdentityPlan {
  /** ARM id of the identity (the key in the group's userAssignedIdentities and the credential's identity). */
  id: string;
  name: string;
  resourceGroup: string;
  location: string;
  registry: { id: string; name: string };
  /** The identity's service principal when it exists; undefined = it is created before the group. */
  principalId?: string;
  /** A pull role already covers the registry (nothing to grant). */
  hasPullRole: boolean;
}

interface Identity {
  id?: string;
  location?: string;
  properties?: { principalId?: string; clientId?: string };
}

interface RoleAssignment {
  id?: string;
  properties?: { roleDefinitionId?: string; principalId?: string; scope?: string };
}

/** The identity the task creates when pullIdentity is empty: one per registry, shared by every group of the resource group. */
export function defaultIdentityName(registryName: string): string {
  return `acrpull-${registryName.toLowerCase()}`;
}

export function identityId(subscriptionId: string, resourceGroup: string, name: string): string {
  return `/subscriptions/${subscriptionId}/resourceGroups/${resourceGroup}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/${name}`;
}

/** A stable assignment name (a GUID from registry, principal and role), so a rerun PUTs the same assignment. */
export function roleAssignmentName(scope: string, principalId: string, role: string): string {
  const h = crypto.createHash('sha256').update(`${scope.toLowerCase()}|${principalId.toLowerCase()}|${role}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-${((parseInt(h[16], 16) & 3) | 8).toString(16)}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

const lower = (s: string): string => s.replace(/\/+$/, '').toLowerCase();
/** An assignment at `assigned` applies to `scope` when it is that scope or one above it. */
function covers(assigned: string, scope: string): boolean {
  return lower(scope) === lower(assigned) || lower(scope).startsWith(`${lower(assigned)}/`);
}

/** Reads the identity and whether a pull role already covers the registry. No writes. */
export async function readPullIdentity(
  ctx: AzureContext,
  o: { ref: PullIdentityRef; deploymentResourceGroup: string; location: string; registry: { id: string; name: string } },
): Promise<PullIdentityPlan> {
  const rg = o.ref.resourceGroup ?? o.deploymentResourceGroup;
  const id = identityId(o.ref.subscriptionId ?? ctx.subscriptionId, rg, o.ref.name);
  const what = `managed identity '${o.ref.name}' in resource group '${rg}'`;
  const found = await azureCall('Reading', what, () => ctx.clients.arm.request<Identity>('GET', id, MSI_API_VERSION), { notFound: 'undefined' });
  if (!found && o.ref.given) {
    throw new InputError('pullIdentity', `the user-assigned managed identity '${o.ref.name}' does not exist in resource group '${rg}'`, 'the name or resource id of an existing user-assigned identity, or empty (the task then uses its own)');
  }
  const principalId = found?.properties?.principalId;
  const plan: PullIdentityPlan = { id, name: o.ref.name, resourceGroup: rg, location: found?.location ?? o.location, registry: o.registry, hasPullRole: false, ...(principalId ? { principalId } : {}) };
  if (principalId) plan.hasPullRole = await hasPullRole(ctx, o.registry, principalId);
  return plan;
}

async function hasPullRole(ctx: AzureContext, registry: { id: string; name: string }, principalId: string): Promise<boolean> {
  const filter = encodeURIComponent(`principalId eq '${principalId}'`);
  const list = await azureCall('Listing the role assignments on', `container registry '${registry.name}'`, () =>
    ctx.clients.arm.request<{ value?: RoleAssignment[] }>('GET', `${registry.id}/providers/Microsoft.Authorization/roleAssignments?$filter=${filter}`, AUTHORIZATION_API_VERSION),
  );
  return (list.value ?? []).some((a) => {
    const role = a.properties?.roleDefinitionId?.split('/').pop()?.toLowerCase() ?? '';
    return a.properties?.principalId?.toLowerCase() === principalId.toLowerCase() && PULL_ROLES.includes(role) && !!a.properties?.scope && covers(a.properties.scope, registry.id);
  });
}

/**
 * Creates the identity when missing and grants AcrPull on the registry when no pull role covers it. Returns one
 * line per change, for the log, and whether this run made a new grant (Azure may take minutes to apply it).
 */
export async function ensurePullIdentity(ctx: AzureContext, plan: PullIdentityPlan): Promise<{ lines: string[]; newGrant: boolean }> {
  const lines = await ensure(ctx, plan);
  return { lines, newGrant: lines.some((l) => l.startsWith('Granted AcrPull')) };
}

async function ensure(ctx: AzureContext, plan: PullIdentityPlan): Promise<string[]> {
  const done: string[] = [];
  let principalId = plan.principalId;
  if (!principalId) {
    const made = await azureCall('Creating', `managed identity '${plan.name}' in resource group '${plan.resourceGroup}'`, () =>
      ctx.clients.arm.request<Identity>('PUT', plan.id, MSI_API_VERSION, { location: plan.location, tags: { ...lineageTags({}), purpose: `AcrPull on ${plan.registry.name} for container groups` } }),
    );
    principalId = made.properties?.principalId;
    if (!principalId) throw new TaskError(`Managed identity '${plan.name}' was created without a principal id; run the task again.`);
    done.push(`Created managed identity '${plan.name}' in resource group '${plan.resourceGroup}'.`);
  }
  if (plan.hasPullRole && plan.principalId) return done;
  const scope = plan.registry.id;
  const name = roleAssignmentName(scope, principalId, ACR_PULL_ROLE);
  const body = {
    properties: {
      roleDefinitionId: `/subscriptions/${ctx.subscriptionId}/providers/Microsoft.Authorization/roleDefinitions/${ACR_PULL_ROLE}`,
      principalId,
      // a new identity's service principal may not have reached every directory replica yet: with principalType
      // the assignment does not wait for it (learn.microsoft.com "Troubleshoot Azure RBAC", PrincipalNotFound)
      principalType: 'ServicePrincipal',
      description: 'AcrPull for Azure Container Instances (DeployToACI pipeline task)',
    },
  };
  try {
    await ctx.clients.arm.request('PUT', `${scope}/providers/Microsoft.Authorization/roleAssignments/${name}`, AUTHORIZATION_API_VERSION, body);
    done.push(`Granted AcrPull on container registry '${plan.registry.name}' to managed identity '${plan.name}'.`);
  } catch (err) {
    const e = toAzureCallError(err, 'Granting AcrPull on', `container registry '${plan.registry.name}' to managed identity '${plan.name}'`);
    const code = (err as { code?: string }).code;
    if (e instanceof AzureCallError && e.statusCode === 409 && code === 'RoleAssignmentExists') {
      done.push(`Managed identity '${plan.name}' already holds AcrPull on container registry '${plan.registry.name}'.`);
      return done;
    }
    if (e instanceof AzureCallError && e.statusCode === 403) {
      throw new TaskError(
        `The service connection may not grant roles on container registry '${plan.registry.name}' (403 AuthorizationFailed on Microsoft.Authorization/roleAssignments/write). ` +
          `Fix one of: have an owner grant it once (az role assignment create --assignee-object-id ${principalId} --assignee-principal-type ServicePrincipal --role AcrPull --scope ${scope}); ` +
          `give the service connection Role Based Access Control Administrator on the registry; or set registryCredentials to 'adminUser'.`,
      );
    }
    throw e;
  }
  return done;
}
