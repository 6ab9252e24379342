// Microsoft Entra tokens for Azure ML online endpoints with authMode AADToken: the service connection's
// credential asks for the Azure ML audience (https://ml.azure.com in the public cloud, the studio host of
// the connection's cloud otherwise). The token is masked before anything could print it, and the caller
// sends it only to the endpoint's scoring URI (an Azure host the endpoint itself reported).
import type { TokenCredential } from '@azure/core-auth';
import * as tl from 'azure-pipelines-task-lib/task';
import { studioHost, type CloudEndpoints } from '../cloud';
import { TaskError } from '../errors';

export function onlineEndpointScope(cloud: CloudEndpoints): string {
  return `https://${studioHost(cloud)}/.default`;
}

export async function onlineEndpointToken(credential: TokenCredential, cloud: CloudEndpoints, abortSignal?: AbortSignal): Promise<string> {
  const scope = onlineEndpointScope(cloud);
  const t = await credential.getToken(scope, abortSignal ? { abortSignal } : {});
  if (!t?.token) throw new TaskError(`The service connection gave no Microsoft Entra token for ${scope} (an AADToken online endpoint needs one).`);
  tl.setSecret(t.token);
  return t.token;
}
