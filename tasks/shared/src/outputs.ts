import * as tl from 'azure-pipelines-task-lib/task';
import { maskSecret } from './mask';

/** Sets a task output variable (declared in task.json outputVariables); secrets are masked first. */
export function setOutput(name: string, value: string, o: { secret?: boolean } = {}): void {
  const secret = o.secret === true;
  if (secret && value) maskSecret(value);
  tl.setVariable(name, value, secret, true);
}
