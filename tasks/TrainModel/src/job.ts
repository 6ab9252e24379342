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
// - Re-attach only to a job this run could have submitted (issue 15 item 6): ARM's systemData names this service
//   connection's identity as its creator (shared callerIdentity.ts) and, for an inline command job, it runs the code
//   version and environment this run resolved. A name held by any other job is passed over with one line saying
//   why; this attempt then submits under the next free `<name>-r2` … `<name>-r5`. An explicit `jobName` held by
//   another job fails the task (the name was the user's to choose).
import type { CommandJob, DistributionConfigurationUnion, JobBase, JobInputUnion } from '@azure/arm-machinelearning';
import * as tl from 'azure-pipelines-task-lib/task';
import { beginOperation, followOperation } from '../../shared/src/armOperation';
import { callerIdentity, type CallerIdentity, notCreatedBy, type SystemData } from '../../shared/src/callerIdentity';
import { azureCall, InputError, TaskError } from '../../shared/src/errors';
import { untrusted } from '../../shared/src/untrusted';
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

/** A job found under one of the names this pipeline job may use. */
export interface ExistingJob {
  status: string;
  /** Why the task must not re-attach to it (another creator, other code or environment); undefined when it may. */
  notReusable?: string;
}

export type JobPlan =
  | { action: 'attach'; name: string; status: string }
  | { action: 'submit'; name: string; previous?: { name: string; status: string }; notReused?: { name: string; why: string } };

/** How many names an attempt may try when others' jobs hold them: `<name>`, `<name>-r2` … `<name>-r5`. */
export const MAX_NAME_SLOTS = 5;

/** The k-th name of an attempt (k = 1 is the attempt's own name). */
export function slotJobName(name: string, k: number): string {
  return k <= 1 ? name : `${name}-r${k}`;
}

/** The names an attempt may have used, in order. */
export function attemptSlots(base: string, attempt: number): string[] {
  return Array.from({ length: MAX_NAME_SLOTS }, (_, i) => slotJobName(attemptJobName(base, attempt), i + 1));
}

/**
 * Decides what to do from the jobs that exist. `existing` maps the names found (attempts 1..attempt and their
 * `-r<k>` slots) to their status and whether they may be re-attached. With an explicit job name, an existing job
 * of this connection is re-attached (whatever its state) and anyone else's fails the task.
 */
export function planJob(o: { base: string; attempt: number; explicit: boolean; existing: Map<string, ExistingJob> }): JobPlan {
  if (o.explicit) {
    const j = o.existing.get(o.base);
    if (!j) return { action: 'submit', name: o.base };
    if (j.notReusable) {
      throw new InputError('jobName', `a job named '${o.base}' exists in the workspace, but ${j.notReusable}: the task does not re-attach to it`, 'a job name not used by another job (or leave jobName empty for a name per pipeline run)');
    }
    return { action: 'attach', name: o.base, status: j.status };
  }
  const attempt = Math.max(1, o.attempt);
  const freeName = (): string => {
    const free = attemptSlots(o.base, attempt).find((n) => !o.existing.has(n));
    if (!free) throw new TaskError(`Jobs of others hold every name this attempt may use ('${attemptJobName(o.base, attempt)}' and its -r2 … -r${MAX_NAME_SLOTS}): not submitting. Re-run the pipeline, or set jobName.`);
    return free;
  };
  let notReused: { name: string; why: string } | undefined;
  for (let a = attempt; a >= 1; a--) {
    const chain: [string, ExistingJob][] = [];
    for (const n of attemptSlots(o.base, a)) {
      const j = o.existing.get(n);
      if (!j) break;
      chain.push([n, j]);
    }
    const mine = chain.filter(([, j]) => !j.notReusable).at(-1);
    if (!mine) {
      const other = chain.at(-1);
      if (other && !notReused) notReused = { name: other[0], why: other[1].notReusable ?? '' };
      continue;
    }
    const [name, j] = mine;
    if (!UNSUCCESSFUL_STATES.includes(j.status) || a === attempt) return { action: 'attach', name, status: j.status };
    return { action: 'submit', name: freeName(), previous: { name, status: j.status }, ...(notReused ? { notReused } : {}) };
  }
  return { action: 'submit', name: freeName(), ...(notReused ? { notReused } : {}) };
}

/** One line for the log: which job was passed over and why. */
export function notReusedLine(plan: JobPlan): string | undefined {
  if (plan.action !== 'submit' || !plan.notReused) return undefined;
  return `Not re-attaching to job '${plan.notReused.name}': ${plan.notReused.why}. Submitting '${plan.name}' instead.`;
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

/** What a job must run to be re-attached: the ids this run resolved (an inline command job). */
export interface ReuseExpectation {
  codeId?: string;
  environmentId?: string;
}

/** ARM ids compare case-insensitively; an `azureml:` prefix and a trailing slash are not part of the id. */
function sameArmId(a: unknown, b: string): boolean {
  const norm = (x: string): string => x.trim().replace(/^azureml:/i, '').replace(/\/+$/, '').toLowerCase();
  return typeof a === 'string' && norm(a) === norm(b);
}

/** Why the job must not be re-attached (not this connection's, other code or environment); undefined when it may. */
export function jobNotReusable(job: JobBase & { systemData?: SystemData }, me: CallerIdentity, expect: ReuseExpectation = {}): string | undefined {
  const notMine = notCreatedBy(me, job.systemData);
  if (notMine) return notMine;
  const p = job.properties as { codeId?: unknown; environmentId?: unknown };
  if (expect.codeId && !sameArmId(p.codeId, expect.codeId)) return `it runs other code (${untrusted(String(p.codeId ?? 'none'))}) than this run's snapshot`;
  if (expect.environmentId && !sameArmId(p.environmentId, expect.environmentId)) return `it runs another environment (${untrusted(String(p.environmentId ?? 'none'))}) than this run resolved`;
  return undefined;
}

/** The job, or undefined when it does not exist. */
async function readJob(scope: WorkspaceScope, name: string): Promise<JobBase | undefined> {
  const { ws, clients: { ml: client } } = scope;
  return azureCall('Reading', `job '${name}' of workspace '${ws.name}'`, () => client.jobs.get(ws.resourceGroup, ws.name, name), { notFound: 'undefined' });
}

/** The job's status, or undefined when it does not exist. */
export async function jobStatus(scope: WorkspaceScope, name: string): Promise<string | undefined> {
  const j = await readJob(scope, name);
  return j ? (j.properties.status ?? 'Unknown') : undefined;
}

/** Looks up the jobs this pipeline job may already have (read only) and which of them may be re-attached. */
export async function findPlan(scope: WorkspaceScope, o: { base: string; attempt: number; explicit: boolean; expect?: ReuseExpectation }): Promise<JobPlan> {
  const attempts = o.explicit ? [] : Array.from({ length: Math.max(1, o.attempt) }, (_, i) => i + 1);
  const chains = o.explicit ? [[o.base]] : attempts.map((a) => attemptSlots(o.base, a));
  const existing = new Map<string, ExistingJob>();
  let me: CallerIdentity | undefined;
  for (const chain of chains) {
    for (const name of chain) {
      const j = await readJob(scope, name);
      if (!j) break;
      me ??= await callerIdentity(scope.ctx);
      const notReusable = jobNotReusable(j, me, o.expect);
      existing.set(name, { status: j.properties.status ?? 'Unknown', ...(notReusable ? { notReusable } : {}) });
    }
  }
  return planJob({ base: o.base, attempt: o.attempt, explicit: o.explicit, existing });
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
