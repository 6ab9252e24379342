// Pull credentials for the image's registry: given by the user, or for an Azure Container Registry of the
// subscription (the workspace's registry first, then every registry of the subscription, matched by login server)
// a managed identity with AcrPull (the default, pullIdentity.ts) or — only when asked — the registry's admin user.
import type { ImageRegistryCredential } from '@azure/arm-containerinstance';
import type { Registry } from '@azure/arm-containerregistry';
import { AzureContext, azureCall, maskValue, toAzureCallError } from '../../shared/src/azure';
import { checkRegistryHost } from '../../shared/src/cloud';
import { TaskError } from '../../shared/src/errors';
import type { ImageReference } from '../../shared/src/imageReference';
import type { RegistryCredentialsInput } from './inputs';
import { defaultIdentityName, type PullIdentityPlan, readPullIdentity } from './pullIdentity';

export interface ResolvedCredential {
  credential?: ImageRegistryCredential;
  /** One line for the log: where the credential came from. */
  description: string;
  /** The identity that pulls (registryCredentials 'managedIdentity'); ensurePullIdentity makes it ready before the group is written. */
  pullIdentity?: PullIdentityPlan;
}

/** Resource group and name from a registry ARM id. */
export function parseRegistryId(id: string): { resourceGroup: string; name: string } | undefined {
  const m = /\/resourceGroups\/([^/]+)\/providers\/Microsoft\.ContainerRegistry\/registries\/([^/]+)$/i.exec(id.trim());
  return m ? { resourceGroup: m[1], name: m[2] } : undefined;
}

function sameServer(loginServer: string | undefined, registry: string): boolean {
  return !!loginServer && loginServer.toLowerCase() === registry.toLowerCase();
}

async function findRegistry(ctx: AzureContext, image: ImageReference, workspaceRegistryId?: string): Promise<Registry | undefined> {
  const client = ctx.clients.acr;
  if (workspaceRegistryId) {
    const ref = parseRegistryId(workspaceRegistryId);
    if (ref) {
      const r = await azureCall('Reading', `the workspace's container registry '${ref.name}'`, () => client.registries.get(ref.resourceGroup, ref.name), { notFound: 'undefined' });
      if (r && sameServer(r.loginServer, image.registry)) return r;
    }
  }
  try {
    for await (const r of client.registries.list()) {
      if (sameServer(r.loginServer, image.registry)) return r;
    }
  } catch (err) {
    throw toAzureCallError(err, 'Listing', 'the container registries of the subscription');
  }
  return undefined;
}

export async function resolveRegistryCredential(
  ctx: AzureContext,
  o: { image: ImageReference; input: RegistryCredentialsInput; workspaceRegistryId?: string; resourceGroup: string; location: string },
): Promise<ResolvedCredential> {
  const server = o.image.registry;
  if (o.input.mode === 'none') return { description: `none (registryCredentials is 'none': ${server} must allow anonymous pulls)` };
  if (o.input.mode === 'given') {
    return { credential: { server, username: o.input.username, password: o.input.password }, description: `user '${o.input.username}' (given)` };
  }
  if (o.image.implicitRegistry) return { description: 'none (public Docker Hub image)' };
  const registry = await findRegistry(ctx, o.image, o.workspaceRegistryId);
  if (!registry || !registry.id || !registry.name) {
    return { description: `none (${server} is not an Azure Container Registry of this subscription; for a private registry set registryCredentials to 'given')` };
  }
  const ref = parseRegistryId(registry.id);
  if (!ref) return { description: `none (unexpected registry id ${registry.id})` };
  // Either credential goes to the container group for this server: the admin password, or the pull identity, whose
  // Entra token ACI exchanges at that server's /oauth2/exchange. Only the registry's own host in the connection's cloud.
  checkRegistryHost(server, registry.name, ctx.cloud, `The image's registry (container registry '${registry.name}', its loginServer from ARM)`);
  if (o.input.mode === 'managedIdentity') {
    const identityRef = o.input.identity ?? { name: defaultIdentityName(registry.name), given: false };
    const plan = await readPullIdentity(ctx, { ref: identityRef, deploymentResourceGroup: o.resourceGroup, location: o.location, registry: { id: registry.id, name: registry.name } });
    const state = !plan.principalId ? ', created by this run' : plan.hasPullRole ? '' : ', AcrPull granted by this run';
    return {
      credential: { server, identity: plan.id },
      description: `managed identity '${plan.name}' (AcrPull on registry '${registry.name}'${state})`,
      pullIdentity: plan,
    };
  }
  if (registry.adminUserEnabled !== true) {
    throw new TaskError(
      `The admin user of container registry '${registry.name}' (${server}) is disabled, so the task cannot read pull credentials for the container group (registryCredentials is 'adminUser'). ` +
        `Fix: set registryCredentials to 'managedIdentity' (the default), enable the admin user (az acr update --name ${registry.name} --admin-enabled true), or set registryCredentials to 'given' with a repository-scoped token (az acr token create).`,
    );
  }
  const creds = await azureCall('Reading the admin credentials of', `container registry '${registry.name}'`, () => ctx.clients.acr.registries.listCredentials(ref.resourceGroup, ref.name));
  const password = creds.passwords?.find((p) => !!p.value)?.value;
  if (!creds.username || !password) throw new TaskError(`Container registry '${registry.name}' returned no admin password. Hint: regenerate one (az acr credential renew --name ${registry.name} --password-name password).`);
  // registered with the agent (setsecret) before anything could print it; the container group gets it as its credential
  maskValue(password);
  return { credential: { server, username: creds.username, password }, description: `admin user of registry '${registry.name}' (registryCredentials 'adminUser')` };
}
