import type { TokenCredential } from '@azure/core-auth';
import { ClientCertificateCredential } from '@azure/identity';
import type { ServiceConnection } from '../connectionTypes';
import type { AgentHttp } from '../http';
import { credentialOptions, requireField } from './common';

/** The connection holds a PEM with the certificate and its private key (already masked when read). */
export function servicePrincipalCertificateCredential(conn: ServiceConnection, http: AgentHttp): TokenCredential {
  return new ClientCertificateCredential(
    conn.tenantId,
    requireField(conn, conn.clientId, 'client id'),
    { certificate: requireField(conn, conn.certificatePem, 'certificate') },
    credentialOptions(conn, http),
  );
}
