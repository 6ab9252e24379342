// Polling cost of a long AML job on a fake clock: polls per hour and how late the task notices the
// end, for our waiter (back-off, capped) against the fixed-interval pollers users otherwise get.
import { waitUntil, Clock } from '../../tasks/shared/src/waiter';

class FakeClock implements Clock {
  private t = 0;
  now(): number {
    return this.t;
  }
  async sleep(ms: number): Promise<void> {
    this.t += ms;
  }
}

interface Outcome {
  polls: number;
  noticeDelayMs: number;
}

async function simulate(jobEndsAtMs: number, policy: { initialDelayMs: number; maxDelayMs: number; factor: number }): Promise<Outcome> {
  const clock = new FakeClock();
  let polls = 0;
  await waitUntil({
    what: 'job',
    clock,
    timeoutMs: 48 * 3600_000,
    ...policy,
    heartbeatMs: 0,
    log: () => undefined,
    poll: async () => {
      polls++;
      const done = clock.now() >= jobEndsAtMs;
      return { done, state: done ? 'Completed' : 'Running' };
    },
  });
  return { polls, noticeDelayMs: clock.now() - jobEndsAtMs };
}

export async function benchWaiting(ours: { initialDelayMs: number; maxDelayMs: number; factor: number }): Promise<string[]> {
  const policies: [string, { initialDelayMs: number; maxDelayMs: number; factor: number }][] = [
    ['ours (back-off, capped)', ours],
    ['fixed 2 s (SDK LRO default)', { initialDelayMs: 2000, maxDelayMs: 2000, factor: 1 }],
    ['fixed 60 s', { initialDelayMs: 60_000, maxDelayMs: 60_000, factor: 1 }],
  ];
  const jobLengthsMin = [3, 17, 47, 60, 187];
  const lines = [`simulated job lengths (min): ${jobLengthsMin.join(', ')} — fake clock, no real waiting`];
  lines.push('policy                         polls/hour (1 h job)  mean notice delay  worst notice delay');
  for (const [name, policy] of policies) {
    const outcomes = await Promise.all(jobLengthsMin.map((m) => simulate(m * 60_000, policy)));
    const hour = await simulate(3600_000, policy);
    const delays = outcomes.map((o) => o.noticeDelayMs);
    const mean = delays.reduce((a, b) => a + b, 0) / delays.length;
    lines.push(`${name.padEnd(30)} ${String(hour.polls).padStart(19)}  ${(mean / 1000).toFixed(1).padStart(15)} s  ${(Math.max(...delays) / 1000).toFixed(1).padStart(16)} s`);
  }
  return lines;
}
