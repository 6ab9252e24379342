// Raw ARM requests through one pipeline per run (bearer token, retries incl. 429 Retry-After, proxy, CA):
// for long-running operations (status and headers matter) and API versions the SDK clients lack.
import {
  bearerTokenAuthenticationPolicy,
  createHttpHeaders,
  createPipelineFromOptions,
  createPipelineRequest,
  HttpClient,
  Pipeline,
  PipelineRequest,
  RestError,
} from '@azure/core-rest-pipeline';
import type { AzureSession } from './azureSession';
import { TaskError } from './errors';
import { clientOptions } from './http';

export interface ArmResponse<T> {
  status: number;
  headers: Record<string, string>;
  body: T;
}

export interface ArmRequestOptions {
  abortSignal?: AbortSignal;
  /** Extra request headers (a job PUT's `x-azureml-token`, TrainModel's jobFileIdentity.ts); they go to ARM only, like the token. */
  headers?: Record<string, string>;
}

export interface ArmPipeline {
  /** Status, headers and parsed body; an HTTP error is a RestError with the ARM body as `details`. */
  response<T>(method: string, pathOrUrl: string, apiVersion: string, body?: unknown, o?: ArmRequestOptions): Promise<ArmResponse<T>>;
  /** The parsed body of a successful request. */
  request<T>(method: string, pathOrUrl: string, apiVersion: string, body?: unknown, o?: ArmRequestOptions): Promise<T>;
}

function resolveArmUrl(session: Pick<AzureSession, 'cloud'>, pathOrUrl: string, apiVersion: string): string {
  const armUrl = session.cloud.armUrl;
  const base = new URL(armUrl);
  const url = /^https?:\/\//i.test(pathOrUrl) ? new URL(pathOrUrl) : new URL(armUrl.replace(/\/+$/, '') + (pathOrUrl.startsWith('/') ? '' : '/') + pathOrUrl);
  // the bearer token is for ARM only: never send it to another host (e.g. a Location header elsewhere)
  if (url.origin !== base.origin) throw new TaskError(`Refusing to send an ARM token to ${url.origin} (ARM is ${base.origin}).`);
  if (!url.searchParams.has('api-version') && apiVersion) url.searchParams.set('api-version', apiVersion);
  return url.toString();
}

/** One pipeline for every raw ARM call of the run (built on the first call). */
export function armPipeline(session: AzureSession): ArmPipeline {
  let built: { pipeline: Pipeline; httpClient: HttpClient } | undefined;
  const get = (): { pipeline: Pipeline; httpClient: HttpClient } => {
    if (built) return built;
    const options = clientOptions(session.http);
    const pipeline = createPipelineFromOptions({ ...options, proxyOptions: undefined });
    pipeline.addPolicy(bearerTokenAuthenticationPolicy({ credential: session.credential, scopes: [session.cloud.armScope] }), { phase: 'Sign' });
    built = { pipeline, httpClient: options.httpClient as HttpClient };
    return built;
  };
  const response = async <T>(method: string, pathOrUrl: string, apiVersion: string, body?: unknown, o: ArmRequestOptions = {}): Promise<ArmResponse<T>> => {
    const { pipeline, httpClient } = get();
    const request = createPipelineRequest({
      url: resolveArmUrl(session, pathOrUrl, apiVersion),
      method: method.toUpperCase() as PipelineRequest['method'],
      headers: createHttpHeaders({ Accept: 'application/json', ...(body !== undefined ? { 'Content-Type': 'application/json' } : {}), ...o.headers }),
      body: body !== undefined ? JSON.stringify(body) : undefined,
      abortSignal: o.abortSignal,
    });
    const reply = await pipeline.sendRequest(httpClient, request);
    const text = reply.bodyAsText ?? '';
    let parsed: unknown = undefined;
    if (text.length > 0) {
      try {
        parsed = JSON.parse(text);
      } catch {
        parsed = text;
      }
    }
    if (reply.status >= 400) {
      const e = (parsed as { error?: { code?: string; message?: string } } | undefined)?.error;
      const err = new RestError(e?.message ?? `ARM answered HTTP ${reply.status}`, { code: e?.code, statusCode: reply.status, request, response: reply });
      err.details = parsed;
      throw err;
    }
    return { status: reply.status, headers: reply.headers.toJSON(), body: parsed as T };
  };
  return {
    response,
    request: async <T>(method: string, pathOrUrl: string, apiVersion: string, body?: unknown, o?: ArmRequestOptions): Promise<T> => (await response<T>(method, pathOrUrl, apiVersion, body, o)).body,
  };
}
