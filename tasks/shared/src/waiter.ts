// Polling long operations: back-off (fast at first, capped), Retry-After, state-change lines with the
// elapsed time, a timeout that names the input to raise, and cancellation. Time comes from a Clock so
// tests run on a fake one.
import { CancelledError, TimeoutError } from './errors';

export { CancelledError, TimeoutError } from './errors';
import { formatDuration } from './duration';

export { formatDuration };

export interface PollResult<T> {
  done: boolean;
  state: string;
  value?: T;
  retryAfterMs?: number;
}

export interface Clock {
  now(): number;
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

function abortError(signal: AbortSignal | undefined): Error {
  const r: unknown = signal?.reason;
  return r instanceof Error ? r : new Error('The operation was aborted.');
}

export const realClock: Clock = {
  now: () => Date.now(),
  sleep: (ms, signal) =>
    new Promise<void>((resolve, reject) => {
      if (signal?.aborted) {
        reject(abortError(signal));
        return;
      }
      const onAbort = (): void => {
        clearTimeout(timer);
        reject(abortError(signal));
      };
      const timer = setTimeout(() => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      }, Math.max(0, ms));
      signal?.addEventListener('abort', onAbort, { once: true });
    }),
};

export interface WaitOptions<T> {
  /** What is waited for, in the user's words ("job 'train-42'"). */
  what: string;
  /**
   * One look at the operation. The signal aborts when the wait ends first (time up or cancelled): pass it to
   * the request so a hung connection is dropped, not left behind.
   */
  poll: (signal: AbortSignal) => Promise<PollResult<T>>;
  timeoutMs: number;
  initialDelayMs?: number;
  maxDelayMs?: number;
  factor?: number;
  clock?: Clock;
  onState?: (state: string, elapsedMs: number) => void;
  abortSignal?: AbortSignal;
  /** The input that sets the timeout, named in the TimeoutError. */
  timeoutInput?: string;
  /** Prints "still <state>" when nothing changed for this long (default 60 s; 0 = never). */
  heartbeatMs?: number;
  /** Where lines go (default console.log). */
  log?: (line: string) => void;
  /**
   * A fixed schedule instead of the back-off: the elapsed time (ms since the wait began) of poll n (0, 1, …),
   * increasing. After a Retry-After the next poll is the first scheduled one after it. Lets a caller keep a
   * budget per hour that a back-off cannot (TrainModel's job polling, see its monitor.ts).
   */
  pollAtMs?: (n: number) => number;
}

export async function waitUntil<T>(o: WaitOptions<T>): Promise<T> {
  const clock = o.clock ?? realClock;
  const log = o.log ?? ((l: string) => console.log(l));
  const factor = o.factor ?? 1.5;
  const maxDelay = o.maxDelayMs ?? 30000;
  const heartbeat = o.heartbeatMs ?? 60000;
  const start = clock.now();
  let delay = Math.min(o.initialDelayMs ?? 2000, maxDelay);
  let lastState: string | undefined;
  let lastPrint = start;
  let n = 0;
  const sleep = async (ms: number): Promise<void> => {
    try {
      await clock.sleep(ms, o.abortSignal);
    } catch (err) {
      if (o.abortSignal?.aborted) throw new CancelledError(o.what);
      throw err;
    }
  };
  if (o.pollAtMs) await sleep(Math.min(o.pollAtMs(0), o.timeoutMs));
  for (;;) {
    if (o.abortSignal?.aborted) throw new CancelledError(o.what);
    const r = await raceTimeLeft(o, o.timeoutMs - (clock.now() - start), lastState);
    const elapsed = clock.now() - start;
    if (r.state !== lastState) {
      log(`${o.what}: ${r.state} (elapsed ${formatDuration(elapsed)})`);
      o.onState?.(r.state, elapsed);
      lastState = r.state;
      lastPrint = clock.now();
    } else if (heartbeat > 0 && clock.now() - lastPrint >= heartbeat) {
      log(`${o.what}: still ${r.state} (elapsed ${formatDuration(elapsed)})`);
      lastPrint = clock.now();
    }
    if (r.done) return r.value as T;
    const remaining = o.timeoutMs - elapsed;
    if (remaining <= 0) throw new TimeoutError(o.what, o.timeoutMs, lastState, o.timeoutInput);
    // Retry-After is the service's request and wins over our back-off or schedule (but not over the timeout)
    const retryAfter = r.retryAfterMs !== undefined && r.retryAfterMs >= 0 ? r.retryAfterMs : undefined;
    let wait = retryAfter ?? delay;
    if (o.pollAtMs && retryAfter === undefined) {
      while (o.pollAtMs(++n) <= elapsed);
      wait = o.pollAtMs(n) - elapsed;
    }
    await sleep(Math.min(wait, remaining));
    delay = Math.min(delay * factor, maxDelay);
  }
}

/**
 * One poll raced against the time left and the cancellation: a poll whose connection hangs (no reply, no
 * reset) must not hold the task past its timeout input. The race runs on a real timer, not the Clock: a hung
 * socket waits in real time, and fake clocks advance only through sleep(). The poll's own signal is aborted
 * when the race is lost, so its request is dropped.
 */
/** The poll made when the time is up still gets a moment to answer (it may say "done"): 10% of the timeout, at most 5 s. */
export const LAST_POLL_GRACE_MS = 5000;
export function lastPollGraceMs(timeoutMs: number): number {
  return Math.min(LAST_POLL_GRACE_MS, Math.max(0, timeoutMs) / 10);
}

async function raceTimeLeft<T>(o: WaitOptions<T>, leftMs: number, lastState: string | undefined): Promise<PollResult<T>> {
  const pollAbort = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  let onCancel: (() => void) | undefined;
  const lost = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new TimeoutError(o.what, o.timeoutMs, lastState, o.timeoutInput)), Math.max(leftMs, lastPollGraceMs(o.timeoutMs)));
    onCancel = () => reject(new CancelledError(o.what));
    o.abortSignal?.addEventListener('abort', onCancel, { once: true });
  });
  try {
    return await Promise.race([o.poll(pollAbort.signal), lost]);
  } catch (err) {
    // the poll lost the race (or failed): its request, if still open, is of no use any more
    pollAbort.abort(err);
    throw err;
  } finally {
    clearTimeout(timer);
    if (onCancel) o.abortSignal?.removeEventListener('abort', onCancel);
    lost.catch(() => undefined);
  }
}

/** Parses Retry-After (seconds or HTTP date) / retry-after-ms / x-ms-retry-after-ms headers into ms. */
export function retryAfterMs(headers: Record<string, string | undefined>, clock: Clock = realClock): number | undefined {
  const get = (k: string): string | undefined => {
    const hit = Object.keys(headers).find((h) => h.toLowerCase() === k);
    return hit ? headers[hit] : undefined;
  };
  const ms = get('retry-after-ms') ?? get('x-ms-retry-after-ms');
  if (ms && /^\d+$/.test(ms.trim())) return Number(ms.trim());
  const ra = get('retry-after');
  if (!ra) return undefined;
  if (/^\d+$/.test(ra.trim())) return Number(ra.trim()) * 1000;
  const date = Date.parse(ra);
  return Number.isNaN(date) ? undefined : Math.max(0, date - clock.now());
}
