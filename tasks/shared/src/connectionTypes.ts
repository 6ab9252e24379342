// The service connection as the tasks use it, in a module of its own: connection.ts (reading it) and
// credentials/ (signing in with it) both depend on this type and not on each other.
import type { CloudEndpoints } from './cloud';

export type AuthScheme = 'ServicePrincipal' | 'WorkloadIdentityFederation' | 'ManagedServiceIdentity';

export interface ServiceConnection {
  id: string;
  scheme: AuthScheme;
  tenantId: string;
  clientId?: string;
  subscriptionId: string;
  secret?: string;
  certificatePem?: string;
  cloud: CloudEndpoints;
}
