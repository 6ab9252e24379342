// TrainModel's waiting policy on a fake clock: the gaps between status reads grow from pollIntervalSeconds
// by 1.5× up to 30 s (issue 12: a finished job noticed at worst 30 s late), a larger pollIntervalSeconds wins.
import * as assert from 'node:assert/strict';
import type { AzureMachineLearningWorkspaces } from '@azure/arm-machinelearning';
import type { Clock } from '../../shared/src/waiter';
import type { WorkspaceInfo } from '../../shared/src/workspace';
import { MAX_POLL_INTERVAL_MS, waitForJob } from '../src/waitForJob';

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

describe('TrainModel waiting policy', () => {
  it('backs off from pollIntervalSeconds by 1.5× to a 30 s cap', async () => {
    assert.equal(MAX_POLL_INTERVAL_MS, 30_000);
    const g = gaps(await readTimes(10_000, 3600_000));
    assert.deepEqual(g.slice(0, 5), [10_000, 15_000, 22_500, 30_000, 30_000]);
    assert.equal(Math.max(...g), 30_000);
  });

  it('notices a finished job at most 30 s late, with about 120 reads per hour once at the cap', async () => {
    for (const endSec of [187, 1061, 2833, 3689]) {
      const times = await readTimes(10_000, endSec * 1000);
      const late = times[times.length - 1] - endSec * 1000;
      assert.ok(late >= 0 && late <= 30_000, `job ending at ${endSec} s noticed ${late} ms late`);
    }
    const hourOne = (await readTimes(10_000, 3600_000)).length;
    const hourTwo = (await readTimes(10_000, 7200_000)).length - hourOne;
    assert.equal(hourTwo, 120);
  });

  it('keeps a pollIntervalSeconds above the cap as it is', async () => {
    const g = gaps(await readTimes(90_000, 3600_000));
    assert.ok(g.every((x) => x === 90_000), g.join(','));
  });
});
