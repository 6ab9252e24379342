import type { TokenCredential } from '@azure/core-auth';
import type { ServiceConnection } from '../connectionTypes';
import type { AgentHttp } from '../http';
import { managedIdentityCredential } from './managedIdentity';
import { servicePrincipalCertificateCredential } from './servicePrincipalCertificate';
import { servicePrincipalSecretCredential } from './servicePrincipalSecret';
import { workloadIdentityCredential } from './workloadIdentity';

/** The credential for the connection's scheme (one file per scheme; shared options in common.ts). */
export function createCredential(conn: ServiceConnection, http: AgentHttp): TokenCredential {
  switch (conn.scheme) {
    case 'ServicePrincipal':
      return conn.certificatePem && !conn.secret ? servicePrincipalCertificateCredential(conn, http) : servicePrincipalSecretCredential(conn, http);
    case 'WorkloadIdentityFederation':
      return workloadIdentityCredential(conn, http);
    case 'ManagedServiceIdentity':
      return managedIdentityCredential(conn, http);
  }
}
