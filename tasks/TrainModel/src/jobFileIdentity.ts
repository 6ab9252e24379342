// A job file whose `identity` is `user_identity` runs as the user who submits it. azure-ai-ml 1.4 then sends that
// user's Azure ML token with the job PUT, in the header `x-azureml-token` (`JobOperations.create_or_update` →
// `_set_headers_with_user_aml_token`, azure/ai/ml/operations/_job_operations.py): a token for the cloud's Azure ML
// resource (`aml_resource_id` in azure/ai/ml/_azure_environments.py, trailing slash stripped) whose `aud` it checks
// before sending. TrainModel does the same with the service connection's identity, before anything is written.
// The header goes with the job PUT only, and so to ARM only (tasks/shared/src/armPipeline.ts refuses other hosts).
import * as tl from 'azure-pipelines-task-lib/task';
import type { TokenCredential } from '@azure/core-auth';
import type { CloudEndpoints } from '../../shared/src/cloud';
import { TaskError } from '../../shared/src/errors';

/** azure-ai-ml's `aml_resource_id` per cloud (its _azure_environments.py); other clouds: the public one, as there. */
const AML_RESOURCE_IDS: Readonly<Record<string, string>> = {
  azurecloud: 'https://ml.azure.com',
  azurechinacloud: 'https://ml.azure.cn',
  azureusgovernment: 'https://ml.azure.us',
};

export function amlResourceId(cloud: Pick<CloudEndpoints, 'name'>): string {
  return AML_RESOURCE_IDS[cloud.name.toLowerCase()] ?? AML_RESOURCE_IDS.azurecloud;
}

/** The `aud` claim of a JWT, unverified (as azure-ai-ml reads it: `jwt.decode(…, verify_signature=False)`). */
function audience(token: string): string | undefined {
  try {
    const claims = JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8')) as { aud?: unknown };
    return typeof claims.aud === 'string' ? claims.aud : undefined;
  } catch {
    return undefined;
  }
}

/** The job PUT's extra headers: `x-azureml-token` for a UserIdentity job, none otherwise. */
export async function userIdentityHeaders(session: { credential: TokenCredential; cloud: Pick<CloudEndpoints, 'name'> }, body: { properties: Record<string, unknown> }): Promise<Record<string, string> | undefined> {
  const identity = body.properties.identity as { identityType?: unknown } | undefined;
  if (identity?.identityType !== 'UserIdentity') return undefined;
  const resource = amlResourceId(session.cloud);
  const scope = `${resource}/.default`;
  const t = await session.credential.getToken(scope);
  if (!t?.token) throw new TaskError(`The job file's identity is user_identity, but the service connection gave no token for ${scope} (the job is submitted with it, as azure-ai-ml does).`);
  tl.setSecret(t.token);
  const aud = audience(t.token);
  if (aud !== resource) {
    throw new TaskError(`The job file's identity is user_identity, but the service connection's token for ${scope} is for audience '${aud ?? 'none'}', not '${resource}': the job cannot run as this identity.`);
  }
  return { 'x-azureml-token': t.token };
}
