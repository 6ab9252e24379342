// Everything CreateImage reads before it writes: the model version and its files (from the agent's tool cache, or
// downloaded once into it), the target registry and the image's name, then the build context on disk. Nothing here
// changes Azure: a missing model or registry stops the task before anything is uploaded or built.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tl from 'azure-pipelines-task-lib/task';
import { displayUri } from '../../shared/src/untrusted';
import type { WorkspaceScope } from '../../shared/src/azure';
import { findAsset } from './assets';
import type { ImageAzureCalls } from './azureCalls';
import { assembleContext, type BuildContext, checkDockerfileSources } from './buildContext';
import { warnAmlImageRules } from './dockerfileWarnings';
import type { CreateImageParams } from './inputs';
import type { ImageTarget } from './image';
import type { ModelFiles, ResolvedModel } from './model';
import { defaultImageName, defaultImageTag } from './references';
import type { RegistryInfo } from './targetRegistry';

export interface ImagePlan {
  inputs: CreateImageParams;
  model: ResolvedModel;
  files: ModelFiles;
  registry: RegistryInfo;
  target: ImageTarget;
  /** The build context (a temp folder; main removes it at the end). */
  context: BuildContext;
  contextDir: string;
}

export async function prepare(scope: WorkspaceScope<'ml' | 'acr'>, p: CreateImageParams, az: ImageAzureCalls): Promise<ImagePlan> {
  const model = await az.resolveModel(scope, p.model);
  console.log(tl.loc('ModelResolved', model.id, displayUri(model.modelUri)));
  const registry = await az.resolveRegistry(scope, p.registry);
  const target = { repository: p.imageName ?? defaultImageName(model.ref.name), tag: p.imageTag ?? defaultImageTag(model.ref.version, p.buildId) };

  const files = await az.modelFiles(scope, model);
  console.log(files.fromCache ? tl.loc('ModelFromCache', model.id) : tl.loc('ModelDownloaded', files.files, files.bytes, model.id));
  const contextDir = fs.mkdtempSync(path.join(tl.getVariable('Agent.TempDirectory') || os.tmpdir(), 'image-context-'));
  const context = assembleContext({
    scoringScript: p.scoringScript, serverPy: findAsset('server.py') as string, modelDir: files.dir, environment: p.environment,
    sourceDirectory: p.sourceDirectory, dockerfile: p.dockerfile, baseImage: p.baseImage, modelId: model.id, workers: p.workers,
  }, contextDir);
  checkDockerfileSources(context, 'dockerfile');
  if (p.dockerfile) warnAmlImageRules(fs.readFileSync(path.join(context.dir, context.dockerfilePath), 'utf8'));
  console.log(tl.loc('ContextHash', context.hash, context.files.length));
  return { inputs: p, model, files, registry, target, context, contextDir };
}
