// Every error class of the tasks, and azureCall(): the one wrapper around an Azure request that turns its
// failure into an AzureCallError that keeps the status code and the original error. The runner
// (runner.ts) shows TaskError messages as they are, describes Azure errors, and reports anything else as
// an unexpected error (the stack goes to the debug log).
import { describeAzureError, statusOf } from './azureErrorText';
import { formatDuration } from './duration';

export { azureErrorInfo, describeAzureError, likelyRole, redact, resourceIdFromUrl, statusOf, type AzureErrorInfo } from './azureErrorText';

/** An expected failure: its message is shown to the user as-is (one line, no stack). */
export class TaskError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TaskError';
  }
}

/** A bad task input: one line naming the input, what is wrong and what is accepted. */
export class InputError extends Error {
  readonly input: string;
  /**
   * @param input    the input's name as in task.json
   * @param problem  what is wrong, e.g. "'my ws' is not a valid Azure ML name"
   * @param expected what is accepted, e.g. "1-255 letters, digits, '-' or '_'" (optional)
   */
  constructor(input: string, problem: string, expected?: string) {
    const what = problem.trim().replace(/\.$/, '');
    const exp = expected ? ` Expected ${expected.trim().replace(/\.$/, '')}.` : '';
    super(`Input '${input}': ${what}.${exp}`.replace(/\r?\n/g, ' '));
    this.name = 'InputError';
    this.input = input;
  }
}

/**
 * A failed Azure request, described once as "<action> <resource> failed: <code> (<status>): <message>.
 * Hint: …" (see azureErrorText.ts). `statusCode` and `cause` stay available to callers that decide on them.
 */
export class AzureCallError extends TaskError {
  readonly statusCode?: number;
  readonly action: string;
  readonly resource: string;
  override readonly cause: unknown;
  constructor(action: string, resource: string, cause: unknown, o: { advice?: string } = {}) {
    super(`${describeAzureError(cause, { action, resource })}${o.advice ? ` ${o.advice}` : ''}`);
    this.name = 'AzureCallError';
    this.statusCode = statusOf(cause);
    this.action = action;
    this.resource = resource;
    this.cause = cause;
  }
}

export class CancelledError extends TaskError {
  constructor(what: string) {
    super(`Cancelled while waiting for ${what}.`);
    this.name = 'CancelledError';
  }
}

export class TimeoutError extends TaskError {
  readonly what: string;
  readonly timeoutMs: number;
  readonly lastState?: string;
  constructor(what: string, timeoutMs: number, lastState?: string, timeoutInput?: string) {
    const raise = timeoutInput ? ` Raise the input '${timeoutInput}' if it needs longer.` : '';
    super(`Timed out after ${formatDuration(timeoutMs)} waiting for ${what}${lastState ? ` (last state: ${lastState})` : ''}.${raise}`);
    this.name = 'TimeoutError';
    this.what = what;
    this.timeoutMs = timeoutMs;
    this.lastState = lastState;
  }
}

/** An MLflow error reply, shaped like the SDK's RestError so describeAzureError can explain it. */
export class MlflowError extends Error {
  readonly statusCode: number;
  readonly code?: string;
  constructor(statusCode: number, code: string | undefined, message: string) {
    super(message);
    this.name = 'MlflowError';
    this.statusCode = statusCode;
    this.code = code;
  }
}

/** The quality gate cannot be evaluated at all (the candidate lacks the metric). */
export class GateInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'GateInputError';
  }
}

/** A deployment that can no longer succeed (provisioning failed, the container crashes): ends a wait. */
export class DeploymentFailedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DeploymentFailedError';
  }
}

/** JavaScript's own errors are bugs in the task, never a failed request. */
function isProgrammingError(err: unknown): boolean {
  return err instanceof TypeError || err instanceof ReferenceError || err instanceof RangeError || err instanceof SyntaxError;
}

export interface AzureCallOptions {
  /** 'undefined': a 404 resolves to undefined instead of failing. */
  notFound?: 'undefined';
  /** More statuses that resolve to undefined (e.g. 400 for a datastore without secrets). */
  tolerate?: readonly number[];
  /** A sentence appended to the message (what the user can do instead). */
  advice?: string;
}

/**
 * Runs one Azure request. A failure becomes an AzureCallError naming the action and the resource (its
 * message is the described line), except errors that already are ours (TaskError, InputError) and
 * JavaScript's own errors (bugs), which pass unchanged.
 */
export async function azureCall<T>(action: string, resource: string, fn: () => Promise<T>, o: AzureCallOptions & { notFound: 'undefined' }): Promise<T | undefined>;
export async function azureCall<T>(action: string, resource: string, fn: () => Promise<T>, o: AzureCallOptions & { tolerate: readonly number[] }): Promise<T | undefined>;
export async function azureCall<T>(action: string, resource: string, fn: () => Promise<T>, o?: AzureCallOptions): Promise<T>;
export async function azureCall<T>(action: string, resource: string, fn: () => Promise<T>, o: AzureCallOptions = {}): Promise<T | undefined> {
  try {
    return await fn();
  } catch (err) {
    const e = toAzureCallError(err, action, resource, o);
    if (e instanceof AzureCallError && e.statusCode !== undefined && ((o.notFound === 'undefined' && e.statusCode === 404) || (o.tolerate ?? []).includes(e.statusCode))) return undefined;
    throw e;
  }
}

/** The error azureCall throws for `err`, for callers that iterate a paged list or poll themselves. */
export function toAzureCallError(err: unknown, action: string, resource: string, o: Pick<AzureCallOptions, 'advice'> = {}): Error {
  if (err instanceof TaskError || err instanceof InputError || isProgrammingError(err)) return err as Error;
  return new AzureCallError(action, resource, err, o);
}
