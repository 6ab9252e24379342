// Fake Entra ID on login.localhost: OpenID configuration, JWKS, and the v2.0 token endpoint for
// client_credentials with a client secret, a certificate-signed client assertion, or a federated
// assertion (an OIDC token issued by this emulator's pipeline route).
import * as crypto from 'crypto';
import { decodeJwt, verifyJwtSignature } from '../jwt';
import type { EmulatorApi, RouteContext, ServiceModule } from '../types';

export const FEDERATED_AUDIENCE = 'api://AzureADTokenExchange';

/**
 * Resources this tenant does not know (tests): a token request for one fails with AADSTS500011, as Entra ID
 * answers for an application ID URI that has no service principal in the tenant (e.g. a cloud without it).
 */
export function unknownResources(emu: { state: { bucket<T>(name: string): Map<string, T> } }): Map<string, true> {
  return emu.state.bucket<true>('entra.unknownResources');
}
const JWT_BEARER = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';

function aadError(ctx: RouteContext, status: number, error: string, code: number, description: string): void {
  const traceId = crypto.randomUUID();
  const correlationId = crypto.randomUUID();
  ctx.json(status, {
    error,
    error_description: `AADSTS${code}: ${description} Trace ID: ${traceId} Correlation ID: ${correlationId} Timestamp: ${new Date().toISOString()}`,
    error_codes: [code], timestamp: new Date().toISOString(), trace_id: traceId, correlation_id: correlationId,
  });
}

/** Validates a client assertion JWT (certificate or federated). Returns an error description or undefined. */
function checkAssertion(emu: EmulatorApi, ctx: RouteContext, clientId: string, assertion: string): { code: number; error: string; message: string } | undefined {
  const ids = emu.identities;
  const jwt = decodeJwt(assertion);
  if (!jwt) return { code: 50027, error: 'invalid_request', message: 'JWT token is invalid or malformed.' };
  const now = Math.floor(Date.now() / 1000);
  const p = jwt.payload;
  if (clientId === ids.spnCertificate.clientId) {
    const cert = new crypto.X509Certificate(ids.spnCertificate.pem);
    const x5t = jwt.header.x5t as string | undefined;
    const x5tS256 = jwt.header['x5t#S256'] as string | undefined;
    const sha1 = crypto.createHash('sha1').update(cert.raw).digest('base64url');
    const sha256 = crypto.createHash('sha256').update(cert.raw).digest('base64url');
    if (!(x5t && x5t.replace(/=+$/, '') === sha1) && !(x5tS256 && x5tS256.replace(/=+$/, '') === sha256)) {
      return { code: 700027, error: 'invalid_client', message: `Client assertion contains an invalid signature. [Reason - The key was not found., Thumbprint of key used by client: '${x5t ?? x5tS256 ?? ''}']` };
    }
    if (!verifyJwtSignature(jwt, cert.publicKey)) return { code: 700027, error: 'invalid_client', message: 'Client assertion failed signature validation.' };
    if (p.iss !== clientId || p.sub !== clientId) return { code: 700023, error: 'invalid_client', message: 'Client assertion issuer and subject must be the client id.' };
    const aud = String(p.aud ?? '');
    if (!aud.endsWith(`/${ctx.params.tenant}/oauth2/v2.0/token`) && !aud.endsWith(`/${ctx.params.tenant}/oauth2/token`) && !aud.endsWith(`/${ctx.params.tenant}/v2.0`)) {
      return { code: 700212, error: 'invalid_client', message: `Client assertion audience claim '${aud}' does not match the token endpoint.` };
    }
    if (typeof p.exp !== 'number' || p.exp <= now) return { code: 700024, error: 'invalid_client', message: 'Client assertion is not within its valid time range.' };
    return undefined;
  }
  if (clientId === ids.wif.clientId) {
    const v = emu.verifyToken(assertion);
    const desc = `Assertion Issuer: '${String(p.iss)}'. Assertion Subject: '${String(p.sub)}'. Assertion Audience: '${String(p.aud)}'.`;
    if (!v) return { code: 700027, error: 'invalid_client', message: 'Client assertion failed signature validation.' };
    if (v.expired) return { code: 700024, error: 'invalid_client', message: 'Client assertion is not within its valid time range.' };
    if (p.iss !== ids.wif.issuer || p.sub !== ids.wif.subject || p.aud !== FEDERATED_AUDIENCE) {
      return { code: 70021, error: 'invalid_request', message: `No matching federated identity record found for presented assertion. ${desc}` };
    }
    return undefined;
  }
  return { code: 700027, error: 'invalid_client', message: 'Client assertion failed signature validation. (no certificate or federated credential registered for this application)' };
}

function tokenEndpoint(emu: EmulatorApi, ctx: RouteContext): void {
  const ids = emu.identities;
  const tenant = ctx.params.tenant;
  if (tenant.toLowerCase() !== ids.tenantId.toLowerCase() && tenant !== 'organizations') {
    aadError(ctx, 400, 'invalid_request', 90002, `Tenant '${tenant}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud.`);
    return;
  }
  const form = new URLSearchParams(ctx.body);
  const grant = form.get('grant_type');
  if (grant !== 'client_credentials') {
    aadError(ctx, 400, 'unsupported_grant_type', 70003, `The app requested an unsupported grant type '${grant ?? ''}'.`);
    return;
  }
  const clientId = form.get('client_id') ?? '';
  const scope = form.get('scope') ?? '';
  const known = [ids.spnSecret.clientId, ids.spnCertificate.clientId, ids.wif.clientId];
  if (!known.includes(clientId)) {
    aadError(ctx, 400, 'unauthorized_client', 700016, `Application with identifier '${clientId}' was not found in the directory '${ids.tenantId}'.`);
    return;
  }
  const scopes = scope.split(/\s+/).filter((s) => s && !['openid', 'profile', 'offline_access'].includes(s));
  if (scopes.length !== 1 || !scopes[0].endsWith('/.default')) {
    aadError(ctx, 400, 'invalid_scope', 1002012, `The provided value for scope ${scope} is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier (application ID URI).`);
    return;
  }
  const secret = form.get('client_secret');
  const assertion = form.get('client_assertion');
  if (secret !== null) {
    if (clientId !== ids.spnSecret.clientId || secret !== ids.spnSecret.secret) {
      aadError(ctx, 401, 'invalid_client', 7000215, 'Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app.');
      return;
    }
  } else if (assertion !== null) {
    if (form.get('client_assertion_type') !== JWT_BEARER) {
      aadError(ctx, 400, 'invalid_request', 50027, `client_assertion_type must be '${JWT_BEARER}'.`);
      return;
    }
    const bad = checkAssertion(emu, ctx, clientId, assertion);
    if (bad) {
      aadError(ctx, bad.error === 'invalid_client' ? 401 : 400, bad.error, bad.code, bad.message);
      return;
    }
  } else {
    aadError(ctx, 401, 'invalid_client', 7000218, "The request body must contain the following parameter: 'client_assertion' or 'client_secret'.");
    return;
  }
  const audience = scopes[0].slice(0, -'/.default'.length);
  if (unknownResources(emu).has(audience.replace(/\/+$/, ''))) {
    aadError(ctx, 400, 'invalid_resource', 500011, `AADSTS500011: The resource principal named ${audience} was not found in the tenant named ${ids.tenantId}.`);
    return;
  }
  const expired = emu.takeTokenFault(ctx.host, ctx.path, ctx.method);
  const lifetime = expired ? -60 : undefined;
  const objectId = clientId === ids.spnSecret.clientId ? ids.spnSecret.objectId : clientId === ids.spnCertificate.clientId ? ids.spnCertificate.objectId : ids.wif.objectId;
  const accessToken = emu.issueToken({ audience, appId: clientId, objectId, expiresInSeconds: lifetime });
  const expiresIn = expired ? 1 : 3599;
  ctx.json(200, { token_type: 'Bearer', expires_in: expiresIn, ext_expires_in: expiresIn, access_token: accessToken }, { 'cache-control': 'no-store, no-cache', pragma: 'no-cache' });
}

const service: ServiceModule = {
  name: 'entra',
  order: 10,
  register(emu) {
    const openid = (ctx: RouteContext): void => {
      const base = `${ctx.baseUrl}/${ctx.params.tenant}`;
      ctx.json(200, {
        token_endpoint: `${base}/oauth2/v2.0/token`,
        token_endpoint_auth_methods_supported: ['client_secret_post', 'private_key_jwt', 'client_secret_basic'],
        jwks_uri: `${ctx.baseUrl}/${ctx.params.tenant}/discovery/v2.0/keys`,
        response_modes_supported: ['query', 'fragment', 'form_post'],
        subject_types_supported: ['pairwise'],
        id_token_signing_alg_values_supported: ['RS256'],
        response_types_supported: ['code', 'id_token', 'code id_token', 'id_token token'],
        scopes_supported: ['openid', 'profile', 'email', 'offline_access'],
        issuer: `${ctx.baseUrl}/${emu.identities.tenantId}/v2.0`,
        request_uri_parameter_supported: false,
        userinfo_endpoint: `${ctx.baseUrl}/oidc/userinfo`,
        authorization_endpoint: `${base}/oauth2/v2.0/authorize`,
        device_authorization_endpoint: `${base}/oauth2/v2.0/devicecode`,
        http_logout_supported: true,
        frontchannel_logout_supported: true,
        end_session_endpoint: `${base}/oauth2/v2.0/logout`,
        claims_supported: ['sub', 'iss', 'aud', 'exp', 'iat', 'nbf', 'tid', 'oid'],
        kerberos_endpoint: `${base}/kerberos`,
        tenant_region_scope: 'NA',
        cloud_instance_name: 'login.localhost',
        cloud_graph_host_name: 'graph.localhost',
        msgraph_host: 'graph.localhost',
      });
    };
    const checkTenant = (ctx: RouteContext): boolean => {
      const t = ctx.params.tenant.toLowerCase();
      if (t === emu.identities.tenantId.toLowerCase() || t === 'organizations' || t === 'common') return true;
      aadError(ctx, 400, 'invalid_tenant', 90002, `Tenant '${ctx.params.tenant}' not found.`);
      return false;
    };
    emu.addRoute('login', 'GET', '/{tenant}/v2.0/.well-known/openid-configuration', (ctx) => {
      if (checkTenant(ctx)) openid(ctx);
    });
    emu.addRoute('login', 'GET', '/{tenant}/discovery/v2.0/keys', (ctx) => {
      const jwk = crypto.createPublicKey(emu.signingKey.publicKeyPem).export({ format: 'jwk' });
      ctx.json(200, { keys: [{ kty: 'RSA', use: 'sig', kid: emu.signingKey.kid, x5t: emu.signingKey.kid, n: jwk.n, e: jwk.e }] });
    });
    emu.addRoute('login', 'POST', '/{tenant}/oauth2/v2.0/token', (ctx) => tokenEndpoint(emu, ctx));
  },
};
export default service;
