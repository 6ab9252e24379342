// TrainModel's waiting policy on a fake clock (issue 12): a first read at pollIntervalSeconds, then every 30 s
// on the job's clock — a finished job noticed at worst 30 s late, ≤ 120 reads in every job-hour, the first
// included; a larger pollIntervalSeconds wins, a smaller one backs off to the default first.
import * as assert from 'node:assert/strict';
import type { AzureMachineLearningWorkspaces } from '@azure/arm-machinelearning';
import type { Clock } from '../../shared/src/waiter';
import type { WorkspaceInfo } from '../../shared/src/workspace';
import { DEFAULT_POLL_INTERVAL_MS, jobPollAtMs, MAX_POLL_INTERVAL_MS, waitForJob } from '../src/monitor';

async function readTimes(pollIntervalMs: number, jobEndsAtMs: number): Promise<number[]> {
  let t = 0;
  const clock: Clock = { now: () => t, sleep: async (ms) => { t += ms; } };
  const reads: number[] = [];
  const client = {
    jobs: { get: async () => { reads.push(t); return { properties: { status: t >= jobEndsAtMs ? 'Completed' : 'Running' } }; } },
  } as unknown as AzureMachineLearningWorkspaces;
  await waitForJob({ scope: { clients: { ml: client }, ws: { resourceGroup: 'rg', name: 'ws' } as WorkspaceInfo }, jobName: 'j', studioUrl: '', timeoutMs: 10 * 3600_000, pollIntervalMs, clock, log: () => undefined });
  return reads;
}

const gaps = (times: number[]): number[] => times.slice(1).map((x, i) => x - times[i]);

const perHour = (times: number[], hours: number): number[] =>
  Array.from({ length: hours }, (_, h) => times.filter((t) => t >= h * 3600_000 && t < (h + 1) * 3600_000).length);

describe('TrainModel waiting policy', () => {
  it('reads first at pollIntervalSeconds (10 s by default), then on the 30 s grid of the job\'s clock', async () => {
    assert.equal(MAX_POLL_INTERVAL_MS, 30_000);
    assert.equal(DEFAULT_POLL_INTERVAL_MS, 10_000);
    const times = await readTimes(DEFAULT_POLL_INTERVAL_MS, 3600_000);
    assert.deepEqual(times.slice(0, 4), [10_000, 30_000, 60_000, 90_000]);
    assert.equal(Math.max(...gaps(times)), 30_000);
  });

  it('makes at most 120 reads in every job-hour, the first included, and notices the end at most 30 s late', async () => {
    assert.deepEqual(perHour(await readTimes(DEFAULT_POLL_INTERVAL_MS, 3 * 3600_000 + 1), 3), [120, 120, 120]);
    for (let endSec = 1; endSec < 3700; endSec += 7) {
      const times = await readTimes(DEFAULT_POLL_INTERVAL_MS, endSec * 1000);
      const late = times[times.length - 1] - endSec * 1000;
      assert.ok(late >= 0 && late <= 30_000, `job ending at ${endSec} s noticed ${late} ms late`);
    }
  });

  it('backs a smaller pollIntervalSeconds off ×1.5 until a gap reaches the default, then joins the grid', () => {
    const at = jobPollAtMs(1_000);
    const times = Array.from({ length: 9 }, (_, n) => at(n));
    assert.deepEqual(times.slice(0, 4), [1_000, 2_500, 4_750, 8_125]);
    const g = gaps(times);
    const joined = times.findIndex((t) => t % 30_000 === 0);
    assert.ok(g.slice(0, joined - 1).every((x, i) => i === 0 || x === g[i - 1] * 1.5), g.join(','));
    assert.ok(g.slice(joined).every((x) => x === 30_000), g.join(','));
    assert.ok(Math.max(...g) <= 30_000);
  });

  it('keeps a pollIntervalSeconds above the cap as it is', async () => {
    const g = gaps(await readTimes(90_000, 3600_000));
    assert.ok(g.every((x) => x === 90_000), g.join(','));
  });
});
