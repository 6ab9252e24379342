// Azure Machine Learning (Microsoft.MachineLearningServices, api-version 2022-10-01): workspaces,
// datastores (+ listSecrets), and the workspace data plane on <region>.api.azureml.localhost
// (discovery, MLflow runs/get and metrics/get-history).
import * as crypto from 'crypto';
import { HttpError, type EmulatorApi, type RouteContext, type ServiceModule, type TokenClaims } from '../types';
import type { Datastore, MlflowRun, Workspace } from '../state';
import { resourceGroupNotFound } from './resources';

/** api-versions the AML routes accept (the SDK @azure/arm-machinelearning 2.1.1 sends 2022-10-01). */
/**
 * 2022-10-01 is what @azure/arm-machinelearning (and so the tasks) send; the others are what the official
 * Python client azure-ai-ml 1.4 sends for the same operations (its _restclient/v2022_* clients; see
 * test/oracle). Bodies are checked against the 2022-10-01 schema (test/emulator/contract).
 */
export const AML_API_VERSIONS = ['2022-10-01', '2022-10-01-preview', '2022-05-01', '2022-02-01-preview', '2022-01-01-preview'];
export const AML_PROVIDER = 'Microsoft.MachineLearningServices';
/** Template prefix for routes under a workspace: params {sub}, {rg}, {ws}. */
export const WORKSPACE_PATH = `/subscriptions/{sub}/resourceGroups/{rg}/providers/${AML_PROVIDER}/workspaces/{ws}`;

export function workspaceArmId(subscriptionId: string, ws: Workspace): string {
  return `/subscriptions/${subscriptionId}/resourceGroups/${ws.resourceGroup}/providers/${AML_PROVIDER}/workspaces/${ws.name}`;
}

/** Finds the workspace of a route under WORKSPACE_PATH, or throws ARM's 404. Other AML services use it. */
export function requireWorkspace(emu: EmulatorApi, ctx: RouteContext): Workspace {
  const rg = emu.state.getResourceGroup(ctx.params.rg);
  if (!rg) throw resourceGroupNotFound(ctx.params.rg);
  const ws = emu.state.getWorkspace(ctx.params.rg, ctx.params.ws);
  if (!ws) {
    throw new HttpError(404, 'ResourceNotFound', `The Resource '${AML_PROVIDER}/workspaces/${ctx.params.ws}' under resource group '${ctx.params.rg}' was not found. For more details please go to https://aka.ms/ARMResourceNotFoundFix`);
  }
  return ws;
}

/**
 * What Azure answers a PUT that would change the path of an existing model, data or code version: 400 UserError
 * "Asset paths cannot be updated." — the text azure-ai-ml matches to raise AssetPathException
 * (_artifacts/_constants.py ASSET_PATH_ERROR, operations/_model_operations.py create_or_update). The 2022-10-01
 * spec lists no 409 for asset PUTs (only the `default` ErrorResponse): a version's immutability is a 400.
 */
export function assetPathsCannotBeUpdated(): HttpError {
  return new HttpError(400, 'UserError', 'Asset paths cannot be updated.');
}

/**
 * Another writer racing a test's PUT of an asset version, scripted by the test, consumed by the next PUT of
 * that version: `registeredFirst` — someone registered the version (with `path`) between the caller's GET and
 * its PUT, so the PUT meets an existing version; `sameTime` — a create of the same version is in flight: 409,
 * the status azure-ai-ml retries with a new version number (_utils/_asset_utils.py
 * _create_or_update_autoincrement, @retry on ResourceExistsError).
 */
export type AssetPutRace = { kind: 'registeredFirst'; path: string } | { kind: 'sameTime' };
/** Races by '<models|data|codes|environments>/<name>/<version>'. */
export function assetPutRaces(emulator: { state: { bucket<T>(name: string): Map<string, T> } }): Map<string, AssetPutRace> {
  return emulator.state.bucket<AssetPutRace>('aml.assetPutRaces');
}
/** The race scripted for this PUT, if any (removed: it happens once). A `sameTime` race throws the 409. */
export function takeAssetPutRace(emu: { state: { bucket<T>(name: string): Map<string, T> } }, kind: string, name: string, version: string): { path: string } | undefined {
  const k = `${kind}/${name}/${version}`;
  const race = assetPutRaces(emu).get(k);
  if (!race) return undefined;
  assetPutRaces(emu).delete(k);
  if (race.kind === 'sameTime') throw new HttpError(409, 'Conflict', `The ${kind} version ${name}:${version} is being created by another request. Retry the request.`);
  return { path: race.path };
}

/** Who created a resource, as ARM's systemData names it. */
export interface Creator {
  by: string;
  type: 'User' | 'Application' | 'ManagedIdentity' | 'Key';
}

/** Seeded resources (and any made without a token) were made by the test setup, an application of its own. */
export const SETUP_CREATOR: Creator = { by: 'aml-devops-tests', type: 'Application' };

/**
 * The creator ARM records from the caller's token (common-types `systemData`): an application or a managed identity
 * by its client id (`appid`), a managed identity recognised by its `xms_mirid` claim (the identity's resource id, which
 * IMDS tokens carry), a user by `upn`/`unique_name`.
 */
export function creatorFromToken(token: TokenClaims | undefined): Creator {
  if (!token) return SETUP_CREATOR;
  const upn = typeof token.upn === 'string' ? token.upn : typeof token.unique_name === 'string' ? token.unique_name : undefined;
  if (token.idtyp === 'user' || (upn && token.idtyp !== 'app')) return { by: upn ?? token.oid, type: 'User' };
  return { by: token.appid ?? token.azp ?? token.oid, type: typeof token.xms_mirid === 'string' ? 'ManagedIdentity' : 'Application' };
}

export function systemData(createdAt: string, creator: Creator = SETUP_CREATOR): Record<string, string> {
  return { createdAt, createdBy: creator.by, createdByType: creator.type, lastModifiedAt: createdAt, lastModifiedBy: creator.by, lastModifiedByType: creator.type };
}

/** The https:// base of the workspace data plane (MLflow, run history) for a region. */
/**
 * Test knob: service URLs the discovery document answers instead of its own (e.g. `history` -> a host that is
 * not the workspace's), so a test can serve a hostile discovery reply. Empty by default.
 */
export function discoveryOverrides(emu: Pick<EmulatorApi, 'state'>): Map<string, string> {
  return emu.state.bucket<string>('aml.discoveryOverrides');
}

export function mlflowTrackingPath(subscriptionId: string, ws: Workspace): string {
  return `/mlflow/v1.0${workspaceArmId(subscriptionId, ws)}`;
}

function workspaceBody(emu: EmulatorApi, ws: Workspace): Record<string, unknown> {
  const sub = emu.identities.subscriptionId;
  const rgId = `/subscriptions/${sub}/resourceGroups/${ws.resourceGroup}/providers`;
  const dataPlane = emu.urls.amlDataPlane(ws.location);
  const props: Record<string, unknown> = {
    friendlyName: ws.friendlyName ?? ws.name,
    description: ws.description ?? '',
    storageAccount: `${rgId}/Microsoft.Storage/storageAccounts/${ws.storageAccountName}`,
    keyVault: `${rgId}/Microsoft.KeyVault/vaults/${ws.keyVaultName}`,
    discoveryUrl: `${dataPlane}/discovery`,
    mlFlowTrackingUri: `azureml://${dataPlane.replace(/^https:\/\//, '')}${mlflowTrackingPath(sub, ws)}`,
    workspaceId: ws.workspaceId,
    provisioningState: 'Succeeded',
    hbiWorkspace: false,
    allowPublicAccessWhenBehindVnet: false,
    publicNetworkAccess: 'Enabled',
    storageHnsEnabled: false,
    v1LegacyMode: false,
    privateLinkCount: 0,
    tenantId: emu.identities.tenantId,
    serviceProvisionedResourceGroup: `azureml-rg-${ws.name}_${ws.workspaceId}`,
  };
  if (ws.containerRegistryName) props.containerRegistry = `${rgId}/Microsoft.ContainerRegistry/registries/${ws.containerRegistryName}`;
  if (ws.applicationInsightsName) props.applicationInsights = `${rgId}/microsoft.insights/components/${ws.applicationInsightsName}`;
  return {
    id: workspaceArmId(sub, ws), name: ws.name, type: `${AML_PROVIDER}/workspaces`, location: ws.location, tags: ws.tags ?? {},
    identity: { type: 'SystemAssigned', principalId: crypto.createHash('md5').update(ws.workspaceId).digest('hex').replace(/^(.{8})(.{4})(.{4})(.{4})(.{12})$/, '$1-$2-$3-$4-$5'), tenantId: emu.identities.tenantId },
    sku: { name: 'Basic', tier: 'Basic' },
    systemData: systemData(ws.created),
    properties: props,
  };
}

function datastoreBody(emu: EmulatorApi, ws: Workspace, d: Datastore): Record<string, unknown> {
  return {
    id: `${workspaceArmId(emu.identities.subscriptionId, ws)}/datastores/${d.name}`,
    name: d.name,
    type: `${AML_PROVIDER}/workspaces/datastores`,
    properties: {
      description: d.description ?? null,
      tags: d.tags ?? {},
      properties: {},
      isDefault: d.isDefault,
      credentials: { credentialsType: d.credentialsType },
      datastoreType: 'AzureBlob',
      accountName: d.accountName ?? emu.state.storage.accountName,
      containerName: d.containerName,
      endpoint: emu.state.storage.endpoint,
      protocol: 'https',
      serviceDataAccessAuthIdentity: 'None',
    },
    systemData: systemData(d.created),
  };
}

function mlflowError(ctx: RouteContext, status: number, code: string, message: string): void {
  ctx.json(status, { error_code: code, message });
}

function runBody(run: MlflowRun, latestOnly: boolean): Record<string, unknown> {
  let metrics = run.metrics;
  if (latestOnly) {
    const latest = new Map<string, (typeof metrics)[number]>();
    for (const m of metrics) {
      const cur = latest.get(m.key);
      if (!cur || m.step > cur.step || (m.step === cur.step && m.timestamp >= cur.timestamp)) latest.set(m.key, m);
    }
    metrics = [...latest.values()];
  }
  return {
    run: {
      info: {
        run_id: run.runId, run_uuid: run.runId, run_name: run.runId, experiment_id: run.experimentId, user_id: 'aml-devops-tests',
        status: run.status, start_time: run.startTime, ...(run.endTime ? { end_time: run.endTime } : {}),
        artifact_uri: `azureml://experiments/${run.experimentId}/runs/${run.runId}/artifacts`, lifecycle_stage: 'active',
      },
      data: { metrics, params: run.params, tags: run.tags },
    },
  };
}

const service: ServiceModule = {
  name: 'aml-workspace',
  order: 60,
  register(emu) {
    const o = { apiVersions: AML_API_VERSIONS };
    emu.addRoute('arm', 'GET', `/subscriptions/{sub}/providers/${AML_PROVIDER}/workspaces`, (ctx) => {
      const all = [...emu.state.workspaces.values()].map((ws) => workspaceBody(emu, ws));
      ctx.json(200, emu.paged(all, ctx, 20, { style: 'skip' }));
    }, o);
    emu.addRoute('arm', 'GET', `/subscriptions/{sub}/resourceGroups/{rg}/providers/${AML_PROVIDER}/workspaces`, (ctx) => {
      if (!emu.state.getResourceGroup(ctx.params.rg)) throw resourceGroupNotFound(ctx.params.rg);
      const all = [...emu.state.workspaces.values()].filter((w) => w.resourceGroup.toLowerCase() === ctx.params.rg.toLowerCase()).map((ws) => workspaceBody(emu, ws));
      ctx.json(200, emu.paged(all, ctx, 20, { style: 'skip' }));
    }, o);
    emu.addRoute('arm', 'GET', WORKSPACE_PATH, (ctx) => ctx.json(200, workspaceBody(emu, requireWorkspace(emu, ctx))), o);

    emu.addRoute('arm', 'GET', `${WORKSPACE_PATH}/datastores`, (ctx) => {
      const ws = requireWorkspace(emu, ctx);
      let list = [...ws.datastores.values()];
      if (ctx.query.isDefault !== undefined) list = list.filter((d) => String(d.isDefault) === ctx.query.isDefault.toLowerCase());
      if (ctx.query.names) {
        const names = ctx.query.names.split(',').map((n) => n.trim().toLowerCase());
        list = list.filter((d) => names.includes(d.name.toLowerCase()));
      }
      const count = Number(ctx.query.count ?? 30);
      ctx.json(200, emu.paged(list.map((d) => datastoreBody(emu, ws, d)), ctx, Number.isFinite(count) && count > 0 ? count : 30, { style: 'skip' }));
    }, o);
    const getDatastore = (ctx: RouteContext): { ws: Workspace; d: Datastore } => {
      const ws = requireWorkspace(emu, ctx);
      const d = ws.datastores.get(ctx.params.name) ?? [...ws.datastores.values()].find((x) => x.name.toLowerCase() === ctx.params.name.toLowerCase());
      if (!d) throw new HttpError(404, 'UserError', `Datastore '${ctx.params.name}' was not found in workspace '${ws.name}'.`);
      return { ws, d };
    };
    emu.addRoute('arm', 'GET', `${WORKSPACE_PATH}/datastores/{name}`, (ctx) => {
      const { ws, d } = getDatastore(ctx);
      ctx.json(200, datastoreBody(emu, ws, d));
    }, o);
    emu.addRoute('arm', 'POST', `${WORKSPACE_PATH}/datastores/{name}/listSecrets`, (ctx) => {
      const { d } = getDatastore(ctx);
      // The spec's SecretsType has no 'None': an identity-based datastore has no secrets to list, and the
      // official client never asks (azure-ai-ml _datastore_operations._fetch_and_populate_secret skips
      // NoneDatastoreCredentials). The emulator refuses the call rather than inventing a `secretsType: None` reply.
      if (d.credentialsType === 'None') {
        throw new HttpError(400, 'UserError', `Datastore '${d.name}' uses identity-based access (credentials type None): it has no secrets to list.`);
      }
      if (d.credentialsType !== 'AccountKey') ctx.json(200, { secretsType: d.credentialsType });
      else ctx.json(200, { secretsType: 'AccountKey', key: emu.state.storage.accountKey });
    }, o);

    // ---- data plane: <region>.api.azureml.localhost (auth: ARM token) ----
    emu.addRoute('amlData', 'GET', '/discovery', (ctx) => {
      const api = ctx.baseUrl;
      // As Azure's discovery document: `api` is the regional host azure-ai-ml reaches run history on
      // (_job_operations.JobOperations._api_url, url_key API_URL_KEY = "api"); `history` and `experimentation`
      // name the older experiments host, which this emulator does not serve — a client on the wrong key fails.
      const experiments = api.replace('.api.azureml.', '.experiments.azureml.');
      ctx.json(200, {
        api, catalog: api, experimentation: experiments, gallery: `${api}/gallery/v1.0`, history: experiments, hyperdrive: api,
        labeling: api, modelmanagement: api, pipelines: api, studio: 'https://ml.azure.com',
        ...Object.fromEntries(discoveryOverrides(emu)),
      });
    }, { auth: 'none' });
    const mlflowBase = `/mlflow/{v}/subscriptions/{sub}/resourceGroups/{rg}/providers/${AML_PROVIDER}/workspaces/{ws}/api/2.0/mlflow`;
    const findRun = (ctx: RouteContext): MlflowRun | undefined => {
      if (!/^v[12]\.0$/.test(ctx.params.v)) {
        mlflowError(ctx, 404, 'ENDPOINT_NOT_FOUND', `No API endpoint at ${ctx.path}`);
        return undefined;
      }
      if (!emu.state.getWorkspace(ctx.params.rg, ctx.params.ws)) {
        mlflowError(ctx, 404, 'RESOURCE_DOES_NOT_EXIST', `Workspace '${ctx.params.ws}' was not found in resource group '${ctx.params.rg}'.`);
        return undefined;
      }
      const runId = ctx.query.run_id ?? ctx.query.run_uuid;
      if (!runId) {
        mlflowError(ctx, 400, 'INVALID_PARAMETER_VALUE', "Missing value for required parameter 'run_id'.");
        return undefined;
      }
      const run = emu.state.mlflowRuns.get(runId);
      if (!run) mlflowError(ctx, 404, 'RESOURCE_DOES_NOT_EXIST', `Run '${runId}' not found.`);
      return run;
    };
    emu.addRoute('amlData', 'GET', `${mlflowBase}/runs/get`, (ctx) => {
      const run = findRun(ctx);
      if (run) ctx.json(200, runBody(run, true));
    }, { auth: 'arm' });
    emu.addRoute('amlData', 'GET', `${mlflowBase}/metrics/get-history`, (ctx) => {
      const run = findRun(ctx);
      if (!run) return;
      const key = ctx.query.metric_key;
      if (!key) {
        mlflowError(ctx, 400, 'INVALID_PARAMETER_VALUE', "Missing value for required parameter 'metric_key'.");
        return;
      }
      ctx.json(200, { metrics: run.metrics.filter((m) => m.key === key) });
    }, { auth: 'arm' });
  },
};
export default service;
