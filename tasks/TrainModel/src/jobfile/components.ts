// Pipeline steps as components. The service runs only steps that name a component version, so an
// inline step (command/code/environment in the step) and a local component file become anonymous
// component versions first, named as the official client names them: `azureml_anonymous`, version =
// the UUID form of md5(json.dumps(spec without name/id/version, sort_keys=True))
// (azure-ai-ml `Component._get_anonymous_hash` → `_utils/utils.py hash_dict`; registration in
// `ComponentOperations.create_or_update(…, is_anonymous=True)`).
import { createHash } from 'node:crypto';
import { pythonJsonDumps } from './pythonJson';

export const ANONYMOUS_COMPONENT_NAME = 'azureml_anonymous';
export const COMMAND_COMPONENT_SCHEMA = 'https://azuremlschemas.azureedge.net/latest/commandComponent.schema.json';

/** A command component's spec as `Component._to_dict()` dumps it (snake_case YAML fields). */
export type ComponentSpec = Record<string, unknown>;

/** UUID text of an md5 digest, as Python's str(UUID(hexdigest)). */
function uuidOfMd5(hex: string): string {
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

export function anonymousComponentVersion(spec: ComponentSpec): string {
  const rest = Object.fromEntries(Object.entries(spec).filter(([k]) => !['name', 'id', 'version', '_source'].includes(k)));
  return uuidOfMd5(createHash('md5').update(pythonJsonDumps(rest), 'utf8').digest('hex'));
}
