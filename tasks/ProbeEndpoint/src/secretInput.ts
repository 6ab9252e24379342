// Reading inputs without echoing them. task-lib's getInput prints `##vso[task.debug]<name>=<value>`
// before the task can mask anything; a key typed literally into an input (not a secret variable,
// which the agent masks itself), an API key in `headers` or a password in a URL would reach the log.
// The shared inputs module has no such reader, so this reads task-lib's vault directly.
import * as tl from 'azure-pipelines-task-lib/task';
import * as tlInternal from 'azure-pipelines-task-lib/internal';
import { InputError } from '../../shared/src/inputs';

/** The trimmed input value ('' → undefined) without the debug echo. */
export function quietInput(name: string): string | undefined {
  const vault = tlInternal._vault as { retrieveSecret(key: string): string | undefined } | undefined;
  const raw = vault ? vault.retrieveSecret(`INPUT_${tlInternal._getVariableKey(name)}`) : tl.getInput(name, false);
  const value = raw?.trim();
  return value ? value : undefined;
}

/** A secret input: read without the echo and masked at once. A key cannot span lines (task-lib refuses to mask that). */
export function secretInput(name: string): string | undefined {
  const value = quietInput(name);
  if (!value) return undefined;
  if (/[\r\n]/.test(value)) {
    for (const line of value.split(/\r?\n/)) if (line.trim().length >= 4) tl.setSecret(line.trim());
    throw new InputError(name, 'contains a line break', 'a single-line key');
  }
  tl.setSecret(value);
  return value;
}
