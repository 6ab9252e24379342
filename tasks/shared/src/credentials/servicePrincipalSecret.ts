import type { TokenCredential } from '@azure/core-auth';
import { ClientSecretCredential } from '@azure/identity';
import type { ServiceConnection } from '../connectionTypes';
import type { AgentHttp } from '../http';
import { credentialOptions, requireField } from './common';

export function servicePrincipalSecretCredential(conn: ServiceConnection, http: AgentHttp): TokenCredential {
  return new ClientSecretCredential(
    conn.tenantId,
    requireField(conn, conn.clientId, 'client id'),
    requireField(conn, conn.secret, 'client secret'),
    credentialOptions(conn, http),
  );
}
