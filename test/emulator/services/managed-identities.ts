// User-assigned managed identities (Microsoft.ManagedIdentity/userAssignedIdentities): PUT (create or update
// tags), GET. Shapes from azure-rest-api-specs msi/resource-manager/Microsoft.ManagedIdentity/stable/2023-01-31
// ManagedIdentity.json (UserAssignedIdentities_CreateOrUpdate: 200/201 Identity; `location` required; the
// properties tenantId, principalId, clientId are read-only). No SDK package of this repository describes the
// routes, so the contract check only checks the route (ARM_ROUTES_OUTSIDE_SDK_OPERATIONS); the body is checked
// here against that spec: an unknown property is a 400, as ARM answers a body it cannot bind.
import * as crypto from 'crypto';
import type { EmulatorState } from '../state';
import { HttpError, type EmulatorApi, type RouteContext, type ServiceModule } from '../types';

const PROVIDER = 'Microsoft.ManagedIdentity';
export const MSI_API = ['2018-11-30', '2021-09-30-preview', '2022-01-31-preview', '2023-01-31', '2023-07-31-preview', '2024-11-30'];
// spec: "^[a-zA-Z0-9][a-zA-Z0-9_-]{2,127}$" (resourceName, 2023-01-31)
const NAME = /^[a-zA-Z0-9][a-zA-Z0-9_-]{2,127}$/;

export interface UserAssignedIdentity {
  id: string;
  name: string;
  resourceGroup: string;
  location: string;
  tags: Record<string, string>;
  principalId: string;
  clientId: string;
  /** ms epoch: a new service principal takes a while to reach the directory's replicas (role-assignments.ts). */
  createdAt: number;
}

/** Identities by lower-case resource id. */
export function userAssignedIdentities(emu: { state: EmulatorState }): Map<string, UserAssignedIdentity> {
  return emu.state.bucket<UserAssignedIdentity>('msi.identities');
}

export function identityById(emu: { state: EmulatorState }, id: string): UserAssignedIdentity | undefined {
  return userAssignedIdentities(emu).get(id.toLowerCase());
}

export function identityByPrincipal(emu: { state: EmulatorState }, principalId: string): UserAssignedIdentity | undefined {
  return [...userAssignedIdentities(emu).values()].find((i) => i.principalId === principalId.toLowerCase());
}

/** Adds an identity directly (tests seed one that an administrator made). */
export function addIdentity(emu: { state: EmulatorState; identities: { subscriptionId: string } }, o: { name: string; resourceGroup: string; location?: string; createdAt?: number }): UserAssignedIdentity {
  const id = `/subscriptions/${emu.identities.subscriptionId}/resourceGroups/${o.resourceGroup}/providers/${PROVIDER}/userAssignedIdentities/${o.name}`;
  const rec: UserAssignedIdentity = {
    id, name: o.name, resourceGroup: o.resourceGroup, location: o.location ?? 'eastus', tags: {},
    principalId: crypto.randomUUID(), clientId: crypto.randomUUID(), createdAt: o.createdAt ?? 0,
  };
  userAssignedIdentities(emu).set(id.toLowerCase(), rec);
  return rec;
}

export function identityBody(emu: EmulatorApi, i: UserAssignedIdentity): Record<string, unknown> {
  return {
    id: i.id, name: i.name, type: `${PROVIDER}/userAssignedIdentities`, location: i.location, tags: i.tags,
    properties: { tenantId: emu.identities.tenantId, principalId: i.principalId, clientId: i.clientId },
  };
}

const TOP_LEVEL = ['location', 'tags', 'properties', 'id', 'name', 'type', 'systemData'];

function checkBody(ctx: RouteContext): { location: string; tags: Record<string, string> } {
  const body = ctx.bodyJson<Record<string, unknown>>();
  if (!body || typeof body !== 'object' || Array.isArray(body)) throw new HttpError(400, 'InvalidRequestContent', 'The request content was invalid and could not be deserialized.');
  for (const k of Object.keys(body)) {
    if (!TOP_LEVEL.includes(k)) throw new HttpError(400, 'InvalidRequestContent', `The request content was invalid and could not be deserialized: Could not find member '${k}' on object of type 'Identity'.`);
  }
  const props = body.properties;
  if (props !== undefined) {
    if (!props || typeof props !== 'object') throw new HttpError(400, 'InvalidRequestContent', "The request content was invalid: 'properties' must be an object.");
    // 2024-11-30 adds the writable isolationScope (None | Regional); every other property is read-only
    for (const k of Object.keys(props)) {
      if (!['tenantId', 'principalId', 'clientId', ...(ctx.query['api-version'] === '2024-11-30' ? ['isolationScope'] : [])].includes(k)) {
        throw new HttpError(400, 'InvalidRequestContent', `The request content was invalid and could not be deserialized: Could not find member '${k}' on object of type 'UserAssignedIdentityProperties'.`);
      }
    }
  }
  if (typeof body.location !== 'string' || !body.location) throw new HttpError(400, 'LocationRequired', 'The location property is required for this definition.');
  const tags = body.tags ?? {};
  if (typeof tags !== 'object' || Array.isArray(tags) || Object.values(tags as object).some((v) => typeof v !== 'string')) {
    throw new HttpError(400, 'InvalidRequestContent', "The request content was invalid: 'tags' must be an object of strings.");
  }
  return { location: body.location.replace(/\s+/g, '').toLowerCase(), tags: tags as Record<string, string> };
}

const service: ServiceModule = {
  name: 'managed-identities',
  register(emu: EmulatorApi) {
    const o = { apiVersions: MSI_API };
    const path = `/subscriptions/{sub}/resourceGroups/{rg}/providers/${PROVIDER}/userAssignedIdentities/{name}`;
    const requireRg = (ctx: RouteContext): void => {
      if (!emu.state.getResourceGroup(ctx.params.rg)) throw new HttpError(404, 'ResourceGroupNotFound', `Resource group '${ctx.params.rg}' could not be found.`);
    };
    const idOf = (ctx: RouteContext): string => `/subscriptions/${emu.identities.subscriptionId}/resourceGroups/${ctx.params.rg}/providers/${PROVIDER}/userAssignedIdentities/${ctx.params.name}`;

    emu.addRoute('arm', 'GET', path, (ctx) => {
      requireRg(ctx);
      const i = identityById(emu, idOf(ctx));
      if (!i) throw new HttpError(404, 'ResourceNotFound', `The Resource '${PROVIDER}/userAssignedIdentities/${ctx.params.name}' under resource group '${ctx.params.rg}' was not found. For more details please go to https://aka.ms/ARMResourceNotFoundFix`);
      ctx.json(200, identityBody(emu, i));
    }, o);

    emu.addRoute('arm', 'PUT', path, (ctx) => {
      requireRg(ctx);
      if (!NAME.test(ctx.params.name)) {
        throw new HttpError(400, 'InvalidResourceName', `Resource name '${ctx.params.name}' is invalid. The name can contain only letters, numbers, underscores and hyphens, start with a letter or number, and be 3 to 128 characters long.`);
      }
      const { location, tags } = checkBody(ctx);
      const existing = identityById(emu, idOf(ctx));
      if (existing) {
        if (existing.location !== location) {
          throw new HttpError(409, 'InvalidResourceLocation', `The resource '${ctx.params.name}' already exists in location '${existing.location}' in resource group '${ctx.params.rg}'. A resource with the same name cannot be created in location '${location}'. Please select a new resource name.`);
        }
        existing.tags = tags;
        ctx.json(200, identityBody(emu, existing));
        return;
      }
      const made = addIdentity(emu, { name: ctx.params.name, resourceGroup: emu.state.getResourceGroup(ctx.params.rg)?.name ?? ctx.params.rg, location, createdAt: Date.now() });
      made.tags = tags;
      ctx.json(201, identityBody(emu, made));
    }, o);
  },
};
export default service;
