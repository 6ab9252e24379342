// Endpoint and deployment names. Azure ML's rule (azure-ai-ml `validate_endpoint_or_deployment_name`):
// 3-32 characters, a letter first, then letters, digits and '-', not ending with '-'.
// Deployments are named from the model version ('12' → 'v12') so the serving ("blue") and the new
// ("green") deployment can be told apart from the endpoint's `traffic` alone, on any re-run.
import { InputError, isOnlineName, ONLINE_NAME_RULE } from '../../shared/src/inputs';

export const NAME_RULE = ONLINE_NAME_RULE;

export function isValidName(name: string): boolean {
  return isOnlineName(name);
}

/** The endpoint name input, checked against Azure's rule. */
export function endpointName(value: string, input = 'endpointName'): string {
  const v = value.trim();
  if (!isValidName(v)) throw new InputError(input, `'${v.slice(0, 64)}' is not a valid online endpoint name`, NAME_RULE);
  return v;
}

/**
 * The deployment name of a model version: 'v' + the version, with '.' and '_' (allowed in AML
 * versions, not in deployment names) as '-'. A one-character version gets 'v-' ('1' → 'v-1') to
 * reach Azure's minimum of 3 characters without colliding with any longer version.
 */
export function deploymentNameFor(modelVersion: string, input = 'modelId'): string {
  const v = modelVersion.trim();
  const body = v.replace(/[._]/g, '-');
  const name = body.length === 1 ? `v-${body}` : `v${body}`;
  if (!isValidName(name)) {
    throw new InputError(input, `model version '${v.slice(0, 64)}' gives the deployment name '${name.slice(0, 64)}', which Azure refuses`, `a version that makes a valid deployment name (${NAME_RULE})`);
  }
  return name;
}

/** The model version a deployment name was made from, or undefined for a name this task did not make. */
export function versionHintOf(deploymentName: string): string | undefined {
  const m = /^v-?([a-zA-Z0-9][-a-zA-Z0-9]*)$/.exec(deploymentName);
  return m ? m[1] : undefined;
}
