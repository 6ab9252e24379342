// Workload identity federation: the pipeline's OIDC token is the client assertion. The token lives
// about 10 minutes, so it is requested again whenever Entra ID needs an assertion (as
// AzurePipelinesCredential does), never cached.
import type { TokenCredential } from '@azure/core-auth';
import { ClientAssertionCredential } from '@azure/identity';
import * as tl from 'azure-pipelines-task-lib/task';
import type { ServiceConnection } from '../connectionTypes';
import { quietAuthParameter, quietSecretVariable } from '../agentSecrets';
import { TaskError } from '../errors';
import { AgentHttp, httpRequest } from '../http';
import { credentialOptions, requireField } from './common';

/** System.AccessToken: from the SYSTEMVSSCONNECTION endpoint, else the variable (mapped by the pipeline). */
export function systemAccessToken(): string | undefined {
  // read without task-lib's debug echo of the value (agentSecrets.ts)
  const t = quietAuthParameter('SYSTEMVSSCONNECTION', 'ACCESSTOKEN') || quietSecretVariable('System.AccessToken');
  if (t) tl.setSecret(t);
  return t || undefined;
}

/** POST ${SYSTEM_OIDCREQUESTURI}?api-version=7.1&serviceConnectionId=<id> → oidcToken (masked). */
export async function requestOidcToken(conn: ServiceConnection, http: AgentHttp, abortSignal?: AbortSignal): Promise<string> {
  const base = tl.getVariable('System.OidcRequestUri');
  if (!base) {
    throw new TaskError(
      `Service connection '${conn.id}' uses workload identity federation, but System.OidcRequestUri is not set: run the task in an Azure Pipelines job (agent 3.227+).`,
    );
  }
  const accessToken = systemAccessToken();
  if (!accessToken) {
    throw new TaskError(
      `Service connection '${conn.id}' uses workload identity federation, but System.AccessToken is not available to the task: allow scripts to access the OAuth token or map System.AccessToken.`,
    );
  }
  const url = new URL(base);
  url.searchParams.set('api-version', '7.1');
  url.searchParams.set('serviceConnectionId', conn.id);
  const res = await httpRequest(http, {
    method: 'POST',
    url: url.toString(),
    headers: { Authorization: `Bearer ${accessToken}`, 'Content-Type': 'application/json', Accept: 'application/json' },
    body: '',
    abortSignal,
  });
  const text = res.body.toString('utf8');
  if (res.status !== 200) {
    throw new TaskError(
      `Requesting the pipeline's OIDC token for service connection '${conn.id}' failed: HTTP ${res.status}. Hint: check that the service connection is authorized for this pipeline and uses workload identity federation.`,
    );
  }
  let token: unknown;
  try {
    token = (JSON.parse(text) as { oidcToken?: unknown }).oidcToken;
  } catch {
    token = undefined;
  }
  if (typeof token !== 'string' || token.length === 0) {
    throw new TaskError(`The pipeline's OIDC endpoint answered without an oidcToken for service connection '${conn.id}'.`);
  }
  tl.setSecret(token);
  return token;
}

export function workloadIdentityCredential(conn: ServiceConnection, http: AgentHttp): TokenCredential {
  return new ClientAssertionCredential(
    conn.tenantId,
    requireField(conn, conn.clientId, 'client id'),
    () => requestOidcToken(conn, http),
    credentialOptions(conn, http),
  );
}
