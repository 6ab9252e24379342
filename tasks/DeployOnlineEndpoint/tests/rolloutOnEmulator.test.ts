// The rollout core against the emulator's online endpoints: every traffic target the state machine asks
// for is accepted by the service's rules (mirror ≤ 50, no deployment both live and mirrored, sums of 100),
// each step is judged on real requests to green (azureml-model-deployment header) and blue through the
// front door, a green that disagrees with blue is caught at the first step and rolled back, and a re-run
// after the rollback starts the steps over with the same green.
import * as assert from 'node:assert/strict';
import type { Bounds } from '../../shared/src/scoring';
import { ScoringClient } from '../../shared/src/scoring';
import { runLoad } from '../../shared/src/scoring';
import { installDnsPreload } from '../../../test/harness/run-task';
import { startTestBed, type TestBed } from '../../../test/harness/testbed';
import { OnlineFixture } from '../../../test/emulator/online-fixtures';
import { deploymentNameFor } from '../src/names';
import { nextAction, rollbackTarget, type RolloutPlan, type RunProgress } from '../src/rollout';
import { parseRolloutSteps } from '../src/rolloutSteps';
import { judgeStep, type DeploymentSample } from '../src/stepCheck';
import type { EndpointTraffic } from '../src/traffic';

installDnsPreload();

const ENDPOINT = 'energy-roll';
const bounds: Bounds = { expectedStatus: 200, tolerance: 1e-9, maxLatencyP95Ms: 5000, maxErrorRate: 0, minAgreement: 1, readinessTimeoutSeconds: 60 };
const payloads = [[1, 2], [3], [10, 20, 30]].map((d) => Buffer.from(JSON.stringify({ data: d })));

describe('DeployOnlineEndpoint rollout core on the emulator', function () {
  this.timeout(180_000);
  let bed: TestBed;
  let fx: OnlineFixture;
  let key: string;

  const traffic = async (): Promise<EndpointTraffic> => {
    const p = (await fx.arm('GET', fx.ep(ENDPOINT))).json.properties;
    return { traffic: p.traffic, mirrorTraffic: p.mirrorTraffic };
  };
  const setTraffic = async (t: EndpointTraffic): Promise<void> => {
    const op = await fx.putEndpoint(ENDPOINT, { authMode: 'Key', ...t });
    assert.equal(op.status, 'Succeeded', JSON.stringify(op));
  };
  const sample = async (deployment: string): Promise<DeploymentSample> => {
    const url = new URL(`https://${ENDPOINT}.eastus.inference.ml.localhost:${fx.emu.port}/score`);
    const client = new ScoringClient({ url, headers: { Authorization: `Bearer ${key}`, 'azureml-model-deployment': deployment }, timeoutMs: 10_000, maxSockets: 2, agentHttp: { tlsOptions: { ca: fx.emu.caPem }, userAgent: 'test' } });
    const started = Date.now();
    const answers = await runLoad(client, { requests: payloads.length, concurrency: 1, payloads, keepBodies: true });
    const load = await runLoad(client, { requests: 12, concurrency: 2, payloads });
    return { answers: answers.results, load, seconds: (Date.now() - started) / 1000 };
  };

  /** Runs the plan as the task will: apply or re-check, judge, roll back on a failed step. */
  async function rollout(plan: RolloutPlan): Promise<{ history: EndpointTraffic[]; failedAt?: number; failure?: string }> {
    const history: EndpointTraffic[] = [];
    const progress: RunProgress = {};
    for (let guard = 0; guard < 10; guard++) {
      const a = nextAction(await traffic(), plan, progress);
      if (a.kind === 'done') return { history };
      if (a.kind === 'first') {
        await setTraffic(a.target);
        history.push(await traffic());
        continue;
      }
      progress.blue = a.blue;
      if (a.kind === 'apply') {
        await setTraffic(a.target);
        history.push(await traffic());
      }
      const verdict = judgeStep(bounds, await sample(plan.green), await sample(a.blue));
      if (!verdict.passed) {
        await setTraffic(rollbackTarget(await traffic(), plan.green, a.blue));
        return { history, failedAt: a.index, failure: verdict.failure };
      }
      progress.checked = a.index;
    }
    throw new Error('the rollout did not end');
  }

  before(async () => {
    bed = await startTestBed();
    fx = new OnlineFixture(bed);
    await fx.seed();
    assert.equal((await fx.putEndpoint(ENDPOINT, { authMode: 'Key' })).status, 'Succeeded');
    key = (await fx.arm('POST', `${fx.ep(ENDPOINT)}/listKeys`)).json.primaryKey;
    for (const v of ['1', '2', '3']) assert.equal((await fx.putDeployment(ENDPOINT, deploymentNameFor(v), { model: v, concurrency: 2 })).op.status, 'Succeeded');
  });
  after(async () => bed?.stop());

  it('a first deployment takes all traffic at once (nothing to compare with)', async () => {
    const r = await rollout({ green: deploymentNameFor('1'), steps: parseRolloutSteps(undefined) });
    assert.deepEqual(r.history.map((h) => h.traffic), [{ 'v-1': 100 }]);
    assert.equal(r.failedAt, undefined);
  });

  it('walks mirror 10, live 10, 50, 100 for a green that agrees with blue; every target is one Azure accepts', async () => {
    const r = await rollout({ green: deploymentNameFor('2'), steps: parseRolloutSteps(undefined) });
    assert.equal(r.failure, undefined);
    assert.deepEqual(r.history, [
      { traffic: { 'v-1': 100, 'v-2': 0 }, mirrorTraffic: { 'v-2': 10 } },
      { traffic: { 'v-1': 90, 'v-2': 10 }, mirrorTraffic: {} },
      { traffic: { 'v-1': 50, 'v-2': 50 }, mirrorTraffic: {} },
      { traffic: { 'v-1': 0, 'v-2': 100 }, mirrorTraffic: {} },
    ]);
  });

  it('a green that answers differently fails the first step on agreement and all traffic goes back on blue', async () => {
    const r = await rollout({ green: deploymentNameFor('3'), steps: parseRolloutSteps(undefined) });
    assert.equal(r.failedAt, 0);
    assert.match(r.failure ?? '', /^agreement: /);
    assert.deepEqual(await traffic(), { traffic: { 'v-2': 100, 'v-3': 0 }, mirrorTraffic: {} });
    // the same run again starts the steps over with the same green (which still exists, 0 % live)
    const again = nextAction(await traffic(), { green: 'v-3', steps: parseRolloutSteps(undefined) });
    assert.equal(again.kind, 'apply');
    assert.equal((again as { index: number }).index, 0);
  });
});
