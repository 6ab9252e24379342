// Azure ML managed online endpoints and deployments for the emulator, as ARM resources, and the scoring
// front door that serves them — with each deployment's scoring server really running.
//
// Shapes: azure-rest-api-specs, specification/machinelearningservices/resource-manager/
// Microsoft.MachineLearningServices/stable/2024-04-01 (OnlineEndpoints_*, OnlineDeployments_*; examples
// Workspace/OnlineEndpoint/*.json). 2024-04-01 is the first stable api-version whose OnlineDeploymentProperties
// has `dataCollector` (absent from stable 2023-10-01) and it has the endpoint's `mirrorTraffic`; the JS SDK
// (@azure/arm-machinelearning 2.1.1) sends 2022-10-01, which has neither: on that version both are dropped
// from requests and replies, as a service that does not know a property ignores it.
//
// Provisioning a deployment (PUT → Azure-AsyncOperation): the "storage initializer" copies the code version
// (codeUri) and the model version's files from Azurite into a folder, the "image build" (fails on demand:
// onlineControl().imageBuildFailures), then the "inference server" is tasks/CreateImage/assets/server.py
// with the deployment's scoring script, on its own loopback address. The operation succeeds when the server
// answers GET / and fails with ResourceNotReady when the process exits first (e.g. init() raises).
// Both containers' output is what getLogs returns.
//
// Front door: https://<endpoint>.<region>.inference.ml.localhost:<port>/score — key, AML token or Entra
// token (audience https://ml.azure.com) by authMode; the `azureml-model-deployment` header picks a deployment,
// otherwise `traffic` does (weighted); `mirrorTraffic` copies a share of traffic-routed requests to a
// deployment and discards its replies.
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as http from 'http';
import * as path from 'path';
import type { ChildProcess } from 'child_process';
import { allocateAddress, appendCapped, killProcess, onEmulatorStop, startPython } from '../processes';
import type { EmulatorState, Workspace } from '../state';
import { HttpError, type EmulatorApi, type Operation, type RouteContext, type ServiceModule } from '../types';
import { getModelVersion } from './aml-models';
import { azuriteContainer, codeAssets, environmentAssets, findJob, jobOutputLocation } from './aml-jobs';
import { AML_PROVIDER, requireWorkspace, systemData, WORKSPACE_PATH } from './aml-workspace';

/** The SDK's version and the first stable one with `dataCollector` (see the header). */
export const ONLINE_API_VERSIONS = ['2022-10-01', '2024-04-01'];
const NEW_API = '2024-04-01';
const SERVER_PY = path.resolve(__dirname, '..', '..', '..', '..', 'tasks', 'CreateImage', 'assets', 'server.py');
const SERVER_PY_SRC = path.resolve(__dirname, '..', '..', '..', 'tasks', 'CreateImage', 'assets', 'server.py');
const NAME = /^[a-zA-Z]([-a-zA-Z0-9]*[a-zA-Z0-9])?$/;
const TSG = 'Please see troubleshooting guide, available here: https://aka.ms/oe-tsg';
/** Entra audience of online endpoints with authMode AADToken. */
export const ML_AUDIENCE = 'https://ml.azure.com';

/** Cores per VM size offered for managed online deployments in the emulator (a subset of Azure's). */
export const ONLINE_SKUS: Record<string, number> = {
  standard_ds1_v2: 1, standard_ds2_v2: 2, standard_ds3_v2: 4, standard_ds4_v2: 8, standard_ds5_v2: 16,
  standard_f2s_v2: 2, standard_f4s_v2: 4, standard_f8s_v2: 8, standard_f16s_v2: 16,
  standard_e2s_v3: 2, standard_e4s_v3: 4, standard_e8s_v3: 8, standard_nc6s_v3: 6, standard_nc24ads_a100_v4: 24,
};

export type AuthMode = 'Key' | 'AMLToken' | 'AADToken';
type ProvisioningState = 'Creating' | 'Updating' | 'Succeeded' | 'Failed' | 'Deleting' | 'Canceled';

export interface OnlineEndpointRecord {
  name: string;
  resourceGroup: string;
  workspace: string;
  location: string;
  tags: Record<string, string>;
  description?: string;
  properties: Record<string, string>;
  authMode: AuthMode;
  traffic: Record<string, number>;
  mirrorTraffic: Record<string, number>;
  provisioningState: ProvisioningState;
  keys: { primaryKey: string; secondaryKey: string };
  /** AML tokens issued by the token route, with their expiry (ms epoch). */
  amlTokens: Map<string, number>;
  created: string;
  /** Requests the front door received and where they went (tests read it). */
  routed: { deployment: string; mirroredTo: string[]; byHeader: boolean }[];
}

export interface OnlineDeploymentRecord {
  endpoint: string;
  name: string;
  location: string;
  tags: Record<string, string>;
  /** The properties as sent (less provisioningState), the dataCollector only on 2024-04-01. */
  properties: Record<string, unknown>;
  instanceType: string;
  instanceCount: number;
  provisioningState: ProvisioningState;
  storageInitializerLog: string;
  inferenceServerLog: string;
  created: string;
  generation: number;
  ip?: string;
  port: number;
  dir?: string;
  process?: ChildProcess;
  /** Requests the deployment's server answered through the front door, mirrored copies included. */
  served: number;
  mirrored: number;
  /** Requests the server is answering now (front door and mirrored copies). */
  inFlight: number;
}

/** Knobs for tests. */
export interface OnlineControl {
  /** Status polls an endpoint create/update answers InProgress (default 1). */
  endpointPolls: number;
  /** Environment names (or ARM ids) whose image build fails. */
  imageBuildFailures: Set<string>;
  /** Cores of the subscription's quota per VM size (default 32). */
  coreQuota: number;
  /** How long a starting scoring server may take to answer GET / (default 30 s). */
  readinessTimeoutMs: number;
  /** Random numbers for routing (tests make it deterministic). */
  random: () => number;
}

export function onlineControl(emu: { state: EmulatorState }): OnlineControl {
  const b = emu.state.bucket<OnlineControl>('online.control');
  let c = b.get('control');
  if (!c) {
    c = { endpointPolls: 1, imageBuildFailures: new Set(), coreQuota: 32, readinessTimeoutMs: 30_000, random: Math.random };
    b.set('control', c);
  }
  return c;
}

/** Endpoints by lower 'rg/ws/name'. */
export function onlineEndpoints(emu: { state: EmulatorState }): Map<string, OnlineEndpointRecord> {
  return emu.state.bucket<OnlineEndpointRecord>('online.endpoints');
}

/** Deployments by lower 'rg/ws/endpoint/name'. */
export function onlineDeployments(emu: { state: EmulatorState }): Map<string, OnlineDeploymentRecord> {
  return emu.state.bucket<OnlineDeploymentRecord>('online.deployments');
}

const key = (...parts: string[]): string => parts.map((p) => p.toLowerCase()).join('/');
const nowIso = (): string => new Date().toISOString();

function findEndpoint(emu: EmulatorApi, ws: Workspace, name: string): OnlineEndpointRecord | undefined {
  return onlineEndpoints(emu).get(key(ws.resourceGroup, ws.name, name));
}

function deploymentsOf(emu: EmulatorApi, ws: Workspace, endpoint: string): OnlineDeploymentRecord[] {
  const prefix = key(ws.resourceGroup, ws.name, endpoint) + '/';
  return [...onlineDeployments(emu).entries()].filter(([k]) => k.startsWith(prefix)).map(([, d]) => d);
}

function notFound(kind: string, name: string, ws: Workspace): HttpError {
  return new HttpError(404, 'ResourceNotFound', `The Resource '${AML_PROVIDER}/workspaces/${ws.name}/${kind}/${name}' under resource group '${ws.resourceGroup}' was not found. For more details please go to https://aka.ms/ARMResourceNotFoundFix`);
}

function requireEndpoint(emu: EmulatorApi, ctx: RouteContext): { ws: Workspace; ep: OnlineEndpointRecord } {
  const ws = requireWorkspace(emu, ctx);
  const ep = findEndpoint(emu, ws, ctx.params.endpoint);
  if (!ep) throw notFound('onlineEndpoints', ctx.params.endpoint, ws);
  return { ws, ep };
}

function requireDeployment(emu: EmulatorApi, ctx: RouteContext): { ws: Workspace; ep: OnlineEndpointRecord; d: OnlineDeploymentRecord } {
  const { ws, ep } = requireEndpoint(emu, ctx);
  const d = onlineDeployments(emu).get(key(ws.resourceGroup, ws.name, ep.name, ctx.params.deployment));
  if (!d) throw notFound(`onlineEndpoints/${ep.name}/deployments`, ctx.params.deployment, ws);
  return { ws, ep, d };
}

function checkName(kind: 'endpoint' | 'deployment', name: string): void {
  if (name.length < 3 || name.length > 32 || !NAME.test(name)) {
    throw new HttpError(400, 'BadArgument', `The ${kind} name '${name}' is invalid: it must be 3-32 characters long, start with a letter, and contain only letters, digits and '-' (not ending with '-').`);
  }
}

const bad = (message: string): HttpError => new HttpError(400, 'BadArgument', message);

export function scoringHost(ep: { name: string; location: string }): string {
  return `${ep.name.toLowerCase()}.${ep.location}.inference.ml.localhost`;
}

function endpointBody(emu: EmulatorApi, ws: Workspace, ep: OnlineEndpointRecord, apiVersion: string): Record<string, unknown> {
  const base = `https://${scoringHost(ep)}:${emu.port}`;
  return {
    id: `/subscriptions/${emu.identities.subscriptionId}/resourceGroups/${ws.resourceGroup}/providers/${AML_PROVIDER}/workspaces/${ws.name}/onlineEndpoints/${ep.name}`,
    name: ep.name, type: `${AML_PROVIDER}/workspaces/onlineEndpoints`, location: ep.location, tags: ep.tags, kind: 'Managed',
    identity: { type: 'SystemAssigned', principalId: crypto.createHash('md5').update(ep.name).digest('hex').replace(/^(.{8})(.{4})(.{4})(.{4})(.{12})$/, '$1-$2-$3-$4-$5'), tenantId: emu.identities.tenantId },
    systemData: systemData(ep.created),
    properties: {
      authMode: ep.authMode, ...(ep.description !== undefined ? { description: ep.description } : {}), properties: ep.properties,
      scoringUri: `${base}/score`, swaggerUri: `${base}/swagger.json`, provisioningState: ep.provisioningState,
      traffic: ep.traffic, ...(apiVersion === NEW_API ? { mirrorTraffic: ep.mirrorTraffic } : {}), publicNetworkAccess: 'Enabled',
    },
  };
}

function deploymentBody(emu: EmulatorApi, ws: Workspace, d: OnlineDeploymentRecord, apiVersion: string): Record<string, unknown> {
  const props = { ...d.properties };
  if (apiVersion !== NEW_API) delete props.dataCollector;
  return {
    id: `/subscriptions/${emu.identities.subscriptionId}/resourceGroups/${ws.resourceGroup}/providers/${AML_PROVIDER}/workspaces/${ws.name}/onlineEndpoints/${d.endpoint}/deployments/${d.name}`,
    name: d.name, type: `${AML_PROVIDER}/workspaces/onlineEndpoints/deployments`, location: d.location, tags: d.tags, kind: 'Managed',
    sku: { name: 'Default', tier: 'Standard', capacity: d.instanceCount },
    systemData: systemData(d.created),
    properties: { ...props, endpointComputeType: 'Managed', instanceType: d.instanceType, provisioningState: d.provisioningState },
  };
}

// ---------- traffic rules (Azure's: shares are whole percentages of existing deployments) ----------

function checkTraffic(emu: EmulatorApi, ws: Workspace, endpoint: string, traffic: Record<string, number>, mirror: Record<string, number>): void {
  const existing = new Map(deploymentsOf(emu, ws, endpoint).map((d) => [d.name.toLowerCase(), d]));
  for (const [label, map] of [['traffic', traffic], ['mirror traffic', mirror]] as const) {
    for (const [name, v] of Object.entries(map)) {
      if (!Number.isInteger(v) || v < 0 || v > 100) throw bad(`Invalid ${label} value ${JSON.stringify(v)} for deployment '${name}': it must be an integer between 0 and 100.`);
      const d = existing.get(name.toLowerCase());
      if (!d) throw bad(`Deployment '${name}' in ${label} does not exist in endpoint '${endpoint}'.`);
      if (v > 0 && d.provisioningState !== 'Succeeded') throw bad(`Traffic cannot be allocated to deployment '${name}' because it is in provisioning state '${d.provisioningState}'.`);
    }
  }
  const total = Object.values(traffic).reduce((a, b) => a + b, 0);
  if (total !== 0 && total !== 100) throw bad(`Traffic values need to sum to 100 (they sum to ${total}).`);
  const mirrored = Object.values(mirror).reduce((a, b) => a + b, 0);
  if (mirrored > 50) throw bad(`Mirror traffic values need to sum to at most 50 (they sum to ${mirrored}).`);
  for (const [name, v] of Object.entries(mirror)) {
    const live = Object.entries(traffic).find(([k]) => k.toLowerCase() === name.toLowerCase())?.[1] ?? 0;
    if (v > 0 && live > 0) throw bad(`Deployment '${name}' cannot receive both live traffic (${live}) and mirror traffic (${v}).`);
  }
  if (mirrored > 0 && total === 0) throw bad('Mirror traffic needs a deployment that receives live traffic.');
}

// ---------- the storage initializer: code and model files from Azurite ----------

/** Container and prefix of an asset URI: https blob URL, azureml://datastores/<ds>/paths/<p>, azureml://jobs/<job>/outputs/<o>[/paths/<p>], runs:/<job>/<p>. */
export function blobLocation(emu: EmulatorApi, ws: Workspace, uri: string): { container: string; prefix: string } {
  const https = /^https:\/\/[^/]+\/(?:devstoreaccount1\/)?([^/]+)\/?(.*)$/i.exec(uri);
  if (https) return { container: https[1], prefix: decodeURIComponent(https[2]) };
  const ds = /^azureml:\/\/(?:subscriptions\/[^/]+\/resourcegroups\/[^/]+\/workspaces\/[^/]+\/)?datastores\/([^/]+)\/paths\/(.*)$/i.exec(uri);
  if (ds) {
    const store = ws.datastores.get(ds[1]);
    if (!store) throw new Error(`datastore '${ds[1]}' does not exist in workspace '${ws.name}'`);
    return { container: store.containerName, prefix: ds[2] };
  }
  const job = /^azureml:\/\/jobs\/([^/]+)\/outputs\/([^/]+)(?:\/paths\/(.*))?$/i.exec(uri) ?? /^runs:\/([^/]+)\/()(.+)$/.exec(uri);
  if (job) {
    // a job output with a path of its own (a completed pipeline's output promoted from a step, aml-jobs.ts) is read there
    const own = (findJob(emu, job[1], ws.resourceGroup, ws.name)?.properties.outputs as Record<string, { uri?: unknown } | null> | undefined)?.[job[2]]?.uri;
    if (typeof own === 'string' && /^azureml:\/\/datastores\//i.test(own)) return blobLocation(emu, ws, `${own.replace(/\/?$/, '/')}${job[3] ?? ''}`);
    // runs:/<job>/<path> is the MLflow name of azureml://jobs/<job>/outputs/artifacts/paths/<path>
    const at = jobOutputLocation(ws, job[1], job[2] || 'artifacts');
    return { container: at.container, prefix: `${at.prefix}${job[3] ?? ''}` };
  }
  throw new Error(`the URI '${uri}' is no blob location the storage initializer can read`);
}

async function download(emu: EmulatorApi, ws: Workspace, uri: string, into: string): Promise<number> {
  const { container, prefix } = blobLocation(emu, ws, uri);
  const client = azuriteContainer(emu, container);
  let files = 0;
  const folder = prefix === '' || prefix.endsWith('/') ? prefix : `${prefix}/`;
  for await (const b of client.listBlobsFlat({ prefix })) {
    // a prefix that names one blob is a file; otherwise only blobs under the folder count
    const rel = b.name === prefix ? path.basename(b.name) : b.name.startsWith(folder) ? b.name.slice(folder.length) : undefined;
    if (!rel || rel.split('/').includes('..')) continue;
    const target = path.join(into, rel);
    fs.mkdirSync(path.dirname(target), { recursive: true });
    await client.getBlobClient(b.name).downloadToFile(target);
    files++;
  }
  if (files === 0) throw new Error(`no files under ${uri}`);
  return files;
}

// ---------- provisioning ----------

function assetName(id: string, kind: 'models' | 'codes' | 'environments'): { name: string; version: string } | undefined {
  const arm = new RegExp(`/${kind}/([^/]+)/versions/([^/]+)$`, 'i').exec(id);
  if (arm) return { name: arm[1], version: arm[2] };
  const short = /^azureml:([^:@/]+):([^:@/]+)$/.exec(id);
  return short ? { name: short[1], version: short[2] } : undefined;
}

/** Ends the create/update operation once (a container that crashes after it succeeded does not undo it). */
function finish(d: OnlineDeploymentRecord, op: Operation, generation: number, state: 'Succeeded' | 'Failed', error?: { code: string; message: string }): void {
  if (d.generation !== generation || op.done || op.pollsLeft === 0) return;
  d.provisioningState = state;
  op.outcome = state;
  if (error) op.error = error;
  op.pollsLeft = 0;
}

function stopDeployment(d: OnlineDeploymentRecord): void {
  d.generation++;
  const p = d.process;
  d.process = undefined;
  killProcess(p);
}

async function provision(emu: EmulatorApi, ws: Workspace, ep: OnlineEndpointRecord, d: OnlineDeploymentRecord, op: Operation, generation: number): Promise<void> {
  const log = (text: string): void => { d.storageInitializerLog = appendCapped(d.storageInitializerLog, `${new Date().toISOString()} ${text}\n`); };
  const fail = (code: string, message: string): void => finish(d, op, generation, 'Failed', { code, message });
  const props = d.properties as { model?: string; codeConfiguration?: { codeId?: string; scoringScript?: string }; environmentId?: string; environmentVariables?: Record<string, string> };
  const dir = path.join((emu as EmulatorApi & { dir?: string }).dir ?? '/tmp', 'online', `${ep.name}-${d.name}-${generation}`);
  const codeDir = path.join(dir, 'code');
  const modelDir = path.join(dir, 'model');
  try {
    fs.mkdirSync(codeDir, { recursive: true });
    fs.mkdirSync(modelDir, { recursive: true });
    const model = assetName(props.model ?? '', 'models');
    const mv = model ? getModelVersion(emu, model.name, model.version, { resourceGroup: ws.resourceGroup, workspace: ws.name }) : undefined;
    log(`Downloading model ${model?.name}:${model?.version}`);
    const n = await download(emu, ws, mv?.modelUri ?? '', modelDir);
    log(`Downloaded ${n} model file(s) to /var/azureml-app/azureml-models/${model?.name}/${model?.version}`);
    const codeId = props.codeConfiguration?.codeId;
    if (codeId) {
      const code = assetName(codeId, 'codes');
      const cv = code ? codeAssets(emu).get(key(ws.resourceGroup, ws.name, code.name))?.versions.get(code.version) : undefined;
      if (!cv) throw new Error(`code version '${codeId}' was not found`);
      log(`Downloading code ${code?.name}:${code?.version}`);
      const c = await download(emu, ws, String(cv.properties.codeUri ?? ''), codeDir);
      log(`Downloaded ${c} code file(s) to /var/azureml-app`);
    }
  } catch (e) {
    log(`ERROR: ${(e as Error).message}`);
    fail('ResourceNotReady', `The storage initializer could not download the deployment's files: ${(e as Error).message}. ${TSG}#error-resourcenotready`);
    return;
  }
  if (d.generation !== generation) return;
  const env = props.environmentId ?? '';
  const envName = assetName(env, 'environments')?.name ?? env;
  if (onlineControl(emu).imageBuildFailures.has(env) || onlineControl(emu).imageBuildFailures.has(envName)) {
    fail('ImageBuildFailure', `The image build for environment '${envName}' failed: see the build log in the workspace's storage (image_build_aggregate_log.txt). ${TSG}#error-imagebuildfailure`);
    return;
  }
  const script = props.codeConfiguration?.scoringScript;
  if (!script) {
    fail('BadArgument', 'The emulator serves a deployment only with codeConfiguration.scoringScript (no-code MLflow deployments are not emulated).');
    return;
  }
  const scriptPath = path.join(codeDir, script);
  if (!fs.existsSync(scriptPath)) {
    fail('ResourceNotReady', `User container has crashed or terminated: the scoring script '${script}' is not in the code. ${TSG}#error-resourcenotready`);
    return;
  }
  // server.py loads score.py from its own folder: it goes beside the scoring script.
  const serverDir = path.dirname(scriptPath);
  const server = fs.existsSync(SERVER_PY) ? SERVER_PY : SERVER_PY_SRC;
  fs.copyFileSync(server, path.join(serverDir, 'azureml_server.py'));
  if (path.basename(script) !== 'score.py') {
    const module = path.basename(script).replace(/\.py$/, '');
    fs.writeFileSync(path.join(serverDir, 'score.py'), `from ${module} import init, run  # the deployment's scoringScript\n`);
  }
  const ip = allocateAddress(emu, 'online', (a) => [...onlineDeployments(emu).values()].some((o) => o !== d && o.ip === a));
  if (!ip) {
    fail('ResourceNotReady', 'The emulator has no free address for another deployment.');
    return;
  }
  d.ip = ip;
  d.dir = dir;
  const envVars: Record<string, string> = { ...(props.environmentVariables ?? {}), PORT: String(d.port), HOST: ip, AZUREML_MODEL_DIR: modelDir, WORKER_COUNT: '1' };
  const child = startPython(path.join(serverDir, 'azureml_server.py'), { cwd: serverDir, env: envVars, onOutput: (t) => { d.inferenceServerLog = appendCapped(d.inferenceServerLog, t); } });
  d.process = child;
  let exited = false;
  child.on('exit', (code) => {
    exited = true;
    if (d.process === child) d.process = undefined;
    if (d.generation === generation) d.inferenceServerLog = appendCapped(d.inferenceServerLog, `Container exited with code ${code}\n`);
    finish(d, op, generation, 'Failed', { code: 'ResourceNotReady', message: `User container has crashed or terminated (exit code ${code}). ${TSG}#error-resourcenotready` });
  });
  const deadline = Date.now() + onlineControl(emu).readinessTimeoutMs;
  while (!exited && d.generation === generation && Date.now() < deadline) {
    if (await live(ip, d.port)) {
      finish(d, op, generation, 'Succeeded');
      return;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  if (!exited && d.generation === generation) {
    killProcess(child);
    finish(d, op, generation, 'Failed', { code: 'ResourceNotReady', message: `The readiness probe did not succeed within ${onlineControl(emu).readinessTimeoutMs} ms. ${TSG}#error-resourcenotready` });
  }
}

function live(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const req = http.request({ host, port, path: '/', method: 'GET', timeout: 1000 }, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.on('error', () => resolve(false));
    req.on('timeout', () => req.destroy());
    req.end();
  });
}

function coresInUse(emu: EmulatorApi, instanceType: string, except?: OnlineDeploymentRecord): number {
  return [...onlineDeployments(emu).values()]
    .filter((o) => o !== except && o.instanceType.toLowerCase() === instanceType.toLowerCase())
    .reduce((a, o) => a + o.instanceCount * (ONLINE_SKUS[instanceType.toLowerCase()] ?? 0), 0);
}

function checkCompute(emu: EmulatorApi, instanceType: string, count: number, except?: OnlineDeploymentRecord): void {
  const cores = ONLINE_SKUS[instanceType.toLowerCase()];
  if (!cores) throw bad(`The instance type '${instanceType}' is not supported for managed online deployments in this region. Supported: ${Object.keys(ONLINE_SKUS).join(', ')}.`);
  if (!Number.isInteger(count) || count < 1) throw bad(`The instance count ${count} is invalid: it must be at least 1.`);
  const used = coresInUse(emu, instanceType, except);
  const limit = onlineControl(emu).coreQuota;
  if (used + count * cores > limit) {
    throw new HttpError(400, 'OutOfQuota', `Not enough quota available for ${instanceType} in SubscriptionId ${emu.identities.subscriptionId}. Current usage/limit: ${used}/${limit}. Additional needed: ${count * cores} ${TSG}#error-outofquota`);
  }
}

// ---------- the front door ----------

function pick(traffic: Record<string, number>, r: number): string | undefined {
  const entries = Object.entries(traffic).filter(([, v]) => v > 0);
  const total = entries.reduce((a, [, v]) => a + v, 0);
  let x = r * total;
  for (const [name, v] of entries) {
    if (x < v) return name;
    x -= v;
  }
  return entries[entries.length - 1]?.[0];
}

/**
 * Requests a deployment takes at once: requestSettings.maxConcurrentRequestsPerInstance (default 1) per
 * instance. Managed endpoints answer 429 past it rather than queueing (troubleshooting guide, "429: Too many
 * pending requests").
 */
function capacity(d: OnlineDeploymentRecord): number {
  const per = (d.properties.requestSettings as { maxConcurrentRequestsPerInstance?: number } | undefined)?.maxConcurrentRequestsPerInstance ?? 1;
  return Math.max(1, per) * d.instanceCount;
}

function forward(d: OnlineDeploymentRecord, ctx: RouteContext): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: Buffer }> {
  d.inFlight++;
  return forwardOnce(d, ctx).finally(() => { d.inFlight--; });
}

function forwardOnce(d: OnlineDeploymentRecord, ctx: RouteContext): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: Buffer }> {
  return new Promise((resolve, reject) => {
    if (!d.ip || !d.process) {
      reject(new Error('not running'));
      return;
    }
    const headers: Record<string, string> = { 'content-type': ctx.req.headers['content-type'] ?? 'application/json', 'content-length': String(Buffer.byteLength(ctx.body)) };
    const req = http.request({ host: d.ip, port: d.port, path: '/score', method: 'POST', headers, timeout: 60_000 }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 502, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.end(ctx.body);
  });
}

function authorize(emu: EmulatorApi, ep: OnlineEndpointRecord, header: string | undefined): boolean {
  const m = /^Bearer\s+(\S+)$/i.exec(header ?? '');
  if (!m) return false;
  const presented = m[1];
  const same = (a: string, b: string): boolean => a.length === b.length && crypto.timingSafeEqual(Buffer.from(a), Buffer.from(b));
  if (ep.authMode === 'Key') return same(presented, ep.keys.primaryKey) || same(presented, ep.keys.secondaryKey);
  if (ep.authMode === 'AMLToken') {
    const exp = ep.amlTokens.get(presented);
    return exp !== undefined && exp > Date.now();
  }
  const v = emu.verifyToken(presented);
  return !!v && !v.expired && String(v.claims.aud).replace(/\/+$/, '') === ML_AUDIENCE && v.claims.tid === emu.identities.tenantId;
}

async function score(emu: EmulatorApi, ctx: RouteContext): Promise<void> {
  const ep = [...onlineEndpoints(emu).values()].find((e) => scoringHost(e) === ctx.host);
  if (!ep) throw new HttpError(404, 'NotFound', `No online endpoint is served at ${ctx.host}.`);
  if (!authorize(emu, ep, ctx.req.headers.authorization)) {
    ctx.json(401, { message: 'Unauthorized: the request needs a valid key or token in the Authorization header.' }, { 'www-authenticate': 'Bearer' });
    return;
  }
  const ws = emu.state.getWorkspace(ep.resourceGroup, ep.workspace)!;
  const byName = (n: string): OnlineDeploymentRecord | undefined => deploymentsOf(emu, ws, ep.name).find((d) => d.name.toLowerCase() === n.toLowerCase());
  const header = ctx.req.headers['azureml-model-deployment'];
  const requested = Array.isArray(header) ? header[0] : header;
  let target: OnlineDeploymentRecord | undefined;
  const mirroredTo: string[] = [];
  if (requested) {
    target = byName(requested);
    if (!target) throw new HttpError(404, 'NotFound', `The deployment '${requested}' named in the azureml-model-deployment header does not exist in endpoint '${ep.name}'.`);
  } else {
    const name = pick(ep.traffic, onlineControl(emu).random());
    target = name ? byName(name) : undefined;
    if (!target) {
      ctx.json(404, { message: 'No valid deployments to route to. Please check that the endpoint has at least one deployment with positive weight values or use a deployment specific header to route.' });
      return;
    }
    // mirrored copies only for requests routed by traffic; their replies are discarded
    for (const [m, share] of Object.entries(ep.mirrorTraffic)) {
      const d = share > 0 ? byName(m) : undefined;
      if (d && onlineControl(emu).random() * 100 < share && d.inFlight < capacity(d)) {
        mirroredTo.push(d.name);
        d.mirrored++;
        forward(d, ctx).catch(() => undefined);
      }
    }
  }
  ep.routed.push({ deployment: target.name, mirroredTo, byHeader: !!requested });
  if (target.inFlight >= capacity(target)) {
    ctx.json(429, { message: `Too many pending requests: deployment '${target.name}' takes ${capacity(target)} at once (requestSettings.maxConcurrentRequestsPerInstance × instances). ${TSG}#http-status-code-429` }, { 'azureml-model-deployment': target.name });
    return;
  }
  let reply: { status: number; headers: http.IncomingHttpHeaders; body: Buffer };
  try {
    reply = await forward(target, ctx);
  } catch {
    ctx.json(502, { message: `The deployment '${target.name}' did not answer (its container is not running).` }, { 'azureml-model-deployment': target.name });
    return;
  }
  target.served++;
  ctx.send(reply.status, { 'content-type': String(reply.headers['content-type'] ?? 'application/json'), 'azureml-model-deployment': target.name }, reply.body);
}

// ---------- routes ----------

const service: ServiceModule = {
  name: 'aml-online',
  order: 70,
  register(emu) {
    const o = { apiVersions: ONLINE_API_VERSIONS };
    const endpoints = `${WORKSPACE_PATH}/onlineEndpoints`;
    const deployments = `${endpoints}/{endpoint}/deployments`;
    onEmulatorStop(emu, () => { for (const d of onlineDeployments(emu).values()) stopDeployment(d); });

    emu.addRoute('arm', 'GET', endpoints, (ctx) => {
      const ws = requireWorkspace(emu, ctx);
      const prefix = key(ws.resourceGroup, ws.name) + '/';
      const all = [...onlineEndpoints(emu).entries()].filter(([k]) => k.startsWith(prefix)).map(([, e]) => endpointBody(emu, ws, e, ctx.query['api-version']));
      ctx.json(200, emu.paged(all, ctx, 50, { style: 'skip' }));
    }, o);
    emu.addRoute('arm', 'GET', `${endpoints}/{endpoint}`, (ctx) => {
      const { ws, ep } = requireEndpoint(emu, ctx);
      ctx.json(200, endpointBody(emu, ws, ep, ctx.query['api-version']));
    }, o);

    emu.addRoute('arm', 'PUT', `${endpoints}/{endpoint}`, (ctx) => {
      const ws = requireWorkspace(emu, ctx);
      const api = ctx.query['api-version'];
      checkName('endpoint', ctx.params.endpoint);
      const body = ctx.bodyJson<{ location?: string; tags?: Record<string, string>; properties?: { authMode?: string; description?: string; properties?: Record<string, string>; traffic?: Record<string, number>; mirrorTraffic?: Record<string, number> } }>();
      const p = body?.properties;
      if (!p) throw bad("The request body needs 'properties'.");
      const authMode = (['Key', 'AMLToken', 'AADToken'] as const).find((m) => m.toLowerCase() === String(p.authMode ?? '').toLowerCase());
      if (!authMode) throw bad(`authMode '${p.authMode ?? ''}' is invalid: use Key, AMLToken or AADToken.`);
      const location = String(body.location ?? '').replace(/\s+/g, '').toLowerCase();
      if (!location) throw bad('The location property is required.');
      const existing = findEndpoint(emu, ws, ctx.params.endpoint);
      if (existing && existing.location !== location) throw new HttpError(409, 'InvalidResourceLocation', `The endpoint '${existing.name}' already exists in location '${existing.location}'.`);
      if (!existing) {
        const taken = [...onlineEndpoints(emu).values()].find((e) => e.location === location && e.name.toLowerCase() === ctx.params.endpoint.toLowerCase());
        if (taken) throw new HttpError(409, 'Conflict', `An online endpoint named '${ctx.params.endpoint}' already exists in region '${location}': endpoint names are unique per region.`);
      }
      const traffic = p.traffic ?? {};
      const mirror = api === NEW_API ? (p.mirrorTraffic ?? {}) : (existing?.mirrorTraffic ?? {});
      checkTraffic(emu, ws, ctx.params.endpoint, traffic, mirror);
      const now = nowIso();
      const ep: OnlineEndpointRecord = existing ?? {
        name: ctx.params.endpoint, resourceGroup: ws.resourceGroup, workspace: ws.name, location, tags: {}, properties: {}, authMode,
        traffic: {}, mirrorTraffic: {}, provisioningState: 'Creating', created: now, amlTokens: new Map(), routed: [],
        keys: { primaryKey: crypto.randomBytes(24).toString('base64url'), secondaryKey: crypto.randomBytes(24).toString('base64url') },
      };
      if (!existing) onlineEndpoints(emu).set(key(ws.resourceGroup, ws.name, ep.name), ep);
      ep.tags = body.tags ?? {};
      ep.description = p.description;
      ep.properties = { ...ep.properties, ...(p.properties ?? {}) };
      ep.authMode = authMode;
      ep.provisioningState = existing ? 'Updating' : 'Creating';
      emu.startLro(ctx, {
        status: (existing ? 200 : 201) as 201, initialBody: endpointBody(emu, ws, ep, api), polls: onlineControl(emu).endpointPolls, location,
        // the new split takes effect when the operation completes, as on Azure
        onDone: () => {
          ep.traffic = { ...traffic };
          ep.mirrorTraffic = { ...mirror };
          ep.provisioningState = 'Succeeded';
        },
      });
    }, o);

    emu.addRoute('arm', 'PATCH', `${endpoints}/{endpoint}`, (ctx) => {
      const { ws, ep } = requireEndpoint(emu, ctx);
      // OnlineEndpoints_Update takes PartialMinimalTrackedResourceWithIdentity: tags and identity only
      const body = ctx.bodyJson<{ tags?: Record<string, string> }>();
      if (body?.tags) ep.tags = body.tags;
      emu.startLro(ctx, { status: 202, polls: 0, location: ep.location, resultBody: () => endpointBody(emu, ws, ep, ctx.query['api-version']) });
    }, o);

    emu.addRoute('arm', 'DELETE', `${endpoints}/{endpoint}`, (ctx) => {
      const ws = requireWorkspace(emu, ctx);
      const ep = findEndpoint(emu, ws, ctx.params.endpoint);
      if (!ep) {
        ctx.send(204);
        return;
      }
      ep.provisioningState = 'Deleting';
      emu.startLro(ctx, {
        status: 202, polls: 1, location: ep.location,
        onDone: () => {
          for (const d of deploymentsOf(emu, ws, ep.name)) {
            stopDeployment(d);
            onlineDeployments(emu).delete(key(ws.resourceGroup, ws.name, ep.name, d.name));
          }
          onlineEndpoints(emu).delete(key(ws.resourceGroup, ws.name, ep.name));
        },
      });
    }, o);

    emu.addRoute('arm', 'POST', `${endpoints}/{endpoint}/listKeys`, (ctx) => {
      const { ep } = requireEndpoint(emu, ctx);
      if (ep.authMode !== 'Key') throw bad(`Keys are only available for endpoints with authMode Key; '${ep.name}' uses ${ep.authMode}.`);
      ctx.json(200, { primaryKey: ep.keys.primaryKey, secondaryKey: ep.keys.secondaryKey });
    }, o);
    emu.addRoute('arm', 'POST', `${endpoints}/{endpoint}/regenerateKeys`, (ctx) => {
      const { ep } = requireEndpoint(emu, ctx);
      if (ep.authMode !== 'Key') throw bad(`Keys are only available for endpoints with authMode Key; '${ep.name}' uses ${ep.authMode}.`);
      const body = ctx.bodyJson<{ keyType?: string; keyValue?: string }>();
      const which = body?.keyType === 'Primary' ? 'primaryKey' : body?.keyType === 'Secondary' ? 'secondaryKey' : undefined;
      if (!which) throw bad(`keyType '${body?.keyType ?? ''}' is invalid: use Primary or Secondary.`);
      const value = body.keyValue ?? crypto.randomBytes(24).toString('base64url');
      emu.startLro(ctx, { status: 202, polls: 1, location: ep.location, onDone: () => { ep.keys[which] = value; } });
    }, o);
    emu.addRoute('arm', 'POST', `${endpoints}/{endpoint}/token`, (ctx) => {
      const { ep } = requireEndpoint(emu, ctx);
      // OnlineEndpoints_GetToken: AML tokens exist for AMLToken endpoints; AADToken callers use an Entra token (audience https://ml.azure.com)
      if (ep.authMode !== 'AMLToken') throw bad(`Tokens from this route are only for endpoints with authMode AMLToken; '${ep.name}' uses ${ep.authMode}${ep.authMode === 'AADToken' ? ' (send a Microsoft Entra token for https://ml.azure.com)' : ''}.`);
      const token = crypto.randomBytes(32).toString('base64url');
      const now = Math.floor(Date.now() / 1000);
      ep.amlTokens.set(token, (now + 3600) * 1000);
      ctx.json(200, { accessToken: token, tokenType: 'Bearer', expiryTimeUtc: now + 3600, refreshAfterTimeUtc: now + 1800 });
    }, o);

    emu.addRoute('arm', 'GET', deployments, (ctx) => {
      const { ws, ep } = requireEndpoint(emu, ctx);
      ctx.json(200, emu.paged(deploymentsOf(emu, ws, ep.name).map((d) => deploymentBody(emu, ws, d, ctx.query['api-version'])), ctx, 50, { style: 'skip' }));
    }, o);
    emu.addRoute('arm', 'GET', `${deployments}/{deployment}`, (ctx) => {
      const { ws, d } = requireDeployment(emu, ctx);
      ctx.json(200, deploymentBody(emu, ws, d, ctx.query['api-version']));
    }, o);

    emu.addRoute('arm', 'PUT', `${deployments}/{deployment}`, (ctx) => {
      const { ws, ep } = requireEndpoint(emu, ctx);
      const api = ctx.query['api-version'];
      checkName('deployment', ctx.params.deployment);
      const body = ctx.bodyJson<{ location?: string; tags?: Record<string, string>; sku?: { capacity?: number }; properties?: Record<string, unknown> }>();
      const p = body?.properties ? { ...body.properties } : undefined;
      if (!p) throw bad("The request body needs 'properties'.");
      if (p.endpointComputeType !== 'Managed') throw bad(`endpointComputeType '${String(p.endpointComputeType ?? '')}' is not served here: managed online endpoints take 'Managed'.`);
      delete p.provisioningState;
      if (api !== NEW_API) delete p.dataCollector;
      const instanceType = String(p.instanceType ?? 'Standard_DS3_v2');
      const count = body.sku?.capacity ?? 1;
      const k = key(ws.resourceGroup, ws.name, ep.name, ctx.params.deployment);
      const existing = onlineDeployments(emu).get(k);
      checkCompute(emu, instanceType, count, existing);
      const model = assetName(String(p.model ?? ''), 'models');
      if (!model || !getModelVersion(emu, model.name, model.version, { resourceGroup: ws.resourceGroup, workspace: ws.name })) {
        throw bad(`Could not find asset with ID: ${String(p.model ?? '')}`);
      }
      const env = typeof p.environmentId === 'string' ? assetName(p.environmentId, 'environments') : undefined;
      if (p.environmentId !== undefined && !(env && environmentAssets(emu).get(key(ws.resourceGroup, ws.name, env.name))?.versions.has(env.version))) {
        throw bad(`Could not find asset with ID: ${String(p.environmentId)}`);
      }
      const now = nowIso();
      const d: OnlineDeploymentRecord = existing ?? {
        endpoint: ep.name, name: ctx.params.deployment, location: ep.location, tags: {}, properties: {}, instanceType, instanceCount: count,
        provisioningState: 'Creating', storageInitializerLog: '', inferenceServerLog: '', created: now, generation: 0, port: 5001, served: 0, mirrored: 0, inFlight: 0,
      };
      if (existing) stopDeployment(existing);
      onlineDeployments(emu).set(k, d);
      d.tags = body.tags ?? {};
      d.properties = p;
      d.instanceType = instanceType;
      d.instanceCount = count;
      d.provisioningState = existing ? 'Updating' : 'Creating';
      d.storageInitializerLog = '';
      d.inferenceServerLog = '';
      const generation = d.generation;
      const op = emu.startLro(ctx, { status: (existing ? 200 : 201) as 201, initialBody: deploymentBody(emu, ws, d, api), polls: Number.MAX_SAFE_INTEGER, location: ep.location });
      void provision(emu, ws, ep, d, op, generation).catch((e: Error) => finish(d, op, generation, 'Failed', { code: 'InternalServerError', message: `Emulator error: ${e.message}` }));
    }, o);

    emu.addRoute('arm', 'PATCH', `${deployments}/{deployment}`, (ctx) => {
      const { ws, d } = requireDeployment(emu, ctx);
      // OnlineDeployments_Update takes PartialMinimalTrackedResourceWithSku: tags and sku (the instance count)
      const body = ctx.bodyJson<{ tags?: Record<string, string>; sku?: { capacity?: number } }>();
      if (body?.sku?.capacity !== undefined) checkCompute(emu, d.instanceType, body.sku.capacity, d);
      if (body?.tags) d.tags = body.tags;
      if (body?.sku?.capacity !== undefined) d.instanceCount = body.sku.capacity;
      emu.startLro(ctx, { status: 202, polls: 1, location: d.location, resultBody: () => deploymentBody(emu, ws, d, ctx.query['api-version']) });
    }, o);

    emu.addRoute('arm', 'DELETE', `${deployments}/{deployment}`, (ctx) => {
      const { ws, ep } = requireEndpoint(emu, ctx);
      const k = key(ws.resourceGroup, ws.name, ep.name, ctx.params.deployment);
      const d = onlineDeployments(emu).get(k);
      if (!d) {
        ctx.send(204);
        return;
      }
      const share = (m: Record<string, number>): number => Object.entries(m).find(([n]) => n.toLowerCase() === d.name.toLowerCase())?.[1] ?? 0;
      if (share(ep.traffic) > 0 || share(ep.mirrorTraffic) > 0) {
        throw bad(`Deployment '${d.name}' cannot be deleted while it receives traffic (live ${share(ep.traffic)} %, mirrored ${share(ep.mirrorTraffic)} %): set its traffic to 0 first.`);
      }
      d.provisioningState = 'Deleting';
      emu.startLro(ctx, {
        status: 202, polls: 1, location: ep.location,
        onDone: () => {
          stopDeployment(d);
          onlineDeployments(emu).delete(k);
        },
      });
    }, o);

    emu.addRoute('arm', 'POST', `${deployments}/{deployment}/getLogs`, (ctx) => {
      const { d } = requireDeployment(emu, ctx);
      const body = ctx.bodyJson<{ containerType?: string; tail?: number }>() ?? {};
      const type = body.containerType ?? 'InferenceServer';
      if (type !== 'InferenceServer' && type !== 'StorageInitializer') throw bad(`containerType '${type}' is invalid: use StorageInitializer or InferenceServer.`);
      let content = type === 'InferenceServer' ? d.inferenceServerLog : d.storageInitializerLog;
      if (body.tail !== undefined && body.tail !== null) {
        if (!Number.isInteger(body.tail) || body.tail < 0) throw bad(`tail ${JSON.stringify(body.tail)} is invalid: it must be a non-negative integer.`);
        if (body.tail > 0) {
          const lines = content.split('\n');
          if (lines[lines.length - 1] === '') lines.pop();
          content = lines.slice(-body.tail).join('\n') + (lines.length ? '\n' : '');
        }
      }
      ctx.json(200, { content });
    }, o);

    emu.addRoute('online', 'POST', '/score', (ctx) => score(emu, ctx), { auth: 'none' });
  },
};
export default service;
