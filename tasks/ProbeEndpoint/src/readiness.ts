// Waiting for the liveness route (GET / on the scoring URI's origin) with the shared waiter:
// back-off from 0.5 s to 5 s, state-change lines, bounded by readinessTimeoutSeconds.
import { Clock, TimeoutError, waitUntil } from '../../shared/src/waiter';
import { type Exchange, type ScoringClient } from '../../shared/src/scoring';

import { type Readiness } from '../../shared/src/scoring';

export type { Readiness };

function describe(e: Exchange): string {
  return e.status !== undefined ? `HTTP ${e.status}` : (e.error ?? 'no answer');
}

export async function waitForReadiness(
  client: ScoringClient,
  o: { timeoutMs: number; signal?: AbortSignal; clock?: Clock; log?: (line: string) => void },
): Promise<Readiness> {
  if (o.timeoutMs <= 0) return { outcome: 'skipped', last: 'not checked (readinessTimeoutSeconds=0)', elapsedMs: 0 };
  const started = process.hrtime.bigint();
  const elapsed = (): number => Number(process.hrtime.bigint() - started) / 1e6;
  let last = 'no answer';
  try {
    const outcome = await waitUntil<Readiness['outcome']>({
      what: `liveness ${new URL('/', client.url).href}`,
      timeoutMs: o.timeoutMs,
      initialDelayMs: 500,
      maxDelayMs: 5000,
      clock: o.clock,
      abortSignal: o.signal,
      timeoutInput: 'readinessTimeoutSeconds',
      log: o.log,
      poll: async () => {
        const e = await client.liveness(o.signal);
        last = describe(e);
        if (e.status !== undefined && e.status >= 200 && e.status < 300) return { done: true, state: `ready (${last})`, value: 'ready' };
        if (e.status === 401 || e.status === 403) return { done: true, state: `refused (${last})`, value: 'unauthorized' };
        return { done: false, state: `not ready (${last})` };
      },
    });
    return { outcome, last, elapsedMs: elapsed() };
  } catch (err) {
    if (err instanceof TimeoutError) return { outcome: 'timeout', last, elapsedMs: elapsed() };
    throw err;
  }
}
