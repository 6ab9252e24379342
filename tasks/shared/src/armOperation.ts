// Follows an ARM long-running operation (an SDK `begin…` poller) with our waiter instead of the SDK's
// pollUntilDone: our back-off and timeout (named input), a line per state change, cancellation, and a
// per-poll check the task adds (e.g. "is the container running?"). The SDK makes the requests; the
// waiter decides when.
import { isRestError } from '@azure/core-rest-pipeline';
import { AzureCallError, statusOf, TaskError, toAzureCallError } from './errors';
import { Clock, PollResult, waitUntil } from './waiter';

export type OperationStatus = 'running' | 'succeeded' | 'failed' | 'canceled';

export interface OperationProgress<R = unknown> {
  status: OperationStatus;
  /** Azure's reason for a failed operation. */
  error?: string;
  /** What the operation returned, once it succeeded (e.g. the Run of an ACR scheduleRun). */
  result?: R;
}

/**
 * The part of an SDK `begin…` result the adapter uses: core-lro 2's SimplePollerLike (a `status`, e.g. the
 * container-instance and registry SDKs) or core-lro 1's PollerLike (isCompleted / isCancelled, e.g.
 * @azure/arm-machinelearning 2.1).
 */
export interface SdkPoller<R = unknown> {
  poll(o?: { abortSignal?: AbortSignal }): Promise<void>;
  isDone(): boolean;
  getOperationState(): { status?: string; isCompleted?: boolean; isCancelled?: boolean; error?: Error; result?: R };
}

export interface ArmOperation<R = unknown> {
  /** Advances the operation by one poll (none once it is done) and reports where it stands. */
  poll(abortSignal?: AbortSignal): Promise<OperationProgress<R>>;
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

function statusOfState(s: ReturnType<SdkPoller['getOperationState']>): OperationStatus {
  if (s.status !== undefined) return s.status === 'succeeded' || s.status === 'failed' || s.status === 'canceled' ? s.status : 'running';
  if (s.isCancelled) return 'canceled';
  if (s.error) return 'failed';
  return s.isCompleted ? 'succeeded' : 'running';
}

/**
 * Starts an operation with an SDK `begin…` call. A rejected request is an AzureCallError; an operation the
 * SDK's first poll already saw fail is returned as failed (its reason kept), so the caller's check runs.
 */
export async function beginOperation<R>(begin: () => Promise<SdkPoller<R>>, names: OperationNames): Promise<ArmOperation<R>> {
  let poller: SdkPoller<R>;
  try {
    poller = await begin();
  } catch (err) {
    if (isRestError(err) || statusOf(err) !== undefined) throw new AzureCallError(names.action, names.resource, err);
    if (err instanceof TaskError) throw err;
    const failure = errorText(err instanceof Error ? err : new Error(String(err)));
    return { poll: async () => ({ status: 'failed', ...(failure ? { error: failure } : {}) }) };
  }
  return {
    async poll(abortSignal?: AbortSignal): Promise<OperationProgress<R>> {
      if (!poller.isDone()) {
        try {
          await poller.poll({ abortSignal });
        } catch (err) {
          // a failed operation rejects the poll too; its state (below) says why
          if (isRestError(err)) throw toAzureCallError(err, names.pollAction, names.pollResource);
        }
      }
      const s = poller.getOperationState();
      const status = statusOfState(s);
      const error = status === 'failed' ? errorText(s.error) : undefined;
      return { status, ...(error ? { error } : {}), ...(status === 'succeeded' && s.result !== undefined ? { result: s.result } : {}) };
    },
  };
}

export interface FollowOptions<T, R = unknown> {
  /** What is waited for, in the user's words ("container group 'cg'"). */
  what: string;
  timeoutMs: number;
  timeoutInput?: string;
  initialDelayMs?: number;
  maxDelayMs?: number;
  clock?: Clock;
  abortSignal?: AbortSignal;
  /**
   * Decides after every poll (default: done when the operation succeeded, with its result as the value; a
   * TaskError when it failed or was canceled). May throw to end the wait. `signal` aborts when the wait ends first
   * (timeout, cancel): pass it to the check's own requests.
   */
  check?: (progress: OperationProgress<R>, signal: AbortSignal) => Promise<PollResult<T>>;
  /** Where the state lines go (default console.log; e.g. tl.debug for a step the user's log never showed). */
  log?: (line: string) => void;
}

/** Polls the operation with the waiter until `check` says done; returns check's value (default: the operation's result). */
export async function followOperation<T, R = T>(op: ArmOperation<R>, o: FollowOptions<T, R>): Promise<T> {
  const check =
    o.check ??
    (async (p: OperationProgress<R>): Promise<PollResult<T>> => {
      if (p.status === 'failed') throw new TaskError(`${o.what} failed in Azure${p.error ? `: ${p.error.replace(/\.$/, '')}` : ''}.`);
      if (p.status === 'canceled') throw new TaskError(`${o.what} was canceled in Azure.`);
      // without a check of its own, T is the operation's result (R)
      return { done: p.status === 'succeeded', state: p.status, ...(p.result !== undefined ? { value: p.result as unknown as T } : {}) };
    });
  return waitUntil<T>({
    what: o.what,
    timeoutMs: o.timeoutMs,
    ...(o.timeoutInput ? { timeoutInput: o.timeoutInput } : {}),
    ...(o.initialDelayMs !== undefined ? { initialDelayMs: o.initialDelayMs } : {}),
    ...(o.maxDelayMs !== undefined ? { maxDelayMs: o.maxDelayMs } : {}),
    ...(o.clock ? { clock: o.clock } : {}),
    ...(o.abortSignal ? { abortSignal: o.abortSignal } : {}),
    ...(o.log ? { log: o.log } : {}),
    // the waiter's signal covers cancellation and the time left: a hung poll is dropped, not awaited
    poll: async (signal) => check(await op.poll(signal), signal),
  });
}
