// The command job: its name (stable per pipeline run, attempt-aware), its body, and submit-or-re-attach.
//
// Job name rule (also in the README):
// - `jobName` given: that name. If a job with it exists, the task re-attaches to it (whatever its state).
// - otherwise the base name is `train-<buildId>-<12 hex>`, the hex being a hash of collection, project,
//   pipeline definition, run (build id), stage, job and the experiment name (shared pipelineRunKey):
//   every attempt of the same pipeline job gets the same base name. Attempt N (System.JobAttempt) looks at
//   the jobs of attempts 1..N (`<base>`, `<base>-a2`, …, `<base>-aN`) and takes the newest that exists:
//   running or Completed → re-attach (no second job); Failed, Canceled, NotResponding or Paused → submit
//   `<base>-aN` (a retry of a failed stage trains again); none → submit `<base>-aN` (`<base>` for attempt 1).
import type { CommandJob, DistributionConfigurationUnion, JobBase, JobInputUnion } from '@azure/arm-machinelearning';
import * as tl from 'azure-pipelines-task-lib/task';
import { beginOperation, followOperation } from '../../shared/src/armOperation';
import { azureCall } from '../../shared/src/errors';
import { pipelineRunKey } from '../../shared/src/lineage';
import type { WorkspaceScope } from '../../shared/src/workspace';
import { type Distribution, isoDuration, type JobInputSpec } from './inputs';

export const JOB_API_VERSION = '2022-10-01';
// The states a job does not leave, as the official client has them (azure-ai-ml
// `_run_history_constants.py` TERMINAL_STATUSES): NotResponding and Paused too. Finalizing and Unknown pass.
export const TERMINAL_STATES = ['Completed', 'Failed', 'Canceled', 'NotResponding', 'Paused'];
export const UNSUCCESSFUL_STATES = ['Failed', 'Canceled', 'NotResponding', 'Paused'];

export function isTerminal(status: string | undefined): boolean {
  return !!status && TERMINAL_STATES.includes(status);
}

/** The name a given attempt submits under. */
export function attemptJobName(base: string, attempt: number): string {
  return attempt <= 1 ? base : `${base}-a${attempt}`;
}

/** Default base name for this pipeline job and experiment. */
export function defaultJobBaseName(experimentName: string): string {
  return `train-${pipelineRunKey({ scope: `TrainModel|${experimentName}` })}`;
}

export type JobPlan = { action: 'attach'; name: string; status: string } | { action: 'submit'; name: string; previous?: { name: string; status: string } };

/**
 * Decides what to do from the jobs that exist. `existing` maps names of attempts 1..attempt to their status
 * (only the ones found). With an explicit job name, any existing job is re-attached.
 */
export function planJob(o: { base: string; attempt: number; explicit: boolean; existing: Map<string, string> }): JobPlan {
  if (o.explicit) {
    const status = o.existing.get(o.base);
    return status !== undefined ? { action: 'attach', name: o.base, status } : { action: 'submit', name: o.base };
  }
  const attempt = Math.max(1, o.attempt);
  for (let a = attempt; a >= 1; a--) {
    const name = attemptJobName(o.base, a);
    const status = o.existing.get(name);
    if (status === undefined) continue;
    if (!UNSUCCESSFUL_STATES.includes(status) || a === attempt) return { action: 'attach', name, status };
    return { action: 'submit', name: attemptJobName(o.base, attempt), previous: { name, status } };
  }
  return { action: 'submit', name: attemptJobName(o.base, attempt) };
}

export function distributionConfig(d: Distribution, processCountPerInstance: number, instanceCount: number): DistributionConfigurationUnion | undefined {
  switch (d) {
    case 'pytorch':
      return { distributionType: 'PyTorch', processCountPerInstance };
    case 'mpi':
      return { distributionType: 'Mpi', processCountPerInstance };
    case 'tensorflow':
      return { distributionType: 'TensorFlow', workerCount: instanceCount * processCountPerInstance, parameterServerCount: 0 };
    default:
      return undefined;
  }
}

/** Inputs after resolveDataInputs (data assets are ARM ids of their own type, which may be mltable). */
export type JobInputValue = JobInputSpec | { type: 'mltable'; value: string };

export function jobInputsBody(inputs: Map<string, JobInputValue>): Record<string, JobInputUnion> {
  const out: Record<string, JobInputUnion> = {};
  for (const [name, spec] of inputs) {
    out[name] = spec.type === 'literal' ? { jobInputType: 'literal', value: spec.value } : { jobInputType: spec.type, uri: spec.value };
  }
  return out;
}

export interface JobBodyOptions {
  experimentName: string;
  displayName?: string;
  command: string;
  codeId: string;
  environmentId: string;
  computeId: string;
  inputs: Map<string, JobInputValue>;
  modelOutputName: string;
  environmentVariables: Map<string, string>;
  instanceCount: number;
  distribution: Distribution;
  processCountPerInstance: number;
  timeoutMinutes: number;
  tags: Record<string, string>;
  description?: string;
}

export function commandJobBody(o: JobBodyOptions): JobBase {
  const distribution = distributionConfig(o.distribution, o.processCountPerInstance, o.instanceCount);
  const properties: CommandJob = {
    jobType: 'Command',
    experimentName: o.experimentName,
    ...(o.displayName ? { displayName: o.displayName } : {}),
    ...(o.description ? { description: o.description } : {}),
    command: o.command,
    codeId: o.codeId,
    environmentId: o.environmentId,
    computeId: o.computeId,
    inputs: jobInputsBody(o.inputs),
    outputs: { [o.modelOutputName]: { jobOutputType: 'uri_folder', mode: 'ReadWriteMount' } },
    environmentVariables: Object.fromEntries(o.environmentVariables),
    resources: { instanceCount: o.instanceCount },
    ...(distribution ? { distribution } : {}),
    limits: { jobLimitsType: 'Command', timeout: isoDuration(o.timeoutMinutes) },
    tags: o.tags,
  };
  return { properties };
}

/** The job's status, or undefined when it does not exist. */
export async function jobStatus(scope: WorkspaceScope, name: string): Promise<string | undefined> {
  const { ws, clients: { ml: client } } = scope;
  const j = await azureCall('Reading', `job '${name}' of workspace '${ws.name}'`, () => client.jobs.get(ws.resourceGroup, ws.name, name), { notFound: 'undefined' });
  return j ? (j.properties.status ?? 'Unknown') : undefined;
}

/** Looks up the jobs this pipeline job may already have (read only). */
export async function findPlan(scope: WorkspaceScope, o: { base: string; attempt: number; explicit: boolean }): Promise<JobPlan> {
  const names = o.explicit ? [o.base] : Array.from({ length: Math.max(1, o.attempt) }, (_, i) => attemptJobName(o.base, i + 1));
  const existing = new Map<string, string>();
  for (const name of names) {
    const s = await jobStatus(scope, name);
    if (s !== undefined) existing.set(name, s);
  }
  return planJob({ ...o, existing });
}

/**
 * PUT of the job as raw ARM JSON. Not through the SDK: @azure/arm-machinelearning 2.1.1 registers the
 * uri_file/uri_folder (and model) inputs and outputs under the AssetJobInput/AssetJobOutput discriminators,
 * so its serializer drops their `uri` and `mode` (the emulator's validation caught it: "a uri_folder input needs a 'uri'").
 */
export async function submitJob(scope: WorkspaceScope<'arm'>, name: string, body: JobBase, apiVersion = JOB_API_VERSION, headers?: Record<string, string>): Promise<string> {
  const { ws } = scope;
  const put = (...o: [] | [{ headers: Record<string, string> }]) =>
    scope.clients.arm.request<{ properties?: { status?: string } }>('PUT', `${ws.id}/jobs/${encodeURIComponent(name)}`, apiVersion, body, ...o);
  const created = await azureCall('Submitting', `job '${name}' to workspace '${ws.name}'`, () => (headers ? put({ headers }) : put()));
  return created?.properties?.status ?? 'NotStarted';
}

/**
 * Starts the cancel LRO and follows it with the shared waiter every 500 ms (the pipeline's cancellation budget is
 * about 5 s; at the task's own timeout it may take up to CANCEL_WAIT_MS). Its state lines go to the debug log.
 */
export async function cancelJob(scope: WorkspaceScope, name: string): Promise<void> {
  const { ws, clients: { ml: client } } = scope;
  const op = await beginOperation(() => client.jobs.beginCancel(ws.resourceGroup, ws.name, name), {
    action: 'Cancelling',
    resource: `job '${name}'`,
    pollAction: 'Polling the cancellation of',
    pollResource: `job '${name}'`,
  });
  await followOperation<void>(op, { what: `Cancelling job '${name}'`, timeoutMs: CANCEL_WAIT_MS, initialDelayMs: 500, maxDelayMs: 500, log: (line) => tl.debug(line) });
}

export const CANCEL_WAIT_MS = 30_000;
