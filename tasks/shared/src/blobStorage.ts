// Blob container clients (SAS URL, shared key, the task's credential or anonymous) that use the agent's
// proxy/CA. storage-blob is loaded on first use.
/* eslint-disable @typescript-eslint/no-require-imports */
import type { TokenCredential } from '@azure/core-auth';
import type { HttpClient } from '@azure/core-rest-pipeline';
import type { ContainerClient } from '@azure/storage-blob';
import type { AzureSession } from './azureSession';
import { AgentHttp, agentHttpClient } from './http';

/** How the container is reached: the URL alone (public or SAS), an account key, or a token credential. */
export type BlobAuth = { anonymous: true } | { accountName: string; accountKey: string } | { credential: TokenCredential };

function storage(): typeof import('./sdk/storageBlob') {
  return require('./sdk/storageBlob') as typeof import('./sdk/storageBlob');
}

/**
 * A blob container client. storage-blob only takes a v1 HttpClient in its options; its core pipeline
 * reads `_coreHttpClient` first, so the agent-aware client is placed there (checked by tests against a
 * local HTTPS server).
 */
export function blobContainerClient(sessionOrHttp: Pick<AzureSession, 'http'> | AgentHttp, containerUrl: string, auth: BlobAuth = { anonymous: true }): ContainerClient {
  const http = 'http' in sessionOrHttp ? sessionOrHttp.http : sessionOrHttp;
  const sb = storage();
  const credential = 'credential' in auth ? auth.credential : 'accountKey' in auth ? new sb.StorageSharedKeyCredential(auth.accountName, auth.accountKey) : new sb.AnonymousCredential();
  const pipeline = sb.newPipeline(credential, {
    userAgentOptions: { userAgentPrefix: http.userAgent },
    retryOptions: { maxTries: 5, retryDelayInMs: 1000, maxRetryDelayInMs: 30000 },
  });
  (pipeline as unknown as { _coreHttpClient?: HttpClient })._coreHttpClient = agentHttpClient(http);
  return new sb.ContainerClient(containerUrl, pipeline);
}
