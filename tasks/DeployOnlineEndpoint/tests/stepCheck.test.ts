import * as assert from 'node:assert/strict';
import type { Bounds } from '../../shared/src/scoring';
import type { RequestResult } from '../../shared/src/scoring';
import { judgeStep, type DeploymentSample } from '../src/stepCheck';


const bounds: Bounds = { expectedStatus: 200, tolerance: 1e-6, maxLatencyP95Ms: 100, maxErrorRate: 0.01, minAgreement: 0.99, readinessTimeoutSeconds: 60 };

function sample(o: { values: number[]; latencyMs: number; failures?: number; requests?: number }): DeploymentSample {
  const answers: RequestResult[] = o.values.map((v, i) => ({ index: i, payloadIndex: i, status: 200, latencyMs: 5, body: Buffer.from(JSON.stringify([v])) }));
  const n = o.requests ?? 100;
  const results: RequestResult[] = Array.from({ length: n }, (_, i) => ({
    index: i, payloadIndex: i % o.values.length, latencyMs: o.latencyMs, ...(i < (o.failures ?? 0) ? { status: 500 } : { status: 200 }),
  }));
  return { answers, load: { results, wallMs: 1000 }, seconds: 1 };
}

describe('DeployOnlineEndpoint step check (ProbeEndpoint checks, green vs blue)', () => {
  it('passes a green that answers like blue, fast and without errors', () => {
    const v = judgeStep(bounds, sample({ values: [1, 2, 3], latencyMs: 20 }), sample({ values: [1, 2, 3], latencyMs: 25 }));
    assert.equal(v.passed, true, JSON.stringify(v.checks));
    assert.equal(v.failure, undefined);
    assert.equal(v.greenP95Ms, 20);
    assert.equal(v.blueP95Ms, 25);
    assert.deepEqual(v.checks.map((c) => [c.name, c.outcome]), [
      ['readiness', 'skipped'], ['status', 'passed'], ['correctness', 'skipped'], ['latency p95', 'passed'], ['error rate', 'passed'], ['agreement', 'passed'],
    ]);
  });
  it('fails on agreement when green answers differently from blue', () => {
    const v = judgeStep(bounds, sample({ values: [1, 2, 9], latencyMs: 20 }), sample({ values: [1, 2, 3], latencyMs: 20 }));
    assert.equal(v.passed, false);
    assert.match(v.failure ?? '', /^agreement: /);
    assert.match(v.failure ?? '', /payload 3/);
    assert.doesNotMatch(v.failure ?? '', /^agreement: agreement/);
  });
  it('fails on p95 over the bound and on the error rate, with the numbers', () => {
    const slow = judgeStep(bounds, sample({ values: [1], latencyMs: 250 }), sample({ values: [1], latencyMs: 20 }));
    assert.match(slow.failure ?? '', /^latency p95: .*250/);
    const errors = judgeStep(bounds, sample({ values: [1], latencyMs: 20, failures: 5 }), sample({ values: [1], latencyMs: 20 }));
    assert.equal(errors.passed, false);
    assert.ok(errors.checks.some((c) => c.name === 'error rate' && c.outcome === 'failed' && /HTTP 500 x5/.test(c.detail)), JSON.stringify(errors.checks));
  });
  it('fails the status check when green answers errors to the payloads', () => {
    const green = sample({ values: [1], latencyMs: 20 });
    green.answers = [{ index: 0, payloadIndex: 0, status: 502, latencyMs: 3, body: Buffer.from('{}') }];
    const v = judgeStep(bounds, green, sample({ values: [1], latencyMs: 20 }));
    assert.match(v.failure ?? '', /^status: /);
  });
});
