// One context per task run and the factories for every ARM client. All clients take their options
// from clientOptions() so proxy, CA, user agent and retries are the same everywhere.
import type { TokenCredential } from '@azure/core-auth';
import type { AzureContext } from './context';
import { ContainerInstanceManagementClient } from '@azure/arm-containerinstance';
import { ContainerRegistryManagementClient } from '@azure/arm-containerregistry';
import { AzureMachineLearningWorkspaces } from '@azure/arm-machinelearning';
import { ResourceManagementClient } from '@azure/arm-resources';
import {
  bearerTokenAuthenticationPolicy,
  createHttpHeaders,
  createPipelineFromOptions,
  createPipelineRequest,
  HttpClient,
  PipelineRequest,
  RestError,
} from '@azure/core-rest-pipeline';
import { ContainerClient, newPipeline, StorageSharedKeyCredential, AnonymousCredential } from '@azure/storage-blob';
import { AgentHttp, agentHttpClient, clientOptions } from './http';

export { createAzureContext, type AzureContext } from './context';

/** The options every ARM client gets: the connection's ARM URL and audience plus the agent's HTTP settings. */
export function armClientOptions(ctx: AzureContext): ReturnType<typeof clientOptions> & { endpoint: string; credentialScopes: string[] } {
  return { ...clientOptions(ctx.http), endpoint: ctx.cloud.armUrl, credentialScopes: [ctx.cloud.armScope] };
}

export function machineLearningClient(ctx: AzureContext): AzureMachineLearningWorkspaces {
  return new AzureMachineLearningWorkspaces(ctx.credential, ctx.subscriptionId, armClientOptions(ctx));
}

export function containerRegistryClient(ctx: AzureContext): ContainerRegistryManagementClient {
  return new ContainerRegistryManagementClient(ctx.credential, ctx.subscriptionId, armClientOptions(ctx));
}

export function containerInstanceClient(ctx: AzureContext): ContainerInstanceManagementClient {
  return new ContainerInstanceManagementClient(ctx.credential, ctx.subscriptionId, armClientOptions(ctx));
}

export function resourceClient(ctx: AzureContext): ResourceManagementClient {
  return new ResourceManagementClient(ctx.credential, ctx.subscriptionId, armClientOptions(ctx));
}

/**
 * A blob container client (SAS URL, shared key, or the task's credential) that uses the agent's proxy/CA.
 * storage-blob only takes a v1 HttpClient in its options; its core pipeline reads `_coreHttpClient`
 * first, so the agent-aware client is placed there (checked by tests against a local HTTPS server).
 */
export function blobContainerClient(
  ctxOrHttp: AzureContext | AgentHttp,
  containerUrl: string,
  credential?: StorageSharedKeyCredential | AnonymousCredential | TokenCredential,
): ContainerClient {
  const http = 'connection' in ctxOrHttp ? ctxOrHttp.http : ctxOrHttp;
  const pipeline = newPipeline(credential ?? new AnonymousCredential(), {
    userAgentOptions: { userAgentPrefix: http.userAgent },
    retryOptions: { maxTries: 5, retryDelayInMs: 1000, maxRetryDelayInMs: 30000 },
  });
  (pipeline as unknown as { _coreHttpClient?: HttpClient })._coreHttpClient = agentHttpClient(http);
  return new ContainerClient(containerUrl, pipeline);
}

export interface ArmResponse<T> {
  status: number;
  headers: Record<string, string>;
  body: T;
}

function resolveArmUrl(ctx: AzureContext, pathOrUrl: string, apiVersion: string): string {
  const base = new URL(ctx.cloud.armUrl);
  const url = /^https?:\/\//i.test(pathOrUrl) ? new URL(pathOrUrl) : new URL(ctx.cloud.armUrl.replace(/\/+$/, '') + (pathOrUrl.startsWith('/') ? '' : '/') + pathOrUrl);
  // the bearer token is for ARM only: never send it to another host (e.g. a Location header elsewhere)
  if (url.origin !== base.origin) throw new Error(`Refusing to send an ARM token to ${url.origin} (ARM is ${base.origin}).`);
  if (!url.searchParams.has('api-version') && apiVersion) url.searchParams.set('api-version', apiVersion);
  return url.toString();
}

/** A raw ARM call returning status, headers and parsed body (for long-running operations: 201/202 + Location). */
export async function armResponse<T>(
  ctx: AzureContext,
  method: string,
  pathOrUrl: string,
  apiVersion: string,
  body?: unknown,
  o: { abortSignal?: AbortSignal } = {},
): Promise<ArmResponse<T>> {
  const options = clientOptions(ctx.http);
  const pipeline = createPipelineFromOptions({ ...options, proxyOptions: undefined });
  pipeline.addPolicy(bearerTokenAuthenticationPolicy({ credential: ctx.credential, scopes: [ctx.cloud.armScope] }), { phase: 'Sign' });
  const request = createPipelineRequest({
    url: resolveArmUrl(ctx, pathOrUrl, apiVersion),
    method: method.toUpperCase() as PipelineRequest['method'],
    headers: createHttpHeaders({ Accept: 'application/json', ...(body !== undefined ? { 'Content-Type': 'application/json' } : {}) }),
    body: body !== undefined ? JSON.stringify(body) : undefined,
    abortSignal: o.abortSignal,
  });
  const response = await pipeline.sendRequest(options.httpClient as HttpClient, request);
  const text = response.bodyAsText ?? '';
  let parsed: unknown = undefined;
  if (text.length > 0) {
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = text;
    }
  }
  if (response.status >= 400) {
    const e = (parsed as { error?: { code?: string; message?: string } } | undefined)?.error;
    const err = new RestError(e?.message ?? `ARM answered HTTP ${response.status}`, {
      code: e?.code,
      statusCode: response.status,
      request,
      response,
    });
    err.details = parsed;
    throw err;
  }
  return { status: response.status, headers: response.headers.toJSON(), body: parsed as T };
}

/** A raw ARM call through the same pipeline as the SDK clients (bearer token, retries incl. 429 Retry-After, proxy, CA). */
export async function armRequest<T>(ctx: AzureContext, method: string, pathOrUrl: string, apiVersion: string, body?: unknown): Promise<T> {
  return (await armResponse<T>(ctx, method, pathOrUrl, apiVersion, body)).body;
}
