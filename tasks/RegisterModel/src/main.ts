// RegisterModel's main: readInputs (pure) → createAzureContext → the workspace → register (prepareRegister: the gate's reads, then executeRegister: the
// upload and register writes) or promote (find the version, then move the production tag) → outputs → the
// outcome. Its Azure calls come in through `deps`, so the L0 tests hand it recording fakes instead of mocking
// modules by path.
import { type ContextWith, createAzureContext, machineLearning } from '../../shared/src/azure';
import { failed, type Outcome, setOutput, succeeded, succeededWithIssues } from '../../shared/src/task';
import { azureCalls, type RegisterAzureCalls } from './azureCalls';
import { readInputs } from './inputs';
import { runPromote } from './runPromote';
import { runRegister, TaskOutcome } from './runRegister';

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
  const ws = await deps.azure.resolveWorkspace(ctx, p.resourceGroup, p.workspaceName);
  const outcome = p.action === 'promote' ? await runPromote(deps.azure, ctx, ws, p) : await runRegister(deps.azure, ctx, ws, p);
  setOutputs(outcome);
  if (outcome.failure) return failed(outcome.failure);
  if (outcome.issues) return succeededWithIssues(outcome.issues);
  return succeeded();
}
