// Reads and validates every input into one typed object before anything touches Azure.
import * as fs from 'node:fs';
import {
  amlName,
  azureResourceGroupName,
  booleanInput,
  enumInput,
  filePathInput,
  InputError,
  isAmlName,
  keyValueLines,
  numberInput,
  optionalString,
  quote,
  requiredString,
  workspaceNameInput,
} from '../../shared/src/inputs';
import { parseJobOutputUri } from '../../shared/src/jobOutputs';
import { GateDirection, GateSettings, parseMinImprovement } from './gate';
import { Metrics, parseMetricsJson } from './metrics';

export const ACTIONS = ['register', 'promote'] as const;
export const SOURCE_TYPES = ['job', 'local'] as const;
export const MODEL_TYPES = ['custom_model', 'mlflow_model', 'triton_model'] as const;
export const DIRECTIONS: readonly GateDirection[] = ['higherIsBetter', 'lowerIsBetter'];
export const ON_GATE_FAILURE = ['fail', 'skip'] as const;

/** Tag key prefixes the task writes itself; user tags may not use them. */
export const RESERVED_TAG_PREFIXES = ['ado.', 'gate.', 'promotion.', 'upstream.'];

export interface Tag {
  key: string;
  value: string;
}

export type ModelSource =
  /** `path`: a path inside the output ('' = all of it); output `artifacts` = what the job logged with MLflow. */
  | { type: 'job'; jobName: string; outputName: string; path: string; modelUri?: string }
  | { type: 'local'; path: string; jobName?: string };

export interface CommonParams {
  resourceGroup: string;
  workspaceName: string;
  modelName: string;
  modelVersion?: string;
  productionTag: Tag;
}

export interface RegisterParams extends CommonParams {
  action: 'register';
  source: ModelSource;
  /** Undefined: decided from the files (mlflow_model when an MLmodel file is at the model's root, else custom_model). */
  modelType?: (typeof MODEL_TYPES)[number];
  description?: string;
  tags: Record<string, string>;
  /** From metricsFile; undefined = read the job's MLflow run (when there is a job). */
  fileMetrics?: Metrics;
  metricsFile?: string;
  gate?: GateSettings;
  onGateFailure: (typeof ON_GATE_FAILURE)[number];
}

export interface PromoteParams extends CommonParams {
  action: 'promote';
}

export type Params = RegisterParams | PromoteParams;

/** Azure ML asset versions: letters, digits, '.', '_' and '-', starting with a letter or digit. */
const VERSION = /^[a-zA-Z0-9][a-zA-Z0-9._-]{0,63}$/;

export function parseProductionTag(text: string | undefined): Tag {
  const t = (text ?? 'stage=production').trim();
  const eq = t.indexOf('=');
  const key = eq > 0 ? t.slice(0, eq).trim() : '';
  const value = eq > 0 ? t.slice(eq + 1).trim() : '';
  if (!key || !value || /[=,]/.test(key) || value.includes(',')) {
    throw new InputError('productionTag', `${quote(t)} is not a 'key=value' tag`, "one tag as 'key=value' (no commas), e.g. 'stage=production'");
  }
  return { key, value };
}

function readCommon(): CommonParams {
  const resourceGroup = azureResourceGroupName('resourceGroup', requiredString('resourceGroup'));
  const workspaceName = workspaceNameInput('workspaceName', requiredString('workspaceName'));
  const modelName = amlName('modelName', requiredString('modelName'));
  const v = optionalString('modelVersion');
  if (v !== undefined && !VERSION.test(v)) {
    throw new InputError('modelVersion', `${quote(v)} is not a valid model version`, "1-64 letters, digits, '.', '_' or '-', e.g. '3'");
  }
  return { resourceGroup, workspaceName, modelName, ...(v !== undefined ? { modelVersion: v } : {}), productionTag: parseProductionTag(optionalString('productionTag')) };
}

function readSource(): ModelSource {
  const type = enumInput('modelSourceType', SOURCE_TYPES, 'job');
  const job = optionalString('jobName');
  const jobName = job !== undefined ? amlName('jobName', job) : undefined;
  if (type === 'job') {
    const out = jobOutputInput(optionalString('jobOutputName') ?? 'model');
    if (out.job !== undefined && jobName !== undefined && out.job !== jobName) {
      throw new InputError('jobOutputName', `${quote(out.text)} names job '${out.job}', but jobName is '${jobName}'`, 'a model URI of the job in jobName, or leave jobName empty');
    }
    const job = jobName ?? out.job;
    if (job === undefined) throw new InputError('jobName', "is required when modelSourceType is 'job'", 'the name of a completed Azure ML job (the jobName output of TrainModel)');
    return { type, jobName: job, outputName: out.output, path: out.path, ...(out.job !== undefined ? { modelUri: out.text } : {}) };
  }
  const p = filePathInput('modelPath', { required: true, kind: 'any' }) as string;
  return { type, path: p, ...(jobName ? { jobName } : {}) };
}

const JOB_OUTPUT_EXPECTED =
  "an output name ('model'), a path in an output ('artifacts/model' for a model the job logged with MLflow), " +
  "or a model URI 'runs:/<job>/<path>' or 'azureml://jobs/<job>/outputs/<output>/paths/<path>'";

/**
 * `jobOutputName`: an output name; `<output>/<path>`; or a URI naming the job too — `runs:/<job>/<path>` (MLflow's
 * name of `azureml://jobs/<job>/outputs/artifacts/paths/<path>`) or `azureml://jobs/<job>/outputs/<output>[/paths/<p>]`.
 */
export function jobOutputInput(text: string): { text: string; job?: string; output: string; path: string } {
  const t = text.trim();
  const uri = parseJobOutputUri(t);
  if (uri) return { text: t, job: amlName('jobOutputName', uri.job), output: uri.output, path: uri.path };
  if (/^[a-z][a-z0-9+.-]*:/i.test(t)) throw new InputError('jobOutputName', `${quote(t)} is not a job output`, JOB_OUTPUT_EXPECTED);
  const [output, ...rest] = t.split('/');
  if (!isAmlName(output)) throw new InputError('jobOutputName', `${quote(t)} does not start with an output name`, JOB_OUTPUT_EXPECTED);
  const p = rest.filter((s) => s.length > 0);
  if (p.some((s) => s === '.' || s === '..' || /[\\\r\n]/.test(s))) throw new InputError('jobOutputName', `${quote(t)} has a path that leaves the output`, JOB_OUTPUT_EXPECTED);
  return { text: t, output, path: p.join('/') };
}

function readMetricsFile(): { fileMetrics?: Metrics; metricsFile?: string } {
  const file = filePathInput('metricsFile', { required: false, kind: 'file' });
  if (file === undefined) return {};
  const parsed = parseMetricsJson(fs.readFileSync(file, 'utf8'));
  if (!parsed.metrics) throw new InputError('metricsFile', `${quote(file)} ${parsed.problem}`, 'a JSON object of metric name → number, e.g. {"accuracy": 0.93}');
  return { fileMetrics: parsed.metrics, metricsFile: file };
}

function readGate(): GateSettings | undefined {
  const metric = optionalString('gateMetric');
  // direction and minImprovement are validated even without a gate metric: a typo should not pass silently
  const direction = enumInput('gateDirection', DIRECTIONS, 'higherIsBetter');
  const miText = optionalString('minImprovement') ?? '0';
  const minImprovement = parseMinImprovement(miText);
  if (!minImprovement) {
    throw new InputError('minImprovement', `${quote(miText)} is not a number or a percentage`, "a non-negative number (absolute, e.g. '0.01') or a percentage of the production value (e.g. '1%')");
  }
  const threshold = numberInput('gateThreshold', {});
  const compareWithProduction = booleanInput('compareWithProduction', true);
  if (metric === undefined) {
    if (threshold !== undefined) throw new InputError('gateMetric', 'is empty but gateThreshold is set', 'the name of the metric the threshold applies to');
    return undefined;
  }
  if (metric.length > 250 || /[\r\n]/.test(metric)) throw new InputError('gateMetric', `${quote(metric)} is not a metric name`, 'one metric name, e.g. accuracy');
  return { metric, direction, ...(threshold !== undefined ? { threshold } : {}), compareWithProduction, minImprovement };
}

function readTags(productionTag: Tag): Record<string, string> {
  const map = keyValueLines('tags', optionalString('tags'));
  const out: Record<string, string> = {};
  for (const [k, v] of map) {
    if (RESERVED_TAG_PREFIXES.some((p) => k.startsWith(p))) {
      throw new InputError('tags', `key ${quote(k)} is reserved for the task`, `keys not starting with ${RESERVED_TAG_PREFIXES.map((p) => `'${p}'`).join(', ')}`);
    }
    if (k === productionTag.key) {
      throw new InputError('tags', `key ${quote(k)} is the production tag's key`, "other keys (a version becomes production with action 'promote')");
    }
    out[k] = v;
  }
  return out;
}

export function readInputs(): Params {
  const action = enumInput('action', ACTIONS, 'register');
  const common = readCommon();
  if (action === 'promote') return { action, ...common };
  const source = readSource();
  const modelType = optionalString('modelType') !== undefined ? enumInput('modelType', MODEL_TYPES, 'custom_model') : undefined;
  const gate = readGate();
  const { fileMetrics, metricsFile } = readMetricsFile();
  const hasJob = source.type === 'job' || source.jobName !== undefined;
  if (gate && !fileMetrics && !hasJob) {
    throw new InputError('metricsFile', `is empty, so the gate metric ${quote(gate.metric)} has no source`, "a metrics JSON file, or jobName for the job's MLflow metrics");
  }
  const onGateFailure = enumInput('onGateFailure', ON_GATE_FAILURE, 'fail');
  const description = optionalString('description');
  const tags = readTags(common.productionTag);
  return {
    action,
    ...common,
    source,
    ...(modelType ? { modelType } : {}),
    ...(description !== undefined ? { description } : {}),
    tags,
    ...(fileMetrics ? { fileMetrics, metricsFile } : {}),
    ...(gate ? { gate } : {}),
    onGateFailure,
  };
}
