// Resolves an Azure ML workspace: its ids, default blob datastore, MLflow endpoint and studio links.
// All service URLs come from ARM responses (datastore endpoint, mlFlowTrackingUri, discoveryUrl).
import type { AzureBlobDatastore, Datastore, DatastoreSecretsUnion } from '@azure/arm-machinelearning';
import type { ContainerClient } from '@azure/storage-blob';
import * as tl from 'azure-pipelines-task-lib/task';
import type { AzureClients, ContextWith } from './azureSession';
import { blobContainerClient } from './blobStorage';
import { storageSuffix, studioHost } from './cloud';
import { azureCall, TaskError, toAzureCallError } from './errors';

export interface DefaultDatastore {
  name: string;
  accountName: string;
  containerName: string;
  /** https://acct.blob.<suffix> */
  blobEndpoint: string;
  /** AccountKey, Sas, ServicePrincipal, Certificate, None (identity-based), … */
  credentialsType?: string;
}

export interface WorkspaceInfo {
  id: string;
  name: string;
  resourceGroup: string;
  location: string;
  defaultDatastore: DefaultDatastore;
  /** https:// form */
  mlflowTrackingUri: string;
  discoveryUrl?: string;
  containerRegistryId?: string;
  applicationInsightsId?: string;
  studioJobUrl(jobName: string): string;
  studioModelUrl(name: string, version: string): string;
}

/** AML reports its data-plane URIs with the azureml:// scheme; on the wire it is https://. */
export function toHttps(uri: string): string {
  return uri.replace(/^azureml:\/\//i, 'https://');
}

/** Blob endpoint of a datastore: <protocol>://<accountName>.blob.<endpoint> (endpoint is only the suffix). */
export function datastoreBlobEndpoint(ds: Pick<AzureBlobDatastore, 'accountName' | 'endpoint' | 'protocol'>, fallbackSuffix: string): string {
  const protocol = (ds.protocol || 'https').toLowerCase();
  const suffix = (ds.endpoint || fallbackSuffix).replace(/^\.+/, '');
  return `${protocol}://${ds.accountName}.blob.${suffix}`;
}

function isBlob(d: Datastore | undefined): d is Datastore & { properties: AzureBlobDatastore } {
  return !!d && d.properties.datastoreType === 'AzureBlob';
}

/**
 * Studio links. Host per cloud from the cloud name (ml.azure.com, ml.azure.us, studio.ml.azure.cn —
 * see cloud.studioHost); the workspace is selected by its ARM id (wsid), as the studio itself links.
 */
export function studioUrls(host: string, workspaceId: string): Pick<WorkspaceInfo, 'studioJobUrl' | 'studioModelUrl'> {
  const wsid = encodeURIComponent(workspaceId).replace(/%2F/g, '/');
  return {
    studioJobUrl: (job) => `https://${host}/runs/${encodeURIComponent(job)}?wsid=${wsid}`,
    studioModelUrl: (name, version) => `https://${host}/model/${encodeURIComponent(name)}:${encodeURIComponent(version)}/details/overview?wsid=${wsid}`,
  };
}

export async function resolveWorkspace(ctx: ContextWith<'ml'>, resourceGroup: string, workspaceName: string): Promise<WorkspaceInfo> {
  const client = ctx.clients.ml;
  const what = `workspace '${workspaceName}' in resource group '${resourceGroup}'`;
  const ws = await azureCall('Reading', what, () => client.workspaces.get(resourceGroup, workspaceName));
  const id = ws.id ?? `/subscriptions/${ctx.subscriptionId}/resourceGroups/${resourceGroup}/providers/Microsoft.MachineLearningServices/workspaces/${workspaceName}`;

  let ds: (Datastore & { properties: AzureBlobDatastore }) | undefined;
  try {
    for await (const d of client.datastores.list(resourceGroup, workspaceName, { isDefault: true })) {
      if (isBlob(d) && d.properties.isDefault !== false) {
        ds = d;
        break;
      }
    }
  } catch (err) {
    throw toAzureCallError(err, 'Listing the datastores of', what);
  }
  if (!ds) {
    // every workspace is created with 'workspaceblobstore' as its default blob datastore
    const d = await azureCall('Reading', `datastore 'workspaceblobstore' of ${what}`, () => client.datastores.get(resourceGroup, workspaceName, 'workspaceblobstore'), { notFound: 'undefined' });
    if (isBlob(d)) ds = d;
  }
  if (!ds || !ds.properties.accountName || !ds.properties.containerName) {
    throw new TaskError(`The ${what} has no default Azure Blob datastore. Hint: set a blob datastore as the workspace default (az ml datastore update / studio).`);
  }
  const defaultDatastore: DefaultDatastore = {
    name: ds.name ?? 'workspaceblobstore',
    accountName: ds.properties.accountName,
    containerName: ds.properties.containerName,
    blobEndpoint: datastoreBlobEndpoint(ds.properties, storageSuffix(ctx.cloud)),
    credentialsType: ds.properties.credentials?.credentialsType,
  };

  const discoveryUrl = ws.discoveryUrl || undefined;
  let mlflowTrackingUri = ws.mlFlowTrackingUri ? toHttps(ws.mlFlowTrackingUri) : '';
  if (!mlflowTrackingUri && discoveryUrl) {
    // same host as the discovery service (regional API host), MLflow path of the workspace
    mlflowTrackingUri = `${new URL(toHttps(discoveryUrl)).origin}/mlflow/v1.0${id}`;
  }
  return {
    id,
    name: ws.name ?? workspaceName,
    resourceGroup,
    location: ws.location ?? '',
    defaultDatastore,
    mlflowTrackingUri,
    ...(discoveryUrl ? { discoveryUrl: toHttps(discoveryUrl) } : {}),
    ...(ws.containerRegistry ? { containerRegistryId: ws.containerRegistry } : {}),
    ...(ws.applicationInsights ? { applicationInsightsId: ws.applicationInsights } : {}),
    ...studioUrls(studioHost(ctx.cloud), id),
  };
}

/**
 * One workspace of one run, handed to every function of a task that works in it: the run's context (session and
 * memoized clients), the subscription, resource group and workspace names, and the workspace as Azure reports it.
 */
export interface WorkspaceScope<K extends keyof AzureClients = 'ml'> {
  readonly ctx: ContextWith<K>;
  readonly clients: Pick<AzureClients, K>;
  readonly subscriptionId: string;
  readonly resourceGroup: string;
  readonly workspaceName: string;
  readonly ws: WorkspaceInfo;
}

/** The scope of a workspace already resolved (tests and tools build one by hand). */
export function workspaceScope<K extends keyof AzureClients>(ctx: ContextWith<K>, ws: WorkspaceInfo): WorkspaceScope<K> {
  return { ctx, clients: ctx.clients, subscriptionId: ctx.subscriptionId, resourceGroup: ws.resourceGroup, workspaceName: ws.name, ws };
}

/** Resolves the workspace (resolveWorkspace) and gives its scope. */
export async function openWorkspace<K extends keyof AzureClients>(ctx: ContextWith<K | 'ml'>, resourceGroup: string, workspaceName: string): Promise<WorkspaceScope<K | 'ml'>> {
  return workspaceScope(ctx, await resolveWorkspace(ctx, resourceGroup, workspaceName));
}

/** The default datastore's container, with the datastore's own credentials (account key or SAS, masked) or the task's identity. */
export async function datastoreContainer(ctx: ContextWith<'ml'>, ws: WorkspaceInfo): Promise<ContainerClient> {
  const ds = ws.defaultDatastore;
  const containerUrl = `${ds.blobEndpoint}/${ds.containerName}`;
  // Only these credential types have secrets (spec SecretsType); an identity-based datastore (None) is
  // reached with the task's own identity, as azure-ai-ml does (it never lists secrets for None).
  if (!['AccountKey', 'Sas', 'ServicePrincipal', 'Certificate'].includes(ds.credentialsType ?? 'AccountKey')) {
    return blobContainerClient(ctx, containerUrl, { credential: ctx.credential });
  }
  // a datastore whose secrets are gone answers 400/404: use the task's identity then
  const secrets: DatastoreSecretsUnion | undefined = await azureCall(
    'Reading the credentials of',
    `datastore '${ds.name}' of workspace '${ws.name}'`,
    () => ctx.clients.ml.datastores.listSecrets(ws.resourceGroup, ws.name, ds.name),
    { tolerate: [400, 404] },
  );
  if (secrets?.secretsType === 'AccountKey' && 'key' in secrets && secrets.key) {
    tl.setSecret(secrets.key);
    return blobContainerClient(ctx, containerUrl, { accountName: ds.accountName, accountKey: secrets.key });
  }
  if (secrets?.secretsType === 'Sas' && 'sasToken' in secrets && secrets.sasToken) {
    const sas = secrets.sasToken.replace(/^\?/, '');
    tl.setSecret(sas);
    tl.setSecret(`${containerUrl}?${sas}`);
    return blobContainerClient(ctx, `${containerUrl}?${sas}`, { anonymous: true });
  }
  return blobContainerClient(ctx, containerUrl, { credential: ctx.credential });
}

/** A blob datastore of the workspace by name (the default one from the workspace info), with its own credentials or the task's identity. */
export async function namedDatastoreContainer(ctx: ContextWith<'ml'>, ws: WorkspaceInfo, name: string): Promise<ContainerClient> {
  if (name.toLowerCase() === ws.defaultDatastore.name.toLowerCase()) return datastoreContainer(ctx, ws);
  const ds = await azureCall('Reading', `datastore '${name}' of workspace '${ws.name}'`, () => ctx.clients.ml.datastores.get(ws.resourceGroup, ws.name, name));
  if (!isBlob(ds) || !ds.properties.accountName || !ds.properties.containerName) {
    throw new TaskError(`Datastore '${name}' of workspace '${ws.name}' is a ${ds.properties.datastoreType} datastore; files can be read from Azure Blob datastores only.`);
  }
  // the credential logic of the default datastore, pointed at this one
  return datastoreContainer(ctx, {
    ...ws,
    defaultDatastore: {
      name,
      accountName: ds.properties.accountName,
      containerName: ds.properties.containerName,
      blobEndpoint: datastoreBlobEndpoint(ds.properties, storageSuffix(ctx.cloud)),
      credentialsType: ds.properties.credentials?.credentialsType,
    },
  });
}

/**
 * `azureml://datastores/<ds>/paths/<p>` (also with the `azureml://subscriptions/…/workspaces/<ws>/` prefix) and the
 * form the service gives a job's reserved `default` output, `azureml://datastores/<ds>/ExperimentRun/dcid.<job>`
 * (no `paths/`; azure-ai-ml OUTPUT_URI_REGEX_FORMAT in constants/_common.py) → datastore and path (no slashes at the ends).
 */
export function parseDatastoreUri(uri: string): { datastore: string; path: string } | undefined {
  const m = /^azureml:\/\/(?:subscriptions\/[^/]+\/resource[gG]roups\/[^/]+\/(?:providers\/Microsoft\.MachineLearningServices\/)?workspaces\/[^/]+\/)?datastores\/([^/]+)\/(?:paths\/(.*)|(ExperimentRun\/.*))$/i.exec(uri.trim());
  if (!m) return undefined;
  let p = m[2] ?? m[3] ?? '';
  try {
    p = decodeURIComponent(p);
  } catch {
    return undefined;
  }
  return { datastore: m[1], path: p.replace(/^\/+/, '').replace(/\/+$/, '') };
}
