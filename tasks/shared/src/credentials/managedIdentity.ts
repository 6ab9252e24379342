import type { TokenCredential } from '@azure/core-auth';
import { ManagedIdentityCredential } from '@azure/identity';
import type { ServiceConnection } from '../connectionTypes';
import type { AgentHttp } from '../http';
import { credentialOptions } from './common';

/** The agent VM's identity; a user-assigned one when the connection names a client id. */
export function managedIdentityCredential(conn: ServiceConnection, http: AgentHttp): TokenCredential {
  const options = credentialOptions(conn, http);
  return conn.clientId ? new ManagedIdentityCredential({ ...options, clientId: conn.clientId }) : new ManagedIdentityCredential(options);
}
