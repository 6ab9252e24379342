// Shared set-up of the template's L0 scenarios (not a scenario itself). A scenario sets the inputs and the
// service connection through TaskMockRunner and runs tests/L0/entry.js, which calls main with a context whose
// clients are recording fakes (no module is mocked by path). Loads only Node built-ins at the top: task-lib
// must first be loaded after the scenario set the inputs.
import * as path from 'node:path';
import type { AzureSession, ContextWith } from '../../../shared/src/azure';
import { L0_SUBSCRIPTION, l0TaskRunner, recordCall } from '../../../shared/tests/l0';
import type { TemplateDeps } from '../../src/main';

export const SP_KEY = 'L0-planted-sp-Secret-template-3c1f';
export const WORKSPACE_ID = `/subscriptions/${L0_SUBSCRIPTION}/resourceGroups/rg-ml/providers/Microsoft.MachineLearningServices/workspaces/ws-prod`;

/** Runs the template with valid inputs, overridden by `inputs` (undefined removes one). */
export function runTemplateScenario(inputs: Record<string, string | undefined> = {}): void {
  const all = { azureSubscription: 'conn-arm', resourceGroup: 'rg-ml', workspaceName: 'ws-prod', ...inputs };
  l0TaskRunner(__dirname, { spKey: SP_KEY, inputs: all, entry: path.join(__dirname, 'entry.js') }).run();
}

/** What entry.js hands to main: the real connection and credential, fake clients. */
export function l0Deps(): TemplateDeps {
  const ml = {
    workspaces: {
      get: async (rg: string, name: string) => {
        recordCall('workspaces.get', { rg, name });
        if (name !== 'ws-prod') throw Object.assign(new Error(`workspace ${name} not found`), { statusCode: 404 });
        return { id: WORKSPACE_ID, name, location: 'westeurope' };
      },
    },
    datastores: {
      // the workspace's default blob datastore, as resolveWorkspace looks it up
      list: async function* (rg: string, name: string) {
        recordCall('datastores.list', { rg, name });
        yield { name: 'workspaceblobstore', properties: { datastoreType: 'AzureBlob', isDefault: true, accountName: 'acct', containerName: 'c' } };
      },
    },
  };
  return {
    createAzureContext: () => {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const { createAzureSession } = require('../../../shared/src/azureSession') as { createAzureSession: () => AzureSession };
      return { ...createAzureSession(), clients: { ml } } as unknown as ContextWith<'ml'>;
    },
  };
}
