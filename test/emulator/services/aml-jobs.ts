// Azure ML assets, computes and command jobs for the emulator (Microsoft.MachineLearningServices,
// api-version 2022-10-01, shapes from the official examples of azure-rest-api-specs, specification/machinelearningservices):
//   codes/{name} + codes/{name}/versions/{v}                    GET, PUT, list (paged with $skip)
//   environments/{name} + environments/{name}/versions/{v}      GET, PUT, list (paged with $skip, 3 per page)
//   computes/{name}                                            GET, list — 'cpu-cluster' (AmlCompute) is seeded in every workspace
//   components/{name} + components/{name}/versions/{v}          GET, PUT, list (pipeline steps name component versions)
//   jobs/{name}                                                PUT (201 new, 409 existing), GET, list, POST …/cancel (202 + Location LRO):
//                                                              Command, Sweep (trials as child jobs) and Pipeline (steps as child jobs),
//                                                              see aml-job-graphs.ts
// and on the data plane (<region>.api.azureml.localhost):
//   GET /history/v1.0/subscriptions/{sub}/resourceGroups/{rg}/providers/Microsoft.MachineLearningServices/workspaces/{ws}/runs/{run}/details
//   (run history: status, error, warnings; `logFiles` stays empty: the job's logs are in its reserved `default`
//   output, the artifact store folder ExperimentRun/dcid.<job>/user_logs/, where azure-ai-ml reads them —
//   operations/_job_ops_helper.py stream_logs_until_completion → _artifact_utilities.list_logs_in_datastore).
//   The discovery document's `history` key names another host: run history is on the `api` host.
//   GET /history/v1.0/…/workspaces/{ws}/runs/{run}/children  (the trials of a sweep, the steps of a pipeline)
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
import { AML_API_VERSIONS, AML_PROVIDER, assetPathsCannotBeUpdated, type Creator, creatorFromToken, requireWorkspace, systemData, takeAssetPutRace, WORKSPACE_PATH, workspaceArmId } from './aml-workspace';
import { dataAssets } from './aml-data';
import {
  bestTrial, boundInputs, canonicalEnums, type ChildScript, GraphError, stepJobName, stepOrder, trialCommand, trialParameters, validatePipeline, validateSweep,
} from './aml-job-graphs';

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
  /** A sweep's trials: trial n follows trials[n % length] (aml-job-graphs.ts). */
  trials?: ChildScript[];
  /** A pipeline's steps by step name. */
  steps?: Record<string, ChildScript & { outputFiles?: Record<string, string>; outputName?: string }>;
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
  /** Who submitted it (ARM's systemData, from the caller's token); the test setup when absent. */
  creator?: Creator;
  /** GETs of this job so far. */
  gets: number;
  cancelRequests: number;
  /** Set once the outcome side effects (metrics, files, log) ran. */
  finished: boolean;
  /** Why writing outputs/logs to Azurite failed, if it did. */
  finishError?: string;
  /** A trial or step: its sweep or pipeline, its display name (the step name) and its own script. */
  parentName?: string;
  displayName?: string;
  childScript?: JobScript;
  /** A trial's search-space values (run history property `hyperparameters`). */
  hyperparameters?: Record<string, unknown>;
  /** A sweep's or pipeline's children, in the order they run. */
  children?: string[];
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
/** Component containers by lower 'rg/ws/name'. */
export function componentAssets(emulator: { state: EmulatorState }): Map<string, AssetContainer> {
  return emulator.state.bucket<AssetContainer>('aml.components');
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

function scriptFor(emu: EmulatorApi, name: string, job?: JobRecord): JobScript {
  if (job?.childScript) return job.childScript;
  const scripts = jobScripts(emu);
  return scripts.get(name) ?? scripts.get('*') ?? {};
}

/** A ContainerClient on Azurite (path-style 127.0.0.1 URL, trusting the emulator's CA); also the online endpoints' storage initializer's. */
export function azuriteContainer(emu: EmulatorApi, container: string): ContainerClient {
  const port = emu.state.storage.endpoint.split(':').pop();
  const ca = (emu as unknown as { caPem?: string }).caPem;
  const client = new ContainerClient(`https://127.0.0.1:${port}/${emu.state.storage.accountName}/${container}`, new StorageSharedKeyCredential(emu.state.storage.accountName, emu.state.storage.accountKey));
  const trust: PipelinePolicy = { name: 'emulator-azurite-trust-ca', sendRequest: (req, next) => { if (ca) req.tlsSettings = { ...(req.tlsSettings ?? {}), ca }; return next(req); } };
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
  const script = scriptFor(emu, job.name, job);
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

/** Advances a job by one GET according to its script; trials and steps move with their sweep or pipeline. */
async function advance(emu: EmulatorApi, job: JobRecord): Promise<void> {
  if (job.parentName || TERMINAL.includes(job.status) || job.status === 'CancelRequested') return;
  job.gets++;
  const script = scriptFor(emu, job.name, job);
  const states = script.states ?? DEFAULT_STATES;
  const seq = script.neverFinish ? states : [...states, script.outcome ?? 'Completed'];
  const idx = Math.min(Math.floor(job.gets / Math.max(1, script.pollsPerState ?? 1)), seq.length - 1);
  const next = seq[idx];
  if (TERMINAL.includes(next) && isGraph(job)) {
    // a sweep or pipeline stays Running until its children are done; its outcome follows theirs
    job.status = 'Running';
    const outcome = await stepChildren(emu, job);
    if (!outcome) return;
    job.status = script.outcome && script.outcome !== 'Completed' ? script.outcome : outcome;
    if (job.status === 'Completed' && job.properties.jobType === 'Pipeline') promoteStepOutputs(emu, job);
    await finishJob(emu, job);
    return;
  }
  job.status = next;
  if (TERMINAL.includes(job.status)) await finishJob(emu, job);
}

/**
 * A completed pipeline's outputs that a step binds (`jobs.<step>.outputs.<o>: ${{parent.outputs.<name>}}`) are that
 * step's data: the pipeline output's `uri` becomes the step job's output path in the default datastore (where the
 * step wrote it, jobOutputLocation), and `azureml://jobs/<pipeline>/outputs/<name>` reads the same files (blobLocation
 * in aml-online.ts follows the uri). Nothing is copied, as in Azure, where the pipeline output is the step's data.
 */
function promoteStepOutputs(emu: EmulatorApi, job: JobRecord): void {
  const ws = emu.state.getWorkspace(job.resourceGroup, job.workspaceName);
  const outputs = (job.properties.outputs ?? {}) as Record<string, Record<string, unknown> | null>;
  if (!ws) return;
  const ds = [...ws.datastores.values()].find((d) => d.isDefault) ?? [...ws.datastores.values()][0];
  for (const [step, node] of Object.entries((job.properties.jobs ?? {}) as Record<string, { outputs?: Record<string, unknown> }>)) {
    for (const [o, v] of Object.entries(node?.outputs ?? {})) {
      const value = typeof v === 'string' ? v : (v as { value?: unknown } | null)?.value;
      const bound = typeof value === 'string' ? /^\$\{\{\s*parent\.outputs\.([A-Za-z0-9_]+)\s*\}\}$/.exec(value.trim())?.[1] : undefined;
      if (!bound || !(bound in outputs)) continue;
      outputs[bound] = { ...(outputs[bound] ?? {}), uri: `azureml://datastores/${ds.name}/paths/${jobOutputBlobPrefix(stepJobName(job.name, step), o)}` };
    }
  }
  job.properties.outputs = outputs;
}

function isGraph(job: JobRecord): boolean {
  return job.properties.jobType === 'Sweep' || job.properties.jobType === 'Pipeline';
}

const stripAzureml = (v: unknown): unknown => (typeof v === 'string' ? v.replace(/^azureml:(?=\/subscriptions\/)/i, '') : v);

function addChild(emu: EmulatorApi, parent: JobRecord, name: string, displayName: string, properties: Record<string, unknown>, script: JobScript, hyperparameters?: Record<string, unknown>): void {
  const child: JobRecord = {
    name, workspaceKey: parent.workspaceKey, resourceGroup: parent.resourceGroup, workspaceName: parent.workspaceName,
    properties: { jobType: 'Command', experimentName: parent.properties.experimentName, displayName, ...properties },
    status: 'NotStarted', created: new Date().toISOString(), gets: 0, cancelRequests: 0, finished: false,
    parentName: parent.name, displayName, childScript: script, ...(parent.creator ? { creator: parent.creator } : {}), ...(hyperparameters ? { hyperparameters } : {}),
  };
  amlJobs(emu).set(key(parent.resourceGroup, parent.workspaceName, name), child);
  (parent.children ??= []).push(name);
}

/** The trials of a sweep or the steps of a pipeline, as child jobs (aml-job-graphs.ts). */
function createChildren(emu: EmulatorApi, job: JobRecord): void {
  const p = job.properties;
  const script = scriptFor(emu, job.name, job);
  job.children = [];
  if (p.jobType === 'Sweep') {
    const trial = p.trial as Record<string, unknown>;
    const limits = (p.limits ?? {}) as { maxTotalTrials?: number };
    const algorithm = String((p.samplingAlgorithm as { samplingAlgorithmType?: string } | undefined)?.samplingAlgorithmType ?? 'Random');
    const primary = String((p.objective as { primaryMetric?: string }).primaryMetric);
    const all = trialParameters(p.searchSpace as Record<string, unknown>, algorithm, Math.min(limits.maxTotalTrials ?? 4, 20));
    all.forEach((params, n) => {
      const own = script.trials?.length ? script.trials[n % script.trials.length] : {};
      addChild(emu, job, `${job.name}_${n}`, `${job.name}_${n}`, {
        command: trialCommand(String(trial.command), params), codeId: trial.codeId, environmentId: trial.environmentId,
        environmentVariables: trial.environmentVariables ?? {}, ...(trial.distribution ? { distribution: trial.distribution } : {}), ...(trial.resources ? { resources: trial.resources } : {}),
        computeId: p.computeId, inputs: p.inputs ?? {}, outputs: p.outputs ?? {},
      }, { outcome: own.outcome, error: own.error, metrics: own.metrics ?? { [primary]: Number((0.5 + 0.05 * n).toFixed(4)) }, outputFiles: script.outputFiles, outputName: script.outputName }, params);
    });
    return;
  }
  const jobs = p.jobs as Record<string, Record<string, unknown>>;
  const settings = (p.settings ?? {}) as Record<string, unknown>;
  const ws = emu.state.getWorkspace(job.resourceGroup, job.workspaceName) as Workspace;
  for (const step of stepOrder(jobs)) {
    const node = jobs[step];
    const componentId = String(node.type === 'sweep' ? (node.trial as Record<string, unknown>).componentId : node.componentId);
    const spec = componentSpecOf(emu, ws, componentId) ?? {};
    const outputs = Object.fromEntries(Object.entries((spec.outputs ?? {}) as Record<string, { type?: string }>).map(([n, o]) => [n, { jobOutputType: o?.type ?? 'uri_folder', mode: 'ReadWriteMount' }]));
    const own = script.steps?.[step] ?? {};
    addChild(emu, job, stepJobName(job.name, step), step, {
      command: typeof spec.command === 'string' ? spec.command : `run component ${componentId}`,
      environmentId: stripAzureml(typeof spec.environment === 'string' ? spec.environment : componentId), ...(typeof spec.code === 'string' ? { codeId: stripAzureml(spec.code) } : {}),
      computeId: stripAzureml(node.computeId ?? node.compute ?? settings.default_compute ?? p.computeId),
      inputs: boundInputs(node, (p.inputs ?? {}) as Record<string, unknown>, (s) => stepJobName(job.name, s)), outputs,
    }, { ...own });
  }
}

/** One GET's worth of child progress; the parent's outcome once every child is done, else undefined. */
async function stepChildren(emu: EmulatorApi, job: JobRecord): Promise<string | undefined> {
  if (!job.children) createChildren(emu, job);
  const kids = (job.children ?? []).map((n) => amlJobs(emu).get(key(job.resourceGroup, job.workspaceName, n))).filter((c): c is JobRecord => !!c);
  const finish = async (c: JobRecord): Promise<void> => {
    c.status = c.childScript?.outcome ?? 'Completed';
    await finishJob(emu, c);
  };
  for (const c of kids.filter((k) => k.status === 'Running')) await finish(c);
  if (job.properties.jobType === 'Sweep') {
    const objective = job.properties.objective as { primaryMetric: string; goal?: string };
    const scored = kids.filter((k) => k.status === 'Completed').map((k) => ({ name: k.name, value: k.childScript?.metrics?.[objective.primaryMetric] as number | undefined }));
    const best = bestTrial(scored, String(objective.goal ?? 'maximize'));
    if (best) job.properties.properties = { ...((job.properties.properties ?? {}) as Record<string, string>), best_child_run_id: best.name, score: String(best.value) };
    const concurrent = ((job.properties.limits ?? {}) as { maxConcurrentTrials?: number }).maxConcurrentTrials ?? kids.length;
    for (const c of kids.filter((k) => k.status === 'NotStarted').slice(0, Math.max(1, concurrent))) c.status = 'Running';
    if (kids.some((k) => !TERMINAL.includes(k.status))) return undefined;
    return kids.some((k) => k.status === 'Completed') ? 'Completed' : 'Failed';
  }
  if (kids.some((k) => TERMINAL.includes(k.status) && k.status !== 'Completed')) {
    for (const c of kids.filter((k) => !TERMINAL.includes(k.status))) {
      c.status = 'Canceled';
      await finishJob(emu, c);
    }
    return 'Failed';
  }
  const done = new Set(kids.filter((k) => k.status === 'Completed').map((k) => k.displayName));
  const jobs = job.properties.jobs as Record<string, Record<string, unknown>>;
  for (const c of kids.filter((k) => k.status === 'NotStarted')) {
    const needs = [...JSON.stringify(jobs[c.displayName as string]?.inputs ?? {}).matchAll(/parent\.jobs\.([A-Za-z0-9_.-]+)\.outputs/g)].map((m) => m[1]);
    if (needs.every((n) => done.has(n))) c.status = 'Running';
  }
  return kids.every((k) => k.status === 'Completed') ? 'Completed' : undefined;
}

function componentSpecOf(emu: EmulatorApi, ws: Workspace, id: string): Record<string, unknown> | undefined {
  const seg = idInWorkspace(emu, ws, stripAzureml(id));
  if (!seg || seg[0].toLowerCase() !== 'components') return undefined;
  const v = componentAssets(emu).get(key(ws.resourceGroup, ws.name, seg[1]))?.versions.get(seg[3] ?? '');
  return v?.properties.componentSpec as Record<string, unknown> | undefined;
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
    systemData: systemData(job.created, job.creator),
  };
}

type AssetKind = 'codes' | 'environments' | 'components';

function assetBody(emu: EmulatorApi, ws: Workspace, kind: AssetKind, c: AssetContainer, v?: AssetVersion): Record<string, unknown> {
  const base = `${workspaceArmId(emu.identities.subscriptionId, ws)}/${kind}/${c.name}`;
  if (!v) {
    const versions = [...c.versions.keys()];
    const latest = [...c.versions.values()].sort((x, y) => x.created.localeCompare(y.created)).pop()?.version;
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
  const versionIn = (store: Map<string, AssetContainer>, kind: string, id: unknown): boolean => {
    const seg = idInWorkspace(emu, ws, stripAzureml(id));
    const c = seg && seg[0].toLowerCase() === kind ? store.get(key(ws.resourceGroup, ws.name, seg[1] ?? '')) : undefined;
    return !!seg && seg.length === 4 && !!c && c.versions.has(seg[3]);
  };
  const check = {
    env(env: unknown): void {
      if (typeof env !== 'string' || env === '') throw bad("The field 'environmentId' is required.");
      if (/^azureml:\/\/registries\//i.test(env)) return;
      // a curated environment by its short name (`azureml:AzureML-<name>:<version>`), as azure-ai-ml sends it
      const curated = /^azureml:(AzureML-[^:/]+):([^:/]+)$/.exec(env);
      if (curated) {
        if (!environmentAssets(emu).get(key(ws.resourceGroup, ws.name, curated[1]))?.versions.has(curated[2])) throw bad(`Environment '${env}' was not found.`);
        return;
      }
      if (!versionIn(environmentAssets(emu), 'environments', env)) throw bad(`Environment '${env}' was not found in workspace '${ws.name}'.`);
    },
    code(id: unknown): void {
      if (!versionIn(codeAssets(emu), 'codes', id)) throw bad(`Code '${String(id)}' was not found in workspace '${ws.name}'.`);
    },
    compute(id: unknown): void {
      const seg = idInWorkspace(emu, ws, stripAzureml(id));
      if (!seg || seg.length !== 2 || seg[0].toLowerCase() !== 'computes' || !computes(emu).has(key(ws.resourceGroup, ws.name, seg[1]))) {
        throw bad(`Compute '${String(id)}' was not found in workspace '${ws.name}'.`);
      }
    },
    component(id: unknown, step: string): void {
      if (typeof id === 'string' && /^azureml:\/\/registries\//i.test(id)) return;
      if (!versionIn(componentAssets(emu), 'components', id)) throw bad(`Step '${step}': component '${String(id)}' was not found in workspace '${ws.name}'.`);
    },
  };
  try {
    if (p.jobType === 'Sweep') validateSweep(p, check);
    else if (p.jobType === 'Pipeline') validatePipeline(p, check);
  } catch (err) {
    if (err instanceof GraphError) throw bad(err.message);
    throw err;
  }
  if (p.jobType !== 'Command' && p.jobType !== 'Sweep' && p.jobType !== 'Pipeline') throw bad(`Unsupported jobType '${String(p.jobType)}': Command, Sweep and Pipeline jobs are emulated.`);
  if (p.jobType === 'Command') {
    if (typeof p.command !== 'string' || p.command.trim() === '') throw bad("The field 'command' is required.");
    check.env(p.environmentId);
    if (p.codeId !== undefined && p.codeId !== null) check.code(p.codeId);
    check.compute(p.computeId);
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
const ASSET_LABEL: Record<AssetKind, string> = { codes: 'Code', environments: 'Environment', components: 'Component' };
const assetStore = (emu: EmulatorApi, kind: AssetKind): Map<string, AssetContainer> => (kind === 'codes' ? codeAssets(emu) : kind === 'environments' ? environmentAssets(emu) : componentAssets(emu));

function putAssetVersion(emu: EmulatorApi, ctx: RouteContext, kind: AssetKind): void {
  const ws = requireWorkspace(emu, ctx);
  checkName(ASSET_LABEL[kind].toLowerCase(), ctx.params.name);
  checkName('version', ctx.params.version);
  const body = ctx.bodyJson<{ properties?: Record<string, unknown> }>();
  const props = body?.properties;
  if (!props) throw new HttpError(400, 'UserError', "The request body needs 'properties'.");
  if (kind === 'codes' && (typeof props.codeUri !== 'string' || !/^https:\/\//i.test(props.codeUri))) throw new HttpError(400, 'UserError', "A code version needs 'codeUri' (https URL of the blob folder).");
  if (kind === 'environments' && typeof props.image !== 'string' && !props.build) throw new HttpError(400, 'UserError', "An environment version needs 'image' or 'build'.");
  if (kind === 'components') checkComponentSpec(props.componentSpec);
  canonicalEnums(props);
  const store = assetStore(emu, kind);
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
  // a component's content is its spec without what its anonymous version hash leaves out (name, version, _source:
  // azure-ai-ml Component._get_anonymous_hash), so the same step written in two files is the same version
  const spec = (c: unknown): unknown => Object.fromEntries(Object.entries((c ?? {}) as Record<string, unknown>).filter(([k]) => !['name', 'version', 'id', '_source'].includes(k)).sort(([a], [b]) => a.localeCompare(b)));
  const content = (p: Record<string, unknown>): string => JSON.stringify(kind === 'codes' ? p.codeUri : kind === 'components' ? spec(p.componentSpec) : [p.image, p.condaFile, p.build]);
  if (old) {
    if (content(old.properties) !== content(props)) {
      // a code version's codeUri is its asset path; an environment version's definition is immutable too (400, not 409:
      // the spec lists no 409 for asset PUTs)
      if (kind === 'codes') throw assetPathsCannotBeUpdated();
      throw new HttpError(400, 'UserError', `${ASSET_LABEL[kind]} version '${ctx.params.name}:${ctx.params.version}' already exists with a different definition; ${kind} versions are immutable.`);
    }
    ctx.json(200, assetBody(emu, ws, kind, c, old));
    return;
  }
  const v: AssetVersion = { version: ctx.params.version, properties: props, created: now };
  c.versions.set(v.version, v);
  ctx.json(201, assetBody(emu, ws, kind, c, v));
}

/**
 * A component version's spec, as the service checks it before storing (the SDK types componentSpec as `any`):
 * a command component needs `command` and `environment`, inputs and outputs with a type.
 */
function checkComponentSpec(spec: unknown): void {
  const bad = (m: string): HttpError => new HttpError(400, 'UserError', `componentSpec: ${m}`);
  if (!spec || typeof spec !== 'object' || Array.isArray(spec)) throw bad("the field 'componentSpec' is required (an object).");
  const c = spec as Record<string, unknown>;
  if (c.type !== undefined && !['command', 'sweep'].includes(String(c.type))) throw bad(`unsupported component type '${String(c.type)}'.`);
  if ((c.type ?? 'command') === 'command') {
    if (typeof c.command !== 'string' || c.command.trim() === '') throw bad("the field 'command' is required.");
    if (c.environment === undefined || c.environment === null) throw bad("the field 'environment' is required.");
  }
  for (const side of ['inputs', 'outputs']) {
    for (const [n, port] of Object.entries((c[side] ?? {}) as Record<string, { type?: unknown } | null>)) {
      if (!port || typeof port.type !== 'string') throw bad(`${side}.${n}: the field 'type' is required.`);
    }
  }
}

function registerAssets(emu: EmulatorApi, kind: AssetKind, pageSize: number): void {
  const o = { apiVersions: AML_API_VERSIONS };
  const store = (): Map<string, AssetContainer> => assetStore(emu, kind);
  const label = ASSET_LABEL[kind];
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
    // `$orderBy=createdtime desc` + `$top=1` is how azure-ai-ml finds `name@latest`; without $orderBy: oldest first
    let list = [...c.versions.values()];
    const order = ctx.query.$orderBy?.toLowerCase().trim();
    if (order !== undefined) {
      const m = /^createdtime(\s+(asc|desc))?$/.exec(order);
      if (!m) throw new HttpError(400, 'UserError', `The $orderBy value '${ctx.query.$orderBy}' is not supported. Use 'createdtime desc' or 'createdtime asc'.`);
      list.sort((a, b) => (m[2] === 'desc' ? -1 : 1) * a.created.localeCompare(b.created));
    }
    if (ctx.query.$top !== undefined) {
      const top = Number(ctx.query.$top);
      if (!Number.isInteger(top) || top < 1) throw new HttpError(400, 'UserError', `The $top value '${ctx.query.$top}' is invalid.`);
      list = list.slice(0, top);
    }
    ctx.json(200, emu.paged(list.map((v) => assetBody(emu, ws, kind, c, v)), ctx, pageSize, { style: 'skip' }));
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
    registerAssets(emu, 'components', 20);

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
      // trials and steps are not top-level jobs: run history lists them under their parent
      let all = [...amlJobs(emu).entries()].filter(([k, j]) => k.startsWith(prefix) && !j.parentName).map(([, j]) => j);
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
      canonicalEnums(body.properties);
      const { status: _ignored, ...props } = body.properties;
      const job: JobRecord = {
        name: ctx.params.id, workspaceKey: key(ws.resourceGroup, ws.name), resourceGroup: ws.resourceGroup, workspaceName: ws.name,
        properties: props, status: 'NotStarted', created: new Date().toISOString(), gets: 0, cancelRequests: 0, finished: false,
        creator: creatorFromToken(ctx.token),
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
        for (const n of job.children ?? []) {
          const c = amlJobs(emu).get(key(ws.resourceGroup, ws.name, n));
          if (c && !TERMINAL.includes(c.status)) {
            c.status = 'Canceled';
            void finishJob(emu, c);
          }
        }
      } });
    }, o);

    // ---- data plane: run history details (status, error, warnings) ----
    emu.addRoute('amlData', 'GET', `/history/v1.0/subscriptions/{sub}/resourceGroups/{rg}/providers/${AML_PROVIDER}/workspaces/{ws}/runs/{id}/details`, (ctx) => {
      const ws = emu.state.getWorkspace(ctx.params.rg, ctx.params.ws);
      if (!ws) throw new HttpError(404, 'UserError', `Workspace '${ctx.params.ws}' was not found in resource group '${ctx.params.rg}'.`);
      const job = amlJobs(emu).get(key(ws.resourceGroup, ws.name, ctx.params.id));
      if (!job) throw new HttpError(404, 'UserError', `Run '${ctx.params.id}' was not found.`);
      const script = scriptFor(emu, job.name, job);
      const details: Record<string, unknown> = {
        runId: job.name, runUuid: crypto.createHash('md5').update(job.name).digest('hex'), status: job.status, target: String(job.properties.computeId ?? '').split('/').pop(),
        startTimeUtc: job.created, warnings: [], logFiles: {},
      };
      if (job.status === 'Failed') {
        details.error = { error: script.error ?? { code: 'UserError', message: `Execution failed. User process 'python' exited with status code 1.` } };
      }
      ctx.json(200, details);
    }, { auth: 'arm' });

    // ---- data plane: run history children (a sweep's trials, a pipeline's steps), 10 per page with nextLink ----
    emu.addRoute('amlData', 'GET', `/history/v1.0/subscriptions/{sub}/resourceGroups/{rg}/providers/${AML_PROVIDER}/workspaces/{ws}/runs/{id}/children`, (ctx) => {
      const ws = emu.state.getWorkspace(ctx.params.rg, ctx.params.ws);
      if (!ws) throw new HttpError(404, 'UserError', `Workspace '${ctx.params.ws}' was not found in resource group '${ctx.params.rg}'.`);
      const job = amlJobs(emu).get(key(ws.resourceGroup, ws.name, ctx.params.id));
      if (!job) throw new HttpError(404, 'UserError', `Run '${ctx.params.id}' was not found.`);
      const all = (job.children ?? []).map((n) => amlJobs(emu).get(key(ws.resourceGroup, ws.name, n))).filter((c): c is JobRecord => !!c);
      const from = Number(ctx.query.continuationToken ?? '0') || 0;
      const page = all.slice(from, from + 10);
      const more = from + 10 < all.length;
      const self = `${emu.urls.amlDataPlane(ws.location)}/history/v1.0/subscriptions/${ctx.params.sub}/resourceGroups/${ctx.params.rg}/providers/${AML_PROVIDER}/workspaces/${ctx.params.ws}/runs/${encodeURIComponent(job.name)}/children`;
      ctx.json(200, {
        value: page.map((c) => ({
          runId: c.name, parentRunId: job.name, rootRunId: job.name, displayName: c.displayName ?? c.name, status: c.status,
          experimentId: String(job.properties.experimentName ?? ''), createdUtc: c.created,
          properties: c.hyperparameters ? { hyperparameters: JSON.stringify(c.hyperparameters) } : {}, tags: {},
        })),
        continuationToken: more ? String(from + 10) : null,
        nextLink: more ? `${self}?continuationToken=${from + 10}` : null,
      });
    }, { auth: 'arm' });
  },
};
export default service;
