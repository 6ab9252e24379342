// One credential module per scheme, loaded only when the first token is asked for: a run loads the code
// of its own scheme and nothing of the others, and a run that never needs a token (ProbeEndpoint with a
// typed-in key) loads no identity code at all (@azure/identity with MSAL is the largest part of it).
// The connection's fields are still checked here, at once, so a broken connection fails before any work.
import type { AccessToken, GetTokenOptions, TokenCredential } from '@azure/core-auth';
import type { ServiceConnection } from '../connectionTypes';
import type { AgentHttp } from '../http';
import { requireField } from './common';

/** A scheme's credential, made on the first getToken (see docs/SHARED-API.md). */
export class SchemeCredential implements TokenCredential {
  private made?: Promise<TokenCredential>;
  constructor(
    /** The @azure/identity class it becomes (ClientSecretCredential, …), for logs and tests. */
    readonly kind: string,
    private readonly make: () => Promise<TokenCredential>,
  ) {}

  /** The scheme's real credential (loads its module the first time). */
  credential(): Promise<TokenCredential> {
    this.made ??= this.make();
    return this.made;
  }

  async getToken(scopes: string | string[], options?: GetTokenOptions): Promise<AccessToken | null> {
    return (await this.credential()).getToken(scopes, options);
  }
}

/** The credential for the connection's scheme (one file per scheme; shared options in common.ts). */
export function createCredential(conn: ServiceConnection, http: AgentHttp): SchemeCredential {
  switch (conn.scheme) {
    case 'ServicePrincipal':
      requireField(conn, conn.clientId, 'client id');
      if (conn.certificatePem && !conn.secret) {
        return new SchemeCredential('ClientCertificateCredential', async () => (await import('./servicePrincipalCertificate')).servicePrincipalCertificateCredential(conn, http));
      }
      requireField(conn, conn.secret, 'client secret');
      return new SchemeCredential('ClientSecretCredential', async () => (await import('./servicePrincipalSecret')).servicePrincipalSecretCredential(conn, http));
    case 'WorkloadIdentityFederation':
      requireField(conn, conn.clientId, 'client id');
      return new SchemeCredential('ClientAssertionCredential', async () => (await import('./workloadIdentity')).workloadIdentityCredential(conn, http));
    case 'ManagedServiceIdentity':
      return new SchemeCredential('ManagedIdentityCredential', async () => (await import('./managedIdentity')).managedIdentityCredential(conn, http));
  }
}
