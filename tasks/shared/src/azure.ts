// Front door for everything a task does in Azure: the per-run context with its memoized, lazily loaded
// clients (ctx.clients.ml / .aci / .acr / .resources / .arm / .keyVault(vault)), azureCall and its
// errors, long-running operations, blob containers, the AML workspace and Key Vault secrets.
import { azureClients, ClientFactories } from './azureClients';
import { AzureClients, ContextWith, createAzureSession } from './azureSession';

export type { AzureClients, AzureContext, AzureSession, ContextWith, KeyVaultClients } from './azureSession';
export type { ArmPipeline, ArmResponse } from './armPipeline';
export {
  ALL_CLIENTS,
  armClientOptions,
  azureClients,
  containerInstances,
  containerRegistries,
  contextOf,
  keyVaults,
  machineLearning,
  rawArm,
  resourceGroups,
  type ClientFactories,
  type ClientFactory,
} from './azureClients';
export { beginOperation, followOperation, type ArmOperation, type OperationProgress, type SdkPoller } from './armOperation';
export { blobContainerClient, type BlobAuth } from './blobStorage';
export { azureCall, AzureCallError, describeAzureError, toAzureCallError } from './errors';
export { createKeyVaultContext, getSecret, maskValue, setSecret, vaultUrl } from './keyvault';
export { datastoreContainer, openWorkspace, resolveWorkspace, workspaceScope, type WorkspaceInfo, type WorkspaceScope } from './workspace';

/**
 * Reads the connection (input `inputName`), the agent's proxy/CA, builds the credential, and gives the run
 * the named clients, e.g. `createAzureContext({ ml: machineLearning, arm: rawArm })` (only those SDKs are bundled).
 */
export function createAzureContext<K extends keyof AzureClients>(clients: ClientFactories<K>, inputName = 'azureSubscription'): ContextWith<K> {
  const session = createAzureSession(inputName);
  return { ...session, clients: azureClients(session, clients) };
}
