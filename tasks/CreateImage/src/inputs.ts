// Reads and validates every input of CreateImage into one typed object, before anything touches Azure.
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as tl from 'azure-pipelines-task-lib/task';
import {
  amlName, azureResourceGroupName, booleanInput, filePathInput, InputError, integerInput, optionalString, quote, requiredString,
  workspaceNameInput,
} from '../../shared/src/inputs';
import { EnvironmentFile } from './buildContext';
import { imageNameInput, imageTagInput, ModelRef, modelName, modelVersion, parseModelId } from './references';
import { parseImageReference } from '../../shared/src/imageReference';
import { type ScriptCheck, startScoringScriptCheck } from './scoringScript';
import { refuseLinkOutside } from '../../shared/src/fileLinks';

export const DEFAULT_BASE_IMAGE = 'mcr.microsoft.com/azureml/minimal-ubuntu22.04-py39-cpu-inference:latest';

/** `containerRegistry`: a registry name or its ARM id. */
export type RegistryChoice = { kind: 'workspace' } | { kind: 'name'; name: string } | { kind: 'id'; id: string; resourceGroup: string; name: string; subscriptionId: string };

export interface CreateImageParams {
  resourceGroup: string;
  workspaceName: string;
  model: ModelRef;
  scoringScript: string;
  /** python3's check of the scoring script (startScoringScriptCheck): rejects with the InputError naming it. */
  scoringScriptCheck: Promise<ScriptCheck>;
  environment?: EnvironmentFile;
  sourceDirectory?: string;
  dockerfile?: string;
  baseImage: string;
  registry: RegistryChoice;
  /** Undefined: default from the model name. */
  imageName?: string;
  /** Undefined: default `<modelVersion>-<Build.BuildId>`. */
  imageTag?: string;
  reuseExistingImage: boolean;
  timeoutMs: number;
  buildId?: string;
  /** WORKER_COUNT baked into the generated Dockerfile; undefined: the container's CPU count at run time. */
  workers?: number;
}

const REGISTRY_NAME = /^[a-zA-Z0-9]{5,50}$/;
const REGISTRY_ID = /^\/subscriptions\/([^/]+)\/resourceGroups\/([^/]+)\/providers\/Microsoft\.ContainerRegistry\/registries\/([^/]+)\/?$/i;

export function registryInput(name: string, value: string | undefined): RegistryChoice {
  if (value === undefined) return { kind: 'workspace' };
  const id = REGISTRY_ID.exec(value);
  if (id) {
    if (!REGISTRY_NAME.test(id[3])) throw new InputError(name, `${quote(id[3])} in the resource id is not a valid registry name`, '5-50 letters or digits');
    return { kind: 'id', id: value.replace(/\/$/, ''), subscriptionId: id[1], resourceGroup: id[2], name: id[3] };
  }
  if (/\.azurecr\./i.test(value) || value.includes('/')) {
    throw new InputError(name, `${quote(value)} is neither a registry name nor a registry resource id`, "a registry name (5-50 letters or digits) or '/subscriptions/<id>/resourceGroups/<rg>/providers/Microsoft.ContainerRegistry/registries/<name>'");
  }
  if (!REGISTRY_NAME.test(value)) throw new InputError(name, `${quote(value)} is not a valid registry name`, '5-50 letters or digits, or a registry resource id');
  return { kind: 'name', name: value };
}

function modelInputs(): ModelRef {
  const id = optionalString('modelId');
  const name = optionalString('modelName');
  const version = optionalString('modelVersion');
  if (id) {
    if (name || version) {
      // both given is ambiguous only when they disagree
      const parsed = parseModelId('modelId', id);
      if ((name && name !== parsed.name) || (version && version !== parsed.version)) {
        throw new InputError('modelId', `${quote(id)} disagrees with modelName/modelVersion ('${name ?? ''}' / '${version ?? ''}')`, 'either modelId or modelName + modelVersion');
      }
      return parsed;
    }
    return parseModelId('modelId', id);
  }
  if (!name) throw new InputError('modelId', 'is empty and so is modelName', "a model id 'azureml:<name>:<version>', or modelName + modelVersion");
  if (!version) throw new InputError('modelVersion', `is required with modelName ${quote(name)}`, "the model version, e.g. '3'");
  return { name: modelName('modelName', amlName('modelName', name)), version: modelVersion('modelVersion', version) };
}

function environmentInputs(): EnvironmentFile | undefined {
  const conda = filePathInput('condaFile', { kind: 'file' });
  const pip = filePathInput('requirementsFile', { kind: 'file' });
  if (conda && pip) throw new InputError('requirementsFile', 'is given together with condaFile', 'one environment file: condaFile or requirementsFile');
  if (conda) {
    const text = fs.readFileSync(conda, 'utf8');
    if (!/^\s*dependencies\s*:/m.test(text)) throw new InputError('condaFile', `${quote(conda)} has no 'dependencies:' section`, 'a conda environment YAML');
    return { kind: 'conda', file: conda };
  }
  if (pip) return { kind: 'pip', file: pip };
  return undefined;
}

/**
 * A single file the image takes (score.py, the Dockerfile, the environment file) that is a symbolic link must
 * stay inside the pipeline's sources folder (fileLinks.ts): `score.py -> ../../.credentials` would copy an
 * agent file into the image.
 */
function refuseLinkedFile(name: string, file: string | undefined): void {
  const sources = tl.getVariable('Build.SourcesDirectory') ?? tl.getVariable('System.DefaultWorkingDirectory');
  if (!file || !sources || !fs.lstatSync(file).isSymbolicLink()) return;
  refuseLinkOutside({ inputName: name, root: sources, file, rel: file, rootDescription: `the sources folder ${sources}`, expected: 'a file inside the sources folder (copy it in instead of linking to it)' });
}

export function readInputs(): CreateImageParams {
  const resourceGroup = azureResourceGroupName('resourceGroup', requiredString('resourceGroup'));
  const workspaceName = workspaceNameInput('workspaceName', requiredString('workspaceName'));
  const model = modelInputs();

  const scoringScript = filePathInput('scoringScript', { required: true, kind: 'file' }) as string;
  if (!/\.py$/i.test(scoringScript)) throw new InputError('scoringScript', `${quote(scoringScript)} is not a .py file`, 'the path of a score.py');
  refuseLinkedFile('scoringScript', scoringScript);
  // python3 parses it while the task reads Azure; main awaits the verdict before anything else (README.md, 'Cold start')
  const scoringScriptCheck = startScoringScriptCheck('scoringScript', scoringScript);
  const environment = environmentInputs();
  refuseLinkedFile(environment?.kind === 'conda' ? 'condaFile' : 'requirementsFile', environment?.file);
  const sourceDirectory = filePathInput('sourceDirectory', { kind: 'directory' });
  const defaultDir = tl.getVariable('Build.SourcesDirectory') ?? tl.getVariable('System.DefaultWorkingDirectory');
  // The agent passes the sources directory for an empty filePath input: that means "not set" (the
  // whole repository is never what a scoring image needs; use a sub-folder).
  const extraDir = sourceDirectory && defaultDir && path.resolve(sourceDirectory) === path.resolve(defaultDir) ? undefined : sourceDirectory;
  if (extraDir && fs.existsSync(path.join(extraDir, 'server.py'))) {
    throw new InputError('sourceDirectory', `${quote(extraDir)} holds a server.py, which would replace the scoring server`, 'a folder without a top-level server.py (rename it)');
  }
  const dockerfile = filePathInput('dockerfile', { kind: 'file' });
  refuseLinkedFile('dockerfile', dockerfile);
  const baseImageRaw = optionalString('baseImage') ?? DEFAULT_BASE_IMAGE;
  if (!parseImageReference(baseImageRaw)) {
    throw new InputError('baseImage', `${quote(baseImageRaw)} is not a valid image reference`, "'[registry[:port]/]repository[:tag][@sha256:digest]'");
  }

  const registry = registryInput('containerRegistry', optionalString('containerRegistry'));
  const imageNameRaw = optionalString('imageName');
  const imageTagRaw = optionalString('imageTag');
  const workers = integerInput('workers', { min: 1, max: 64 });
  if (workers !== undefined && dockerfile) {
    throw new InputError('workers', `is set together with dockerfile ${quote(dockerfile)}`, 'workers for the generated Dockerfile only; in your own Dockerfile set ENV WORKER_COUNT=<n>');
  }
  const timeoutMinutes = integerInput('timeoutMinutes', { default: 60, min: 1, max: 480 }) as number;
  const buildId = tl.getVariable('Build.BuildId')?.trim() || undefined;
  return {
    resourceGroup,
    workspaceName,
    model,
    scoringScript,
    scoringScriptCheck,
    ...(environment ? { environment } : {}),
    ...(extraDir ? { sourceDirectory: extraDir } : {}),
    ...(dockerfile ? { dockerfile } : {}),
    baseImage: baseImageRaw,
    registry,
    ...(imageNameRaw !== undefined ? { imageName: imageNameInput('imageName', imageNameRaw) } : {}),
    ...(imageTagRaw !== undefined ? { imageTag: imageTagInput('imageTag', imageTagRaw) } : {}),
    reuseExistingImage: booleanInput('reuseExistingImage', true),
    timeoutMs: timeoutMinutes * 60_000,
    ...(buildId ? { buildId } : {}),
    ...(workers !== undefined ? { workers } : {}),
  };
}
