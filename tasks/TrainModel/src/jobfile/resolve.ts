// A validated job file → the plan: the REST body TrainModel PUTs (API 2022-10-01, the shape azure-ai-ml
// 1.4 sends: `CommandJob/SweepJob/PipelineJob._to_rest_object`) and the writes it needs first (code
// uploads, anonymous environments and components). Only reads happen here (JobFileReader); every id
// the body holds is known before anything is written, so a bad file changes nothing in Azure.
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parse, stringify } from 'yaml';
import type { ComponentVersionBody, EnvironmentVersionBody, JobFileReader } from './azure';
import { PyFloat } from './pythonJson';
import {
  computeId, environmentId, inputUri, isoDuration, localPath, MODES, ReferenceError, versionedArmId, versionedAssetId,
} from './references';
import { failAt, pyYamlTags, type JobFileSource, type PathSegment } from './source';
import { Literal, type Value } from './validate';

export const ANONYMOUS_ENVIRONMENT_NAME = 'CliV2AnonymousEnvironment';

export interface PlannedCode { folder: string; id: string }
export interface PlannedEnvironment { name: string; version: string; id: string; body: EnvironmentVersionBody }
export interface PlannedComponent { name: string; version: string; id: string; body: ComponentVersionBody; step: string }

export interface JobFilePlan {
  type: 'command' | 'sweep' | 'pipeline';
  /** The file's `name:` (the job name), when it gives one. */
  name?: string;
  body: { properties: Record<string, unknown> };
  codes: PlannedCode[];
  environments: PlannedEnvironment[];
  components: PlannedComponent[];
  /** What `@latest` and other lookups resolved to, for the log. */
  notes: string[];
}

export interface ResolveOptions {
  src: JobFileSource;
  /** Absolute path of the job file. */
  filePath: string;
  repositoryRoot: string;
  reader: JobFileReader;
  /** experiment_name when the file has none (the experimentName input, else the file's folder name: planJobFile). */
  experimentName: string;
}

export type Obj = Record<string, Value>;
export const asObj = (v: Value | undefined): Obj | undefined => (v && typeof v === 'object' && !Array.isArray(v) && !(v instanceof Literal) ? v : undefined);
export const asStr = (v: Value | undefined): string | undefined => (typeof v === 'string' ? v : undefined);
export const asNum = (v: Value | undefined): number | undefined => (typeof v === 'number' ? v : undefined);
export const defined = <T extends Record<string, unknown>>(o: T): T => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;

export class Planner {
  readonly codes = new Map<string, PlannedCode>();
  readonly environments = new Map<string, PlannedEnvironment>();
  readonly components = new Map<string, PlannedComponent>();
  readonly notes: string[] = [];
  constructor(readonly o: ResolveOptions) {}

  get ws(): string {
    return this.o.reader.workspaceId;
  }

  /** Runs a resolution step; a ReferenceError becomes an error at `p` in the file. */
  async at<T>(p: PathSegment[], fn: () => Promise<T> | T): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      if (err instanceof ReferenceError) failAt(this.o.src, p, err.message.replace(/^\S+ '/, "'"));
      throw err;
    }
  }

  async code(value: string, baseDir: string, p: PathSegment[]): Promise<string> {
    return this.at(p, async () => {
      const v = value.trim();
      if (v.startsWith('azureml:') || v.startsWith('/subscriptions/')) return versionedAssetId(this.o.reader, 'codes' as 'data', v, 'code');
      if (/^(https?|git\+?\w*):/i.test(v)) throw new ReferenceError(`code '${v}' is a URL: TrainModel uploads local folders of the repository`);
      const folder = localPath({ baseDir, repositoryRoot: this.o.repositoryRoot, value: v, what: 'code', kind: 'any' });
      const known = this.codes.get(folder);
      if (known) return known.id;
      const id = await this.o.reader.codeVersionId(folder);
      this.codes.set(folder, { folder, id });
      return id;
    });
  }

  async environment(value: Value, baseDir: string, p: PathSegment[]): Promise<string> {
    const s = asStr(value);
    if (s !== undefined) {
      const id = await this.at(p, () => environmentId(this.o.reader, s, 'environment'));
      if (/@latest$/.test(s)) this.notes.push(`${p.join('.')}: ${s} → ${id.split('/').slice(-3).join('/')}`);
      return id;
    }
    return this.anonymousEnvironment(asObj(value) ?? {}, baseDir, p);
  }

  /**
   * An inline environment (image + conda_file) as the official client registers it: name
   * CliV2AnonymousEnvironment, version from `Environment._generate_anonymous_name_version`, which
   * takes md5(image) and then uses it as the *separator* of `"".join` over md5(conda) — a quirk kept
   * here so the same file gives the same version as the CLI.
   */
  async anonymousEnvironment(env: Obj, baseDir: string, p: PathSegment[]): Promise<string> {
    const image = asStr(env.image);
    if (env.build !== undefined) failAt(this.o.src, [...p, 'build'], 'is a Docker build context: TrainModel takes an image and a conda_file for an inline environment');
    if (!image) failAt(this.o.src, [...p, 'image'], 'is required for an inline environment');
    let conda: string | undefined;
    const condaValue = env.conda_file;
    if (typeof condaValue === 'string') {
      const file = await this.at([...p, 'conda_file'], () => localPath({ baseDir, repositoryRoot: this.o.repositoryRoot, value: condaValue, what: 'conda_file', kind: 'file' }));
      conda = pythonYamlDump(parseYamlFile(file));
    } else if (condaValue !== undefined && condaValue !== null) {
      conda = pythonYamlDump(condaValue);
    }
    const md5 = (s: string): string => createHash('md5').update(s, 'utf8').digest('hex');
    let hashStr = md5(image);
    if (conda !== undefined) hashStr = [...md5(conda)].join(hashStr);
    const version = md5(hashStr);
    const id = versionedArmId(this.ws, 'environments', ANONYMOUS_ENVIRONMENT_NAME, version);
    const osType = asStr(env.os_type);
    this.environments.set(id, {
      name: ANONYMOUS_ENVIRONMENT_NAME, version, id,
      body: {
        properties: defined({
          image, condaFile: conda, isAnonymous: true,
          osType: osType ? (osType === 'windows' ? 'Windows' : 'Linux') : undefined,
          description: asStr(env.description),
          tags: asObj(env.tags) as Record<string, string> | undefined,
        }),
      },
    });
    return id;
  }

  /** A job's `inputs:` entry → JobInput (camelCase keys for a job, snake_case inside pipeline steps). */
  async input(v: Value, p: PathSegment[], style: 'job' | 'node'): Promise<Record<string, unknown>> {
    const k = style === 'job' ? { type: 'jobInputType' } : { type: 'job_input_type' };
    if (v instanceof Literal) return { [k.type]: 'literal', value: v.text };
    const o = asObj(v) ?? {};
    if ('value' in o && !('type' in o)) {
      const lit = o.value;
      return { [k.type]: 'literal', value: lit instanceof Literal ? lit.text : String(lit) };
    }
    const type = asStr(o.type) ?? 'uri_folder';
    const pathValue = asStr(o.path);
    const uri = pathValue === undefined ? undefined : await this.at([...p, 'path'], () => inputUri(this.o.reader, type, pathValue, 'path'));
    if (pathValue && /@latest$/.test(pathValue) && uri) this.notes.push(`${p.join('.')}: ${pathValue} → ${uri.split('/').slice(-3).join('/')}`);
    const mode = asStr(o.mode);
    return defined({ uri, [k.type]: type, mode: mode ? MODES[mode] : undefined });
  }

  async inputs(v: Value | undefined, p: PathSegment[], style: 'job' | 'node'): Promise<Record<string, unknown>> {
    const out: Record<string, unknown> = {};
    for (const [name, value] of Object.entries(asObj(v) ?? {})) out[name] = await this.input(value, [...p, name], style);
    return out;
  }

  outputs(v: Value | undefined): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const [name, value] of Object.entries(asObj(v) ?? {})) {
      const o = asObj(value) ?? {};
      const mode = asStr(o.mode);
      out[name] = defined({ jobOutputType: asStr(o.type) ?? 'uri_folder', mode: mode ? MODES[mode] : undefined, uri: asStr(o.path) });
    }
    return out;
  }
}

/** A conda file, read as the official client reads it (PyYAML safe_load). */
function parseYamlFile(file: string): unknown {
  return parse(fs.readFileSync(file, 'utf8'), { version: '1.1', customTags: pyYamlTags }) as unknown;
}

/** The conda file as the service gets it: `dump_yaml(conda, sort_keys=True)` (block style, sorted keys). */
export function pythonYamlDump(v: unknown): string {
  return stringify(v, { sortMapEntries: true, indentSeq: false, lineWidth: 0, version: '1.1' });
}

// --- distribution, resources, limits, identity ------------------------------------------------------------
export function distribution(v: Value | undefined): Record<string, unknown> | undefined {
  const d = asObj(v);
  if (!d) return undefined;
  switch (asStr(d.type)) {
    case 'pytorch': return defined({ distributionType: 'PyTorch', processCountPerInstance: asNum(d.process_count_per_instance) });
    case 'mpi': return defined({ distributionType: 'Mpi', processCountPerInstance: asNum(d.process_count_per_instance) });
    case 'tensorflow': return defined({ distributionType: 'TensorFlow', workerCount: asNum(d.worker_count), parameterServerCount: asNum(d.parameter_server_count) });
    default: return undefined;
  }
}

export function resources(v: Value | undefined): Record<string, unknown> | undefined {
  const r = asObj(v);
  if (!r) return undefined;
  return defined({
    instanceCount: asNum(r.instance_count), instanceType: asStr(r.instance_type), properties: asObj(r.properties) ?? {},
    shmSize: asStr(r.shm_size), dockerArgs: asStr(r.docker_args),
  });
}

export function identity(v: Value | undefined): Record<string, unknown> | undefined {
  const i = asObj(v);
  if (!i) return undefined;
  switch (asStr(i.type)) {
    case 'managed':
    case 'managed_identity': return defined({ identityType: 'Managed', clientId: asStr(i.client_id), objectId: asStr(i.object_id), resourceId: asStr(i.msi_resource_id) });
    case 'aml_token': return { identityType: 'AMLToken' };
    case 'user_identity': return { identityType: 'UserIdentity' };
    default: return undefined;
  }
}

const SERVICE_TYPES: Record<string, string> = {
  custom: 'Custom', tracking: 'Tracking', studio: 'Studio', jupyter_lab: 'JupyterLab', ssh: 'SSH', tensor_board: 'TensorBoard', vs_code: 'VSCode',
};

/** `services:` → JobService (azure-ai-ml entities/_job/job_service.py JobService._to_rest_object). */
export function services(v: Value | undefined): Record<string, unknown> | undefined {
  const all = asObj(v);
  if (!all) return undefined;
  const out: Record<string, unknown> = {};
  for (const [name, sv] of Object.entries(all)) {
    const svc = asObj(sv) ?? {};
    const type = asStr(svc.job_service_type);
    out[name] = defined({
      // a type outside the table is dropped, as ENTITY_TO_REST.get(type, None) drops it
      jobServiceType: type === undefined ? undefined : SERVICE_TYPES[type],
      port: asNum(svc.port),
      nodes: svc.nodes ? { nodesValueType: 'All' } : undefined,
      properties: asObj(svc.properties),
    });
  }
  return out;
}

export function seconds(v: Value | undefined): string | undefined {
  const n = asNum(v);
  return n ? isoDuration(n) : undefined;
}

/** Fields every job carries (Job._to_rest_object: properties, tags and isArchived are always sent). */
export function baseJob(job: Obj, o: ResolveOptions): Record<string, unknown> {
  return defined({
    properties: asObj(job.properties) ?? {},
    tags: asObj(job.tags) ?? {},
    displayName: asStr(job.display_name),
    experimentName: asStr(job.experiment_name) ?? o.experimentName,
    description: asStr(job.description),
    isArchived: false,
  });
}

// --- command ---------------------------------------------------------------------------------------------
async function commandJob(pl: Planner, job: Obj): Promise<Record<string, unknown>> {
  const baseDir = path.dirname(pl.o.filePath);
  const limits = asObj(job.limits);
  return defined({
    ...baseJob(job, pl.o),
    jobType: 'Command',
    computeId: asStr(job.compute) === undefined ? undefined : computeId(pl.ws, asStr(job.compute) as string),
    command: asStr(job.command),
    codeId: asStr(job.code) === undefined ? undefined : await pl.code(asStr(job.code) as string, baseDir, ['code']),
    environmentId: await pl.environment(job.environment, baseDir, ['environment']),
    environmentVariables: asObj(job.environment_variables) ?? {},
    inputs: await pl.inputs(job.inputs, ['inputs'], 'job'),
    outputs: pl.outputs(job.outputs),
    distribution: distribution(job.distribution),
    resources: resources(job.resources),
    limits: limits ? defined({ jobLimitsType: 'Command', timeout: seconds(limits.timeout) }) : undefined,
    identity: identity(job.identity),
    services: services(job.services),
  });
}

// --- sweep -----------------------------------------------------------------------------------------------
/** search_space entries → the REST form `[type, [args]]` (azure-ai-ml `_job/sweep/search_space.py _to_rest_object`). */
export function searchSpace(v: Value | undefined): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const f = (x: Value | undefined): unknown => (typeof x === 'number' ? new PyFloat(x) : x);
  for (const [name, value] of Object.entries(asObj(v) ?? {})) {
    const d = asObj(value) ?? {};
    const type = asStr(d.type) as string;
    switch (type) {
      case 'choice': out[name] = ['choice', [d.values]]; break;
      case 'randint': out[name] = ['randint', [d.upper]]; break;
      case 'uniform':
      case 'loguniform': out[name] = [type, [f(d.min_value), f(d.max_value)]]; break;
      case 'quniform':
      case 'qloguniform': out[name] = [type, [f(d.min_value), f(d.max_value), f(d.q)]]; break;
      case 'normal':
      case 'lognormal': out[name] = [type, [f(d.mu), f(d.sigma)]]; break;
      case 'qnormal':
      case 'qlognormal': out[name] = [type, [f(d.mu), f(d.sigma), f(d.q)]]; break;
    }
  }
  return out;
}

function samplingAlgorithm(v: Value | undefined): Record<string, unknown> {
  const name = asStr(v) ?? asStr(asObj(v)?.type) ?? 'random';
  const o = asObj(v) ?? {};
  const rest = { random: 'Random', grid: 'Grid', bayesian: 'Bayesian' }[name] ?? name;
  const rule = asStr(o.rule);
  return defined({ samplingAlgorithmType: rest, seed: asNum(o.seed), rule });
}

function earlyTermination(v: Value | undefined): Record<string, unknown> | undefined {
  const e = asObj(v);
  if (!e) return undefined;
  // the entities default delay_evaluation, evaluation_interval, slack_amount and slack_factor to 0
  // (azure-ai-ml entities/_job/sweep/early_termination_policy.py), so they are always sent
  const common = { delayEvaluation: asNum(e.delay_evaluation) ?? 0, evaluationInterval: asNum(e.evaluation_interval) ?? 0 };
  switch (asStr(e.type)) {
    case 'bandit': return { ...common, policyType: 'Bandit', slackAmount: new PyFloat(asNum(e.slack_amount) ?? 0), slackFactor: new PyFloat(asNum(e.slack_factor) ?? 0) };
    case 'median_stopping': return { ...common, policyType: 'MedianStopping' };
    case 'truncation_selection': return { ...common, policyType: 'TruncationSelection', truncationPercentage: asNum(e.truncation_percentage) ?? 0 };
    default: return undefined;
  }
}

export function sweepFields(job: Obj): Record<string, unknown> {
  const limits = asObj(job.limits) ?? {};
  const objective = asObj(job.objective) ?? {};
  return defined({
    searchSpace: searchSpace(job.search_space),
    samplingAlgorithm: samplingAlgorithm(job.sampling_algorithm),
    objective: { goal: asStr(objective.goal), primaryMetric: asStr(objective.primary_metric) },
    limits: defined({
      jobLimitsType: 'Sweep', timeout: seconds(limits.timeout), maxConcurrentTrials: asNum(limits.max_concurrent_trials),
      maxTotalTrials: asNum(limits.max_total_trials), trialTimeout: seconds(limits.trial_timeout),
    }),
    earlyTermination: earlyTermination(job.early_termination),
  });
}

async function sweepJob(pl: Planner, job: Obj): Promise<Record<string, unknown>> {
  const baseDir = path.dirname(pl.o.filePath);
  const trial = asObj(job.trial) ?? {};
  return defined({
    ...baseJob(job, pl.o),
    jobType: 'Sweep',
    computeId: computeId(pl.ws, asStr(job.compute) as string),
    inputs: await pl.inputs(job.inputs, ['inputs'], 'job'),
    outputs: pl.outputs(job.outputs),
    ...sweepFields(job),
    trial: defined({
      command: asStr(trial.command),
      codeId: asStr(trial.code) === undefined ? undefined : await pl.code(asStr(trial.code) as string, baseDir, ['trial', 'code']),
      environmentId: await pl.environment(trial.environment, baseDir, ['trial', 'environment']),
      environmentVariables: asObj(trial.environment_variables) ?? {},
      distribution: distribution(trial.distribution),
      resources: resources(trial.resources),
    }),
    identity: identity(job.identity),
  });
}

export async function resolveSingleJob(pl: Planner, type: 'command' | 'sweep', job: Obj): Promise<Record<string, unknown>> {
  return type === 'command' ? commandJob(pl, job) : sweepJob(pl, job);
}
