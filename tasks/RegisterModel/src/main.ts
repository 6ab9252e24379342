// RegisterModel's main: readInputs (pure) → createAzureContext → the workspace → prepare (reads only: the source, the
// versions, the metrics and the gate; or the version to promote) → execute (the upload and register writes, or the
// production tag) → outputs → the outcome. Its Azure calls come in through `deps`, so the L0 tests hand it recording
// fakes instead of mocking modules by path.
import { type ContextWith, createAzureContext, machineLearning } from '../../shared/src/azure';
import { failed, type Outcome, setOutput, succeeded, succeededWithIssues } from '../../shared/src/task';
import { azureCalls, type RegisterAzureCalls } from './azureCalls';
import { execute } from './execute';
import { readInputs } from './inputs';
import { prepare, type TaskOutcome } from './prepare';

export interface RegisterDeps {
  createAzureContext(): ContextWith<'ml'>;
  azure: RegisterAzureCalls;
}

export const azureDeps: RegisterDeps = {
  createAzureContext: () => createAzureContext({ ml: machineLearning }),
  azure: azureCalls,
};

function setOutputs(o: TaskOutcome): void {
  const v = o.version;
  setOutput('modelName', o.modelName);
  setOutput('modelVersion', v?.version ?? '');
  setOutput('modelId', v ? `azureml:${o.modelName}:${v.version}` : '');
  setOutput('modelAssetId', v?.id ?? '');
  setOutput('gateResult', o.gateResult);
  setOutput('registered', String(o.registered));
}

export async function main(deps: RegisterDeps = azureDeps): Promise<Outcome> {
  const p = readInputs();
  const ctx = deps.createAzureContext();
  const scope = await deps.azure.openWorkspace(ctx, p.resourceGroup, p.workspaceName);
  const plan = await prepare(scope, p, deps.azure);
  const outcome = await execute(scope, plan, deps.azure);
  setOutputs(outcome);
  if (outcome.failure) return failed(outcome.failure);
  if (outcome.issues) return succeededWithIssues(outcome.issues);
  return succeeded();
}
