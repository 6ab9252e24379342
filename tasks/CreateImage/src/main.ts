// CreateImage's main: readInputs (pure) → createAzureContext → reads (workspace, model version and its files,
// target registry) → the build context on disk → ensureImage (the one write: an ACR Tasks build, or reuse) →
// outputs and summary → the outcome. Its Azure calls come in through `deps`, so the L0 tests hand it recording
// fakes instead of mocking modules by path.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tl from 'azure-pipelines-task-lib/task';
import { containerRegistries, type ContextWith, createAzureContext, machineLearning } from '../../shared/src/azure';
import { displayUri, type Outcome, setOutput, succeeded } from '../../shared/src/task';
import { findAsset } from './assets';
import { azureCalls, type ImageAzureCalls } from './azureCalls';
import { assembleContext, checkDockerfileSources } from './buildContext';
import { warnAmlImageRules } from './dockerfileWarnings';
import { readInputs } from './inputs';
import { defaultImageName, defaultImageTag } from './references';
import { writeSummary } from './summary';

export interface ImageDeps {
  createAzureContext(): ContextWith<'ml' | 'acr'>;
  azure: ImageAzureCalls;
}

export const azureDeps: ImageDeps = {
  createAzureContext: () => createAzureContext({ ml: machineLearning, acr: containerRegistries }),
  azure: azureCalls,
};

export async function main(deps: ImageDeps = azureDeps): Promise<Outcome> {
  const az = deps.azure;
  const p = readInputs();
  const ctx = deps.createAzureContext();
  const ws = await az.resolveWorkspace(ctx, p.resourceGroup, p.workspaceName);
  const model = await az.resolveModel(ctx, ws, p.model);
  console.log(tl.loc('ModelResolved', model.id, displayUri(model.modelUri)));
  const registry = await az.resolveRegistry(ctx, ws, p.registry);
  const target = { repository: p.imageName ?? defaultImageName(model.ref.name), tag: p.imageTag ?? defaultImageTag(model.ref.version, p.buildId) };

  const files = await az.modelFiles(ctx, ws, model);
  console.log(files.fromCache ? tl.loc('ModelFromCache', model.id) : tl.loc('ModelDownloaded', files.files, files.bytes, model.id));
  const contextDir = fs.mkdtempSync(path.join(tl.getVariable('Agent.TempDirectory') || os.tmpdir(), 'image-context-'));
  const context = assembleContext({
    scoringScript: p.scoringScript, serverPy: findAsset('server.py') as string, modelDir: files.dir, environment: p.environment,
    sourceDirectory: p.sourceDirectory, dockerfile: p.dockerfile, baseImage: p.baseImage, modelId: model.id, workers: p.workers,
  }, contextDir);
  checkDockerfileSources(context, 'dockerfile');
  if (p.dockerfile) warnAmlImageRules(fs.readFileSync(path.join(context.dir, context.dockerfilePath), 'utf8'));
  console.log(tl.loc('ContextHash', context.hash, context.files.length));

  const result = await az.ensureImage(ctx, registry, context, target, { reuse: p.reuseExistingImage, timeoutMs: p.timeoutMs, upstream: { 'azureml.model': model.id } });
  const imageUri = `${registry.loginServer}/${target.repository}:${target.tag}`;
  console.log(tl.loc('ImageReady', imageUri, result.digest));
  setOutput('imageName', target.repository);
  setOutput('imageTag', target.tag);
  setOutput('imageUri', imageUri);
  setOutput('imageDigest', result.digest);
  setOutput('registryLoginServer', registry.loginServer);
  writeSummary({ model, studioModelUrl: ws.studioModelUrl(model.ref.name, model.ref.version), imageUri, result, contextHash: context.hash, contextFiles: context.files.length, modelFromCache: files.fromCache });
  fs.rmSync(contextDir, { recursive: true, force: true });
  return succeeded();
}
