import * as assert from 'node:assert/strict';
import { nextAction, rollbackTarget, RolloutPlan } from '../src/rollout';
import { parseRolloutSteps } from '../src/rolloutSteps';
import { blueOf, describeTraffic, EndpointTraffic, TrafficStateError } from '../src/traffic';

const plan: RolloutPlan = { green: 'v12', steps: parseRolloutSteps(undefined) };
const at = (traffic: Record<string, number>, mirrorTraffic: Record<string, number> = {}): EndpointTraffic => ({ traffic, mirrorTraffic });

/** Applies actions until done, as the task would (every check passing); returns the targets set and the steps checked. */
function runToEnd(start: EndpointTraffic, p: RolloutPlan): { applied: EndpointTraffic[]; checked: number[] } {
  let t = start;
  const applied: EndpointTraffic[] = [];
  const checked: number[] = [];
  let blue: string | undefined;
  for (let guard = 0; guard < 20; guard++) {
    const a = nextAction(t, p, { blue, checked: checked[checked.length - 1] });
    if (a.kind === 'done') return { applied, checked };
    if (a.kind === 'first') {
      applied.push(a.target);
      t = a.target;
      continue;
    }
    blue = a.blue;
    if (a.kind === 'apply') {
      applied.push(a.target);
      t = a.target;
    }
    checked.push(a.index);
  }
  throw new Error('the rollout did not end');
}

describe('DeployOnlineEndpoint rollout state machine', () => {
  it('walks the default plan from blue serving everything: mirror 10, live 10, 50, 100', () => {
    const { applied, checked } = runToEnd(at({ v11: 100 }), plan);
    assert.deepEqual(applied, [
      at({ v11: 100, v12: 0 }, { v12: 10 }),
      at({ v11: 90, v12: 10 }),
      at({ v11: 50, v12: 50 }),
      at({ v11: 0, v12: 100 }),
    ]);
    assert.deepEqual(checked, [0, 1, 2, 3]);
  });
  it('knows blue and green from traffic alone, with zero-traffic leftovers ignored', () => {
    assert.equal(blueOf(at({ v10: 0, v11: 100, v12: 0 }), 'v12'), 'v11');
    assert.equal(blueOf(at({}), 'v12'), undefined);
    const a = nextAction(at({ v10: 0, v11: 100 }), plan);
    assert.equal(a.kind, 'apply');
    if (a.kind === 'apply') {
      assert.equal(a.blue, 'v11');
      assert.equal(a.index, 0);
    }
  });
  it('resumes a re-run at the step the endpoint shows (checks it again, then goes on)', () => {
    const a = nextAction(at({ v11: 50, v12: 50 }), plan);
    assert.deepEqual(a, { kind: 'check', index: 2, step: { kind: 'live', percent: 50 }, blue: 'v11' });
    const mirrored = nextAction(at({ v11: 100, v12: 0 }, { v12: 10 }), plan);
    assert.equal(mirrored.kind, 'check');
    assert.equal((mirrored as { index: number }).index, 0);
  });
  it('resumed at 50 %, a re-run checks 50 % once and then applies 100 %', () => {
    const { applied, checked } = runToEnd(at({ v11: 50, v12: 50 }), plan);
    assert.deepEqual(checked, [2, 3]);
    assert.deepEqual(applied, [at({ v11: 0, v12: 100 })]);
  });
  it('after a rollback (all on blue again) a re-run starts the steps over with the same green', () => {
    const back = rollbackTarget(at({ v11: 50, v12: 50 }), 'v12');
    assert.deepEqual(back, at({ v11: 100, v12: 0 }));
    const a = nextAction(back, plan);
    assert.equal(a.kind, 'apply');
    assert.equal((a as { index: number }).index, 0);
  });
  it('moves forward from a share no step has (set by hand), never back', () => {
    const a = nextAction(at({ v11: 70, v12: 30 }), plan);
    assert.equal(a.kind, 'apply');
    if (a.kind === 'apply') assert.deepEqual(a.target, at({ v11: 50, v12: 50 }));
  });
  it('is done when green serves everything and nothing is mirrored; names blue when it can', () => {
    assert.deepEqual(nextAction(at({ v11: 0, v12: 100 }), plan), { kind: 'done' });
    assert.deepEqual(nextAction(at({ v11: 0, v12: 100 }), plan, { blue: 'v11' }), { kind: 'done', blue: 'v11' });
  });
  it('a first deployment (nothing serving) goes straight to 100 % on green', () => {
    assert.deepEqual(nextAction(at({}), plan), { kind: 'first', target: at({ v12: 100 }) });
    assert.deepEqual(nextAction(at({ v12: 0 }), plan), { kind: 'first', target: at({ v12: 100 }) });
  });
  it('rolls back to all traffic on blue, even when blue is only known from the run (cancel at 100 %)', () => {
    assert.deepEqual(rollbackTarget(at({ v11: 90, v12: 10 }, {}), 'v12'), at({ v11: 100, v12: 0 }));
    assert.deepEqual(rollbackTarget(at({ v11: 100, v12: 0 }, { v12: 10 }), 'v12'), at({ v11: 100, v12: 0 }));
    assert.deepEqual(rollbackTarget(at({ v11: 0, v12: 100 }), 'v12', 'v11'), at({ v11: 100, v12: 0 }));
    assert.deepEqual(rollbackTarget(at({ v12: 100 }), 'v12'), at({ v12: 0 }));
  });
  it('refuses a split over two other deployments, and green partly serving with nobody else', () => {
    assert.throws(() => nextAction(at({ v10: 50, v11: 50 }), plan), (e: unknown) => e instanceof TrafficStateError && /v10 50 %, v11 50 %/.test(e.message));
    assert.throws(() => nextAction(at({ v12: 40 }), plan), TrafficStateError);
  });
  it('treats deployment names case-insensitively, as Azure does', () => {
    assert.deepEqual(nextAction(at({ V11: 0, V12: 100 }), plan), { kind: 'done' });
  });
  it('describes the traffic for the log', () => {
    assert.equal(describeTraffic(at({ v11: 100, v12: 0 }, { v12: 10 })), 'live: v11 100 %; mirrored: v12 10 %');
    assert.equal(describeTraffic(at({})), 'live: none');
  });
  it('a plan of only 100 goes from blue to green in one step', () => {
    const p: RolloutPlan = { green: 'v12', steps: parseRolloutSteps('100') };
    const a = nextAction(at({ v11: 100 }), p);
    assert.equal(a.kind, 'apply');
    if (a.kind === 'apply') assert.deepEqual(a.target, at({ v11: 0, v12: 100 }));
  });
});
