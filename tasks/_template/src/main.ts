// The task's steps: readInputs (pure) → createAzureContext → the workspace (one WorkspaceScope for every Azure call)
// → prepare (reads only) → execute (writes) → outcome. Its Azure dependencies come in through `deps`, so the L0 tests
// hand it fake clients (tests/L0/common.ts).
import { createAzureContext, machineLearning, openWorkspace, type ContextWith } from '../../shared/src/azure';
import { succeeded, type Outcome } from '../../shared/src/task';
import { execute } from './execute';
import { readInputs } from './inputs';
import { prepare } from './prepare';

export interface TemplateDeps {
  createAzureContext(): ContextWith<'ml'>;
}

export const azureDeps: TemplateDeps = {
  // name only the clients the task uses: the bundle holds only their SDKs
  createAzureContext: () => createAzureContext({ ml: machineLearning }),
};

export async function main(deps: TemplateDeps = azureDeps): Promise<Outcome> {
  const p = readInputs();
  const ctx = deps.createAzureContext();
  const scope = await openWorkspace(ctx, p.resourceGroup, p.workspaceName);
  const plan = await prepare(scope, p);
  console.log(`Workspace ${p.workspaceName}: ${plan.workspaceId} (${plan.location}).`);
  await execute(scope, plan);
  return succeeded();
}
