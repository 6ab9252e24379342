// Every input of DeployOnlineEndpoint read and checked before anything touches Azure: pure (no Azure), one
// typed object, one line naming the input for anything wrong. What only Azure can answer (does the model
// exist, is it an MLflow model, is there quota) is checked in prepare, still before any write.
import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  azureResourceGroupName,
  booleanInput,
  enumInput,
  filePathInput,
  InputError,
  integerInput,
  keyValueLines,
  numberInput,
  optionalString,
  quote,
  requiredString,
  workspaceNameInput,
} from '../../shared/src/inputs';
import { readJsonDocuments, type Bounds } from '../../shared/src/scoring';
import { instanceCount, instanceType } from './compute';
import { endpointName } from './names';
import { parseRolloutSteps, type RolloutStep } from './rolloutSteps';

export type AuthMode = 'key' | 'aadToken';

/** The model version to deploy. */
export interface ModelRef {
  name: string;
  /** Undefined: the model's latest version (read in prepare). */
  version?: string;
  /** As the user wrote it (logs). */
  text: string;
}

/** Where the deployment's environment comes from (none: an MLflow model deployed without code). */
export type EnvironmentInput =
  | { kind: 'existing'; name: string; version?: string; text: string }
  | { kind: 'conda'; file: string; condaYaml: string; baseImage: string }
  | { kind: 'requirements'; file: string; condaYaml: string; baseImage: string }
  | { kind: 'none' };

export interface ProbeSettings {
  payloads: Buffer[];
  requestCount: number;
  concurrency: number;
  requestTimeoutMs: number;
  bounds: Bounds;
}

export interface OnlineInputs {
  resourceGroup: string;
  workspaceName: string;
  endpointName: string;
  authMode: AuthMode;
  endpointDescription?: string;
  model: ModelRef;
  /** The scoring script and the folder uploaded as the deployment's code (its directory). */
  scoring?: { script: string; codeDir: string; relativeScript: string };
  environment: EnvironmentInput;
  instanceType: string;
  instanceCount: number;
  requestTimeoutMs: number;
  maxConcurrentRequestsPerInstance: number;
  probe: { initialDelaySeconds: number; periodSeconds: number; failureThreshold: number };
  environmentVariables: Map<string, string>;
  appInsights: boolean;
  collectData: boolean;
  sampleRate: number;
  steps: RolloutStep[];
  stepWaitMs: number;
  deleteOld: boolean;
  provisioningTimeoutMs: number;
  pollIntervalMs: number;
  check: ProbeSettings;
}

/** The image Azure ML's curated inference environments start from (a conda or pip environment is built on it). */
export const DEFAULT_BASE_IMAGE = 'mcr.microsoft.com/azureml/minimal-ubuntu22.04-py39-cpu-inference:latest';
/** Azure caps requestSettings.requestTimeout at 180 s for managed online deployments. */
export const MAX_REQUEST_TIMEOUT_MS = 180_000;

const MODEL_ID = /^([a-zA-Z0-9][a-zA-Z0-9_.-]{0,254}):([a-zA-Z0-9][a-zA-Z0-9_.-]{0,63})$/;
const MODEL_ARM = /\/models\/([^/]+)\/versions\/([^/]+)$/i;
const MODEL_NAME = /^([a-zA-Z0-9][a-zA-Z0-9_.-]{0,254})(?:@latest)?$/;
const MODEL_RULE = "'azureml:<name>:<version>' (the modelId output of RegisterModel), '<name>:<version>', the model version's ARM id, or a model name (its latest version)";
const ENV_REF = /^azureml:([a-zA-Z0-9][a-zA-Z0-9_.-]{0,254})(?::([a-zA-Z0-9][a-zA-Z0-9_.-]{0,63})|@latest)$/;
const ENV_VAR = /^[A-Za-z_][A-Za-z0-9_]*$/;
const IMAGE = /^[a-z0-9][\w.\-/:@]*$/i;

export function parseModelId(value: string, input = 'modelId'): ModelRef {
  const v = value.trim();
  const bare = v.replace(/^azureml:/i, '');
  const m = v.startsWith('/subscriptions/') ? MODEL_ARM.exec(v) : MODEL_ID.exec(bare);
  if (m) return { name: m[1], version: m[2], text: v };
  // a name alone (the pick list's value) or azureml:<name>@latest: the latest version
  const latest = v.startsWith('/') || (/^azureml:/i.test(v) && !bare.endsWith('@latest')) ? null : MODEL_NAME.exec(bare);
  if (!latest) throw new InputError(input, `${quote(v)} is not a model version reference`, MODEL_RULE);
  return { name: latest[1], text: v };
}

function baseImageInput(): string {
  const v = optionalString('baseImage') ?? DEFAULT_BASE_IMAGE;
  if (/\s/.test(v) || !IMAGE.test(v)) throw new InputError('baseImage', `${quote(v)} is not a Docker image reference`, "'<registry>/<repository>:<tag>'");
  return v;
}

/** A pip requirements file as a conda environment on the base image's Python (what the Azure ML CLI does for pip-only environments). */
export function condaFromRequirements(requirements: string): string {
  const pins = requirements.split(/\r?\n/).map((l) => l.replace(/#.*$/, '').trim()).filter((l) => l.length > 0);
  return ['name: inference', 'channels:', '  - conda-forge', 'dependencies:', '  - python=3.9', '  - pip', '  - pip:', ...pins.map((p) => `    - ${JSON.stringify(p)}`), ''].join('\n');
}

function environmentInput(hasScript: boolean): EnvironmentInput {
  const env = optionalString('environment');
  const conda = filePathInput('condaFile', { kind: 'file' });
  const requirements = filePathInput('requirementsFile', { kind: 'file' });
  const given = [env && 'environment', conda && 'condaFile', requirements && 'requirementsFile'].filter((x): x is string => !!x);
  if (given.length > 1) throw new InputError(given[1], `is set together with ${given[0]}`, 'one of environment, condaFile or requirementsFile');
  if (env) {
    const m = ENV_REF.exec(env);
    if (!m) throw new InputError('environment', `${quote(env)} is not an environment reference`, "'azureml:<name>:<version>' or 'azureml:<name>@latest'");
    return { kind: 'existing', name: m[1], ...(m[2] ? { version: m[2] } : {}), text: env };
  }
  if (conda) {
    const condaYaml = fs.readFileSync(conda, 'utf8');
    if (!/^dependencies\s*:/m.test(condaYaml)) throw new InputError('condaFile', `${quote(conda)} has no top-level 'dependencies:'`, 'a conda environment YAML file (name, channels, dependencies)');
    return { kind: 'conda', file: conda, condaYaml, baseImage: baseImageInput() };
  }
  if (requirements) {
    return { kind: 'requirements', file: requirements, condaYaml: condaFromRequirements(fs.readFileSync(requirements, 'utf8')), baseImage: baseImageInput() };
  }
  if (hasScript) throw new InputError('environment', 'is empty while scoringScript is set', 'an environment (environment, condaFile or requirementsFile) for the scoring script');
  return { kind: 'none' };
}

function probeSettings(): ProbeSettings {
  const payloadFile = filePathInput('payloadFile', { required: true, kind: 'file' }) as string;
  const payloads = readJsonDocuments('payloadFile', payloadFile).items.map((d) => Buffer.from(JSON.stringify(d)));
  const expectedFile = filePathInput('expectedResponseFile', { kind: 'file' });
  const expectedResponses = expectedFile ? readJsonDocuments('expectedResponseFile', expectedFile).items : undefined;
  if (expectedResponses && expectedResponses.length !== payloads.length) {
    throw new InputError('expectedResponseFile', `has ${expectedResponses.length} response(s) but payloadFile has ${payloads.length} payload(s)`, 'one expected response per payload, in the same order');
  }
  const requestCount = integerInput('requestCount', { default: 50, min: 1, max: 10000 }) as number;
  const concurrency = integerInput('concurrency', { default: Math.min(4, requestCount), min: 1, max: 64 }) as number;
  if (concurrency > requestCount) throw new InputError('concurrency', `${concurrency} is more than requestCount ${requestCount}`, `an integer from 1 to requestCount (${requestCount})`);
  const maxLatencyP95Ms = numberInput('maxLatencyP95Ms', { min: 0.001, max: 3600000 });
  return {
    payloads,
    requestCount,
    concurrency,
    requestTimeoutMs: (integerInput('requestTimeoutSeconds', { default: 30, min: 1, max: 600 }) as number) * 1000,
    bounds: {
      expectedStatus: integerInput('expectedStatus', { default: 200, min: 100, max: 599 }) as number,
      tolerance: numberInput('tolerance', { default: 0, min: 0 }) as number,
      ...(expectedResponses ? { expectedResponses } : {}),
      ...(maxLatencyP95Ms !== undefined ? { maxLatencyP95Ms } : {}),
      maxErrorRate: numberInput('maxErrorRate', { default: 0, min: 0, max: 1 }) as number,
      minAgreement: numberInput('minAgreement', { default: 1, min: 0, max: 1 }) as number,
      readinessTimeoutSeconds: 0,
    },
  };
}

/** Reads every input; throws InputError (one line) on the first bad one. */
export function readInputs(): OnlineInputs {
  const resourceGroup = azureResourceGroupName('resourceGroup', requiredString('resourceGroup'));
  const workspaceName = workspaceNameInput('workspaceName', requiredString('workspaceName'));
  const endpoint = endpointName(requiredString('endpointName'));
  const authMode = enumInput('authMode', ['key', 'aadToken'] as const, 'key');
  const model = parseModelId(requiredString('modelId'));

  const script = filePathInput('scoringScript', { kind: 'file' });
  if (script && !script.endsWith('.py')) throw new InputError('scoringScript', `${quote(script)} is not a Python file`, 'the path of a .py scoring script with init() and run()');
  const codeInput = filePathInput('codePath', { kind: 'directory' });
  let scoring: OnlineInputs['scoring'];
  if (script) {
    const codeDir = path.resolve(codeInput ?? path.dirname(script));
    const relativeScript = path.relative(codeDir, path.resolve(script)).split(path.sep).join('/');
    if (relativeScript.startsWith('..')) throw new InputError('codePath', `${quote(codeInput ?? '')} does not contain scoringScript ${quote(script)}`, 'the folder uploaded as the code, holding the scoring script');
    scoring = { script, codeDir, relativeScript };
  } else if (codeInput) {
    throw new InputError('codePath', 'is set but scoringScript is empty', 'scoringScript with its folder, or neither (an MLflow model deployed without code)');
  }
  const environment = environmentInput(!!scoring);

  const requestTimeoutMs = integerInput('requestTimeoutMs', { default: 5000, min: 1, max: MAX_REQUEST_TIMEOUT_MS }) as number;
  const environmentVariables = keyValueLines('environmentVariables', optionalString('environmentVariables'), { keyPattern: ENV_VAR, keyRule: 'names of letters, digits and _ not starting with a digit', allowEmptyValue: true });
  const collectData = booleanInput('collectData', false);
  const stepWaitMinutes = numberInput('stepWaitMinutes', { default: 5, min: 0, max: 1440 }) as number;
  const provisioningTimeoutMinutes = numberInput('provisioningTimeoutMinutes', { default: 60, min: 1, max: 600 }) as number;
  const pollIntervalSeconds = integerInput('pollIntervalSeconds', { default: 30, min: 1, max: 300 }) as number;
  const description = optionalString('endpointDescription');

  return {
    resourceGroup,
    workspaceName,
    endpointName: endpoint,
    authMode,
    ...(description ? { endpointDescription: description } : {}),
    model,
    ...(scoring ? { scoring } : {}),
    environment,
    instanceType: instanceType(optionalString('instanceType') ?? 'Standard_DS3_v2'),
    instanceCount: instanceCount(optionalString('instanceCount')),
    requestTimeoutMs,
    maxConcurrentRequestsPerInstance: integerInput('maxConcurrentRequestsPerInstance', { default: 1, min: 1, max: 1000 }) as number,
    probe: {
      initialDelaySeconds: integerInput('probeInitialDelaySeconds', { default: 10, min: 0, max: 3600 }) as number,
      periodSeconds: integerInput('probePeriodSeconds', { default: 10, min: 1, max: 3600 }) as number,
      failureThreshold: integerInput('probeFailureThreshold', { default: 30, min: 1, max: 1000 }) as number,
    },
    environmentVariables,
    appInsights: booleanInput('appInsights', true),
    collectData,
    sampleRate: numberInput('sampleRate', { default: 1, min: 0.001, max: 1 }) as number,
    steps: parseRolloutSteps(optionalString('rolloutSteps')),
    stepWaitMs: Math.round(stepWaitMinutes * 60_000),
    deleteOld: booleanInput('deleteOld', false),
    provisioningTimeoutMs: Math.round(provisioningTimeoutMinutes * 60_000),
    pollIntervalMs: pollIntervalSeconds * 1000,
    check: probeSettings(),
  };
}
