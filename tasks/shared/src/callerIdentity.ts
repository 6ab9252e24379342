// Who this run is, as ARM sees it, and whether a resource's systemData says this identity created it.
//
// ARM fills a tracked resource's `systemData` from the caller's token (azure-rest-api-specs
// common-types/resource-management `systemData`): `createdByType` is User, Application, ManagedIdentity or Key;
// for an application or a managed identity `createdBy` is the identity's id (the token's `appid`, its client id).
// So the identity to compare with is read from the run's own ARM token (the credential caches it: no extra
// sign-in): `appid` (v1 tokens; `azp` in v2 ones) and `oid` (the service principal's object id). A resource created
// by anyone else — a user, a key, another principal — or without systemData is not this run's.
import type { TokenCredential } from '@azure/core-auth';
import type { CloudEndpoints } from './cloud';
import type { ServiceConnection } from './connectionTypes';
import { untrusted } from './untrusted';

export interface CallerIdentity {
  /** Client (application) id. */
  appId?: string;
  /** Object id of the service principal / managed identity. */
  objectId?: string;
}

/** ARM's systemData (the fields read here). */
export interface SystemData {
  createdBy?: string;
  createdByType?: string;
}

function claimsOf(token: string): Record<string, unknown> | undefined {
  const part = token.split('.')[1];
  if (!part) return undefined;
  try {
    const c = JSON.parse(Buffer.from(part, 'base64url').toString('utf8')) as unknown;
    return c && typeof c === 'object' ? (c as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

const str = (v: unknown): string | undefined => (typeof v === 'string' && v.trim() ? v.trim() : undefined);

/** The identity behind the run's ARM token; the connection's client id when the token says nothing readable. */
export async function callerIdentity(session: { credential: TokenCredential; cloud: Pick<CloudEndpoints, 'armScope'>; connection: Pick<ServiceConnection, 'clientId'> }): Promise<CallerIdentity> {
  const t = await session.credential.getToken(session.cloud.armScope);
  const c = t?.token ? claimsOf(t.token) : undefined;
  const appId = str(c?.appid) ?? str(c?.azp) ?? session.connection.clientId;
  const objectId = str(c?.oid);
  return { ...(appId ? { appId } : {}), ...(objectId ? { objectId } : {}) };
}

/**
 * Undefined when `systemData` says `me` created the resource; otherwise why not, in a few words
 * ("created by user x", "created by another application (…)", "Azure reported no creator").
 */
export function notCreatedBy(me: CallerIdentity, sd: SystemData | undefined): string | undefined {
  const by = sd?.createdBy?.trim();
  const type = sd?.createdByType?.trim();
  const shownBy = untrusted(by);
  const shownType = untrusted(type);
  if (!by || !type) return 'Azure reported no creator for it';
  const t = type.toLowerCase();
  if (t !== 'application' && t !== 'managedidentity') return `it was created by ${t === 'user' ? 'a user' : `a ${shownType}`} ('${shownBy}'), not by this service connection`;
  const mine = [me.appId, me.objectId].filter((x): x is string => !!x).map((x) => x.toLowerCase());
  if (!mine.includes(by.toLowerCase())) return `it was created by another identity (${shownType} '${shownBy}'), not by this service connection`;
  return undefined;
}
