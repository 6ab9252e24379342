// Reads the AzureRM service connection the way the agent hands it over (ENDPOINT_* variables via task-lib)
// and masks its secrets the moment they are read.
import * as tl from 'azure-pipelines-task-lib/task';
import { cloudFromData } from './cloud';
import type { AuthScheme, ServiceConnection } from './connectionTypes';
import { InputError, requiredString } from './inputs';
import { quietAuthParameter, quietAuthScheme } from './agentSecrets';
import { maskSecret } from './mask';

export type { CloudEndpoints } from './cloud';
export type { AuthScheme, ServiceConnection } from './connectionTypes';

const SCHEMES: readonly AuthScheme[] = ['ServicePrincipal', 'WorkloadIdentityFederation', 'ManagedServiceIdentity'];

const authParam = quietAuthParameter;

function dataParam(id: string, key: string): string | undefined {
  const v = tl.getEndpointDataParameter(id, key, true);
  return v && v.trim().length > 0 ? v.trim() : undefined;
}

/** Reads and validates the connection named by the input (default 'azureSubscription'). */
export function readServiceConnection(inputName = 'azureSubscription'): ServiceConnection {
  const id = requiredString(inputName);
  const url = tl.getEndpointUrl(id, true);
  if (!url) throw new InputError(inputName, `service connection '${id}' is not available to this job (no URL)`, 'an authorized Azure Resource Manager service connection');
  const rawScheme = quietAuthScheme(id) ?? '';
  const scheme = SCHEMES.find((s) => s.toLowerCase() === rawScheme.trim().toLowerCase());
  if (!scheme) {
    throw new InputError(inputName, `service connection '${id}' uses the unsupported scheme '${rawScheme}'`, `one of ${SCHEMES.join(', ')}`);
  }

  const secret = scheme === 'ServicePrincipal' ? authParam(id, 'serviceprincipalkey') : undefined;
  const certificatePem = scheme === 'ServicePrincipal' ? authParam(id, 'servicePrincipalCertificate') : undefined;
  if (secret) maskSecret(secret);
  if (certificatePem) maskPem(certificatePem);

  const tenantId = authParam(id, 'tenantid') ?? dataParam(id, 'tenantId') ?? '';
  const clientId = authParam(id, 'serviceprincipalid') ?? dataParam(id, 'msiClientId') ?? authParam(id, 'msiclientid');
  const subscriptionId = dataParam(id, 'subscriptionId');
  if (!subscriptionId) {
    throw new InputError(inputName, `service connection '${id}' has no subscription id`, 'a connection scoped to a subscription');
  }
  if (scheme !== 'ManagedServiceIdentity') {
    if (!tenantId) throw new InputError(inputName, `service connection '${id}' has no tenant id`, 'a connection with a tenant id');
    if (!clientId) throw new InputError(inputName, `service connection '${id}' has no service principal (client) id`, 'a connection with a client id');
  }
  if (scheme === 'ServicePrincipal') {
    const type = (authParam(id, 'authenticationType') ?? (certificatePem && !secret ? 'spnCertificate' : 'spnKey')).toLowerCase();
    if (type === 'spncertificate' && !certificatePem) {
      throw new InputError(inputName, `service connection '${id}' is a certificate connection without a certificate`, 'a PEM certificate with its private key');
    }
    if (type === 'spnkey' && !secret) {
      throw new InputError(inputName, `service connection '${id}' has no service principal key`, 'a client secret');
    }
  }

  const cloud = cloudFromData(
    {
      url,
      environment: dataParam(id, 'environment'),
      activeDirectoryAuthority: dataParam(id, 'activeDirectoryAuthority'),
      environmentAuthorityUrl: dataParam(id, 'environmentAuthorityUrl'),
      activeDirectoryServiceEndpointResourceId: dataParam(id, 'activeDirectoryServiceEndpointResourceId'),
      azureKeyVaultDnsSuffix: dataParam(id, 'AzureKeyVaultDnsSuffix'),
      storageDnsSuffix: dataParam(id, 'storageEndpointSuffix'),
      acrDnsSuffix: dataParam(id, 'acrLoginServerEndpoint'),
    },
    inputName,
  );

  const isCert = scheme === 'ServicePrincipal' && (authParam(id, 'authenticationType') ?? '').toLowerCase() === 'spncertificate';
  return {
    id,
    scheme,
    tenantId,
    ...(clientId ? { clientId } : {}),
    subscriptionId,
    ...(isCert ? { certificatePem } : secret ? { secret } : certificatePem ? { certificatePem } : {}),
    cloud,
  };
}

/** Masks a PEM line by line (mask.ts: task-lib refuses multi-line secrets; the armour lines are not secret). */
export function maskPem(pem: string): void {
  maskSecret(pem);
}
