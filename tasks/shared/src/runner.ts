// The task's one try/catch: resource strings, result, and errors as single lines.
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as tl from 'azure-pipelines-task-lib/task';
import { cancellationSignal } from './cancellation';
import { describeAzureError, TaskError } from './errors';
import { InputError } from './inputs';

/** Message for a failure: ours as-is, Azure's described with code and hint; never only a stack trace. */
export function failureMessage(err: unknown): string {
  if (err instanceof InputError || err instanceof TaskError) return err.message;
  return describeAzureError(err);
}

/**
 * Runs the task: sets the resource path (the bundle sits next to task.json), calls main, then
 * Succeeded unless main already set a result; InputError/TaskError → Failed with the message, other
 * errors → Failed with describeAzureError. During cancellation nothing is set here (the cancellation
 * handler reports Cancelled).
 */
export async function runTask(main: () => Promise<void>, o: { dirname?: string } = {}): Promise<void> {
  const taskJson = path.join(o.dirname ?? __dirname, 'task.json');
  if (fs.existsSync(taskJson)) tl.setResourcePath(taskJson);
  // Notice a result main set itself (e.g. SucceededWithIssues) so it is not overwritten. task-lib writes
  // it as "##vso[task.complete" to stdout; watching stdout works even when a bundle inlines its own
  // copy of task-lib (patching tl.setResult would not).
  let resultSet = false;
  const write = process.stdout.write;
  process.stdout.write = function (this: NodeJS.WriteStream, chunk: unknown, ...rest: unknown[]): boolean {
    if ((typeof chunk === 'string' || Buffer.isBuffer(chunk)) && chunk.toString().includes('##vso[task.complete')) resultSet = true;
    return (write as (...a: unknown[]) => boolean).call(this, chunk, ...rest);
  } as typeof process.stdout.write;
  try {
    await main();
    process.stdout.write = write;
    if (!resultSet) tl.setResult(tl.TaskResult.Succeeded, '');
  } catch (err) {
    process.stdout.write = write;
    if (cancellationSignal().aborted) return;
    tl.debug(err instanceof Error && err.stack ? err.stack : String(err));
    tl.setResult(tl.TaskResult.Failed, failureMessage(err));
  } finally {
    process.stdout.write = write;
  }
}
