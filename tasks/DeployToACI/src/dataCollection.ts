// Data collection by the scoring server (tasks/CreateImage/assets/README.md): DeployToACI signs a container SAS
// on the workspace's default blob datastore with create + write rights only and an expiry (the account key comes
// from the datastore's listSecrets and never leaves this process), passes it as the secure variable
// DATA_COLLECTOR_SAS_URL, and registers the data assets `<endpoint>-<deployment>-model_inputs|model_outputs`
// over the collector's folders, as Azure ML does for its own data collector.
import type { AzureBlobDatastore } from '@azure/arm-machinelearning';
import { azureCall, type ContextWith, maskValue } from '../../shared/src/azure';
import { TaskError } from '../../shared/src/errors';

type MlContext = ContextWith<'ml'>;

export const COLLECTOR_DATASTORE = 'workspaceblobstore';
/** ACI has no deployments under an endpoint: the container group is the endpoint, its one deployment 'default'. */
export const COLLECTOR_DEPLOYMENT = 'default';
export const COLLECTIONS = ['model_inputs', 'model_outputs'] as const;
/** The SAS lasts this long; each run of the task issues a new one. */
export const SAS_DAYS = 180;

export interface DataCollectionPlan {
  environment: Map<string, string>;
  secureEnvironment: Map<string, string>;
  expiresOn: Date;
  assets: { name: string; dataUri: string }[];
}

const ADVICE = 'Set collectData to false to deploy without data collection.';

export async function prepareDataCollection(ctx: MlContext, p: { resourceGroup: string; workspaceName: string; containerGroupName: string; sampleRate: number }, now = new Date()): Promise<DataCollectionPlan> {
  const client = ctx.clients.ml;
  const what = `datastore '${COLLECTOR_DATASTORE}' of workspace '${p.workspaceName}'`;
  const ds = await azureCall('Reading', what, () => client.datastores.get(p.resourceGroup, p.workspaceName, COLLECTOR_DATASTORE), { advice: ADVICE });
  const props = ds.properties as AzureBlobDatastore;
  const type = props.credentials?.credentialsType;
  if (props.datastoreType !== 'AzureBlob' || !props.accountName || !props.containerName) {
    throw new TaskError(`Input 'collectData': ${what} is not an Azure Blob datastore. Set collectData to false, or restore the workspace's default blob datastore.`);
  }
  if (type !== 'AccountKey') {
    throw new TaskError(`Input 'collectData': ${what} has ${type ?? 'no'} credentials, and the write-only SAS for the scoring container is signed with the storage account key. Give the datastore its account key, or set collectData to false.`);
  }
  const secrets = await azureCall('Reading', `the secrets of ${what}`, () => client.datastores.listSecrets(p.resourceGroup, p.workspaceName, COLLECTOR_DATASTORE), { advice: ADVICE });
  const key = (secrets as { key?: string }).key;
  if (!key) throw new TaskError(`Input 'collectData': ${what} returned no account key. Set collectData to false to deploy without data collection.`);
  maskValue(key);
  const protocol = (props.protocol ?? 'https').toLowerCase();
  const expiresOn = new Date(now.getTime() + SAS_DAYS * 86_400_000);
  // storage-blob loads here, where the SAS is made, not before the task's first ARM request (README.md, 'Cold start')
  const { ContainerSASPermissions, generateBlobSASQueryParameters, SASProtocol, StorageSharedKeyCredential } = await import('../../shared/src/sdk/storageBlob');
  const sas = generateBlobSASQueryParameters({
    containerName: props.containerName,
    permissions: ContainerSASPermissions.parse('cw'),
    startsOn: new Date(now.getTime() - 5 * 60_000), // clock skew
    expiresOn,
    ...(protocol === 'https' ? { protocol: SASProtocol.Https } : {}),
  }, new StorageSharedKeyCredential(props.accountName, key));
  const url = `${protocol}://${props.accountName}.blob.${props.endpoint ?? 'core.windows.net'}/${props.containerName}?${sas.toString()}`;
  maskValue(url);
  maskValue(sas.signature);
  const groupId = `/subscriptions/${ctx.subscriptionId}/resourceGroups/${p.resourceGroup}/providers/Microsoft.ContainerInstance/containerGroups/${p.containerGroupName}`;
  const folder = (c: string): string => `azureml://subscriptions/${ctx.subscriptionId}/resourcegroups/${p.resourceGroup}/workspaces/${p.workspaceName}/datastores/${COLLECTOR_DATASTORE}/paths/modelDataCollector/${p.containerGroupName}/${COLLECTOR_DEPLOYMENT}/${c}/`;
  return {
    environment: new Map([
      ['DATA_COLLECTOR_ENDPOINT', p.containerGroupName],
      ['DATA_COLLECTOR_DEPLOYMENT', COLLECTOR_DEPLOYMENT],
      ['DATA_COLLECTOR_SOURCE', groupId],
      ['DATA_COLLECTOR_SAMPLE_RATE', String(p.sampleRate)],
    ]),
    secureEnvironment: new Map([['DATA_COLLECTOR_SAS_URL', url]]),
    expiresOn,
    assets: COLLECTIONS.map((c) => ({ name: `${p.containerGroupName}-${COLLECTOR_DEPLOYMENT}-${c}`, dataUri: folder(c) })),
  };
}

/** Registers version 1 of each data asset unless it exists (a version is immutable). */
export async function registerCollectedDataAssets(ctx: MlContext, p: { resourceGroup: string; workspaceName: string }, plan: DataCollectionPlan): Promise<string[]> {
  const client = ctx.clients.ml;
  const created: string[] = [];
  for (const a of plan.assets) {
    const existing = await azureCall('Reading', `data asset '${a.name}'`, () => client.dataVersions.get(p.resourceGroup, p.workspaceName, a.name, '1'), { notFound: 'undefined' });
    if (existing) continue;
    await azureCall('Registering', `data asset '${a.name}'`, () => client.dataVersions.createOrUpdate(p.resourceGroup, p.workspaceName, a.name, '1', {
      properties: { dataType: 'uri_folder', dataUri: a.dataUri, description: 'Scoring requests collected by the ACI scoring container (Azure ML data-collector layout).', tags: { 'aml-devops.collector': 'DeployToACI' } },
    }));
    created.push(a.name);
  }
  return created;
}
