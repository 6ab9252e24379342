// Key Vault data plane on <vault>.vault.localhost: secrets get/set/list/versions/delete.
// Token-less requests get the 401 challenge (see the core's authenticate); api-version 7.x or 2025-07-01.
import { HttpError, type RouteContext, type ServiceModule } from '../types';
import type { SecretVersion } from '../state';

const API_VERSIONS = /^(7\.\d+(-preview(\.\d+)?)?|2025-07-01(-preview)?)$/;
const NAME = /^[0-9a-zA-Z-]{1,127}$/;

interface DeletedSecret { name: string; versions: SecretVersion[]; deletedDate: number }

function secretId(ctx: RouteContext, name: string, version?: string): string {
  return `${ctx.baseUrl}/secrets/${name}${version ? `/${version}` : ''}`;
}

function attributes(v: SecretVersion): Record<string, unknown> {
  return { enabled: v.enabled, created: v.created, updated: v.updated, recoveryLevel: 'Recoverable+Purgeable', recoverableDays: 90 };
}

function bundle(ctx: RouteContext, name: string, v: SecretVersion): Record<string, unknown> {
  const b: Record<string, unknown> = { value: v.value, id: secretId(ctx, name, v.version), attributes: attributes(v) };
  if (v.contentType) b.contentType = v.contentType;
  if (v.tags) b.tags = v.tags;
  return b;
}

function item(ctx: RouteContext, name: string, v: SecretVersion, withVersion: boolean): Record<string, unknown> {
  const b: Record<string, unknown> = { id: secretId(ctx, name, withVersion ? v.version : undefined), attributes: attributes(v) };
  if (v.contentType) b.contentType = v.contentType;
  if (v.tags) b.tags = v.tags;
  return b;
}

const notFound = (name: string): HttpError => new HttpError(404, 'SecretNotFound',
  `A secret with (name/id) ${name} was not found in this key vault. If you recently deleted this secret you may be able to recover it using the correct recovery command. For help resolving this issue, please see https://go.microsoft.com/fwlink/?linkid=2125182`);

const service: ServiceModule = {
  name: 'keyvault',
  order: 40,
  register(emu) {
    const o = { apiVersions: API_VERSIONS, auth: 'vault' as const };
    const vaultOf = (ctx: RouteContext): Map<string, SecretVersion[]> => {
      const v = emu.state.vaults.get(ctx.hostLabel);
      if (!v) throw new HttpError(404, 'VaultNotFound', `The vault '${ctx.hostLabel}' does not exist (emulator: add it with state.addVault).`);
      return v;
    };
    const checkName = (name: string): void => {
      if (!NAME.test(name)) throw new HttpError(400, 'BadParameter', `The request URI contains an invalid name: ${name}`);
    };
    const deleted = (): Map<string, DeletedSecret> => emu.state.bucket<DeletedSecret>('keyvault.deleted');
    const deletedKey = (ctx: RouteContext, name: string): string => `${ctx.hostLabel}/${name.toLowerCase()}`;

    // The management side: the vault list (Vaults_ListBySubscription / ListByResourceGroup) behind the
    // classic editor's key vault pick lists. Every emulator vault lives in the seeded resource group.
    const vaultResource = (sub: string, name: string): Record<string, unknown> => ({
      id: `/subscriptions/${sub}/resourceGroups/rg-ml/providers/Microsoft.KeyVault/vaults/${name}`,
      name, type: 'Microsoft.KeyVault/vaults', location: 'eastus', tags: {},
      properties: {
        tenantId: emu.identities.tenantId, sku: { family: 'A', name: 'standard' }, enableRbacAuthorization: true,
        vaultUri: `${emu.urls.keyVault(name)}/`, provisioningState: 'Succeeded',
      },
    });
    const armList = { apiVersions: /^20\d\d-\d\d-\d\d(-preview)?$/ };
    emu.addRoute('arm', 'GET', '/subscriptions/{sub}/providers/Microsoft.KeyVault/vaults', (ctx) => {
      ctx.json(200, emu.paged([...emu.state.vaults.keys()].map((n) => vaultResource(ctx.params.sub, n)), ctx, 100, { style: 'skipToken' }));
    }, armList);
    emu.addRoute('arm', 'GET', '/subscriptions/{sub}/resourceGroups/{rg}/providers/Microsoft.KeyVault/vaults', (ctx) => {
      const inRg = ctx.params.rg.toLowerCase() === 'rg-ml' ? [...emu.state.vaults.keys()] : [];
      ctx.json(200, emu.paged(inRg.map((n) => vaultResource(ctx.params.sub, n)), ctx, 100, { style: 'skipToken' }));
    }, armList);

    emu.addRoute('vault', 'GET', '/secrets', (ctx) => {
      const v = vaultOf(ctx);
      const items = [...v.entries()].filter(([, list]) => list.length).map(([name, list]) => item(ctx, name, list[list.length - 1], false));
      const max = Number(ctx.query.maxresults ?? 25);
      ctx.json(200, emu.paged(items, ctx, Number.isFinite(max) && max > 0 ? max : 25, { style: 'skipToken' }));
    }, o);
    emu.addRoute('vault', 'GET', '/secrets/{name}/versions', (ctx) => {
      checkName(ctx.params.name);
      const list = vaultOf(ctx).get(ctx.params.name.toLowerCase());
      if (!list || !list.length) throw notFound(ctx.params.name);
      const max = Number(ctx.query.maxresults ?? 25);
      ctx.json(200, emu.paged(list.map((v) => item(ctx, ctx.params.name, v, true)), ctx, Number.isFinite(max) && max > 0 ? max : 25, { style: 'skipToken' }));
    }, o);
    const get = (ctx: RouteContext): void => {
      checkName(ctx.params.name);
      const list = vaultOf(ctx).get(ctx.params.name.toLowerCase());
      if (!list || !list.length) throw notFound(ctx.params.name);
      const version = ctx.params.version;
      const v = version ? list.find((x) => x.version === version) : list[list.length - 1];
      if (!v) throw notFound(`${ctx.params.name}/${version}`);
      if (!v.enabled) throw new HttpError(403, 'Forbidden', `Operation get is not allowed on a disabled secret.`);
      ctx.json(200, bundle(ctx, ctx.params.name, v));
    };
    emu.addRoute('vault', 'GET', '/secrets/{name}', get, o);
    emu.addRoute('vault', 'GET', '/secrets/{name}/{version}', get, o);
    emu.addRoute('vault', 'PUT', '/secrets/{name}', (ctx) => {
      checkName(ctx.params.name);
      vaultOf(ctx);
      const b = ctx.bodyJson<{ value?: unknown; contentType?: string; tags?: Record<string, string>; attributes?: { enabled?: boolean } }>();
      if (typeof b?.value !== 'string') throw new HttpError(400, 'BadParameter', "Property 'value' is required and must be a string.");
      if (deleted().has(deletedKey(ctx, ctx.params.name))) {
        throw new HttpError(409, 'Conflict', `Secret ${ctx.params.name} is currently in a deleted but recoverable state, and its name cannot be reused; in this state, the secret can only be recovered or purged.`);
      }
      const v = emu.state.setSecret(ctx.hostLabel, ctx.params.name, b.value, { contentType: b.contentType, tags: b.tags });
      if (b.attributes?.enabled === false) v.enabled = false;
      ctx.json(200, bundle(ctx, ctx.params.name, v));
    }, o);
    emu.addRoute('vault', 'DELETE', '/secrets/{name}', (ctx) => {
      checkName(ctx.params.name);
      const vault = vaultOf(ctx);
      const list = vault.get(ctx.params.name.toLowerCase());
      if (!list || !list.length) throw notFound(ctx.params.name);
      vault.delete(ctx.params.name.toLowerCase());
      const d: DeletedSecret = { name: ctx.params.name, versions: list, deletedDate: Math.floor(Date.now() / 1000) };
      deleted().set(deletedKey(ctx, ctx.params.name), d);
      ctx.json(200, deletedBundle(ctx, d));
    }, o);
    const deletedBundle = (ctx: RouteContext, d: DeletedSecret): Record<string, unknown> => {
      const last = d.versions[d.versions.length - 1];
      return {
        ...item(ctx, d.name, last, true), recoveryId: `${ctx.baseUrl}/deletedsecrets/${d.name}`,
        deletedDate: d.deletedDate, scheduledPurgeDate: d.deletedDate + 90 * 86400,
      };
    };
    emu.addRoute('vault', 'GET', '/deletedsecrets/{name}', (ctx) => {
      const d = deleted().get(deletedKey(ctx, ctx.params.name));
      if (!d) throw new HttpError(404, 'SecretNotFound', `Deleted Secret not found: ${ctx.params.name}`);
      ctx.json(200, deletedBundle(ctx, d));
    }, o);
    emu.addRoute('vault', 'DELETE', '/deletedsecrets/{name}', (ctx) => {
      if (!deleted().delete(deletedKey(ctx, ctx.params.name))) throw new HttpError(404, 'SecretNotFound', `Deleted Secret not found: ${ctx.params.name}`);
      ctx.send(204);
    }, o);
  },
};
export default service;
