// CreateImage: model version -> build context -> image in ACR (built with ACR Tasks, or reused).
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tl from 'azure-pipelines-task-lib/task';
import { containerRegistries, createAzureContext, machineLearning } from '../../shared/src/azure';
import { resolveWorkspace } from '../../shared/src/workspace';
import { runTask, setOutput, succeeded } from '../../shared/src/task';
import { findAsset } from './assets';
import { assembleContext, checkDockerfileSources } from './buildContext';
import { warnAmlImageRules } from './dockerfileWarnings';
import { ensureImage } from './image';
import { readInputs } from './inputs';
import { modelFiles, resolveModel } from './model';
import { defaultImageName, defaultImageTag } from './references';
import { resolveRegistry } from './targetRegistry';
import { writeSummary } from './summary';

void runTask(async () => {
  const p = readInputs();
  const ctx = createAzureContext({ ml: machineLearning, acr: containerRegistries });
  const ws = await resolveWorkspace(ctx, p.resourceGroup, p.workspaceName);
  const model = await resolveModel(ctx, ws, p.model);
  console.log(tl.loc('ModelResolved', model.id, model.modelUri));
  const registry = await resolveRegistry(ctx, ws, p.registry);
  const target = { repository: p.imageName ?? defaultImageName(model.ref.name), tag: p.imageTag ?? defaultImageTag(model.ref.version, p.buildId) };

  const files = await modelFiles(ctx, ws, model);
  console.log(files.fromCache ? tl.loc('ModelFromCache', model.id) : tl.loc('ModelDownloaded', files.files, files.bytes, model.id));
  const contextDir = fs.mkdtempSync(path.join(tl.getVariable('Agent.TempDirectory') || os.tmpdir(), 'image-context-'));
  const context = assembleContext({
    scoringScript: p.scoringScript, serverPy: findAsset('server.py') as string, modelDir: files.dir, environment: p.environment,
    sourceDirectory: p.sourceDirectory, dockerfile: p.dockerfile, baseImage: p.baseImage, modelId: model.id, workers: p.workers,
  }, contextDir);
  checkDockerfileSources(context, 'dockerfile');
  if (p.dockerfile) warnAmlImageRules(fs.readFileSync(path.join(context.dir, context.dockerfilePath), 'utf8'));
  console.log(tl.loc('ContextHash', context.hash, context.files.length));

  const result = await ensureImage(ctx, registry, context, target, { reuse: p.reuseExistingImage, timeoutMs: p.timeoutMs, upstream: { 'azureml.model': model.id } });
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
});
