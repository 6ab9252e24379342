// Follows an ARM long-running operation (an SDK `begin…` poller) with our waiter instead of the SDK's
// pollUntilDone: our back-off and timeout (named input), a line per state change, cancellation, and a
// per-poll check the task adds (e.g. "is the container running?"). The SDK makes the requests; the
// waiter decides when.
import { isRestError } from '@azure/core-rest-pipeline';
import { AzureCallError, statusOf, TaskError, toAzureCallError } from './errors';
import { Clock, PollResult, waitUntil } from './waiter';

export type OperationStatus = 'running' | 'succeeded' | 'failed' | 'canceled';

export interface OperationProgress {
  status: OperationStatus;
  /** Azure's reason for a failed operation. */
  error?: string;
}

/** The part of the SDK's SimplePollerLike (@azure/core-lro) the adapter uses; every `begin…` result has it. */
export interface SdkPoller {
  poll(o?: { abortSignal?: AbortSignal }): Promise<void>;
  isDone(): boolean;
  getOperationState(): { status: string; error?: Error };
}

export interface ArmOperation {
  /** Advances the operation by one poll (none once it is done) and reports where it stands. */
  poll(abortSignal?: AbortSignal): Promise<OperationProgress>;
}

/** What a request and its polls are called in error messages: "<action> <resource> failed: …". */
export interface OperationNames {
  action: string;
  resource: string;
  /** For a failed poll, e.g. 'Polling the deployment of'. */
  pollAction: string;
  pollResource: string;
}

function errorText(err: Error | undefined): string | undefined {
  if (!err) return undefined;
  // core-lro: "The long-running operation has failed. <code>. <message>"
  return err.message.replace(/^The long-running operation has failed\.?\s*/i, '').trim() || err.message;
}

function statusOfState(status: string): OperationStatus {
  return status === 'succeeded' || status === 'failed' || status === 'canceled' ? status : 'running';
}

/**
 * Starts an operation with an SDK `begin…` call. A rejected request is an AzureCallError; an operation the
 * SDK's first poll already saw fail is returned as failed (its reason kept), so the caller's check runs.
 */
export async function beginOperation(begin: () => Promise<SdkPoller>, names: OperationNames): Promise<ArmOperation> {
  let poller: SdkPoller;
  try {
    poller = await begin();
  } catch (err) {
    if (isRestError(err) || statusOf(err) !== undefined) throw new AzureCallError(names.action, names.resource, err);
    if (err instanceof TaskError) throw err;
    const failure = errorText(err instanceof Error ? err : new Error(String(err)));
    return { poll: async () => ({ status: 'failed', ...(failure ? { error: failure } : {}) }) };
  }
  return {
    async poll(abortSignal?: AbortSignal): Promise<OperationProgress> {
      if (!poller.isDone()) {
        try {
          await poller.poll({ abortSignal });
        } catch (err) {
          // a failed operation rejects the poll too; its state (below) says why
          if (isRestError(err)) throw toAzureCallError(err, names.pollAction, names.pollResource);
        }
      }
      const s = poller.getOperationState();
      const status = statusOfState(s.status);
      const error = status === 'failed' ? errorText(s.error) : undefined;
      return { status, ...(error ? { error } : {}) };
    },
  };
}

export interface FollowOptions<T> {
  /** What is waited for, in the user's words ("container group 'cg'"). */
  what: string;
  timeoutMs: number;
  timeoutInput?: string;
  initialDelayMs?: number;
  maxDelayMs?: number;
  clock?: Clock;
  abortSignal?: AbortSignal;
  /**
   * Decides after every poll (default: done when the operation succeeded, a TaskError when it failed or
   * was canceled). May throw to end the wait. `signal` aborts when the wait ends first (timeout, cancel): pass
   * it to the check's own requests.
   */
  check?: (progress: OperationProgress, signal: AbortSignal) => Promise<PollResult<T>>;
}

/** Polls the operation with the waiter until `check` says done; returns check's value. */
export async function followOperation<T>(op: ArmOperation, o: FollowOptions<T>): Promise<T> {
  const check =
    o.check ??
    (async (p: OperationProgress): Promise<PollResult<T>> => {
      if (p.status === 'failed') throw new TaskError(`${o.what} failed in Azure${p.error ? `: ${p.error.replace(/\.$/, '')}` : ''}.`);
      if (p.status === 'canceled') throw new TaskError(`${o.what} was canceled in Azure.`);
      return { done: p.status === 'succeeded', state: p.status };
    });
  return waitUntil<T>({
    what: o.what,
    timeoutMs: o.timeoutMs,
    ...(o.timeoutInput ? { timeoutInput: o.timeoutInput } : {}),
    ...(o.initialDelayMs !== undefined ? { initialDelayMs: o.initialDelayMs } : {}),
    ...(o.maxDelayMs !== undefined ? { maxDelayMs: o.maxDelayMs } : {}),
    ...(o.clock ? { clock: o.clock } : {}),
    ...(o.abortSignal ? { abortSignal: o.abortSignal } : {}),
    // the waiter's signal covers cancellation and the time left: a hung poll is dropped, not awaited
    poll: async (signal) => check(await op.poll(signal), signal),
  });
}
