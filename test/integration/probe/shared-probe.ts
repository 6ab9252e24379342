// A tiny task over the shared library, bundled by test/integration/shared.test.ts with esbuild and run
// through the harness as the agent would run a task. Inputs: action (arm | keyvault), resourceGroup,
// keyVault, secretName.
import * as tl from 'azure-pipelines-task-lib/task';
import { createAzureContext, getSecret, keyVaults, resourceGroups } from '../../../tasks/shared/src/azure';
import { setOutput } from '../../../tasks/shared/src/outputs';
import { succeeded } from '../../../tasks/shared/src/outcome';
import { runTask } from '../../../tasks/shared/src/runner';

void runTask(async () => {
  const action = tl.getInput('action', true);
  const ctx = createAzureContext({ resources: resourceGroups, keyVault: keyVaults }, 'azureSubscription');
  setOutput('cloud', ctx.cloud.name);
  if (action === 'arm') {
    const rg = await ctx.clients.resources.resourceGroups.get(tl.getInput('resourceGroup', true) ?? '');
    console.log(`resource group ${rg.name} is in ${rg.location}`);
    setOutput('rgLocation', rg.location ?? '');
  } else if (action === 'keyvault') {
    const value = await getSecret(ctx, tl.getInput('keyVault', true) ?? '', tl.getInput('secretName', true) ?? '');
    console.log(`read a secret of ${value?.length ?? 0} characters: ${value}`);
    setOutput('secretLength', String(value?.length ?? 0));
  }
  return succeeded();
});
