// Key Vault secrets. Every value read or written is masked before it could be printed.
import type { SecretClient } from '@azure/keyvault-secrets';
import { AzureContext, AzureSession, ContextWith, createAzureSession, KeyVaultClients } from './azureSession';

export type { AzureContext, ContextWith, KeyVaultClients } from './azureSession';
import type { CloudEndpoints } from './cloud';
import { azureCall, InputError, TaskError } from './errors';
import { isKeyVaultName, isKeyVaultSecretName, KEY_VAULT_SECRET_RULE, quote } from './inputs';
import { clientOptions } from './http';
import { maskSecret } from './mask';
import { untrusted } from './untrusted';

export const KEY_VAULT_INPUT = 'keyVault';

/** A vault name, or an https vault URI reduced to its origin; anything else names the input 'keyVault'. Needs no cloud, so readInputs can check it. */
export function vaultNameOrOrigin(nameOrUri: string, inputName = KEY_VAULT_INPUT): { name: string } | { origin: string } {
  const v = nameOrUri.trim();
  const expected = "a vault name (3-24 letters, digits or '-', starting with a letter) or an https:// vault URI";
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(v)) {
    let u: URL;
    try {
      u = new URL(v);
    } catch {
      throw new InputError(inputName, `${quote(v)} is not a valid URI`, expected);
    }
    if (u.protocol !== 'https:') throw new InputError(inputName, `${quote(v)} is not an https URI`, expected);
    if (u.username || u.password || u.search) throw new InputError(inputName, `${quote(u.origin + u.pathname)} must not carry credentials or a query`, expected);
    return { origin: u.origin };
  }
  if (!isKeyVaultName(v)) throw new InputError(inputName, `${quote(v)} is not a valid Key Vault name`, expected);
  return { name: v };
}

/**
 * A vault name → https://<name>.<suffix>; an https URI → its origin, only when it is a vault of the connection's
 * cloud: `https://<vault>.<Key Vault DNS suffix>` (vault.azure.net, vault.azure.cn, vault.usgovcloudapi.net, or the
 * connection's AzureKeyVaultDnsSuffix; a port is ignored, as for storage hosts). Any other host would be sent the
 * connection's token (and, for a write, the secret): one error naming the host and the input, before any request.
 */
export function vaultUrl(nameOrUri: string, cloud: CloudEndpoints, inputName = KEY_VAULT_INPUT): string {
  const v = vaultNameOrOrigin(nameOrUri, inputName);
  if (!('origin' in v)) return `https://${v.name.toLowerCase()}.${cloud.keyVaultDnsSuffix}`;
  const u = new URL(v.origin);
  const host = u.hostname.toLowerCase().replace(/\.$/, '');
  const suffix = cloud.keyVaultDnsSuffix.toLowerCase().replace(/^\.+/, '').replace(/:\d+$/, '');
  const vault = host.endsWith(`.${suffix}`) ? host.slice(0, -suffix.length - 1) : undefined;
  if (vault === undefined || !isKeyVaultName(vault)) {
    throw new InputError(inputName, `the vault URI names the host '${untrusted(u.host)}', which is not a Key Vault of the service connection's cloud: refusing to send it a token or secret`, `a vault name, or https://<vault>.${suffix}`);
  }
  return v.origin;
}

/** Masks a secret value: whole when it is one line, line by line otherwise (mask.ts: task-lib refuses multi-line secrets). */
export function maskValue(value: string): void {
  maskSecret(value);
}

/**
 * The SecretClient for a vault. Challenge resource verification checks that the token audience the vault
 * asks for belongs to the vault's domain, which stops a look-alike host from harvesting a token; it stays
 * on for every real vault. A local vault (host *.localhost, used by the emulator tests) cannot be in the
 * vault.azure.net domain, so only there it is turned off. The SDK is loaded on first use.
 */
export function secretClient(session: Pick<AzureSession, 'cloud' | 'credential' | 'http'>, vault: string): SecretClient {
  const url = vaultUrl(vault, session.cloud);
  const host = new URL(url).hostname.toLowerCase();
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { SecretClient: Client } = require('./sdk/keyVaultSecrets') as typeof import('./sdk/keyVaultSecrets');
  return new Client(url, session.credential, {
    ...clientOptions(session.http),
    disableChallengeResourceVerification: host === 'localhost' || host.endsWith('.localhost'),
  });
}

/** One SecretClient per vault for the run. */
export function keyVaultClients(session: Pick<AzureSession, 'cloud' | 'credential' | 'http'>): KeyVaultClients {
  const clients = new Map<string, SecretClient>();
  return {
    keyVault(vault: string): SecretClient {
      const url = vaultUrl(vault, session.cloud);
      let c = clients.get(url);
      if (!c) clients.set(url, (c = secretClient(session, vault)));
      return c;
    },
  };
}

/** A context with only the Key Vault client, for a task that needs no ARM SDK. Throws InputError for a bad connection. */
export function createKeyVaultContext(inputName = 'azureSubscription'): AzureContext<KeyVaultClients> {
  const session = createAzureSession(inputName);
  return { ...session, clients: keyVaultClients(session) };
}

function checkSecretName(name: string): void {
  if (!isKeyVaultSecretName(name)) {
    throw new TaskError(`Key Vault secret name ${quote(name)} is not valid. Expected ${KEY_VAULT_SECRET_RULE}.`);
  }
}

export async function getSecret(ctx: ContextWith<'keyVault'>, vault: string, secretName: string, o: { optional?: boolean } = {}): Promise<string | undefined> {
  checkSecretName(secretName);
  const client = ctx.clients.keyVault(vault);
  const read = (): Promise<{ value?: string }> => client.getSecret(secretName);
  const what = `secret '${secretName}' from Key Vault ${client.vaultUrl}`;
  const s = o.optional ? await azureCall('Reading', what, read, { notFound: 'undefined' }) : await azureCall('Reading', what, read);
  if (s === undefined) return undefined;
  const value = s.value ?? '';
  maskValue(value);
  return value;
}

export async function setSecret(ctx: ContextWith<'keyVault'>, vault: string, secretName: string, value: string, tags?: Record<string, string>): Promise<void> {
  maskValue(value);
  checkSecretName(secretName);
  const client = ctx.clients.keyVault(vault);
  await azureCall('Setting', `secret '${secretName}' in Key Vault ${client.vaultUrl}`, () => client.setSecret(secretName, value, tags ? { tags } : {}));
}
