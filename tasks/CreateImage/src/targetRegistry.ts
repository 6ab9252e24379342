// Finds the container registry: the workspace's (its ARM id), or the `containerRegistry` input
// (a name, looked up in the subscription, or an ARM id). The login server comes from ARM.
import { AzureCallError, type ContextWith, azureCall, toAzureCallError, type WorkspaceScope } from '../../shared/src/azure';
import { checkRegistryHost } from '../../shared/src/cloud';
import { TaskError } from '../../shared/src/errors';
import type { RegistryChoice } from './inputs';

export interface RegistryInfo {
  id: string;
  name: string;
  resourceGroup: string;
  loginServer: string;
}

const ID = /^\/subscriptions\/([^/]+)\/resourceGroups\/([^/]+)\/providers\/Microsoft\.ContainerRegistry\/registries\/([^/]+)$/i;

async function byId(ctx: ContextWith<'acr'>, id: string, input: string | undefined): Promise<RegistryInfo> {
  const m = ID.exec(id.replace(/\/$/, ''));
  if (!m) throw new TaskError(`The registry id '${id}' is not a container registry resource id.`);
  const [, sub, rg, name] = m;
  if (sub.toLowerCase() !== ctx.subscriptionId.toLowerCase()) {
    throw new TaskError(`${input ? `Input '${input}': the` : 'The'} registry '${name}' is in subscription ${sub}, not in the service connection's subscription ${ctx.subscriptionId}. Expected a registry the connection can reach.`);
  }
  let r;
  try {
    r = await azureCall('Reading', `container registry '${name}' (resource group '${rg}')`, () => ctx.clients.acr.registries.get(rg, name));
  } catch (err) {
    if (err instanceof AzureCallError && err.statusCode === 404 && input) {
      throw new TaskError(`Input '${input}': container registry '${name}' was not found in resource group '${rg}'. Expected an existing Azure Container Registry.`);
    }
    throw err;
  }
  if (!r.loginServer) throw new TaskError(`Registry '${name}' reports no login server.`);
  // the token exchange and the tag go to this host: only the registry's own host in the connection's cloud
  checkRegistryHost(r.loginServer, r.name ?? name, ctx.cloud, `${input ? `Input '${input}': registry` : 'Registry'} '${name}' (its loginServer from ARM)`);
  return { id: r.id ?? id, name: r.name ?? name, resourceGroup: rg, loginServer: r.loginServer.toLowerCase() };
}

async function byName(ctx: ContextWith<'acr'>, name: string): Promise<RegistryInfo> {
  try {
    for await (const r of ctx.clients.acr.registries.list()) {
      if (r.name?.toLowerCase() === name.toLowerCase() && r.id) return byId(ctx, r.id, 'containerRegistry');
    }
  } catch (err) {
    throw toAzureCallError(err, 'Listing', 'the container registries of the subscription');
  }
  throw new TaskError(`Input 'containerRegistry': no container registry named '${name}' in subscription ${ctx.subscriptionId}. Expected the name of an existing registry (or its resource id).`);
}

export async function resolveRegistry(scope: WorkspaceScope<'acr'>, choice: RegistryChoice): Promise<RegistryInfo> {
  const { ctx, ws } = scope;
  if (choice.kind === 'id') return byId(ctx, choice.id, 'containerRegistry');
  if (choice.kind === 'name') return byName(ctx, choice.name);
  if (!ws.containerRegistryId) {
    throw new TaskError(`Workspace '${ws.name}' has no container registry yet (Azure ML creates one on first use). Set the input 'containerRegistry' to a registry name or resource id.`);
  }
  return byId(ctx, ws.containerRegistryId, undefined);
}
