// The one flow all schemes share: the cloud's authority, no instance discovery (sovereign and local
// authorities are not in the public discovery list, and discovery would call a public host), and the
// agent's proxy/CA through the same client options as every other SDK client.
import type { TokenCredentialOptions } from '@azure/identity';
import type { ServiceConnection } from '../connectionTypes';
import { TaskError } from '../errors';
import { AgentHttp, clientOptions } from '../http';

export interface CredentialOptions extends TokenCredentialOptions {
  authorityHost: string;
  disableInstanceDiscovery: true;
}

export function credentialOptions(conn: ServiceConnection, http: AgentHttp): CredentialOptions {
  return {
    ...clientOptions(http),
    authorityHost: conn.cloud.authorityHost,
    disableInstanceDiscovery: true,
  };
}

export function requireField(conn: ServiceConnection, value: string | undefined, what: string): string {
  // readServiceConnection checks these first; a connection that still lacks one is a configuration error, not a bug
  if (!value) throw new TaskError(`Service connection '${conn.id}' (${conn.scheme}) has no ${what}.`);
  return value;
}
