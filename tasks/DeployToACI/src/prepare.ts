// Everything the task reads before it writes: the existing group, the location, the workspace's
// registry and Application Insights, registry credentials, Key Vault values and the scoring key.
// Nothing here changes Azure, so a bad input or a missing secret stops the task with nothing changed.
import type { ContainerGroup } from '@azure/arm-containerinstance';
import { AzureContext, azureCall, getSecret, vaultUrl } from '../../shared/src/azure';
import { InputError, TaskError } from '../../shared/src/errors';
import { formatImageReference } from '../../shared/src/imageReference';
import { lineageTags } from '../../shared/src/lineage';
import { appInsightsConnectionString } from './appInsights';
import { DataCollectionPlan, prepareDataCollection } from './dataCollection';
import { containerGroupBody, groupIdentity, incompatibleChanges } from './containerGroup';
import { existingContainerGroup, resourceGroupLocation } from './deploy';
import { APPINSIGHTS_VAR, DeployInputs, SCORING_KEY_VAR } from './inputs';
import { resolveRegistryCredential } from './pullCredentials';
import type { PullIdentityPlan } from './pullIdentity';
import { readSecretEnvironment, resolveScoringKey, ScoringKey } from './secrets';
import { parseTlsCertificate, TLS_PEM_VAR, type TlsCertificate } from './tls';

export interface DeploymentPlan {
  body: ContainerGroup;
  location: string;
  existing?: ContainerGroup;
  registryDescription: string;
  /** The managed identity that pulls the image (made ready by ensurePullIdentity before the group is written). */
  pullIdentity?: PullIdentityPlan;
  /** The reference the container runs (pinned to the digest when it is known). */
  image: string;
  scoringKey?: ScoringKey;
  appInsightsDescription: string;
  secureNames: string[];
  dataCollection?: DataCollectionPlan;
  /** The endpoint's TLS certificate (tlsCertificateSecret): the endpoint serves HTTPS. */
  tls?: TlsCertificate;
  /** A line for the log when the DNS label keeps an older scope than the input asks for. */
  dnsNameLabelScopeNote?: string;
}

interface WorkspaceLinks {
  containerRegistryId?: string;
  applicationInsightsId?: string;
}

/** Only the workspace's linked resources are needed here (not its datastores), so one GET suffices. */
async function workspaceLinks(ctx: AzureContext, resourceGroup: string, name: string): Promise<WorkspaceLinks> {
  const ws = await azureCall('Reading', `workspace '${name}' in resource group '${resourceGroup}'`, () => ctx.clients.ml.workspaces.get(resourceGroup, name));
  return {
    ...(ws.containerRegistry ? { containerRegistryId: ws.containerRegistry } : {}),
    ...(ws.applicationInsights ? { applicationInsightsId: ws.applicationInsights } : {}),
  };
}

/**
 * The image reference the container runs: `<registry>/<repository>@<digest>` whenever the digest is known
 * (imageDigest, or the digest in imageUri). A tag can be moved to other content after this run (or between
 * this PUT and a restart of the container on another host); a digest cannot.
 */
export function deployedImage(p: Pick<DeployInputs, 'imageUri' | 'image' | 'imageDigest'>): string {
  if (!p.imageDigest) return p.imageUri;
  return formatImageReference({ registry: p.image.registry, implicitRegistry: p.image.implicitRegistry, repository: p.image.repository, digest: p.imageDigest });
}

/** Lineage tags of the group: the pipeline run plus the image (and its digest) it runs. */
export function groupTags(p: Pick<DeployInputs, 'imageUri' | 'imageDigest' | 'workspaceName'>): Record<string, string> {
  return lineageTags({
    'upstream.image': p.imageUri,
    ...(p.imageDigest ? { 'upstream.imageDigest': p.imageDigest } : {}),
    ...(p.workspaceName ? { 'aml.workspace': p.workspaceName } : {}),
  });
}

export async function prepareDeployment(ctx: AzureContext, p: DeployInputs): Promise<DeploymentPlan> {
  const existing = await existingContainerGroup(ctx, p.resourceGroup, p.containerGroupName);
  const existingLocation = existing?.location?.replace(/\s+/g, '').toLowerCase();
  if (p.location && existingLocation && p.location !== existingLocation) {
    throw new InputError('location', `container group '${p.containerGroupName}' already exists in '${existingLocation}', and a group cannot move to '${p.location}'`, `'${existingLocation}' (or empty), or another containerGroupName`);
  }
  const location = p.location ?? existingLocation ?? (await resourceGroupLocation(ctx, p.resourceGroup));

  const ws = p.workspaceName ? await workspaceLinks(ctx, p.resourceGroup, p.workspaceName) : undefined;
  const registry = await resolveRegistryCredential(ctx, { image: p.image, input: p.registry, workspaceRegistryId: ws?.containerRegistryId, resourceGroup: p.resourceGroup, location });

  const secure = new Map(p.secureEnvironment);
  if (p.keyVault && p.secretEnvironment.size > 0) {
    for (const [k, v] of await readSecretEnvironment(ctx, p.keyVault, p.secretEnvironment)) secure.set(k, v);
  }
  let appInsightsDescription = p.workspaceName ? 'off (appInsights is false)' : 'off (no workspace given)';
  if (p.appInsights && ws) {
    if (!ws.applicationInsightsId) appInsightsDescription = 'off (the workspace has no Application Insights)';
    else if (p.environment.has(APPINSIGHTS_VAR) || secure.has(APPINSIGHTS_VAR)) appInsightsDescription = `${APPINSIGHTS_VAR} given in the inputs`;
    else {
      secure.set(APPINSIGHTS_VAR, await appInsightsConnectionString(ctx, ws.applicationInsightsId));
      appInsightsDescription = `on (${ws.applicationInsightsId.split('/').pop()})`;
    }
  }
  const dataCollection = p.collectData && p.workspaceName
    ? await prepareDataCollection(ctx, { resourceGroup: p.resourceGroup, workspaceName: p.workspaceName, containerGroupName: p.containerGroupName, sampleRate: p.sampleRate })
    : undefined;
  for (const [k, v] of dataCollection?.secureEnvironment ?? []) secure.set(k, v);
  let tls: TlsCertificate | undefined;
  if (p.tlsCertificateSecret && p.keyVault) {
    const value = await getSecret(ctx, p.keyVault, p.tlsCertificateSecret, { optional: true });
    if (value === undefined) {
      throw new InputError('tlsCertificateSecret', `the secret '${p.tlsCertificateSecret}' does not exist in Key Vault ${vaultUrl(p.keyVault, ctx.cloud)}`, 'the secret of a Key Vault certificate with content type application/x-pem-file');
    }
    tls = parseTlsCertificate(p.tlsCertificateSecret, value);
    secure.set(TLS_PEM_VAR, tls.pem);
  }
  const scope = labelScope(existing, p);
  let scoringKey: ScoringKey | undefined;
  if (p.authEnabled) {
    scoringKey = await resolveScoringKey(ctx, { keyVault: p.keyVault, secretName: p.scoringKeySecret });
    secure.set(SCORING_KEY_VAR, scoringKey.value);
  }

  const body = containerGroupBody({
    name: p.containerGroupName,
    location,
    image: deployedImage(p),
    cpu: p.cpu,
    memoryGb: p.memoryGb,
    port: p.port,
    ...(p.dnsNameLabel ? { dnsNameLabel: p.dnsNameLabel } : {}),
    ...(scope.value ? { dnsNameLabelScope: scope.value } : {}),
    ...(p.subnetId ? { subnetId: p.subnetId } : {}),
    environment: dataCollection ? new Map([...p.environment, ...dataCollection.environment]) : p.environment,
    secureEnvironment: secure,
    ...(registry.credential ? { registryCredential: registry.credential } : {}),
    ...(registry.pullIdentity ? { identity: groupIdentity(registry.pullIdentity.id, existing?.identity) } : {}),
    tags: groupTags(p),
  });
  if (existing) {
    const changes = incompatibleChanges(existing, body);
    if (changes.length > 0) {
      throw new TaskError(
        `Container group '${p.containerGroupName}' exists and ACI cannot change ${changes.join(', ')} in place. ` +
          `Delete it first (az container delete -g ${p.resourceGroup} -n ${p.containerGroupName}) or deploy under another containerGroupName.`,
      );
    }
  }
  return {
    body,
    location,
    ...(existing ? { existing } : {}),
    registryDescription: registry.description,
    ...(registry.pullIdentity ? { pullIdentity: registry.pullIdentity } : {}),
    image: body.containers[0].image,
    ...(scoringKey ? { scoringKey } : {}),
    appInsightsDescription,
    secureNames: [...secure.keys()],
    ...(dataCollection ? { dataCollection } : {}),
    ...(tls ? { tls } : {}),
    ...(scope.note ? { dnsNameLabelScopeNote: scope.note } : {}),
  };
}

/**
 * The DNS label's reuse scope. A new group gets the input's (TenantReuse by default: once the group is deleted,
 * only this tenant can take the name, so nobody else can serve under the old FQDN). The scope belongs to the
 * label when it is created; ACI documents no in-place change, so an existing group keeps the scope it has (none
 * = Unsecure), with a note when that is weaker than asked.
 */
function labelScope(existing: ContainerGroup | undefined, p: DeployInputs): { value?: string; note?: string } {
  if (!p.dnsNameLabel) return {};
  if (!existing) return { value: p.dnsNameLabelScope };
  const current = existing.ipAddress?.autoGeneratedDomainNameLabelScope;
  if ((current ?? 'Unsecure').toLowerCase() === p.dnsNameLabelScope.toLowerCase()) return current ? { value: current } : {};
  return {
    ...(current ? { value: current } : {}),
    note: `Container group '${p.containerGroupName}' keeps its DNS label scope '${current ?? 'Unsecure'}' (dnsNameLabelScope asks for '${p.dnsNameLabelScope}'; a label's scope is set when it is created): delete the group and deploy again to change it.`,
  };
}
