import * as tl from 'azure-pipelines-task-lib/task';

/** Sets a task output variable (declared in task.json outputVariables); secrets are masked first. */
export function setOutput(name: string, value: string, o: { secret?: boolean } = {}): void {
  const secret = o.secret === true;
  if (secret && value) tl.setSecret(value);
  tl.setVariable(name, value, secret, true);
}
