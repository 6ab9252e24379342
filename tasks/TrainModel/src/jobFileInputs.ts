// The inputs of a TrainModel run from a job file (`jobFile` + `jobOverrides`): read and checked before
// anything touches Azure. Small and free of the YAML parser on purpose: main imports `jobFileIsSet`
// on every run, and only a run with a job file loads the job-file modules (tasks/TrainModel/README.md).
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as tl from 'azure-pipelines-task-lib/task';
import {
  amlName, azureResourceGroupName, booleanInput, InputError, keyValueLines, numberInput, optionalString, quote, requiredString, workspaceNameInput,
} from '../../shared/src/inputs';

/** The inline job inputs: with `jobFile` they are an error naming both (the file says what to run). */
export const INLINE_JOB_INPUTS = [
  'codePath', 'command', 'environment', 'compute', 'jobInputs', 'environmentVariables', 'baseImage', 'environmentName',
  'instanceCount', 'distribution', 'processCountPerInstance', 'displayName',
] as const;
/** filePath inputs: task-lib answers the sources folder for an unset one. */
const FILE_PATH_INPUTS = new Set(['codePath', 'jobFile']);

export interface JobFileInputs {
  resourceGroup: string;
  workspaceName: string;
  jobFile: string;
  jobOverrides?: string;
  /** Used when the file has no experiment_name. */
  experimentName?: string;
  /** The checkout: local paths of the file must stay inside it. */
  repositoryRoot: string;
  tags: Map<string, string>;
  modelOutputName: string;
  jobName?: string;
  waitForCompletion: boolean;
  timeoutMinutes: number;
  cancelJobOnPipelineCancel: boolean;
  pollIntervalSeconds: number;
}

function sourcesDirectory(): string | undefined {
  return tl.getVariable('Build.SourcesDirectory') ?? tl.getVariable('System.DefaultWorkingDirectory');
}

function samePath(a: string, b: string): boolean {
  return path.resolve(a).replace(/[\\/]+$/, '') === path.resolve(b).replace(/[\\/]+$/, '');
}

/** The raw value of an input, with an unset filePath input (task-lib gives the sources folder) as undefined. */
function given(name: string): string | undefined {
  const v = tl.getInput(name, false)?.trim();
  if (!v) return undefined;
  const dir = sourcesDirectory();
  if (FILE_PATH_INPUTS.has(name) && dir && samePath(v, dir)) return undefined;
  return v;
}

/** True when the run says what to train with a job file. */
export function jobFileIsSet(): boolean {
  return given('jobFile') !== undefined;
}

const OUTPUT_NAME = /^[a-zA-Z_][a-zA-Z0-9_]{0,254}(\.[a-zA-Z_][a-zA-Z0-9_]{0,254})?$/;

export function readJobFileInputs(): JobFileInputs {
  const jobFile = given('jobFile');
  if (!jobFile) throw new InputError('jobFile', 'is required but empty', 'the path of a job YAML file in the repository');
  for (const name of INLINE_JOB_INPUTS) {
    if (given(name) !== undefined && !isTaskDefault(name)) throw new InputError(name, 'is set together with jobFile: the job file says what to run', `either jobFile (with jobOverrides) or the inline job inputs, not both; move ${name} into the file or into jobOverrides`);
  }
  const resourceGroup = azureResourceGroupName('resourceGroup', requiredString('resourceGroup'));
  const workspaceName = workspaceNameInput('workspaceName', requiredString('workspaceName'));
  const experimentRaw = optionalString('experimentName');
  const experimentName = experimentRaw === undefined ? undefined : amlName('experimentName', experimentRaw);
  const repositoryRoot = sourcesDirectory() ?? process.cwd();
  const file = path.resolve(repositoryRoot, jobFile);
  if (!fs.existsSync(file) || !fs.statSync(file).isFile()) throw new InputError('jobFile', `${quote(jobFile)} is not a file`, 'the path of a job YAML file in the repository');
  const tags = keyValueLines('tags', optionalString('tags'), { allowEmptyValue: true });
  const modelOutputName = optionalString('modelOutputName') ?? 'model';
  if (!OUTPUT_NAME.test(modelOutputName)) {
    throw new InputError('modelOutputName', `${quote(modelOutputName)} is not an output name`, "an output name (letters, digits and '_'), or '<step>.<output>' for a pipeline");
  }
  const jobNameRaw = optionalString('jobName');
  const jobName = jobNameRaw === undefined ? undefined : amlName('jobName', jobNameRaw);
  return {
    resourceGroup, workspaceName, jobFile: file, jobOverrides: optionalString('jobOverrides'), ...(experimentName ? { experimentName } : {}),
    repositoryRoot, tags, modelOutputName, ...(jobName ? { jobName } : {}),
    waitForCompletion: booleanInput('waitForCompletion', true),
    timeoutMinutes: numberInput('timeoutMinutes', { default: 120, min: 0.1, max: 43200 }) as number,
    cancelJobOnPipelineCancel: booleanInput('cancelJobOnPipelineCancel', true),
    pollIntervalSeconds: numberInput('pollIntervalSeconds', { default: 10, min: 0.05, max: 300 }) as number,
  };
}

/**
 * Inputs with a task.json default come back set even when the pipeline leaves them out; only a value other
 * than the default says the user typed it. (baseImage, instanceCount, distribution, processCountPerInstance.)
 */
const TASK_DEFAULTS: Record<string, string> = {
  baseImage: 'mcr.microsoft.com/azureml/openmpi4.1.0-ubuntu22.04:latest', instanceCount: '1', distribution: 'none', processCountPerInstance: '1',
};
function isTaskDefault(name: string): boolean {
  return TASK_DEFAULTS[name] !== undefined && given(name) === TASK_DEFAULTS[name];
}
