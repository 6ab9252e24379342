// ARM subscriptions and resource groups (Microsoft.Resources).
import { HttpError, type RouteContext, type ServiceModule } from '../types';
import type { ResourceGroup } from '../state';

/** ARM accepts many api-versions for these routes; the SDK sends 2025-03-01 (arm-resources 6.1). */
export const RESOURCES_API_VERSIONS = /^20\d\d-\d\d-\d\d(-preview)?$/;
const RG_NAME = /^[-\w._()]{1,90}$/;

export function resourceGroupNotFound(name: string): HttpError {
  return new HttpError(404, 'ResourceGroupNotFound', `Resource group '${name}' could not be found.`);
}

const service: ServiceModule = {
  name: 'resources',
  order: 50,
  register(emu) {
    const o = { apiVersions: RESOURCES_API_VERSIONS };
    const ids = emu.identities;
    const subscription = (): Record<string, unknown> => ({
      id: `/subscriptions/${ids.subscriptionId}`, authorizationSource: 'RoleBased', managedByTenants: [],
      subscriptionId: ids.subscriptionId, tenantId: ids.tenantId, displayName: ids.subscriptionName, state: 'Enabled',
      subscriptionPolicies: { locationPlacementId: 'Public_2014-09-01', quotaId: 'PayAsYouGo_2014-09-01', spendingLimit: 'Off' },
    });
    emu.addRoute('arm', 'GET', '/subscriptions', (ctx) => ctx.json(200, { value: [subscription()], count: { type: 'Total', value: 1 } }), o);
    emu.addRoute('arm', 'GET', '/subscriptions/{sub}', (ctx) => ctx.json(200, subscription()), o);
    emu.addRoute('arm', 'GET', '/subscriptions/{sub}/resourcegroups', (ctx) => {
      const all = [...emu.state.resourceGroups.values()];
      const top = Number(ctx.query.$top ?? 100);
      ctx.json(200, emu.paged(all, ctx, Number.isFinite(top) && top > 0 ? top : 100, { style: 'skipToken' }));
    }, o);
    const getRg = (ctx: RouteContext): ResourceGroup => {
      const rg = emu.state.getResourceGroup(ctx.params.rg);
      if (!rg) throw resourceGroupNotFound(ctx.params.rg);
      return rg;
    };
    emu.addRoute('arm', 'GET', '/subscriptions/{sub}/resourcegroups/{rg}', (ctx) => ctx.json(200, getRg(ctx)), o);
    emu.addRoute('arm', 'HEAD', '/subscriptions/{sub}/resourcegroups/{rg}', (ctx) => ctx.send(emu.state.getResourceGroup(ctx.params.rg) ? 204 : 404), o);
    emu.addRoute('arm', 'PUT', '/subscriptions/{sub}/resourcegroups/{rg}', (ctx) => {
      const name = ctx.params.rg;
      if (!RG_NAME.test(name) || name.endsWith('.')) {
        throw new HttpError(400, 'InvalidResourceGroup', `The provided resource group name '${name}' has these invalid characters or is too long.`);
      }
      const body = ctx.bodyJson<{ location?: string; tags?: Record<string, string>; managedBy?: string }>();
      if (!body?.location) throw new HttpError(400, 'LocationRequired', 'The location property is required for this definition.');
      const location = body.location.replace(/\s+/g, '').toLowerCase();
      const existing = emu.state.getResourceGroup(name);
      if (existing && existing.location !== location) {
        throw new HttpError(409, 'InvalidResourceGroupLocation', `Invalid resource group location '${location}'. The Resource group already exists in location '${existing.location}'.`);
      }
      const rg = emu.state.addResourceGroup(existing?.name ?? name, location, body.tags);
      if (body.managedBy) rg.managedBy = body.managedBy;
      ctx.json(existing ? 200 : 201, rg);
    }, o);
    emu.addRoute('arm', 'PATCH', '/subscriptions/{sub}/resourcegroups/{rg}', (ctx) => {
      const rg = getRg(ctx);
      const body = ctx.bodyJson<{ tags?: Record<string, string> }>();
      if (body?.tags) rg.tags = body.tags;
      ctx.json(200, rg);
    }, o);
    emu.addRoute('arm', 'DELETE', '/subscriptions/{sub}/resourcegroups/{rg}', (ctx) => {
      const rg = getRg(ctx);
      rg.properties.provisioningState = 'Deleting';
      emu.startLro(ctx, { provider: 'Microsoft.Resources', location: rg.location, polls: 1, onDone: () => emu.state.resourceGroups.delete(rg.name.toLowerCase()) });
    }, o);
  },
};
export default service;
