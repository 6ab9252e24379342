import './helpers';
import * as assert from 'node:assert/strict';
import { CancelledError, Clock, formatDuration, lastPollGraceMs, PollResult, realClock, retryAfterMs, TimeoutError, waitUntil } from '../src/waiter';
import { TaskError } from '../src/errors';

/** A clock whose sleep advances time instantly and records the requested delays. */
class FakeClock implements Clock {
  t = 1_000_000;
  sleeps: number[] = [];
  onSleep?: () => void;
  now(): number {
    return this.t;
  }
  async sleep(ms: number, signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) throw new Error('aborted');
    this.sleeps.push(ms);
    this.t += ms;
    this.onSleep?.();
    if (signal?.aborted) throw new Error('aborted');
  }
}

function script<T>(results: PollResult<T>[]): () => Promise<PollResult<T>> {
  let i = 0;
  return async () => results[Math.min(i++, results.length - 1)];
}

describe('waiter', () => {
  it('formatDuration', () => {
    assert.equal(formatDuration(7_000), '7s');
    assert.equal(formatDuration(65_000), '1m 05s');
    assert.equal(formatDuration(3_723_000), '1h 02m 03s');
    assert.equal(formatDuration(-5), '0s');
  });

  it('backs off by factor up to the cap and returns the value', async () => {
    const clock = new FakeClock();
    const lines: string[] = [];
    const states = Array.from({ length: 7 }, () => ({ done: false, state: 'Running' }));
    const v = await waitUntil({
      what: "job 'j1'",
      poll: script<number>([{ done: false, state: 'Queued' }, ...states, { done: true, state: 'Completed', value: 42 }]),
      timeoutMs: 3_600_000,
      initialDelayMs: 1000,
      factor: 2,
      maxDelayMs: 10_000,
      clock,
      log: (l) => lines.push(l),
    });
    assert.equal(v, 42);
    assert.deepEqual(clock.sleeps, [1000, 2000, 4000, 8000, 10000, 10000, 10000, 10000]);
    assert.deepEqual(lines, ["job 'j1': Queued (elapsed 0s)", "job 'j1': Running (elapsed 1s)", "job 'j1': Completed (elapsed 55s)"]);
  });

  it('uses defaults 2 s / x1.5 / 30 s', async () => {
    const clock = new FakeClock();
    await waitUntil({ what: 'x', poll: script([...Array.from({ length: 12 }, () => ({ done: false, state: 'A' })), { done: true, state: 'B' }]), timeoutMs: 1e9, clock, log: () => undefined });
    assert.deepEqual(clock.sleeps.slice(0, 3), [2000, 3000, 4500]);
    assert.equal(Math.max(...clock.sleeps), 30000);
  });

  it('honours retryAfterMs over the back-off', async () => {
    const clock = new FakeClock();
    await waitUntil({
      what: 'x',
      poll: script([{ done: false, state: 'A', retryAfterMs: 15000 }, { done: false, state: 'A' }, { done: true, state: 'B' }]),
      timeoutMs: 1e9,
      initialDelayMs: 1000,
      clock,
      log: () => undefined,
    });
    assert.deepEqual(clock.sleeps, [15000, 1500]);
  });

  it('polls on a fixed schedule (pollAtMs), the first poll after its delay, and after a Retry-After goes on with the next scheduled poll', async () => {
    const clock = new FakeClock();
    const start = clock.t;
    const at: number[] = [];
    const results: PollResult<string>[] = [
      { done: false, state: 'A' }, { done: false, state: 'A', retryAfterMs: 25_000 }, { done: false, state: 'A' }, { done: false, state: 'A' }, { done: true, state: 'B', value: 'end' },
    ];
    const v = await waitUntil({
      what: 'x', timeoutMs: 1e9, clock, log: () => undefined,
      pollAtMs: (n) => (n === 0 ? 5_000 : n * 10_000),
      poll: async () => {
        at.push(clock.t - start);
        return results[at.length - 1];
      },
    });
    assert.equal(v, 'end');
    // 5 s, 10 s; Retry-After 25 s → 35 s; then the schedule's next points after it: 40 s, 50 s
    assert.deepEqual(at, [5_000, 10_000, 35_000, 40_000, 50_000]);
  });

  it('reports state changes through onState with elapsed time and prints a heartbeat', async () => {
    const clock = new FakeClock();
    const seen: [string, number][] = [];
    const lines: string[] = [];
    await waitUntil({
      what: 'run',
      poll: script([{ done: false, state: 'A' }, { done: false, state: 'A' }, { done: false, state: 'A' }, { done: true, state: 'B' }]),
      timeoutMs: 1e9,
      initialDelayMs: 40_000,
      factor: 1,
      maxDelayMs: 40_000,
      heartbeatMs: 60_000,
      clock,
      onState: (s, e) => seen.push([s, e]),
      log: (l) => lines.push(l),
    });
    assert.deepEqual(seen, [['A', 0], ['B', 120_000]]);
    assert.deepEqual(lines, ['run: A (elapsed 0s)', 'run: still A (elapsed 1m 20s)', 'run: B (elapsed 2m 00s)']);
  });

  it('times out with a TimeoutError naming what and the timeout input, polling once more at the deadline', async () => {
    const clock = new FakeClock();
    let polls = 0;
    const err = await waitUntil({
      what: "job 'j1'",
      poll: async () => {
        polls++;
        return { done: false, state: 'Running' };
      },
      timeoutMs: 10_000,
      initialDelayMs: 4000,
      factor: 1,
      clock,
      timeoutInput: 'timeoutMinutes',
      log: () => undefined,
    }).catch((e: unknown) => e);
    assert.ok(err instanceof TimeoutError);
    assert.ok(err instanceof TaskError);
    assert.equal(err.message, "Timed out after 10s waiting for job 'j1' (last state: Running). Raise the input 'timeoutMinutes' if it needs longer.");
    assert.deepEqual(clock.sleeps, [4000, 4000, 2000]);
    assert.equal(polls, 4);
  });

  it('stops with CancelledError when the abort signal fires', async () => {
    const clock = new FakeClock();
    const ac = new AbortController();
    clock.onSleep = () => ac.abort();
    await assert.rejects(
      waitUntil({ what: 'x', poll: script([{ done: false, state: 'A' }]), timeoutMs: 1e9, clock, abortSignal: ac.signal, log: () => undefined }),
      (e: unknown) => e instanceof CancelledError && e.message === 'Cancelled while waiting for x.',
    );
    await assert.rejects(waitUntil({ what: 'y', poll: script([{ done: true, state: 'A' }]), timeoutMs: 1, clock, abortSignal: ac.signal }), CancelledError);
  });

  it('propagates poll errors', async () => {
    await assert.rejects(
      waitUntil({ what: 'x', poll: () => Promise.reject(new Error('boom')), timeoutMs: 1000, clock: new FakeClock() }),
      /boom/,
    );
  });

  it('a poll that never answers cannot outlive the timeout: TimeoutError on time, and the poll is told to drop its request', async () => {
    let pollSignal: AbortSignal | undefined;
    const started = Date.now();
    const err = await waitUntil({
      what: "job 'j1'",
      // a request on a connection that never answers: only its signal ends it
      poll: (signal) => {
        pollSignal = signal;
        return new Promise<PollResult<number>>(() => undefined);
      },
      timeoutMs: 300,
      timeoutInput: 'timeoutMinutes',
      log: () => undefined,
    }).catch((e: unknown) => e);
    const took = Date.now() - started;
    assert.ok(err instanceof TimeoutError, String(err));
    assert.match((err as Error).message, /Timed out after .* waiting for job 'j1'.*'timeoutMinutes'/);
    assert.ok(took >= 290 && took < 2000, `took ${took} ms`);
    assert.equal(pollSignal?.aborted, true);
  });

  it('the poll at the deadline gets a short grace (10% of the timeout) to answer', async () => {
    assert.equal(lastPollGraceMs(1000), 100);
    assert.equal(lastPollGraceMs(3_600_000), 5000);
    const clock = new FakeClock();
    let polls = 0;
    const v = await waitUntil({
      what: 'x',
      // the second poll (at the deadline of the fake clock) answers after 20 ms of real time: inside the grace
      poll: () => (++polls === 1 ? Promise.resolve({ done: false, state: 'A' }) : new Promise<PollResult<number>>((r) => setTimeout(() => r({ done: true, state: 'B', value: 7 }), 20))),
      timeoutMs: 1000,
      initialDelayMs: 5000,
      clock,
      log: () => undefined,
    });
    assert.equal(v, 7);
  });

  it('cancellation ends a hung poll at once with CancelledError', async () => {
    const ac = new AbortController();
    let pollSignal: AbortSignal | undefined;
    const p = waitUntil({
      what: 'x',
      poll: (signal) => {
        pollSignal = signal;
        setTimeout(() => ac.abort(), 20);
        return new Promise<PollResult<number>>(() => undefined);
      },
      timeoutMs: 60_000,
      abortSignal: ac.signal,
      log: () => undefined,
    });
    await assert.rejects(p, CancelledError);
    assert.equal(pollSignal?.aborted, true);
  });

  it('realClock sleeps and can be aborted', async () => {
    const t = Date.now();
    await realClock.sleep(20);
    assert.ok(Date.now() - t >= 15);
    const ac = new AbortController();
    const p = realClock.sleep(10_000, ac.signal);
    ac.abort(new Error('stop'));
    await assert.rejects(p, /stop/);
    await assert.rejects(realClock.sleep(10, ac.signal), /stop/);
  });

  it('retryAfterMs parses seconds, ms headers and HTTP dates', () => {
    const clock = new FakeClock();
    assert.equal(retryAfterMs({ 'Retry-After': '3' }), 3000);
    assert.equal(retryAfterMs({ 'retry-after-ms': '250' }), 250);
    assert.equal(retryAfterMs({ 'x-ms-retry-after-ms': '100', 'retry-after': '9' }), 100);
    assert.equal(retryAfterMs({ 'retry-after': new Date(clock.t + 5000).toUTCString() }, clock), 5000);
    assert.equal(retryAfterMs({ 'retry-after': 'soon' }), undefined);
    assert.equal(retryAfterMs({}), undefined);
  });
});
