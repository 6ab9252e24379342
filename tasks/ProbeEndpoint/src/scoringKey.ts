// The scoring credential: the authKey input (already masked when read), a key from Key Vault through the
// shared keyvault module (which masks the value before returning it), or for an Azure ML online endpoint with
// authMode AADToken a Microsoft Entra token of the service connection (masked by the shared scoring module).
import { TaskError } from '../../shared/src/errors';
import { type AzureContext, getSecret, type KeyVaultClients, vaultUrl } from '../../shared/src/keyvault';
import { onlineEndpointScope, onlineEndpointToken } from '../../shared/src/scoring';
import { KeySource } from './inputs';

/** The key for the probe; the Azure context (the service connection) is made only when the key is in Key Vault. */
export async function resolveScoringKey(source: KeySource, createAzureContext: () => AzureContext<KeyVaultClients>): Promise<string | undefined> {
  if (source.kind === 'none') return undefined;
  if (source.kind === 'key') return source.key;
  const ctx = createAzureContext();
  if (source.kind === 'aadToken') {
    console.log(`Authenticating with a Microsoft Entra token of the service connection (${onlineEndpointScope(ctx.cloud)}).`);
    return onlineEndpointToken(ctx.credential, ctx.cloud);
  }
  const url = vaultUrl(source.vault, ctx.cloud);
  console.log(`Reading the scoring key from secret '${source.secretName}' in Key Vault ${url}`);
  const value = (await getSecret(ctx, source.vault, source.secretName))?.trim();
  if (!value) throw new TaskError(`Key Vault secret '${source.secretName}' in ${url} is empty. Expected the endpoint's scoring key (input 'authKeySecret').`);
  if (/[\r\n\0]/.test(value)) throw new TaskError(`Key Vault secret '${source.secretName}' in ${url} contains a line break. Expected a single-line scoring key (input 'authKeySecret').`);
  return value;
}

/** Headers for one endpoint: the user's headers plus `Authorization: Bearer <key>` when there is a key. */
export function requestHeaders(userHeaders: Record<string, string>, key: string | undefined): Record<string, string> {
  return key ? { ...userHeaders, Authorization: `Bearer ${key}` } : { ...userHeaders };
}
