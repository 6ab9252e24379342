// Azure ML assets, computes and command jobs for the emulator (Microsoft.MachineLearningServices,
// api-version 2022-10-01, shapes from the official examples in ../shared/azure-rest-examples):
//   codes/{name} + codes/{name}/versions/{v}                    GET, PUT, list (paged with $skip)
//   environments/{name} + environments/{name}/versions/{v}      GET, PUT, list (paged with $skip, 3 per page)
//   computes/{name}                                            GET, list — 'cpu-cluster' (AmlCompute) is seeded in every workspace
//   jobs/{name}                                                PUT (201 new, 409 existing), GET, list, POST …/cancel (202 + Location LRO)
// and on the data plane (<region>.api.azureml.localhost):
//   GET /history/v1.0/subscriptions/{sub}/resourceGroups/{rg}/providers/Microsoft.MachineLearningServices/workspaces/{ws}/runs/{run}/details
//   (run history: status, error, warnings; `logFiles` stays empty: the job's logs are in its reserved `default`
//   output, the artifact store folder ExperimentRun/dcid.<job>/user_logs/, where azure-ai-ml reads them —
//   operations/_job_ops_helper.py stream_logs_until_completion → _artifact_utilities.list_logs_in_datastore).
//   The discovery document's `history` key names another host: run history is on the `api` host.
//
// Errors are ARM-shaped: 404 ResourceNotFound / UserError for missing assets, jobs and computes, 400 UserError for
// invalid bodies (unknown environment, code or compute ids, bad input types or input uris — `azureml:<name>:<v>`
// shorthand is the client's, never the service's —, bad timeout), 409 Conflict for a
// second PUT of an existing job; an existing code version with another codeUri is a 400 UserError "Asset paths
// cannot be updated." (azure-ai-ml ASSET_PATH_ERROR), an environment version with another definition a 400;
// races with other writers are scripted with assetPutRaces (aml-workspace.ts).
//
// SCRIPTING JOBS FROM TESTS (everything lives in emulator.state, see the accessors below):
//   jobScripts(emulator).set(jobName | '*', script)   — '*' applies to every job without its own script.
//   JobScript fields:
//     outcome        'Completed' (default) | 'Failed' | 'Canceled' | 'NotResponding' | 'Paused' — the final state
//     states         intermediate states (default NotStarted, Queued, Preparing, Running): any JobStatus
//                    (Finalizing, Unknown, …)
//     pollsPerState  GETs of the job answered per state (default 1): with the defaults the 4th GET after the
//                    PUT shows the outcome. The PUT itself answers NotStarted.
//     neverFinish    true: the job stays in its last intermediate state (timeouts, cancellation)
//     metrics        metric name → value (or values per step), published to the MLflow store
//                    (state.mlflowRuns, run id = job name) when the job reaches its outcome
//     outputFiles    relative path → content, written into Azurite when the job completes, under the job's
//                    default output path: container of the default datastore, `azureml/<job>/<output>/<path>`
//                    (jobOutputBlobPrefix; = azureml://datastores/workspaceblobstore/paths/azureml/<job>/<output>/)
//     outputName     which output gets outputFiles (default: the job's first uri_folder output, else 'model')
//     mlflowArtifacts path → content of what the job logs with MLflow (e.g. 'model/MLmodel'), written when it completes
//                    to the artifact store and nowhere else: container `azureml` (datastore workspaceartifactstore)
//                    under ExperimentRun/dcid.<job>/<path> — what azureml://jobs/<job>/outputs/artifacts/paths/<path>
//                    and runs:/<job>/<path> name (azure-ai-ml JobOperations._get_named_output_uri)
//     error          { code, message } shown by run details when the outcome is Failed (a default one otherwise)
//     log            text of user_logs/std_log.txt (written to the artifact container 'azureml' under
//                    ExperimentRun/dcid.<job>/, the job's `default` output) — run details do not list it
//   The job records (amlJobs(emulator)) keep the PUT body, the status, the number of GETs and cancel requests.
//   Assets: codeAssets(emulator), environmentAssets(emulator); computes: computes(emulator) / addCompute().
import * as crypto from 'crypto';
import type { PipelinePolicy } from '@azure/core-rest-pipeline';
import { ContainerClient, StorageSharedKeyCredential } from '@azure/storage-blob';
import type { EmulatorState, Workspace } from '../state';
import { HttpError, type EmulatorApi, type RouteContext, type ServiceModule } from '../types';
import { AML_API_VERSIONS, AML_PROVIDER, assetPathsCannotBeUpdated, requireWorkspace, systemData, takeAssetPutRace, WORKSPACE_PATH, workspaceArmId } from './aml-workspace';
import { dataAssets } from './aml-data';

export const DEFAULT_COMPUTE = 'cpu-cluster';
export const DEFAULT_STATES = ['NotStarted', 'Queued', 'Preparing', 'Running'];
/** Every value of the spec's JobStatus (2022-10-01, the SDK's KnownJobStatus): a script may walk a job through any of them. */
export type JobStatus = 'NotStarted' | 'Starting' | 'Provisioning' | 'Preparing' | 'Queued' | 'Running' | 'Finalizing'
  | 'CancelRequested' | 'Completed' | 'Failed' | 'Canceled' | 'NotResponding' | 'Paused' | 'Unknown';
/**
 * The states a job does not leave (azure-ai-ml `_run_history_constants.py` TERMINAL_STATUSES): Completed,
 * Failed, Canceled, and also NotResponding and Paused. Finalizing and Unknown are passing states.
 */
export const TERMINAL: string[] = ['Completed', 'Failed', 'Canceled', 'NotResponding', 'Paused'];
/** The artifact store: datastore `workspaceartifactstore`, container `azureml` of the workspace storage account. */
const ARTIFACT_CONTAINER = 'azureml';
const ARTIFACT_DATASTORE = 'workspaceartifactstore';
const NAME = /^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,254}$/;

export interface JobScript {
  /** The terminal state the job ends in (default Completed). */
  outcome?: 'Completed' | 'Failed' | 'Canceled' | 'NotResponding' | 'Paused';
  /** States before the outcome (default NotStarted, Queued, Preparing, Running): any JobStatus, e.g. Finalizing, Unknown (the contract check rejects other values in the reply). */
  states?: string[];
  pollsPerState?: number;
  neverFinish?: boolean;
  metrics?: Record<string, number | number[]>;
  outputFiles?: Record<string, string>;
  outputName?: string;
  /** Files the job logs with MLflow (mlflow.<flavor>.log_model, log_artifact): path → content, written at completion to the artifact store only (jobArtifactLocation). */
  mlflowArtifacts?: Record<string, string>;
  error?: { code: string; message: string };
  log?: string;
}

export interface AssetVersion {
  version: string;
  properties: Record<string, unknown>;
  created: string;
}

export interface AssetContainer {
  name: string;
  properties: Record<string, unknown>;
  created: string;
  versions: Map<string, AssetVersion>;
}

export interface ComputeRecord {
  name: string;
  computeType: string;
  location: string;
  created: string;
  vmSize: string;
  maxNodeCount: number;
}

export interface JobRecord {
  name: string;
  /** lower 'rg/ws' */
  workspaceKey: string;
  resourceGroup: string;
  workspaceName: string;
  properties: Record<string, unknown>;
  status: string;
  created: string;
  /** GETs of this job so far. */
  gets: number;
  cancelRequests: number;
  /** Set once the outcome side effects (metrics, files, log) ran. */
  finished: boolean;
  /** Why writing outputs/logs to Azurite failed, if it did. */
  finishError?: string;
}

const key = (...parts: string[]): string => parts.map((p) => p.toLowerCase()).join('/');

export function jobScripts(emulator: { state: EmulatorState }): Map<string, JobScript> {
  return emulator.state.bucket<JobScript>('aml.jobScripts');
}
/** Jobs by lower 'rg/ws/name'. */
export function amlJobs(emulator: { state: EmulatorState }): Map<string, JobRecord> {
  return emulator.state.bucket<JobRecord>('aml.jobs');
}
/** Code containers by lower 'rg/ws/name'. */
export function codeAssets(emulator: { state: EmulatorState }): Map<string, AssetContainer> {
  return emulator.state.bucket<AssetContainer>('aml.codes');
}
/** Environment containers by lower 'rg/ws/name'. */
export function environmentAssets(emulator: { state: EmulatorState }): Map<string, AssetContainer> {
  return emulator.state.bucket<AssetContainer>('aml.environments');
}
/** Computes by lower 'rg/ws/name'. */
export function computes(emulator: { state: EmulatorState }): Map<string, ComputeRecord> {
  return emulator.state.bucket<ComputeRecord>('aml.computes');
}
export function addCompute(emulator: { state: EmulatorState }, resourceGroup: string, workspace: string, name: string, o: Partial<ComputeRecord> = {}): ComputeRecord {
  const c: ComputeRecord = { name, computeType: 'AmlCompute', location: 'eastus', created: new Date().toISOString(), vmSize: 'STANDARD_DS3_V2', maxNodeCount: 4, ...o };
  computes(emulator).set(key(resourceGroup, workspace, name), c);
  return c;
}
/** The outputs that name the job's folder in the artifact store: `default` (azure-ai-ml DEFAULT_ARTIFACT_STORE_OUTPUT_NAME) and `artifacts` (MLflow model URIs). */
export const ARTIFACT_STORE_OUTPUTS = ['artifacts', 'default'];

/** Where a job output's files are: the artifact store for the reserved outputs, else the default datastore's default output path. */
export function jobOutputLocation(ws: Workspace, jobName: string, outputName: string): { container: string; prefix: string } {
  if (ARTIFACT_STORE_OUTPUTS.includes(outputName.toLowerCase())) {
    return { container: ws.datastores.get(ARTIFACT_DATASTORE)?.containerName ?? ARTIFACT_CONTAINER, prefix: `ExperimentRun/dcid.${jobName}/` };
  }
  const ds = [...ws.datastores.values()].find((d) => d.isDefault) ?? [...ws.datastores.values()][0];
  return { container: ds.containerName, prefix: jobOutputBlobPrefix(jobName, outputName) };
}

/** Blob prefix (in the default datastore's container) of a job output's default path. */
export function jobOutputBlobPrefix(jobName: string, outputName: string): string {
  return `azureml/${jobName}/${outputName}/`;
}
/** The reserved `default` output of a job as the service reports it: the artifact store folder of the run. */
export function jobDefaultOutputUri(jobName: string): string {
  return `azureml://datastores/${ARTIFACT_DATASTORE}/ExperimentRun/dcid.${jobName}`;
}
export function jobLogBlobName(jobName: string): string {
  return `ExperimentRun/dcid.${jobName}/user_logs/std_log.txt`;
}
/** The job record of a name in the seeded (or given) workspace. */
export function findJob(emulator: { state: EmulatorState }, name: string, resourceGroup = 'rg-ml', workspace = 'mlw'): JobRecord | undefined {
  return amlJobs(emulator).get(key(resourceGroup, workspace, name));
}

function notFound(kind: string, name: string, ws: Workspace): HttpError {
  return new HttpError(404, 'UserError', `${kind} '${name}' was not found in workspace '${ws.name}'. (ResourceNotFound)`);
}

function checkName(what: string, name: string): void {
  if (!NAME.test(name)) throw new HttpError(400, 'UserError', `The ${what} name '${name}' is invalid: it must start with a letter or digit and contain only letters, digits, '-', '_' or '.' (at most 255 characters).`);
}

function scriptFor(emu: EmulatorApi, name: string): JobScript {
  const scripts = jobScripts(emu);
  return scripts.get(name) ?? scripts.get('*') ?? {};
}

/** A ContainerClient on Azurite (path-style 127.0.0.1 URL, trusting the emulator's CA). */
function azuriteContainer(emu: EmulatorApi, container: string): ContainerClient {
  const port = emu.state.storage.endpoint.split(':').pop();
  const ca = (emu as unknown as { caPem?: string }).caPem;
  const client = new ContainerClient(`https://127.0.0.1:${port}/${emu.state.storage.accountName}/${container}`, new StorageSharedKeyCredential(emu.state.storage.accountName, emu.state.storage.accountKey));
  const trust: PipelinePolicy = { name: 'aml-jobs-trust-ca', sendRequest: (req, next) => { if (ca) req.tlsSettings = { ...(req.tlsSettings ?? {}), ca }; return next(req); } };
  (client as unknown as { storageClientContext?: { pipeline?: { addPolicy(p: PipelinePolicy): void } } }).storageClientContext?.pipeline?.addPolicy(trust);
  return client;
}

function uriFolderOutputs(job: JobRecord): string[] {
  const outs = (job.properties.outputs ?? {}) as Record<string, { jobOutputType?: string } | null>;
  return Object.entries(outs).filter(([, o]) => o?.jobOutputType === 'uri_folder').map(([n]) => n);
}

/** Outcome side effects: MLflow run, output files and the log in Azurite. Runs once. */
async function finishJob(emu: EmulatorApi, job: JobRecord): Promise<void> {
  if (job.finished) return;
  job.finished = true;
  const script = scriptFor(emu, job.name);
  const mlflowStatus = job.status === 'Completed' ? 'FINISHED' : job.status === 'Failed' ? 'FAILED' : 'KILLED';
  const existing = emu.state.mlflowRuns.get(job.name);
  if (script.metrics) emu.state.setRunMetrics(job.name, script.metrics, { status: mlflowStatus, experimentId: String(job.properties.experimentName ?? 'Default') });
  else if (existing) existing.status = mlflowStatus;
  else emu.state.setRunMetrics(job.name, {}, { status: mlflowStatus });
  const ws = emu.state.getWorkspace(job.resourceGroup, job.workspaceName);
  if (!ws) return;
  try {
    const writes: [string, Record<string, string>][] = [
      [script.outputName ?? uriFolderOutputs(job)[0] ?? 'model', script.outputFiles ?? {}],
      ['artifacts', script.mlflowArtifacts ?? {}],
    ];
    for (const [output, files] of writes) {
      if (job.status !== 'Completed' || Object.keys(files).length === 0) continue;
      const at = jobOutputLocation(ws, job.name, output);
      const container = azuriteContainer(emu, at.container);
      await container.createIfNotExists();
      for (const [p, content] of Object.entries(files)) await container.getBlockBlobClient(`${at.prefix}${p}`).upload(content, Buffer.byteLength(content));
    }
    const log = script.log ?? `Running: ${String(job.properties.command ?? '')}\nJob ${job.name} ended ${job.status}.\n`;
    const artifacts = azuriteContainer(emu, ARTIFACT_CONTAINER);
    await artifacts.createIfNotExists();
    await artifacts.getBlockBlobClient(jobLogBlobName(job.name)).upload(log, Buffer.byteLength(log));
  } catch (err) {
    job.finishError = err instanceof Error ? err.message : String(err);
  }
}

/** Advances a job by one GET according to its script. */
async function advance(emu: EmulatorApi, job: JobRecord): Promise<void> {
  if (TERMINAL.includes(job.status) || job.status === 'CancelRequested') return;
  job.gets++;
  const script = scriptFor(emu, job.name);
  const states = script.states ?? DEFAULT_STATES;
  const seq = script.neverFinish ? states : [...states, script.outcome ?? 'Completed'];
  const idx = Math.min(Math.floor(job.gets / Math.max(1, script.pollsPerState ?? 1)), seq.length - 1);
  job.status = seq[idx];
  if (TERMINAL.includes(job.status)) await finishJob(emu, job);
}

function jobBody(emu: EmulatorApi, ws: Workspace, job: JobRecord): Record<string, unknown> {
  const id = `${workspaceArmId(emu.identities.subscriptionId, ws)}/jobs/${job.name}`;
  return {
    id, name: job.name, type: `${AML_PROVIDER}/workspaces/jobs`,
    properties: {
      ...job.properties,
      // the service adds the reserved `default` output: the job's folder in the artifact store, where its
      // logs (user_logs/) and MLflow artifacts live (azure-ai-ml OUTPUT_URI_REGEX_FORMAT; no `paths/` segment)
      outputs: { ...(job.properties.outputs as Record<string, unknown> | undefined), default: { jobOutputType: 'uri_folder', mode: 'ReadWriteMount', uri: jobDefaultOutputUri(job.name) } },
      status: job.status,
      services: {
        Studio: { jobServiceType: 'Studio', endpoint: `https://ml.azure.com/runs/${job.name}?wsid=${encodeURIComponent(workspaceArmId(emu.identities.subscriptionId, ws))}` },
        Tracking: { jobServiceType: 'Tracking', endpoint: `azureml://${emu.urls.amlDataPlane(ws.location).replace(/^https:\/\//, '')}/mlflow/v1.0${workspaceArmId(emu.identities.subscriptionId, ws)}` },
      },
    },
    systemData: systemData(job.created),
  };
}

function assetBody(emu: EmulatorApi, ws: Workspace, kind: 'codes' | 'environments', c: AssetContainer, v?: AssetVersion): Record<string, unknown> {
  const base = `${workspaceArmId(emu.identities.subscriptionId, ws)}/${kind}/${c.name}`;
  if (!v) {
    const versions = [...c.versions.keys()];
    const latest = versions[versions.length - 1];
    return { id: base, name: c.name, type: `${AML_PROVIDER}/workspaces/${kind}`, properties: { ...c.properties, latestVersion: latest ?? null, nextVersion: String(versions.length + 1), isArchived: false }, systemData: systemData(c.created) };
  }
  const props: Record<string, unknown> = { isAnonymous: false, isArchived: false, tags: {}, properties: {}, ...v.properties };
  if (kind === 'environments') props.environmentType = 'UserCreated';
  return { id: `${base}/versions/${v.version}`, name: v.version, type: `${AML_PROVIDER}/workspaces/${kind}/versions`, properties: props, systemData: systemData(v.created) };
}

/** The ARM id segments after the workspace: ['environments', name, 'versions', v] etc., when the id is in this workspace. */
function idInWorkspace(emu: EmulatorApi, ws: Workspace, id: unknown): string[] | undefined {
  if (typeof id !== 'string') return undefined;
  const prefix = workspaceArmId(emu.identities.subscriptionId, ws).toLowerCase() + '/';
  if (!id.toLowerCase().startsWith(prefix)) return undefined;
  return id.slice(prefix.length).split('/');
}

/**
 * The service takes an input `uri` that is an asset's ARM id, an `azureml://` datastore/job path or a
 * storage URL; `azureml:<name>:<version>` and `@latest` are the official client's shorthand, resolved to
 * the ARM id before the PUT (azure-ai-ml `_job_operations._resolve_job_input`), never sent.
 */
function checkInputUri(emu: EmulatorApi, ws: Workspace, name: string, uri: string): void {
  const bad = (why: string): HttpError => new HttpError(400, 'UserError', `Input '${name}': ${why}`);
  const arm = /^(?:azureml:)?(\/subscriptions\/[^/]+\/resourceGroups\/[^/]+\/providers\/Microsoft\.MachineLearningServices\/workspaces\/[^/]+\/(?:data|models)\/[^/]+\/versions\/[^/]+)$/i.exec(uri);
  if (arm) {
    const seg = idInWorkspace(emu, ws, arm[1]);
    if (seg && seg[0].toLowerCase() === 'data' && !dataAssets(emu).get(key(ws.resourceGroup, ws.name, seg[1]))?.versions.has(seg[3])) {
      throw new HttpError(404, 'UserError', `Input '${name}': the data asset '${seg[1]}:${seg[3]}' was not found in workspace '${ws.name}'.`);
    }
    return;
  }
  if (/^azureml:\/\/(datastores|jobs|subscriptions|locations)\/\S+$/i.test(uri)) return;
  if (/^(https|http|wasbs|wasb|abfss|abfs|adl):\/\/\S+$/i.test(uri)) return;
  throw bad(`'${uri}' is not a valid input uri: expected an asset's ARM id, an azureml:// datastore or job path, or a storage URL.`);
}

function validateJob(emu: EmulatorApi, ws: Workspace, p: Record<string, unknown>): void {
  const bad = (message: string): HttpError => new HttpError(400, 'UserError', message);
  if (p.jobType !== 'Command') throw bad(`Unsupported jobType '${String(p.jobType)}': only 'Command' jobs are emulated.`);
  if (typeof p.command !== 'string' || p.command.trim() === '') throw bad("The field 'command' is required.");
  const env = p.environmentId;
  if (typeof env !== 'string' || env === '') throw bad("The field 'environmentId' is required.");
  if (!/^azureml:\/\/registries\//i.test(env)) {
    const seg = idInWorkspace(emu, ws, env);
    const c = seg && seg[0].toLowerCase() === 'environments' ? environmentAssets(emu).get(key(ws.resourceGroup, ws.name, seg[1] ?? '')) : undefined;
    if (!seg || seg.length !== 4 || !c || !c.versions.has(seg[3])) throw bad(`Environment '${env}' was not found in workspace '${ws.name}'.`);
  }
  if (p.codeId !== undefined && p.codeId !== null) {
    const seg = idInWorkspace(emu, ws, p.codeId);
    const c = seg && seg[0].toLowerCase() === 'codes' ? codeAssets(emu).get(key(ws.resourceGroup, ws.name, seg[1] ?? '')) : undefined;
    if (!seg || seg.length !== 4 || !c || !c.versions.has(seg[3])) throw bad(`Code '${String(p.codeId)}' was not found in workspace '${ws.name}'.`);
  }
  const seg = idInWorkspace(emu, ws, p.computeId);
  if (!seg || seg.length !== 2 || seg[0].toLowerCase() !== 'computes' || !computes(emu).has(key(ws.resourceGroup, ws.name, seg[1]))) {
    throw bad(`Compute '${String(p.computeId)}' was not found in workspace '${ws.name}'.`);
  }
  for (const [name, input] of Object.entries((p.inputs ?? {}) as Record<string, Record<string, unknown> | null>)) {
    const t = input?.jobInputType;
    if (t === 'literal') {
      if (typeof input?.value !== 'string') throw bad(`Input '${name}': a literal input needs a string 'value'.`);
    } else if (typeof t === 'string' && ['uri_file', 'uri_folder', 'mltable', 'custom_model', 'mlflow_model', 'triton_model'].includes(t)) {
      if (typeof input?.uri !== 'string' || input.uri === '') throw bad(`Input '${name}': a ${t} input needs a 'uri'.`);
      checkInputUri(emu, ws, name, input.uri);
    } else throw bad(`Input '${name}': unknown jobInputType '${String(t)}'.`);
  }
  for (const [name, output] of Object.entries((p.outputs ?? {}) as Record<string, Record<string, unknown> | null>)) {
    if (!output || !['uri_file', 'uri_folder', 'mltable', 'custom_model', 'mlflow_model', 'triton_model'].includes(String(output.jobOutputType))) throw bad(`Output '${name}': unknown jobOutputType '${String(output?.jobOutputType)}'.`);
  }
  const limits = p.limits as { timeout?: unknown; jobLimitsType?: unknown } | undefined;
  if (limits?.timeout !== undefined && !/^P(?!$)(\d+D)?(T(?=\d)(\d+H)?(\d+M)?(\d+(\.\d+)?S)?)?$/.test(String(limits.timeout))) throw bad(`limits.timeout '${String(limits.timeout)}' is not an ISO 8601 duration.`);
  const dist = p.distribution as { distributionType?: unknown } | undefined;
  if (dist && !['PyTorch', 'Mpi', 'TensorFlow'].includes(String(dist.distributionType))) throw bad(`Unknown distributionType '${String(dist.distributionType)}'.`);
  const res = p.resources as { instanceCount?: unknown } | undefined;
  if (res?.instanceCount !== undefined && (typeof res.instanceCount !== 'number' || res.instanceCount < 1)) throw bad('resources.instanceCount must be a positive integer.');
}

/** PUT of an asset version: 201 new, 200 same content again, 409 different content (versions are immutable). */
function putAssetVersion(emu: EmulatorApi, ctx: RouteContext, kind: 'codes' | 'environments'): void {
  const ws = requireWorkspace(emu, ctx);
  checkName(kind === 'codes' ? 'code' : 'environment', ctx.params.name);
  checkName('version', ctx.params.version);
  const body = ctx.bodyJson<{ properties?: Record<string, unknown> }>();
  const props = body?.properties;
  if (!props) throw new HttpError(400, 'UserError', "The request body needs 'properties'.");
  if (kind === 'codes' && (typeof props.codeUri !== 'string' || !/^https:\/\//i.test(props.codeUri))) throw new HttpError(400, 'UserError', "A code version needs 'codeUri' (https URL of the blob folder).");
  if (kind === 'environments' && typeof props.image !== 'string' && !props.build) throw new HttpError(400, 'UserError', "An environment version needs 'image' or 'build'.");
  const store = kind === 'codes' ? codeAssets(emu) : environmentAssets(emu);
  const k = key(ws.resourceGroup, ws.name, ctx.params.name);
  const now = new Date().toISOString();
  let c = store.get(k);
  if (!c) {
    c = { name: ctx.params.name, properties: {}, created: now, versions: new Map() };
    store.set(k, c);
  }
  const race = takeAssetPutRace(emu, kind, ctx.params.name, ctx.params.version);
  if (race) c.versions.set(ctx.params.version, { version: ctx.params.version, properties: kind === 'codes' ? { codeUri: race.path } : { image: race.path }, created: now });
  const old = c.versions.get(ctx.params.version);
  const content = (p: Record<string, unknown>): string => JSON.stringify(kind === 'codes' ? p.codeUri : [p.image, p.condaFile, p.build]);
  if (old) {
    if (content(old.properties) !== content(props)) {
      // a code version's codeUri is its asset path; an environment version's definition is immutable too (400, not 409:
      // the spec lists no 409 for asset PUTs)
      if (kind === 'codes') throw assetPathsCannotBeUpdated();
      throw new HttpError(400, 'UserError', `Environment version '${ctx.params.name}:${ctx.params.version}' already exists with a different definition; environment versions are immutable.`);
    }
    ctx.json(200, assetBody(emu, ws, kind, c, old));
    return;
  }
  const v: AssetVersion = { version: ctx.params.version, properties: props, created: now };
  c.versions.set(v.version, v);
  ctx.json(201, assetBody(emu, ws, kind, c, v));
}

function registerAssets(emu: EmulatorApi, kind: 'codes' | 'environments', pageSize: number): void {
  const o = { apiVersions: AML_API_VERSIONS };
  const store = (): Map<string, AssetContainer> => (kind === 'codes' ? codeAssets(emu) : environmentAssets(emu));
  const label = kind === 'codes' ? 'Code' : 'Environment';
  const find = (ctx: RouteContext): { ws: Workspace; c: AssetContainer } => {
    const ws = requireWorkspace(emu, ctx);
    const c = store().get(key(ws.resourceGroup, ws.name, ctx.params.name));
    if (!c) throw notFound(label, ctx.params.name, ws);
    return { ws, c };
  };
  emu.addRoute('arm', 'GET', `${WORKSPACE_PATH}/${kind}`, (ctx) => {
    const ws = requireWorkspace(emu, ctx);
    const prefix = key(ws.resourceGroup, ws.name) + '/';
    const all = [...store().entries()].filter(([k]) => k.startsWith(prefix)).map(([, c]) => assetBody(emu, ws, kind, c));
    ctx.json(200, emu.paged(all, ctx, pageSize, { style: 'skip' }));
  }, o);
  emu.addRoute('arm', 'GET', `${WORKSPACE_PATH}/${kind}/{name}`, (ctx) => {
    const { ws, c } = find(ctx);
    ctx.json(200, assetBody(emu, ws, kind, c));
  }, o);
  emu.addRoute('arm', 'PUT', `${WORKSPACE_PATH}/${kind}/{name}`, (ctx) => {
    const ws = requireWorkspace(emu, ctx);
    checkName(label.toLowerCase(), ctx.params.name);
    const body = ctx.bodyJson<{ properties?: Record<string, unknown> }>();
    const k = key(ws.resourceGroup, ws.name, ctx.params.name);
    const existing = store().get(k);
    const c: AssetContainer = existing ?? { name: ctx.params.name, properties: {}, created: new Date().toISOString(), versions: new Map() };
    c.properties = { description: body?.properties?.description ?? null, tags: body?.properties?.tags ?? {}, properties: body?.properties?.properties ?? {} };
    store().set(k, c);
    ctx.json(existing ? 200 : 201, assetBody(emu, ws, kind, c));
  }, o);
  emu.addRoute('arm', 'GET', `${WORKSPACE_PATH}/${kind}/{name}/versions`, (ctx) => {
    const { ws, c } = find(ctx);
    ctx.json(200, emu.paged([...c.versions.values()].map((v) => assetBody(emu, ws, kind, c, v)), ctx, pageSize, { style: 'skip' }));
  }, o);
  emu.addRoute('arm', 'GET', `${WORKSPACE_PATH}/${kind}/{name}/versions/{version}`, (ctx) => {
    const { ws, c } = find(ctx);
    const v = c.versions.get(ctx.params.version);
    if (!v) throw notFound(`${label} version`, `${ctx.params.name}:${ctx.params.version}`, ws);
    ctx.json(200, assetBody(emu, ws, kind, c, v));
  }, o);
  emu.addRoute('arm', 'PUT', `${WORKSPACE_PATH}/${kind}/{name}/versions/{version}`, (ctx) => putAssetVersion(emu, ctx, kind), o);
}

function computeBody(emu: EmulatorApi, ws: Workspace, c: ComputeRecord): Record<string, unknown> {
  return {
    id: `${workspaceArmId(emu.identities.subscriptionId, ws)}/computes/${c.name}`, name: c.name, type: `${AML_PROVIDER}/workspaces/computes`, location: c.location,
    properties: {
      computeType: c.computeType, provisioningState: 'Succeeded', createdOn: c.created, modifiedOn: c.created, isAttachedCompute: false, disableLocalAuth: true,
      properties: { vmSize: c.vmSize, vmPriority: 'Dedicated', osType: 'Linux', scaleSettings: { maxNodeCount: c.maxNodeCount, minNodeCount: 0, nodeIdleTimeBeforeScaleDown: 'PT2M' }, allocationState: 'Steady', currentNodeCount: 0, targetNodeCount: 0 },
    },
  };
}

const service: ServiceModule = {
  name: 'aml-jobs',
  order: 61,
  register(emu) {
    const o = { apiVersions: AML_API_VERSIONS };
    for (const ws of emu.state.workspaces.values()) addCompute(emu, ws.resourceGroup, ws.name, DEFAULT_COMPUTE, { location: ws.location });

    registerAssets(emu, 'codes', 20);
    registerAssets(emu, 'environments', 3);

    emu.addRoute('arm', 'GET', `${WORKSPACE_PATH}/computes`, (ctx) => {
      const ws = requireWorkspace(emu, ctx);
      const prefix = key(ws.resourceGroup, ws.name) + '/';
      const all = [...computes(emu).entries()].filter(([k]) => k.startsWith(prefix)).map(([, c]) => computeBody(emu, ws, c));
      ctx.json(200, emu.paged(all, ctx, 20, { style: 'skip' }));
    }, o);
    emu.addRoute('arm', 'GET', `${WORKSPACE_PATH}/computes/{name}`, (ctx) => {
      const ws = requireWorkspace(emu, ctx);
      const c = computes(emu).get(key(ws.resourceGroup, ws.name, ctx.params.name));
      if (!c) throw new HttpError(404, 'ResourceNotFound', `The Resource '${AML_PROVIDER}/workspaces/${ws.name}/computes/${ctx.params.name}' under resource group '${ws.resourceGroup}' was not found.`);
      ctx.json(200, computeBody(emu, ws, c));
    }, o);

    const findJobOf = (ctx: RouteContext): { ws: Workspace; job: JobRecord } => {
      const ws = requireWorkspace(emu, ctx);
      const job = amlJobs(emu).get(key(ws.resourceGroup, ws.name, ctx.params.id));
      if (!job) throw notFound('Job', ctx.params.id, ws);
      return { ws, job };
    };
    emu.addRoute('arm', 'GET', `${WORKSPACE_PATH}/jobs`, (ctx) => {
      const ws = requireWorkspace(emu, ctx);
      const prefix = key(ws.resourceGroup, ws.name) + '/';
      let all = [...amlJobs(emu).entries()].filter(([k]) => k.startsWith(prefix)).map(([, j]) => j);
      if (ctx.query.jobType) all = all.filter((j) => j.properties.jobType === ctx.query.jobType);
      ctx.json(200, emu.paged(all.map((j) => jobBody(emu, ws, j)), ctx, 20, { style: 'skip' }));
    }, o);
    emu.addRoute('arm', 'GET', `${WORKSPACE_PATH}/jobs/{id}`, async (ctx) => {
      const { ws, job } = findJobOf(ctx);
      await advance(emu, job);
      ctx.json(200, jobBody(emu, ws, job));
    }, o);
    emu.addRoute('arm', 'PUT', `${WORKSPACE_PATH}/jobs/{id}`, (ctx) => {
      const ws = requireWorkspace(emu, ctx);
      checkName('job', ctx.params.id);
      const k = key(ws.resourceGroup, ws.name, ctx.params.id);
      if (amlJobs(emu).has(k)) throw new HttpError(409, 'Conflict', `A job named '${ctx.params.id}' already exists in workspace '${ws.name}'; a submitted job cannot be changed.`);
      const body = ctx.bodyJson<{ properties?: Record<string, unknown> }>();
      if (!body?.properties) throw new HttpError(400, 'UserError', "The request body needs 'properties'.");
      validateJob(emu, ws, body.properties);
      const { status: _ignored, ...props } = body.properties;
      const job: JobRecord = {
        name: ctx.params.id, workspaceKey: key(ws.resourceGroup, ws.name), resourceGroup: ws.resourceGroup, workspaceName: ws.name,
        properties: props, status: 'NotStarted', created: new Date().toISOString(), gets: 0, cancelRequests: 0, finished: false,
      };
      amlJobs(emu).set(k, job);
      ctx.json(201, jobBody(emu, ws, job));
    }, o);
    emu.addRoute('arm', 'POST', `${WORKSPACE_PATH}/jobs/{id}/cancel`, (ctx) => {
      const { ws, job } = findJobOf(ctx);
      job.cancelRequests++;
      if (TERMINAL.includes(job.status)) throw new HttpError(400, 'UserError', `Job '${job.name}' is already ${job.status} and cannot be canceled.`);
      job.status = 'CancelRequested';
      emu.startLro(ctx, { polls: 1, location: ws.location, onDone: () => {
        job.status = 'Canceled';
        void finishJob(emu, job);
      } });
    }, o);

    // ---- data plane: run history details (status, error, warnings) ----
    emu.addRoute('amlData', 'GET', `/history/v1.0/subscriptions/{sub}/resourceGroups/{rg}/providers/${AML_PROVIDER}/workspaces/{ws}/runs/{id}/details`, (ctx) => {
      const ws = emu.state.getWorkspace(ctx.params.rg, ctx.params.ws);
      if (!ws) throw new HttpError(404, 'UserError', `Workspace '${ctx.params.ws}' was not found in resource group '${ctx.params.rg}'.`);
      const job = amlJobs(emu).get(key(ws.resourceGroup, ws.name, ctx.params.id));
      if (!job) throw new HttpError(404, 'UserError', `Run '${ctx.params.id}' was not found.`);
      const script = scriptFor(emu, job.name);
      const details: Record<string, unknown> = {
        runId: job.name, runUuid: crypto.createHash('md5').update(job.name).digest('hex'), status: job.status, target: String(job.properties.computeId ?? '').split('/').pop(),
        startTimeUtc: job.created, warnings: [], logFiles: {},
      };
      if (job.status === 'Failed') {
        details.error = { error: script.error ?? { code: 'UserError', message: `Execution failed. User process 'python' exited with status code 1.` } };
      }
      ctx.json(200, details);
    }, { auth: 'arm' });
  },
};
export default service;
