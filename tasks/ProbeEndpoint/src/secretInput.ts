// Reading a secret input without echoing it. task-lib's getInput prints `##vso[task.debug]<name>=<value>`
// before the task can mask the value; a key typed literally into the input (not a secret variable,
// which the agent masks itself) would then reach the log. The shared inputs module has no secret
// reader, so this reads the input from task-lib's vault directly and masks it at once.
import * as tl from 'azure-pipelines-task-lib/task';
import * as tlInternal from 'azure-pipelines-task-lib/internal';

export function secretInput(name: string): string | undefined {
  const vault = tlInternal._vault as { retrieveSecret(key: string): string | undefined } | undefined;
  const raw = vault ? vault.retrieveSecret(`INPUT_${tlInternal._getVariableKey(name)}`) : tl.getInput(name, false);
  const value = raw?.trim();
  if (!value) return undefined;
  tl.setSecret(value);
  return value;
}
