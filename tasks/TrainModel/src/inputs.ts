// Reads and validates every TrainModel input into one typed object, before anything touches Azure.
// The parsers of the structured inputs (environment, job inputs, timeout) are pure and exported for tests.
import * as fs from 'node:fs';
import {
  amlName,
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

export type Distribution = 'none' | 'pytorch' | 'mpi' | 'tensorflow';
export const DISTRIBUTIONS: readonly Distribution[] = ['none', 'pytorch', 'mpi', 'tensorflow'];

/** Where the job's environment comes from. */
export type EnvironmentSpec =
  | { kind: 'version'; name: string; version: string; text: string }
  | { kind: 'latest'; name: string; text: string }
  | { kind: 'registry'; id: string; text: string }
  | { kind: 'conda'; condaFile: string; condaYaml: string; baseImage: string; name: string; text: string };

export type JobInputType = 'literal' | 'uri_file' | 'uri_folder';
export interface JobInputSpec {
  type: JobInputType;
  /** The literal value or the URI / data asset reference. */
  value: string;
}

export interface TrainInputs {
  resourceGroup: string;
  workspaceName: string;
  experimentName: string;
  codePath: string;
  command: string;
  environment: EnvironmentSpec;
  compute: string;
  jobInputs: Map<string, JobInputSpec>;
  environmentVariables: Map<string, string>;
  tags: Map<string, string>;
  displayName?: string;
  modelOutputName: string;
  instanceCount: number;
  distribution: Distribution;
  processCountPerInstance: number;
  jobName?: string;
  waitForCompletion: boolean;
  timeoutMinutes: number;
  cancelJobOnPipelineCancel: boolean;
  pollIntervalSeconds: number;
}

const ASSET_REF = /^azureml:([a-zA-Z0-9][a-zA-Z0-9_.-]{0,254})(?::([a-zA-Z0-9][a-zA-Z0-9_.-]{0,63})|@(latest))$/;
const ASSET_RULE = "'azureml:<name>:<version>' or 'azureml:<name>@latest' (name: letters, digits, '-', '_' or '.')";

/**
 * environment input: `azureml:name:version`, `azureml:name@latest`, an `azureml://registries/…` id, or a
 * local conda YAML file (then baseImage is required). The conda file's `name:` names the environment
 * unless environmentName is given.
 */
export function parseEnvironment(
  text: string,
  o: { baseImage?: string; environmentName?: string; experimentName: string; exists?: (p: string) => boolean; read?: (p: string) => string },
): EnvironmentSpec {
  const t = text.trim();
  if (/^azureml:\/\/registries\//i.test(t)) {
    if (!/^azureml:\/\/registries\/[^/\s]+\/environments\/[^/\s]+\/(versions\/[^/\s]+|labels\/latest)$/i.test(t)) {
      throw new InputError('environment', `${quote(t)} is not a registry environment id`, "'azureml://registries/<registry>/environments/<name>/versions/<version>'");
    }
    return { kind: 'registry', id: t, text: t };
  }
  if (/^azureml:/i.test(t)) {
    const m = ASSET_REF.exec(t);
    if (!m) throw new InputError('environment', `${quote(t)} is not a valid environment reference`, `${ASSET_RULE}, or the path of a conda YAML file`);
    return m[3] ? { kind: 'latest', name: m[1], text: t } : { kind: 'version', name: m[1], version: m[2], text: t };
  }
  const exists = o.exists ?? ((p: string) => fs.existsSync(p) && fs.statSync(p).isFile());
  const read = o.read ?? ((p: string) => fs.readFileSync(p, 'utf8'));
  if (!exists(t)) {
    throw new InputError('environment', `${quote(t)} is neither an 'azureml:' reference nor an existing conda file`, `${ASSET_RULE}, or the path of a conda YAML file`);
  }
  const condaYaml = read(t);
  if (!/^dependencies\s*:/m.test(condaYaml)) {
    throw new InputError('environment', `conda file ${quote(t)} has no top-level 'dependencies:'`, 'a conda environment YAML file (name, channels, dependencies)');
  }
  const baseImage = o.baseImage?.trim();
  if (!baseImage) throw new InputError('baseImage', 'is required when environment is a conda file', "a Docker image such as 'mcr.microsoft.com/azureml/openmpi4.1.0-ubuntu22.04:latest'");
  if (/\s/.test(baseImage) || !/^[a-z0-9][\w.\-/:@]*$/i.test(baseImage)) {
    throw new InputError('baseImage', `${quote(baseImage)} is not a Docker image reference`, "'<registry>/<repository>:<tag>' or '…@sha256:<digest>'");
  }
  let name: string;
  if (o.environmentName) {
    name = amlName('environmentName', o.environmentName);
  } else {
    const fromFile = /^name\s*:\s*['"]?([^'"#\s]+)['"]?\s*(#.*)?$/m.exec(condaYaml)?.[1];
    const candidate = fromFile ?? `${o.experimentName}-env`;
    name = /^[a-zA-Z0-9][a-zA-Z0-9_-]{0,254}$/.test(candidate) ? candidate : `${o.experimentName}-env`;
  }
  return { kind: 'conda', condaFile: t, condaYaml, baseImage, name, text: t };
}

const URI_SCHEMES = ['azureml', 'https', 'http', 'wasbs', 'wasb', 'abfss', 'abfs', 'adl', 'gs', 's3'];
const INPUT_NAME = /^[a-zA-Z_][a-zA-Z0-9_]{0,254}$/;

/**
 * One job input value. Rule (also in the README):
 * - an explicit `literal:`, `uri_file:` or `uri_folder:` prefix decides the type;
 * - `azureml:<name>:<version>` / `azureml:<name>@latest` (a data asset) is a uri_folder;
 * - a URI (`azureml://`, `https://`, `wasbs://`, `abfss://`, …) is a uri_folder when it ends with '/', else a uri_file;
 * - anything else is a literal.
 */
export function parseJobInputValue(name: string, raw: string, line: number): JobInputSpec {
  const where = `line ${line} (${quote(name)})`;
  const prefix = /^(literal|uri_file|uri_folder):(.*)$/s.exec(raw);
  if (prefix) {
    const type = prefix[1] as JobInputType;
    const value = prefix[2].trim();
    if (value.length === 0) throw new InputError('jobInputs', `${where} has an empty value after '${type}:'`, `'${name}=${type}:<value>'`);
    if (type !== 'literal') checkUri(name, value, where);
    return { type, value };
  }
  if (/^azureml:(?!\/\/)/i.test(raw)) {
    checkUri(name, raw, where);
    return { type: 'uri_folder', value: raw };
  }
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(raw)?.[1];
  if (scheme) {
    checkUri(name, raw, where);
    return { type: raw.endsWith('/') ? 'uri_folder' : 'uri_file', value: raw };
  }
  return { type: 'literal', value: raw };
}

function checkUri(_name: string, value: string, where: string): void {
  if (/^azureml:(?!\/\/)/i.test(value)) {
    if (!ASSET_REF.test(value.replace(/\/$/, ''))) throw new InputError('jobInputs', `${where}: ${quote(value)} is not a data asset reference`, ASSET_RULE);
    return;
  }
  const scheme = /^([a-z][a-z0-9+.-]*):\/\/(\S+)$/i.exec(value);
  if (!scheme || !URI_SCHEMES.includes(scheme[1].toLowerCase())) {
    throw new InputError('jobInputs', `${where}: ${quote(value)} is not a supported URI`, `a data asset (${ASSET_RULE}) or a URI with scheme ${URI_SCHEMES.join(', ')}`);
  }
}

export function parseJobInputs(text: string | undefined): Map<string, JobInputSpec> {
  const lines = keyValueLines('jobInputs', text, { keyPattern: INPUT_NAME, keyRule: "input names made of letters, digits and '_', not starting with a digit" });
  const out = new Map<string, JobInputSpec>();
  const lineOf = (key: string): number => (text ?? '').split(/\r?\n/).findIndex((l) => l.trim().startsWith(`${key}=`) || l.trim().startsWith(`${key} =`)) + 1;
  for (const [k, v] of lines) out.set(k, parseJobInputValue(k, v, lineOf(k)));
  return out;
}

/** ISO 8601 duration for limits.timeout: whole minutes as PT<n>M, else seconds. */
export function isoDuration(minutes: number): string {
  const seconds = Math.round(minutes * 60);
  if (seconds % 3600 === 0) return `PT${seconds / 3600}H`;
  if (seconds % 60 === 0) return `PT${seconds / 60}M`;
  return `PT${seconds}S`;
}

/** Reads every input. Throws InputError naming the first bad one; nothing in Azure has been touched yet. */
export function readInputs(): TrainInputs {
  const resourceGroup = azureResourceGroupName('resourceGroup', requiredString('resourceGroup'));
  const workspaceName = workspaceNameInput('workspaceName', requiredString('workspaceName'));
  const experimentName = amlName('experimentName', requiredString('experimentName'));
  const codePath = filePathInput('codePath', { required: true, kind: 'directory' }) as string;
  const command = requiredString('command');
  const compute = amlName('compute', requiredString('compute'), { maxLength: 255 });
  const environment = parseEnvironment(requiredString('environment'), {
    baseImage: optionalString('baseImage'),
    environmentName: optionalString('environmentName'),
    experimentName,
  });
  const jobInputs = parseJobInputs(optionalString('jobInputs'));
  const environmentVariables = keyValueLines('environmentVariables', optionalString('environmentVariables'), {
    keyPattern: /^[A-Za-z_][A-Za-z0-9_]*$/,
    keyRule: "variable names made of letters, digits and '_', not starting with a digit",
    allowEmptyValue: true,
  });
  const tags = keyValueLines('tags', optionalString('tags'), { allowEmptyValue: true });
  for (const [k, v] of tags) {
    if (k.length > 256 || v.length > 256) throw new InputError('tags', `tag ${quote(k)} is longer than 256 characters`, 'keys and values of at most 256 characters');
  }
  const modelOutputName = optionalString('modelOutputName') ?? 'model';
  if (!INPUT_NAME.test(modelOutputName)) {
    throw new InputError('modelOutputName', `${quote(modelOutputName)} is not a valid output name`, "letters, digits and '_', not starting with a digit");
  }
  if (jobInputs.has(modelOutputName)) {
    throw new InputError('jobInputs', `input ${quote(modelOutputName)} has the name of the model output`, `an input name other than '${modelOutputName}' (the output set by modelOutputName)`);
  }
  const instanceCount = integerInput('instanceCount', { default: 1, min: 1, max: 1000 }) as number;
  const distribution = enumInput('distribution', DISTRIBUTIONS, 'none');
  const processCountPerInstance = integerInput('processCountPerInstance', { default: 1, min: 1, max: 128 }) as number;
  const jobNameRaw = optionalString('jobName');
  const jobName = jobNameRaw === undefined ? undefined : amlName('jobName', jobNameRaw);
  const displayName = optionalString('displayName');
  const waitForCompletion = booleanInput('waitForCompletion', true);
  const timeoutMinutes = numberInput('timeoutMinutes', { default: 120, min: 0.1, max: 43200 }) as number;
  const cancelJobOnPipelineCancel = booleanInput('cancelJobOnPipelineCancel', true);
  const pollIntervalSeconds = numberInput('pollIntervalSeconds', { default: 10, min: 0.05, max: 300 }) as number;
  return {
    resourceGroup, workspaceName, experimentName, codePath, command, environment, compute, jobInputs, environmentVariables, tags,
    ...(displayName ? { displayName } : {}), modelOutputName, instanceCount, distribution, processCountPerInstance,
    ...(jobName ? { jobName } : {}), waitForCompletion, timeoutMinutes, cancelJobOnPipelineCancel, pollIntervalSeconds,
  };
}
