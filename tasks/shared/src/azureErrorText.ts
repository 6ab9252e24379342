// The one place that turns an Azure failure (SDK, identity or raw call) into a single readable line
// with its code, status and a hint. The error classes themselves are in errors.ts.
import { isRestError } from '@azure/core-rest-pipeline';
import { untrusted } from './untrusted';

/** What we could learn from any error thrown by an Azure SDK, identity or a raw call. */
export interface AzureErrorInfo {
  statusCode?: number;
  code?: string;
  message: string;
  url?: string;
  /** ARM resource id found in the request URL, if any. */
  resourceId?: string;
  /** Host of the request (vault/blob/ARM), for data-plane hints. */
  host?: string;
}

/** Removes anything that could be a credential from text that may reach the log. */
export function redact(text: string): string {
  return (
    text
      // query strings of URLs can hold SAS signatures, codes or keys: drop them entirely
      .replace(/(\bhttps?:\/\/[^\s?#'"<>]+)\?[^\s'"<>]*/gi, '$1')
      // loose SAS / key fragments that are not part of a URL
      .replace(/\b(sig|signature|code|token|access_token|client_secret|api-key|sv|se|sp|skoid|sktid)=([^&\s'";]+)/gi, '$1=***')
      .replace(/\b(AccountKey|SharedAccessKey|SharedAccessSignature|Password)=([^;\s'"]+)/gi, '$1=***')
      .replace(/\bBearer\s+[A-Za-z0-9._~+/=-]+/g, 'Bearer ***')
      // JWTs (three base64url segments starting with eyJ)
      .replace(/\beyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*/g, '***')
  );
}

/** The first-level ARM resource id in a URL path (`/subscriptions/…/providers/ns/type/name`), or the RG/subscription. */
export function resourceIdFromUrl(url: string | undefined): string | undefined {
  if (!url) return undefined;
  let path: string;
  try {
    path = new URL(url).pathname;
  } catch {
    path = url.split('?')[0];
  }
  const parts = path.split('/').filter((p) => p.length > 0);
  const sub = parts.findIndex((p) => p.toLowerCase() === 'subscriptions');
  if (sub < 0 || sub + 1 >= parts.length) return undefined;
  const out = ['subscriptions', parts[sub + 1]];
  let i = sub + 2;
  if (parts[i]?.toLowerCase() === 'resourcegroups' && parts[i + 1]) {
    out.push('resourceGroups', parts[i + 1]);
    i += 2;
  }
  if (parts[i]?.toLowerCase() === 'providers' && parts[i + 1] && parts[i + 2] && parts[i + 3]) {
    out.push('providers', parts[i + 1], parts[i + 2], parts[i + 3]);
  }
  return '/' + out.map((p) => decodeURIComponent(p)).join('/');
}

interface ErrorBody {
  code?: unknown;
  message?: unknown;
  details?: unknown;
  error?: unknown;
  error_description?: unknown;
}

function asRecord(v: unknown): Record<string, unknown> | undefined {
  return v !== null && typeof v === 'object' ? (v as Record<string, unknown>) : undefined;
}

function parseJson(text: unknown): unknown {
  if (typeof text !== 'string' || text.length === 0) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** Reads `{error:{code,message,details}}`, `{code,message}` or OAuth `{error, error_description}`. */
function fromBody(body: unknown): { code?: string; message?: string } {
  const b = asRecord(body) as ErrorBody | undefined;
  if (!b) return {};
  const inner = asRecord(b.error) as ErrorBody | undefined;
  const e: ErrorBody = inner ?? b;
  const code = typeof e.code === 'string' ? e.code : typeof b.error === 'string' ? b.error : undefined;
  let message = typeof e.message === 'string' ? e.message : typeof b.error_description === 'string' ? b.error_description : undefined;
  if (Array.isArray(e.details)) {
    const more = e.details
      .map((d) => asRecord(d))
      .map((d) => (d && typeof d.message === 'string' ? d.message : undefined))
      .filter((m): m is string => !!m && m !== message);
    if (more.length > 0) message = [message, ...more].filter(Boolean).join(' ');
  }
  return { code, message };
}

/** Extracts status, code, message and URL from a RestError, an identity error, an ARM body or anything else. */
export function azureErrorInfo(err: unknown): AzureErrorInfo {
  if (isRestError(err)) {
    const body = fromBody(err.details ?? parseJson(err.response?.bodyAsText));
    const url = err.request?.url;
    const statusCode = err.statusCode ?? err.response?.status;
    let message = body.message ?? err.message;
    if (!message && statusCode) message = `HTTP ${statusCode}`;
    return {
      statusCode,
      code: body.code ?? err.code,
      message: message || 'request failed',
      url,
      resourceId: resourceIdFromUrl(url),
      host: hostOf(url),
    };
  }
  const rec = asRecord(err);
  if (rec) {
    // @azure/identity AuthenticationError: { statusCode, errorResponse: { error, errorDescription } }
    const resp = asRecord(rec.errorResponse);
    const statusCode = typeof rec.statusCode === 'number' ? rec.statusCode : typeof rec.status === 'number' ? rec.status : undefined;
    const body = fromBody(rec.body ?? rec.details);
    const code =
      (resp && typeof resp.error === 'string' ? resp.error : undefined) ??
      body.code ??
      (typeof rec.code === 'string' ? rec.code : undefined);
    const message =
      (resp && typeof resp.errorDescription === 'string' ? resp.errorDescription.split(/\r?\n/)[0] : undefined) ??
      body.message ??
      (typeof rec.message === 'string' ? rec.message : String(err));
    const url = typeof rec.url === 'string' ? rec.url : undefined;
    return { statusCode, code, message, url, resourceId: resourceIdFromUrl(url), host: hostOf(url) };
  }
  return { message: String(err) };
}

function originOf(url: string | undefined): string | undefined {
  if (!url) return undefined;
  try {
    return new URL(url).origin;
  } catch {
    return undefined;
  }
}

function hostOf(url: string | undefined): string | undefined {
  if (!url) return undefined;
  try {
    return new URL(url).hostname.toLowerCase();
  } catch {
    return undefined;
  }
}

/** The role a person most likely needs for a 403 on this resource. */
export function likelyRole(resourceId: string | undefined, host: string | undefined, action?: string, resourceText?: string): string {
  const id = (resourceId ?? '').toLowerCase();
  const text = resourceText ?? '';
  const writing = /^(set|creat|updat|delet|writ|upload|push|register|deploy|cancel|start|stop)/i.test(action ?? '');
  if (id.includes('/providers/microsoft.machinelearningservices/')) return "'AzureML Data Scientist' or 'Contributor'";
  if (id.includes('/providers/microsoft.containerregistry/')) return writing ? "'Contributor' (ACR Tasks) or 'AcrPush'" : "'Contributor' or 'AcrPull'";
  if (id.includes('/providers/microsoft.containerinstance/')) return "'Contributor'";
  if (id.includes('/providers/microsoft.keyvault/') || (host && /\.vault\./.test(host)) || (!resourceId && /key vault/i.test(text)))
    return writing ? "'Key Vault Secrets Officer' (or an access policy with Set)" : "'Key Vault Secrets User' (or an access policy with Get and List)";
  if ((host && /\.blob\./.test(host)) || (!resourceId && /\b(blob|datastore container|storage container)\b/i.test(text))) return writing ? "'Storage Blob Data Contributor'" : "'Storage Blob Data Reader'";
  if (id.includes('/providers/microsoft.storage/')) return "'Storage Account Contributor' or 'Contributor'";
  return "'Contributor'";
}

function hint(info: AzureErrorInfo, subject: string, o: { resource?: string; action?: string }): string | undefined {
  const where = o.resource ?? info.resourceId ?? (info.host ? `the resource at ${info.host}` : 'the resource');
  switch (info.statusCode) {
    case 400:
      return undefined;
    case 401:
      // ARM's ExpiredAuthenticationToken, Key Vault's AKV10022 ("Invalid issuer or token expired"): the
      // access token itself was stale (agent clock, a long step), not the connection's secret
      if (info.code === 'ExpiredAuthenticationToken' || /token (has )?expired|TokenExpired|AKV10022|expiry UTC time/i.test(info.message)) {
        return "the access token had expired when the service checked it: re-run the task; if it happens again, check the agent machine's clock (tokens are checked against the service's time)";
      }
      return "the service connection's credential was rejected: check its tenant id and client id, that the client secret or certificate has not expired, and (workload identity) that the federated credential matches this service connection";
    case 403: {
      const scope = info.resourceId ?? originOf(info.url) ?? where;
      return `the service connection's identity needs the ${likelyRole(info.resourceId, info.host, o.action, o.resource)} role on ${scope} (or a parent scope); ask an owner to add the role assignment`;
    }
    case 404:
      return `${where} was not found: check its name, the resource group and that the service connection's subscription is the right one`;
    case 409:
      return `the request conflicts with the current state of ${where}${info.code ? ` (${info.code})` : ''}: it may already exist with other settings, or another operation on it is still running; wait for it or use another name`;
    case 412:
      return `${where} was changed by someone else meanwhile; run again`;
    case 429:
      return 'Azure throttled the requests (they were already retried with back-off); try again in a few minutes or run fewer pipelines in parallel';
    default:
      break;
  }
  if (info.statusCode === undefined) {
    const c = (info.code ?? '').toUpperCase();
    if (['ENOTFOUND', 'EAI_AGAIN', 'ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'REQUEST_SEND_ERROR'].includes(c))
      return `the network call failed before Azure answered (${c}): check the agent's network, proxy settings (Agent.ProxyUrl) and DNS for ${info.host ?? 'the host'}`;
    if (/SELF_SIGNED|UNABLE_TO_VERIFY|CERT_/.test(c) || /certificate/i.test(info.message))
      return "the server certificate is not trusted: configure the agent's CA (Agent.CAInfo / .ca file) if a TLS-inspecting proxy is used";
  }
  if (info.statusCode !== undefined && info.statusCode >= 500) return `Azure had a server error ${subject ? `while ${subject.toLowerCase()}` : ''}; it was retried; try again later`.replace(/\s+;/, ';');
  return undefined;
}

/**
 * One line: "<action> <resource> failed: <code> (<status>): <message>. Hint: …".
 * Never includes query strings, tokens or keys.
 */
export function describeAzureError(err: unknown, o: { resource?: string; action?: string } = {}): string {
  const info = azureErrorInfo(err);
  const subject = [o.action, o.resource].filter((s) => !!s).join(' ') || (info.resourceId ? `Request for ${info.resourceId}` : 'Azure request');
  const codePart = [info.code, info.statusCode !== undefined ? `(${info.statusCode})` : undefined].filter((s) => !!s).join(' ');
  const msg = info.message.replace(/\s*\r?\n\s*/g, ' ').trim().replace(/\.$/, '');
  const h = hint(info, subject, o);
  const line = `${subject} failed: ${codePart ? `${codePart}: ` : ''}${msg}.${h ? ` Hint: ${h}.` : ''}`;
  // Azure's message is text from outside: neutralised here, the one place every Azure failure is described
  return untrusted(redact(line));
}

/** The HTTP status of an Azure error, if it has one. */
export function statusOf(err: unknown): number | undefined {
  return azureErrorInfo(err).statusCode;
}
