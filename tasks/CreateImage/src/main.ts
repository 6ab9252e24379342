// CreateImage's main: readInputs (pure) → createAzureContext → the workspace → prepare (reads: model version and its
// files, target registry; the build context on disk) → execute (the one write: an ACR Tasks build, or reuse) →
// outputs and summary → the outcome. Its Azure calls come in through `deps`, so the L0 tests hand it recording
// fakes instead of mocking modules by path.
import * as fs from 'node:fs';
import * as tl from 'azure-pipelines-task-lib/task';
import { containerRegistries, type ContextWith, createAzureContext, machineLearning, type WorkspaceScope } from '../../shared/src/azure';
import { type Outcome, setOutput, succeeded } from '../../shared/src/task';
import { azureCalls, type ImageAzureCalls } from './azureCalls';
import { execute } from './execute';
import { readInputs } from './inputs';
import { type ImagePlan, prepare } from './prepare';
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
  let scope: WorkspaceScope<'ml' | 'acr'>;
  let plan: ImagePlan;
  try {
    const ctx = deps.createAzureContext();
    scope = await az.openWorkspace(ctx, p.resourceGroup, p.workspaceName);
    plan = await prepare(scope, p, az);
  } finally {
    // the scoring script's verdict (python3, started by readInputs) comes before the one write and before any
    // other failure, as when it was checked first
    await p.scoringScriptCheck;
  }
  const result = await execute(scope, plan, az);

  const { registry, target, model, context } = plan;
  const imageUri = `${registry.loginServer}/${target.repository}:${target.tag}`;
  console.log(tl.loc('ImageReady', imageUri, result.digest));
  setOutput('imageName', target.repository);
  setOutput('imageTag', target.tag);
  setOutput('imageUri', imageUri);
  setOutput('imageDigest', result.digest);
  // the image by content: a tag can be moved to other content later, this reference cannot
  setOutput('pinnedImageUri', `${registry.loginServer}/${target.repository}@${result.digest}`);
  setOutput('registryLoginServer', registry.loginServer);
  writeSummary({ model, studioModelUrl: scope.ws.studioModelUrl(model.ref.name, model.ref.version), imageUri, result, contextHash: context.hash, contextFiles: context.files.length, modelFromCache: plan.files.fromCache });
  fs.rmSync(plan.contextDir, { recursive: true, force: true });
  return succeeded();
}
