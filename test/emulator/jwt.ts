// Minimal JWT (JWS compact) signing and verification with node:crypto — RS256 and PS256.
import * as crypto from 'crypto';

export const b64url = (b: Buffer | string): string => Buffer.from(b).toString('base64url');

export interface DecodedJwt {
  header: Record<string, unknown>;
  payload: Record<string, unknown>;
  signingInput: string;
  signature: Buffer;
}

export function decodeJwt(token: string): DecodedJwt | undefined {
  const parts = token.split('.');
  if (parts.length !== 3) return undefined;
  try {
    const header = JSON.parse(Buffer.from(parts[0], 'base64url').toString('utf8')) as Record<string, unknown>;
    const payload = JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8')) as Record<string, unknown>;
    if (!header || typeof header !== 'object' || !payload || typeof payload !== 'object') return undefined;
    return { header, payload, signingInput: `${parts[0]}.${parts[1]}`, signature: Buffer.from(parts[2], 'base64url') };
  } catch {
    return undefined;
  }
}

export function signJwt(payload: Record<string, unknown>, key: crypto.KeyObject, header: Record<string, unknown> = {}): string {
  const h = b64url(JSON.stringify({ typ: 'JWT', alg: 'RS256', ...header }));
  const p = b64url(JSON.stringify(payload));
  const sig = crypto.sign('sha256', Buffer.from(`${h}.${p}`), key);
  return `${h}.${p}.${b64url(sig)}`;
}

/** Verifies an RS256/PS256/RS384/RS512/PS384/PS512 signature. */
export function verifyJwtSignature(jwt: DecodedJwt, key: crypto.KeyObject): boolean {
  const alg = String(jwt.header.alg ?? '');
  const m = /^(RS|PS)(256|384|512)$/.exec(alg);
  if (!m) return false;
  const digest = `sha${m[2]}`;
  try {
    if (m[1] === 'PS') {
      return crypto.verify(digest, Buffer.from(jwt.signingInput), {
        key, padding: crypto.constants.RSA_PKCS1_PSS_PADDING, saltLength: crypto.constants.RSA_PSS_SALTLEN_AUTO,
      }, jwt.signature);
    }
    return crypto.verify(digest, Buffer.from(jwt.signingInput), key, jwt.signature);
  } catch {
    return false;
  }
}
