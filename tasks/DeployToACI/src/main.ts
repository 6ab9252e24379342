// DeployToACI's main: readInputs (pure) → createAzureContext → prepareDeployment (reads only) → deployAndWait
// (the one write) → outputs and summary → the outcome. Its Azure dependencies come in through `deps`, so the L0
// tests hand it fake clients instead of mocking modules by path.
import * as tl from 'azure-pipelines-task-lib/task';
import { ALL_CLIENTS, type AzureContext, createAzureContext } from '../../shared/src/azure';
import { cancellationSignal, type Clock, type Outcome, succeeded, TaskError } from '../../shared/src/task';
import { CancelledError, realClock } from '../../shared/src/waiter';
import { registerCollectedDataAssets } from './dataCollection';
import type { ContainerGroup } from '@azure/arm-containerinstance';
import { deployAndWait, existingContainerGroup } from './deploy';
import { endpointOf, portalUrl, setOutputs, writeSummary } from './endpoint';
import { readInputs } from './inputs';
import { prepareDeployment } from './prepare';
import { ensurePullIdentity } from './pullIdentity';
import { PROPAGATION_WAITS_MS, pullDenied } from './rbacPropagation';
import { type ScoringKey, storeScoringKey } from './secrets';
import { coversHost, type TlsCertificate } from './tls';

/**
 * One line when the scoring key will cross the internet in clear text (a public IP without TLS), and one when the
 * certificate does not name the group's FQDN (clients then need a DNS name of the certificate that points here).
 */
export function transportWarnings(o: { publicIp: boolean; keyInUse: boolean; tls?: TlsCertificate; fqdn: string }): string[] {
  const out: string[] = [];
  if (o.publicIp && o.keyInUse && !o.tls) {
    out.push(`The scoring key is sent over plain HTTP to a public address (${o.fqdn || 'public IP'}): anyone on the path can read it. Set tlsCertificateSecret to serve HTTPS.`);
  }
  if (o.tls && o.fqdn && !coversHost(o.tls.dnsNames, o.fqdn)) {
    out.push(`The TLS certificate names ${o.tls.dnsNames.join(', ') || 'no DNS name'}, not ${o.fqdn}: clients must call a name of the certificate whose DNS record points at ${o.fqdn}.`);
  }
  return out;
}

export interface DeployDeps {
  createAzureContext(): AzureContext;
  /** The waits' clock (the L0 tests use a virtual one). */
  clock?: Clock;
}

export const azureDeps: DeployDeps = {
  // every client: the container group, the workspace's registry and App Insights, Key Vault, the resource group
  createAzureContext: () => createAzureContext(ALL_CLIENTS),
};

/** Stores the key the accepted group now holds; a failure says so (the key is still in the secret output). */
async function storeAcceptedKey(ctx: AzureContext, key: ScoringKey, groupName: string): Promise<void> {
  try {
    await storeScoringKey(ctx, key, groupName);
  } catch (err) {
    throw new TaskError(
      `Container group '${groupName}' was given a new scoring key, but storing it in Key Vault secret '${key.secretName}' failed: ` +
        `${err instanceof Error ? err.message : String(err)} Run the task again: it generates a new key, updates the group and stores the key.`,
    );
  }
  console.log(`Generated a new scoring key and stored it in Key Vault secret '${key.secretName}'.`);
}

export async function main(deps: DeployDeps = azureDeps): Promise<Outcome> {
  const ctx = deps.createAzureContext();
  const p = readInputs(ctx.cloud);
  const plan = await prepareDeployment(ctx, p);
  console.log(`Image: ${p.imageUri}${plan.image !== p.imageUri ? ` (deployed by digest: ${plan.image})` : p.imageDigest ? '' : ' (no digest known: the tag is deployed; set imageDigest to pin the content)'}; registry credentials: ${plan.registryDescription}.`);
  console.log(`Application Insights: ${plan.appInsightsDescription}.`);
  if (plan.dataCollection) {
    console.log(`Data collection: on (sample rate ${p.sampleRate}), write-only SAS on datastore 'workspaceblobstore' valid until ${plan.dataCollection.expiresOn.toISOString()}.`);
  }

  const storesKey = plan.scoringKey?.source === 'generated' && !!plan.scoringKey.secretName;
  if (storesKey) {
    console.log(`Scoring key: a new one, stored in Key Vault secret '${plan.scoringKey?.secretName}' once Azure accepts the container group.`);
  } else if (plan.scoringKey) {
    console.log(plan.scoringKey.source === 'keyVault'
      ? `Scoring key: read from Key Vault secret '${plan.scoringKey.secretName}'.`
      : 'Scoring key: generated for this run only (no keyVault); it is available as the secret output variable scoringKey.');
  }
  if (plan.tls) console.log(`TLS: on, certificate from Key Vault secret '${p.tlsCertificateSecret}' (valid until ${plan.tls.notAfter.toISOString()}, SHA-256 ${plan.tls.fingerprint}).`);
  if (plan.dnsNameLabelScopeNote) tl.warning(plan.dnsNameLabelScopeNote);
  // the pull identity and its AcrPull come first: ACI pulls with them as soon as it accepts the group
  const identity = plan.pullIdentity ? await ensurePullIdentity(ctx, plan.pullIdentity) : { lines: [], newGrant: false };
  for (const line of identity.lines) console.log(line);
  console.log(plan.existing ? tl.loc('Updating', p.containerGroupName, plan.location) : tl.loc('Creating', p.containerGroupName, plan.location));

  const clock = deps.clock ?? realClock;
  const deadline = clock.now() + p.readinessTimeoutMs;
  let group: ContainerGroup | undefined;
  for (let attempt = 0; !group; attempt++) {
    try {
      group = await deployAndWait(ctx, {
        resourceGroup: p.resourceGroup,
        name: p.containerGroupName,
        body: plan.body,
        timeoutMs: deadline - clock.now(),
        isUpdate: !!plan.existing || attempt > 0,
        abortSignal: cancellationSignal(),
        ...(deps.clock ? { clock: deps.clock } : {}),
        // A new key goes to the vault only once the group holds it: a rejected PUT must not leave a key in the vault
        // that no endpoint uses (the next run would read it as the endpoint's key).
        ...(storesKey && plan.scoringKey && attempt === 0 ? { onAccepted: () => storeAcceptedKey(ctx, plan.scoringKey as ScoringKey, p.containerGroupName) } : {}),
      });
    } catch (err) {
      // the AcrPull this run granted may not have reached the registry yet (rbacPropagation.ts)
      const wait = PROPAGATION_WAITS_MS[Math.min(attempt, PROPAGATION_WAITS_MS.length - 1)];
      if (!identity.newGrant || attempt >= PROPAGATION_WAITS_MS.length || deadline - clock.now() <= wait || !pullDenied(await existingContainerGroup(ctx, p.resourceGroup, p.containerGroupName))) throw err;
      console.log(`The pull was refused, and the AcrPull this run granted can take minutes to reach registry '${plan.pullIdentity?.registry.name}': deploying again in ${wait / 1000} s.`);
      try {
        await clock.sleep(wait, cancellationSignal());
      } catch {
        throw new CancelledError(`container group '${p.containerGroupName}' (waiting to deploy again)`);
      }
    }
  }
  const endpoint = endpointOf(group, p.port, !!plan.tls);
  console.log(tl.loc('Running', p.containerGroupName, endpoint.scoringUri));
  for (const line of transportWarnings({ publicIp: !p.subnetId, keyInUse: !!plan.scoringKey, tls: plan.tls, fqdn: endpoint.fqdn })) tl.warning(line);

  if (plan.dataCollection && p.workspaceName) {
    const created = await registerCollectedDataAssets(ctx, { resourceGroup: p.resourceGroup, workspaceName: p.workspaceName }, plan.dataCollection);
    console.log(`Data assets of the collected data: ${plan.dataCollection.assets.map((a) => `${a.name}${created.includes(a.name) ? ' (registered)' : ''}`).join(', ')}.`);
  }
  setOutputs(endpoint, plan.scoringKey?.value);
  writeSummary({
    name: p.containerGroupName,
    action: plan.existing ? 'Updated' : 'Created',
    image: p.imageUri,
    ...(p.imageDigest ? { imageDigest: p.imageDigest } : {}),
    location: plan.location,
    cpu: p.cpu,
    memoryGb: p.memoryGb,
    endpoint,
    registry: plan.registryDescription,
    tls: plan.tls ? `on (Key Vault secret ${p.tlsCertificateSecret}, valid until ${plan.tls.notAfter.toISOString().slice(0, 10)})` : 'off',
    scoringKey: !plan.scoringKey ? 'off' : plan.scoringKey.secretName ? `Key Vault secret ${plan.scoringKey.secretName}` : 'generated (output scoringKey)',
    appInsights: plan.appInsightsDescription,
    secureNames: plan.secureNames,
    ...(portalUrl(ctx.cloud, endpoint.containerGroupId) ? { portal: portalUrl(ctx.cloud, endpoint.containerGroupId) } : {}),
  });
  return succeeded();
}
