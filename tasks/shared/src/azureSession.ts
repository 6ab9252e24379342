// What one task run knows about Azure before it makes a request: the service connection, its credential,
// the cloud and the agent's HTTP settings; and the shape of the per-run context that adds memoized
// clients (azureClients.ts). Kept free of SDK imports so a task that needs only a credential (Key Vault)
// does not bundle every ARM and storage SDK.
import type { TokenCredential } from '@azure/core-auth';
import type { ContainerInstanceManagementClient } from '@azure/arm-containerinstance';
import type { ContainerRegistryManagementClient } from '@azure/arm-containerregistry';
import type { AzureMachineLearningWorkspaces } from '@azure/arm-machinelearning';
import type { ResourceManagementClient } from '@azure/arm-resources';
import type { SecretClient } from '@azure/keyvault-secrets';
import type { ArmPipeline } from './armPipeline';
import type { CloudEndpoints } from './cloud';
import { readServiceConnection } from './connection';
import type { ServiceConnection } from './connectionTypes';
import { createCredential } from './credentials';
import { AgentHttp, agentHttp } from './http';

export interface AzureSession {
  connection: ServiceConnection;
  credential: TokenCredential;
  subscriptionId: string;
  cloud: CloudEndpoints;
  http: AgentHttp;
}

/** Clients a Key Vault-only task needs. */
export interface KeyVaultClients {
  /** The SecretClient of a vault (name or https URI), one per vault. */
  keyVault(vault: string): SecretClient;
}

/** Every client of a run, built on first use and then reused (one pipeline and proxy-agent cache each). */
export interface AzureClients extends KeyVaultClients {
  readonly ml: AzureMachineLearningWorkspaces;
  readonly aci: ContainerInstanceManagementClient;
  readonly acr: ContainerRegistryManagementClient;
  readonly resources: ResourceManagementClient;
  /** Raw ARM requests (long-running operations, API versions the SDKs lack) through one pipeline. */
  readonly arm: ArmPipeline;
}

/** The per-run scope every Azure function takes: the session plus the clients the task named. */
export interface AzureContext<C = AzureClients> extends AzureSession {
  clients: C;
}

/** A context with (at least) these clients, e.g. `ContextWith<'ml'>` for a function that reads the workspace. */
export type ContextWith<K extends keyof AzureClients> = AzureContext<Pick<AzureClients, K>>;

/** Reads the connection, the agent's proxy/CA and builds the credential. Throws InputError for a bad connection. */
export function createAzureSession(inputName = 'azureSubscription'): AzureSession {
  const connection = readServiceConnection(inputName);
  const http = agentHttp();
  return { connection, credential: createCredential(connection, http), subscriptionId: connection.subscriptionId, cloud: connection.cloud, http };
}
