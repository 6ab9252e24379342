// The task's one try/catch: resource strings, then main, then the result, set exactly once.
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as tl from 'azure-pipelines-task-lib/task';
import { isRestError } from '@azure/core-rest-pipeline';
import { installCancellationHandlers, isCancelling } from './cancellation';
import { describeAzureError, InputError, MlflowError, redact, TaskError } from './errors';
import type { Outcome } from './outcome';
import { untrusted } from './untrusted';

// @azure/identity's errors: a credential that could not get a token is an Azure failure, not a bug
const IDENTITY_ERRORS = ['AuthenticationError', 'AggregateAuthenticationError', 'CredentialUnavailableError', 'AuthenticationRequiredError'];
// Node's network errors from a raw call (no HTTP status): described with the proxy/DNS hint
const NETWORK_CODES = /^(E[A-Z_]+|REQUEST_SEND_ERROR|[A-Z_]*CERT[A-Z_]*|SELF_SIGNED[A-Z_]*|UNABLE_TO_[A-Z_]+)$/;

/** An error thrown by an Azure SDK, identity or a raw Azure call (and not wrapped by azureCall). */
export function isAzureError(err: unknown): boolean {
  if (isRestError(err) || err instanceof MlflowError) return true;
  if (err === null || typeof err !== 'object') return false;
  const e = err as { name?: unknown; statusCode?: unknown; code?: unknown };
  if (typeof e.name === 'string' && IDENTITY_ERRORS.includes(e.name)) return true;
  if (typeof e.statusCode === 'number') return true;
  return typeof e.code === 'string' && NETWORK_CODES.test(e.code);
}

/** Message for a failure: ours as-is, Azure's described with code and hint, anything else as unexpected. */
export function failureMessage(err: unknown): string {
  if (err instanceof InputError || err instanceof TaskError) return err.message;
  if (isAzureError(err)) return describeAzureError(err);
  const text = err instanceof Error ? err.message : String(err);
  return redact(`Unexpected error: ${text.replace(/\s*\r?\n\s*/g, ' ').trim().replace(/\.$/, '')}. The stack is in the debug log (run with system.debug=true).`);
}

function setResult(o: Outcome): void {
  const result = o.result === 'Failed' ? tl.TaskResult.Failed : o.result === 'SucceededWithIssues' ? tl.TaskResult.SucceededWithIssues : tl.TaskResult.Succeeded;
  // the message often quotes Azure or the job (an error text from outside): neutralised, one line, like every remote string
  tl.setResult(result, untrusted(o.message ?? ''));
}

/**
 * Runs the task: sets the resource path (the bundle sits next to task.json), calls main and sets the
 * outcome it returns; a thrown error is Failed with failureMessage (its stack in the debug log). During
 * cancellation nothing is set here: the cancellation handler reports Cancelled.
 */
export async function runTask(main: () => Promise<Outcome>, o: { dirname?: string } = {}): Promise<void> {
  installCancellationHandlers();
  const taskJson = path.join(o.dirname ?? __dirname, 'task.json');
  if (fs.existsSync(taskJson)) tl.setResourcePath(taskJson);
  let outcome: Outcome;
  try {
    outcome = await main();
  } catch (err) {
    if (isCancelling()) return;
    tl.debug(err instanceof Error && err.stack ? err.stack : String(err));
    outcome = { result: 'Failed', message: failureMessage(err) };
  }
  if (isCancelling()) return;
  setResult(outcome);
}
