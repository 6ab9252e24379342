// An asset version PUT (model, code, environment, data) that collided with another writer, as Azure answers it:
// - 400 UserError "Asset paths cannot be updated.": the version exists (someone registered it between our read
//   and our PUT) with another path — the text azure-ai-ml matches (_artifacts/_constants.py ASSET_PATH_ERROR,
//   operations/_model_operations.py create_or_update); environments answer a 400 UserError for another definition;
// - 409: a create of the same version was in flight — azure-ai-ml retries it (_utils/_asset_utils.py
//   _create_or_update_autoincrement, @retry on ResourceExistsError).
// Either way the caller reads the version again and decides: reuse it, take the next number, or fail clearly.
import { azureErrorInfo } from './azureErrorText';
import { AzureCallError, TaskError } from './errors';

export type AssetCollision = 'versionExists' | 'createInFlight';

export function assetVersionCollision(err: unknown): AssetCollision | undefined {
  const cause = err instanceof AzureCallError ? err.cause : err;
  const info = azureErrorInfo(cause);
  if (info.statusCode === 409) return 'createInFlight';
  if (info.statusCode === 400 && (/Asset paths cannot be updated/i.test(info.message) || /already exists/i.test(info.message))) return 'versionExists';
  return undefined;
}

/**
 * PUTs an asset version; when the PUT collides, reads the version again: one that holds what we wanted is
 * reused, another is `conflict(existing)` (a TaskError message), none yet (a create in flight that failed)
 * is PUT again. Other errors propagate.
 */
export async function putAssetVersion<T>(o: {
  put: () => Promise<T>;
  read: () => Promise<T | undefined>;
  holdsOurs: (existing: T) => boolean;
  conflict: (existing: T) => string;
  attempts?: number;
}): Promise<{ value: T; reused: boolean }> {
  const attempts = o.attempts ?? 3;
  for (let i = 1; ; i++) {
    try {
      return { value: await o.put(), reused: false };
    } catch (err) {
      if (!assetVersionCollision(err) || i >= attempts) throw err;
    }
    const existing = await o.read();
    if (existing !== undefined) {
      if (o.holdsOurs(existing)) return { value: existing, reused: true };
      throw new TaskError(o.conflict(existing));
    }
  }
}
