// Secrets that end up as secure environment variables: values from Key Vault and the scoring key.
// Reads happen before any write; a generated key is stored only by storeScoringKey(), called right
// before the container group is written.
import * as crypto from 'node:crypto';
import { AzureContext, getSecret, maskValue, setSecret, vaultUrl } from '../../shared/src/azure';
import { InputError } from '../../shared/src/errors';
import { lineageTags } from '../../shared/src/lineage';

export interface ScoringKey {
  value: string;
  /** 'keyVault': read from the vault; 'generated': new (stored in the vault when `secretName` is set). */
  source: 'keyVault' | 'generated';
  keyVault?: string;
  secretName?: string;
}

/** 32 bytes from the CSPRNG, base64url (43 characters, safe in a header and an environment variable). */
export function generateScoringKey(): string {
  const key = crypto.randomBytes(32).toString('base64url');
  maskValue(key);
  return key;
}

/** NAME → secret value for every `NAME=secret-name` line; a missing secret is an input error naming it. */
export async function readSecretEnvironment(ctx: AzureContext, keyVault: string, lines: ReadonlyMap<string, string>): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const [name, secretName] of lines) {
    const value = await getSecret(ctx, keyVault, secretName, { optional: true });
    if (value === undefined) {
      throw new InputError(
        'secretEnvironmentVariables',
        `${name}: the secret '${secretName}' does not exist in Key Vault ${vaultUrl(keyVault, ctx.cloud)}`,
        'the name of an existing, enabled secret',
      );
    }
    if (value.length === 0) throw new InputError('secretEnvironmentVariables', `${name}: the secret '${secretName}' is empty`, 'a secret with a value');
    out.set(name, value);
  }
  return out;
}

/** The key from Key Vault, or a new one (to be stored with storeScoringKey when a vault is given). */
export async function resolveScoringKey(ctx: AzureContext, o: { keyVault?: string; secretName?: string }): Promise<ScoringKey> {
  if (o.keyVault && o.secretName) {
    const existing = await getSecret(ctx, o.keyVault, o.secretName, { optional: true });
    if (existing) return { value: existing, source: 'keyVault', keyVault: o.keyVault, secretName: o.secretName };
    return { value: generateScoringKey(), source: 'generated', keyVault: o.keyVault, secretName: o.secretName };
  }
  return { value: generateScoringKey(), source: 'generated' };
}

/** Stores a generated key in its vault (no-op for a key read from the vault or without a vault). */
export async function storeScoringKey(ctx: AzureContext, key: ScoringKey, containerGroupName: string): Promise<boolean> {
  if (key.source !== 'generated' || !key.keyVault || !key.secretName) return false;
  await setSecret(ctx, key.keyVault, key.secretName, key.value, { ...pickTags(lineageTags()), containerGroup: containerGroupName });
  return true;
}

/** Key Vault allows 15 tags per secret: keep the ones that lead back to the run. */
function pickTags(tags: Record<string, string>): Record<string, string> {
  const keep = ['ado.organization', 'ado.project', 'ado.pipeline', 'ado.runId', 'ado.runUrl', 'ado.commit'];
  const out: Record<string, string> = {};
  for (const k of keep) if (tags[k] !== undefined) out[k] = tags[k];
  return out;
}
