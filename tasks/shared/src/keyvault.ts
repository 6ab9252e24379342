// Key Vault secrets. Every value read or written is masked before it could be printed.
import { SecretClient } from '@azure/keyvault-secrets';
import * as tl from 'azure-pipelines-task-lib/task';
import type { AzureContext } from './context';
import type { CloudEndpoints } from './cloud';
import { describeAzureError, statusOf, TaskError } from './errors';
import { InputError, quote } from './inputs';
import { clientOptions } from './http';

export const KEY_VAULT_INPUT = 'keyVault';
const VAULT_NAME = /^[a-zA-Z](?!.*--)[a-zA-Z0-9-]{1,22}[a-zA-Z0-9]$/;
const SECRET_NAME = /^[0-9a-zA-Z-]{1,127}$/;

/** A vault name → https://<name>.<suffix>; an https URI → its origin. Anything else names the input 'keyVault'. */
export function vaultUrl(nameOrUri: string, cloud: CloudEndpoints, inputName = KEY_VAULT_INPUT): string {
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
    return u.origin;
  }
  if (!VAULT_NAME.test(v)) throw new InputError(inputName, `${quote(v)} is not a valid Key Vault name`, expected);
  return `https://${v.toLowerCase()}.${cloud.keyVaultDnsSuffix}`;
}

/** Masks a secret value as a whole and per line (logs are line-based). */
export function maskValue(value: string): void {
  if (!value) return;
  tl.setSecret(value);
  const lines = value.split(/\r?\n/).map((l) => l.trim());
  if (lines.length > 1) for (const l of lines) if (l.length >= 4) tl.setSecret(l);
}

/**
 * The SecretClient for a vault. Challenge resource verification checks that the token audience the vault
 * asks for belongs to the vault's domain, which stops a look-alike host from harvesting a token; it stays
 * on for every real vault. A local vault (host *.localhost, used by the emulator tests) cannot be in the
 * vault.azure.net domain, so only there it is turned off.
 */
export function secretClient(ctx: AzureContext, vault: string): SecretClient {
  const url = vaultUrl(vault, ctx.cloud);
  const host = new URL(url).hostname.toLowerCase();
  return new SecretClient(url, ctx.credential, {
    ...clientOptions(ctx.http),
    disableChallengeResourceVerification: host === 'localhost' || host.endsWith('.localhost'),
  });
}

function checkSecretName(name: string): void {
  if (!SECRET_NAME.test(name)) {
    throw new TaskError(`Key Vault secret name ${quote(name)} is not valid. Expected 1-127 letters, digits or '-'.`);
  }
}

export async function getSecret(ctx: AzureContext, vault: string, secretName: string, o: { optional?: boolean } = {}): Promise<string | undefined> {
  checkSecretName(secretName);
  const client = secretClient(ctx, vault);
  try {
    const s = await client.getSecret(secretName);
    const value = s.value ?? '';
    maskValue(value);
    return value;
  } catch (err) {
    if (o.optional && statusOf(err) === 404) return undefined;
    throw new TaskError(describeAzureError(err, { action: 'Reading', resource: `secret '${secretName}' from Key Vault ${client.vaultUrl}` }));
  }
}

export async function setSecret(ctx: AzureContext, vault: string, secretName: string, value: string, tags?: Record<string, string>): Promise<void> {
  maskValue(value);
  checkSecretName(secretName);
  const client = secretClient(ctx, vault);
  try {
    await client.setSecret(secretName, value, tags ? { tags } : {});
  } catch (err) {
    throw new TaskError(describeAzureError(err, { action: 'Setting', resource: `secret '${secretName}' in Key Vault ${client.vaultUrl}` }));
  }
}
