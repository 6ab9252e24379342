// Azure RBAC role assignments (Microsoft.Authorization/roleAssignments) at the scope of a container registry:
// PUT, GET, list. Shapes and rules from azure-rest-api-specs authorization/resource-manager/Microsoft.Authorization/
// stable/2022-04-01 authorization-RoleAssignmentsCalls.json (RoleAssignments_Create: 201 RoleAssignment; body
// `properties.roleDefinitionId` and `properties.principalId` required; principalType User | Group |
// ServicePrincipal | ForeignGroup | Device; RoleAssignments_ListForScope with `$filter=atScope()` or
// `principalId eq '{id}'`). The errors are the ones Azure documents (learn.microsoft.com "Troubleshoot Azure
// RBAC"): RoleAssignmentExists (409) when the principal already holds the role at that scope under another
// name, PrincipalNotFound (400) for a principal the directory does not know yet (a new identity's service
// principal takes a while to replicate unless principalType is given), AuthorizationFailed (403) when the
// caller may not write role assignments (a Contributor may not; Owner or User Access Administrator may). A new
// assignment is listed at once and enforced after `propagationMs` (authorizationControl), as Azure RBAC applies
// changes with a delay.
// The contract check only checks the route (ARM_ROUTES_OUTSIDE_SDK_OPERATIONS): the bodies are checked here.
import * as crypto from 'crypto';
import type { EmulatorState } from '../state';
import { HttpError, type EmulatorApi, type RouteContext, type ServiceModule } from '../types';
import { identityByPrincipal } from './managed-identities';
import { registries } from './acr';

export const AUTHORIZATION_API = ['2020-04-01-preview', '2020-10-01-preview', '2022-01-01-preview', '2022-04-01'];

/** Built-in role definition ids (learn.microsoft.com "Azure built-in roles"). */
export const ROLES = {
  AcrPull: '7f951dda-4ed3-4680-a7ca-43fe172d538d',
  AcrPush: '8311e382-0749-4cb8-b61a-304f252e45ec',
  Reader: 'acdd72a7-3385-48ef-bd42-f606fba81ae7',
  Contributor: 'b24988ac-6180-42a0-ab88-20f7382dd24c',
  Owner: '8e3af657-a8ff-443c-a75c-2fe8c4bcb635',
} as const;

/** Roles that may pull from a registry (ACR docs "Azure Container Registry roles and permissions": Pull image). */
export const PULL_ROLES: readonly string[] = [ROLES.AcrPull, ROLES.AcrPush, ROLES.Reader, ROLES.Contributor, ROLES.Owner];
const PRINCIPAL_TYPES = ['User', 'Group', 'ServicePrincipal', 'ForeignGroup', 'Device'];
const PROPERTIES = ['roleDefinitionId', 'principalId', 'principalType', 'description', 'condition', 'conditionVersion', 'delegatedManagedIdentityResourceId'];
const READ_ONLY = ['scope', 'createdOn', 'updatedOn', 'createdBy', 'updatedBy'];
/** A new service principal reaches every directory replica within this long (the emulator's stand-in for Entra ID replication). */
export const REPLICATION_MS = 60_000;

export interface RoleAssignment {
  name: string;
  scope: string;
  /** The role definition's GUID (lower case). */
  role: string;
  roleDefinitionId: string;
  principalId: string;
  principalType: string;
  description?: string;
  createdOn: string;
  createdBy: string;
  /** ms epoch from which the assignment is enforced (Azure RBAC takes a while to apply a new one). */
  effectiveAt: number;
}

/** Knobs for tests. */
export interface AuthorizationControl {
  /** Object ids of callers without Microsoft.Authorization/roleAssignments/write (a Contributor-only service connection). */
  cannotAssignRoles: Set<string>;
  /**
   * How long a role assignment made through the API takes to be enforced (Azure: "up to 10 minutes"; default 0 so
   * tests stay fast). It is listed at once; a pull with it is refused until then.
   */
  propagationMs: number;
}

export function authorizationControl(emu: { state: EmulatorState }): AuthorizationControl {
  const b = emu.state.bucket<AuthorizationControl>('authorization.control');
  let c = b.get('control');
  if (!c) {
    c = { cannotAssignRoles: new Set(), propagationMs: 0 };
    b.set('control', c);
  }
  return c;
}

/** Every role assignment, by lower-case assignment id. */
export function roleAssignments(emu: { state: EmulatorState }): Map<string, RoleAssignment> {
  return emu.state.bucket<RoleAssignment>('authorization.roleAssignments');
}

const norm = (s: string): string => s.replace(/\/+$/, '').toLowerCase();
/** Whether an assignment at `assigned` applies at `scope` (the same scope or one above it). */
export function covers(assigned: string, scope: string): boolean {
  const a = norm(assigned);
  const s = norm(scope);
  return s === a || s.startsWith(`${a}/`);
}

/** Whether the principal holds one of the roles at the scope (directly or inherited), as enforced now. */
export function hasRole(emu: { state: EmulatorState }, principalId: string, scope: string, roles: readonly string[]): boolean {
  const now = Date.now();
  return [...roleAssignments(emu).values()].some((r) => r.principalId === principalId.toLowerCase() && roles.includes(r.role) && covers(r.scope, scope) && r.effectiveAt <= now);
}

/** Adds an assignment directly (tests seed what an administrator granted). */
export function grantRole(emu: { state: EmulatorState; identities: { subscriptionId: string } }, o: { scope: string; role: string; principalId: string; principalType?: string }): RoleAssignment {
  const name = crypto.randomUUID();
  const a: RoleAssignment = {
    name, scope: o.scope, role: o.role.toLowerCase(), roleDefinitionId: roleDefinitionId(emu.identities.subscriptionId, o.role),
    principalId: o.principalId.toLowerCase(), principalType: o.principalType ?? 'ServicePrincipal', createdOn: new Date().toISOString(), createdBy: 'administrator',
    effectiveAt: 0,
  };
  roleAssignments(emu).set(norm(assignmentId(a)), a);
  return a;
}

export function roleDefinitionId(subscriptionId: string, role: string): string {
  return `/subscriptions/${subscriptionId}/providers/Microsoft.Authorization/roleDefinitions/${role}`;
}

function assignmentId(a: Pick<RoleAssignment, 'scope' | 'name'>): string {
  return `${a.scope}/providers/Microsoft.Authorization/roleAssignments/${a.name}`;
}

function body(a: RoleAssignment): Record<string, unknown> {
  return {
    id: assignmentId(a), name: a.name, type: 'Microsoft.Authorization/roleAssignments',
    properties: {
      roleDefinitionId: a.roleDefinitionId, principalId: a.principalId, principalType: a.principalType, scope: a.scope,
      ...(a.description !== undefined ? { description: a.description } : {}),
      condition: null, conditionVersion: null, createdOn: a.createdOn, updatedOn: a.createdOn, createdBy: a.createdBy, updatedBy: a.createdBy,
      delegatedManagedIdentityResourceId: null,
    },
  };
}

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The principals the directory knows: the emulator's own apps and every identity old enough to have replicated. */
function principalKnown(emu: EmulatorApi, principalId: string, principalType: string | undefined): boolean {
  const ids = emu.identities;
  const own = [ids.spnSecret.objectId, ids.spnCertificate.objectId, ids.wif.objectId, ids.msi.objectId].map((x) => x.toLowerCase());
  if (own.includes(principalId)) return true;
  const identity = identityByPrincipal(emu, principalId);
  if (!identity) return false;
  // with principalType the service skips the directory lookup (Azure's documented fix for the replication delay)
  return principalType !== undefined || Date.now() - identity.createdAt >= REPLICATION_MS;
}

const service: ServiceModule = {
  name: 'role-assignments',
  register(emu: EmulatorApi) {
    const o = { apiVersions: AUTHORIZATION_API };
    // the scope the tasks use: a container registry (the router binds fixed-length templates)
    const scopeTemplate = '/subscriptions/{sub}/resourceGroups/{rg}/providers/Microsoft.ContainerRegistry/registries/{registry}';
    const scopeOf = (ctx: RouteContext): string => {
      if (!emu.state.getResourceGroup(ctx.params.rg)) throw new HttpError(404, 'ResourceGroupNotFound', `Resource group '${ctx.params.rg}' could not be found.`);
      const r = registries(emu).get(ctx.params.registry.toLowerCase());
      if (!r || r.resourceGroup.toLowerCase() !== ctx.params.rg.toLowerCase()) {
        throw new HttpError(404, 'ResourceNotFound', `The Resource 'Microsoft.ContainerRegistry/registries/${ctx.params.registry}' under resource group '${ctx.params.rg}' was not found. For more details please go to https://aka.ms/ARMResourceNotFoundFix`);
      }
      return `/subscriptions/${emu.identities.subscriptionId}/resourceGroups/${r.resourceGroup}/providers/Microsoft.ContainerRegistry/registries/${r.name}`;
    };

    emu.addRoute('arm', 'GET', `${scopeTemplate}/providers/Microsoft.Authorization/roleAssignments`, (ctx) => {
      const scope = scopeOf(ctx);
      const filter = (ctx.query.$filter ?? '').trim();
      const principal = /^principalId\s+eq\s+'([^']+)'$/i.exec(filter)?.[1]?.toLowerCase();
      if (filter && !principal && !/^atScope\(\)$/i.test(filter)) {
        throw new HttpError(400, 'UnsupportedQuery', `The filter '${filter}' is not supported. Supported filters are 'atScope()' and 'principalId eq {id}'.`);
      }
      const list = [...roleAssignments(emu).values()].filter((a) => (principal
        // principalId filter: assignments of that principal at, above or below the scope
        ? a.principalId === principal && (covers(a.scope, scope) || covers(scope, a.scope))
        : covers(a.scope, scope)));
      ctx.json(200, { value: list.map(body) });
    }, o);

    emu.addRoute('arm', 'GET', `${scopeTemplate}/providers/Microsoft.Authorization/roleAssignments/{name}`, (ctx) => {
      const scope = scopeOf(ctx);
      const a = roleAssignments(emu).get(norm(`${scope}/providers/Microsoft.Authorization/roleAssignments/${ctx.params.name}`));
      if (!a) throw new HttpError(404, 'RoleAssignmentNotFound', `The role assignment '${ctx.params.name}' is not found.`);
      ctx.json(200, body(a));
    }, o);

    emu.addRoute('arm', 'PUT', `${scopeTemplate}/providers/Microsoft.Authorization/roleAssignments/{name}`, (ctx) => {
      const scope = scopeOf(ctx);
      const name = ctx.params.name;
      if (!GUID.test(name)) throw new HttpError(400, 'InvalidRoleAssignmentId', `The role assignment ID '${name}' is not valid. The role assignment ID must be a GUID.`);
      const req = ctx.bodyJson<{ properties?: Record<string, unknown> } & Record<string, unknown>>();
      for (const k of Object.keys(req ?? {})) {
        if (!['properties', 'id', 'name', 'type'].includes(k)) throw new HttpError(400, 'InvalidRequestContent', `The request content was invalid and could not be deserialized: Could not find member '${k}' on object of type 'RoleAssignmentCreateParameters'.`);
      }
      const p = req?.properties;
      if (!p || typeof p !== 'object') throw new HttpError(400, 'InvalidRequestContent', "The request content was invalid: 'properties' is required.");
      for (const k of Object.keys(p)) {
        if (!PROPERTIES.includes(k) && !READ_ONLY.includes(k)) throw new HttpError(400, 'InvalidRequestContent', `The request content was invalid and could not be deserialized: Could not find member '${k}' on object of type 'RoleAssignmentProperties'.`);
      }
      const roleDef = typeof p.roleDefinitionId === 'string' ? p.roleDefinitionId : undefined;
      const principalId = typeof p.principalId === 'string' ? p.principalId.toLowerCase() : undefined;
      if (!roleDef) throw new HttpError(400, 'InvalidRequestContent', "The request content was invalid: 'properties.roleDefinitionId' is required.");
      if (!principalId) throw new HttpError(400, 'InvalidRequestContent', "The request content was invalid: 'properties.principalId' is required.");
      const principalType = p.principalType as string | undefined;
      if (principalType !== undefined && !PRINCIPAL_TYPES.includes(principalType)) {
        throw new HttpError(400, 'InvalidRequestContent', `The request content was invalid: '${String(principalType)}' is not a valid value for 'properties.principalType'.`);
      }
      const m = /^\/subscriptions\/([^/]+)\/providers\/Microsoft\.Authorization\/roleDefinitions\/([^/]+)$/i.exec(roleDef);
      const role = m?.[2]?.toLowerCase();
      if (!m || m[1].toLowerCase() !== emu.identities.subscriptionId.toLowerCase() || !role || !(Object.values(ROLES) as string[]).includes(role)) {
        throw new HttpError(400, 'RoleDefinitionDoesNotExist', `The specified role definition with ID '${role ?? roleDef}' does not exist.`);
      }
      const caller = ctx.token?.oid?.toLowerCase() ?? '';
      if (authorizationControl(emu).cannotAssignRoles.has(caller)) {
        throw new HttpError(403, 'AuthorizationFailed', `The client '${caller}' with object id '${caller}' does not have authorization to perform action 'Microsoft.Authorization/roleAssignments/write' over scope '${scope}/providers/Microsoft.Authorization/roleAssignments/${name}' or the scope is invalid. If access was recently granted, please refresh your credentials.`);
      }
      if (!principalKnown(emu, principalId, principalType)) {
        throw new HttpError(400, 'PrincipalNotFound', `Principal ${principalId.replace(/-/g, '')} does not exist in the directory ${emu.identities.tenantId}. Check that you have the correct principal ID. If you are creating this principal and then immediately assigning a role, this error might be related to a replication delay. In this case, set the role assignment principalType property to a value, such as ServicePrincipal, User, or Group.  See https://aka.ms/docs-principaltype`);
      }
      const key = norm(`${scope}/providers/Microsoft.Authorization/roleAssignments/${name}`);
      const same = roleAssignments(emu).get(key);
      if (same) {
        if (same.principalId !== principalId || same.role !== role) throw new HttpError(400, 'RoleAssignmentUpdateNotPermitted', 'Tenant ID, application ID, principal ID, and scope are not allowed to be updated.');
        ctx.json(201, body(same));
        return;
      }
      if ([...roleAssignments(emu).values()].some((a) => a.principalId === principalId && a.role === role && norm(a.scope) === norm(scope))) {
        throw new HttpError(409, 'RoleAssignmentExists', 'The role assignment already exists.');
      }
      const a: RoleAssignment = {
        name: name.toLowerCase(), scope, role, roleDefinitionId: roleDef, principalId, principalType: principalType ?? 'ServicePrincipal',
        ...(typeof p.description === 'string' ? { description: p.description } : {}), createdOn: new Date().toISOString(), createdBy: caller,
        effectiveAt: Date.now() + authorizationControl(emu).propagationMs,
      };
      roleAssignments(emu).set(key, a);
      ctx.json(201, body(a));
    }, o);
  },
};
export default service;
