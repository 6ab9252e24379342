// One context per task run: the service connection, its credential and the agent's HTTP settings.
// Kept apart from the ARM client factories (azure.ts) so a task that needs only a credential (Key Vault)
// does not bundle every ARM and storage SDK.
import type { TokenCredential } from '@azure/core-auth';
import type { CloudEndpoints } from './cloud';
import { createCredential, readServiceConnection, ServiceConnection } from './connection';
import { AgentHttp, agentHttp } from './http';

export interface AzureContext {
  connection: ServiceConnection;
  credential: TokenCredential;
  subscriptionId: string;
  cloud: CloudEndpoints;
  http: AgentHttp;
}

/** Reads the connection, the agent's proxy/CA and builds the credential. Throws InputError for a bad connection. */
export function createAzureContext(inputName = 'azureSubscription'): AzureContext {
  const connection = readServiceConnection(inputName);
  const http = agentHttp();
  return { connection, credential: createCredential(connection, http), subscriptionId: connection.subscriptionId, cloud: connection.cloud, http };
}
