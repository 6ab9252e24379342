// Azure ML online endpoints and deployments over raw ARM at api-version 2024-04-01: the SDK in package.json
// (@azure/arm-machinelearning 2.1.1) speaks 2022-10-01, which has neither the endpoint's `mirrorTraffic`
// nor the deployment's `dataCollector`; 2024-04-01 is the first stable version with both
// (azure-rest-api-specs, specification/machinelearningservices/resource-manager/Microsoft.MachineLearningServices/
// stable/2024-04-01/mlservices.json: OnlineEndpointProperties.mirrorTraffic, OnlineDeploymentProperties.dataCollector).
// Reads return undefined for a 404; writes start an operation that followOperation follows.
import { azureCall, beginOperation, beginRawOperation, type ArmOperation, type ContextWith } from '../../shared/src/azure';
import type { EndpointTraffic } from './traffic';

export const ONLINE_API_VERSION = '2024-04-01';

export interface OnlineEndpoint {
  id?: string;
  name?: string;
  location: string;
  tags?: Record<string, string>;
  properties: {
    authMode: 'Key' | 'AMLToken' | 'AADToken';
    description?: string;
    scoringUri?: string;
    swaggerUri?: string;
    provisioningState?: string;
    traffic?: Record<string, number>;
    mirrorTraffic?: Record<string, number>;
  };
}

export interface OnlineDeployment {
  id?: string;
  name?: string;
  location: string;
  tags?: Record<string, string>;
  sku?: { name: string; capacity?: number };
  properties: Record<string, unknown> & { provisioningState?: string; instanceType?: string };
}

export type ContainerType = 'StorageInitializer' | 'InferenceServer';

/** Where one endpoint lives. */
export interface EndpointScope {
  /** ARM id of the workspace. */
  workspaceId: string;
  workspaceName: string;
  endpoint: string;
}

const endpointPath = (s: EndpointScope): string => `${s.workspaceId}/onlineEndpoints/${s.endpoint}`;
const deploymentPath = (s: EndpointScope, d: string): string => `${endpointPath(s)}/deployments/${d}`;
const endpointWhat = (s: EndpointScope): string => `online endpoint '${s.endpoint}' of workspace '${s.workspaceName}'`;
const deploymentWhat = (s: EndpointScope, d: string): string => `deployment '${d}' of online endpoint '${s.endpoint}'`;

export function trafficOf(e: OnlineEndpoint): EndpointTraffic {
  return { traffic: { ...(e.properties.traffic ?? {}) }, mirrorTraffic: { ...(e.properties.mirrorTraffic ?? {}) } };
}

export async function getEndpoint(ctx: ContextWith<'arm'>, s: EndpointScope): Promise<OnlineEndpoint | undefined> {
  return azureCall('Reading', endpointWhat(s), async () => (await ctx.clients.arm.response<OnlineEndpoint>('GET', endpointPath(s), ONLINE_API_VERSION)).body, { notFound: 'undefined' });
}

export async function getDeployment(ctx: ContextWith<'arm'>, s: EndpointScope, name: string): Promise<OnlineDeployment | undefined> {
  return azureCall('Reading', deploymentWhat(s, name), async () => (await ctx.clients.arm.response<OnlineDeployment>('GET', deploymentPath(s, name), ONLINE_API_VERSION)).body, { notFound: 'undefined' });
}

/** PUT of the endpoint (create, or a new traffic split: the PUT carries the whole resource). */
export function putEndpoint(ctx: ContextWith<'arm'>, s: EndpointScope, body: OnlineEndpoint): Promise<ArmOperation> {
  const what = endpointWhat(s);
  return beginOperation(() => beginRawOperation(ctx.clients.arm, 'PUT', endpointPath(s), ONLINE_API_VERSION, body), { action: 'Updating', resource: what, pollAction: 'Polling the update of', pollResource: what });
}

export function putDeployment(ctx: ContextWith<'arm'>, s: EndpointScope, name: string, body: OnlineDeployment): Promise<ArmOperation> {
  const what = deploymentWhat(s, name);
  return beginOperation(() => beginRawOperation(ctx.clients.arm, 'PUT', deploymentPath(s, name), ONLINE_API_VERSION, body), { action: 'Creating', resource: what, pollAction: 'Polling the creation of', pollResource: what });
}

export function deleteDeployment(ctx: ContextWith<'arm'>, s: EndpointScope, name: string): Promise<ArmOperation> {
  const what = deploymentWhat(s, name);
  return beginOperation(() => beginRawOperation(ctx.clients.arm, 'DELETE', deploymentPath(s, name), ONLINE_API_VERSION), { action: 'Deleting', resource: what, pollAction: 'Polling the deletion of', pollResource: what });
}

/** The endpoint's primary key (authMode Key); the caller masks it. */
export async function primaryKey(ctx: ContextWith<'arm'>, s: EndpointScope): Promise<string> {
  const keys = await azureCall('Listing the keys of', endpointWhat(s), () => ctx.clients.arm.request<{ primaryKey?: string }>('POST', `${endpointPath(s)}/listKeys`, ONLINE_API_VERSION));
  return keys?.primaryKey ?? '';
}

/** The last `tail` lines of a container's log (untrusted text: the caller neutralises it). */
export async function getLogs(ctx: ContextWith<'arm'>, s: EndpointScope, name: string, containerType: ContainerType, tail: number): Promise<string> {
  const r = await azureCall('Reading the logs of', `${deploymentWhat(s, name)} (${containerType})`, () =>
    ctx.clients.arm.request<{ content?: string }>('POST', `${deploymentPath(s, name)}/getLogs`, ONLINE_API_VERSION, { containerType, tail }),
  );
  return r?.content ?? '';
}
