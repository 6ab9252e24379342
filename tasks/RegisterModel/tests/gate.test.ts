import * as assert from 'node:assert/strict';
import { evaluateGate, failureText, GateDirection, GateInputError, GateSettings, parseMinImprovement } from '../src/gate';

function settings(o: Partial<GateSettings> & { min?: string } = {}): GateSettings {
  const mi = parseMinImprovement(o.min ?? '0');
  if (!mi) throw new Error('bad min in test');
  return { metric: 'm', direction: 'higherIsBetter', compareWithProduction: true, ...o, minImprovement: mi };
}

describe('RegisterModel gate: parseMinImprovement', () => {
  const good: [string, string, number][] = [
    ['0', 'absolute', 0],
    ['0.01', 'absolute', 0.01],
    ['.5', 'absolute', 0.5],
    ['1e-3', 'absolute', 0.001],
    ['1%', 'percent', 1],
    ['0.5 %', 'percent', 0.5],
    [' 2.5% ', 'percent', 2.5],
    ['+3', 'absolute', 3],
  ];
  for (const [text, kind, value] of good) {
    it(`accepts ${JSON.stringify(text)} as ${kind} ${value}`, () => {
      const r = parseMinImprovement(text);
      assert.ok(r);
      assert.equal(r.kind, kind);
      assert.equal(r.value, value);
    });
  }
  for (const bad of ['abc%', 'abc', '%', '-1', '-1%', '1%%', '1,5', '', 'NaN', 'Infinity', '1 2', '0x10']) {
    it(`rejects ${JSON.stringify(bad)}`, () => assert.equal(parseMinImprovement(bad), undefined));
  }
});

interface Case {
  name: string;
  direction: GateDirection;
  candidate: number;
  production?: number | 'missing';
  threshold?: number;
  min?: string;
  compare?: boolean;
  expect: 'passed' | 'failed' | 'noBaseline';
  threshold_?: 'passed' | 'failed' | 'notChecked';
  comparison?: 'passed' | 'failed' | 'noBaseline' | 'notChecked';
}

const cases: Case[] = [
  // higher is better
  { name: 'higher: better than production', direction: 'higherIsBetter', candidate: 0.92, production: 0.9, expect: 'passed', comparison: 'passed' },
  { name: 'higher: worse than production', direction: 'higherIsBetter', candidate: 0.88, production: 0.9, expect: 'failed', comparison: 'failed' },
  { name: 'higher: tie passes with no improvement required', direction: 'higherIsBetter', candidate: 0.9, production: 0.9, expect: 'passed' },
  { name: 'higher: tie fails with an absolute improvement required', direction: 'higherIsBetter', candidate: 0.9, production: 0.9, min: '0.01', expect: 'failed' },
  { name: 'higher: tie fails with a percentage required', direction: 'higherIsBetter', candidate: 0.9, production: 0.9, min: '1%', expect: 'failed' },
  { name: 'higher: tie at production 0 fails with a percentage required (1% of 0 is still "some")', direction: 'higherIsBetter', candidate: 0, production: 0, min: '1%', expect: 'failed' },
  { name: 'higher: exactly the absolute improvement passes (float noise)', direction: 'higherIsBetter', candidate: 0.91, production: 0.9, min: '0.01', expect: 'passed' },
  { name: 'higher: below the absolute improvement fails', direction: 'higherIsBetter', candidate: 0.905, production: 0.9, min: '0.01', expect: 'failed' },
  { name: 'higher: 1% of 0.9 = 0.009, +0.01 passes', direction: 'higherIsBetter', candidate: 0.91, production: 0.9, min: '1%', expect: 'passed' },
  { name: 'higher: 1% of 0.9 = 0.009, +0.008 fails', direction: 'higherIsBetter', candidate: 0.908, production: 0.9, min: '1%', expect: 'failed' },
  { name: 'higher: % of a negative production uses its magnitude', direction: 'higherIsBetter', candidate: -9.85, production: -10, min: '1%', expect: 'passed' },
  { name: 'higher: % of a negative production, too small', direction: 'higherIsBetter', candidate: -9.95, production: -10, min: '1%', expect: 'failed' },
  { name: 'higher: threshold reached', direction: 'higherIsBetter', candidate: 0.8, threshold: 0.8, production: 0.7, expect: 'passed', threshold_: 'passed' },
  { name: 'higher: threshold missed although better than production', direction: 'higherIsBetter', candidate: 0.79, threshold: 0.8, production: 0.7, expect: 'failed', threshold_: 'failed', comparison: 'passed' },
  // lower is better
  { name: 'lower: lower than production passes', direction: 'lowerIsBetter', candidate: 0.2, production: 0.3, expect: 'passed', comparison: 'passed' },
  { name: 'lower: higher than production fails', direction: 'lowerIsBetter', candidate: 0.35, production: 0.3, expect: 'failed', comparison: 'failed' },
  { name: 'lower: tie passes with no improvement required', direction: 'lowerIsBetter', candidate: 0.3, production: 0.3, expect: 'passed' },
  { name: 'lower: tie fails with improvement required', direction: 'lowerIsBetter', candidate: 0.3, production: 0.3, min: '0.001', expect: 'failed' },
  { name: 'lower: 10% of 2.0 = 0.2, 1.8 passes', direction: 'lowerIsBetter', candidate: 1.8, production: 2, min: '10%', expect: 'passed' },
  { name: 'lower: 10% of 2.0 = 0.2, 1.85 fails', direction: 'lowerIsBetter', candidate: 1.85, production: 2, min: '10%', expect: 'failed' },
  { name: 'lower: threshold is an upper bound (passes)', direction: 'lowerIsBetter', candidate: 0.5, threshold: 0.5, expect: 'noBaseline', threshold_: 'passed' },
  { name: 'lower: threshold is an upper bound (fails)', direction: 'lowerIsBetter', candidate: 0.51, threshold: 0.5, expect: 'failed', threshold_: 'failed' },
  { name: 'lower: a higher value never passes a lowerIsBetter comparison', direction: 'lowerIsBetter', candidate: 0.99, production: 0.1, expect: 'failed' },
  // no baseline
  { name: 'no production version: noBaseline', direction: 'higherIsBetter', candidate: 0.5, expect: 'noBaseline', comparison: 'noBaseline' },
  { name: 'no production version, threshold missed: failed', direction: 'higherIsBetter', candidate: 0.5, threshold: 0.6, expect: 'failed' },
  { name: 'production lacks the metric: noBaseline', direction: 'higherIsBetter', candidate: 0.5, production: 'missing', expect: 'noBaseline', comparison: 'noBaseline' },
  { name: 'compareWithProduction=false ignores a worse production', direction: 'higherIsBetter', candidate: 0.5, production: 0.9, compare: false, expect: 'passed', comparison: 'notChecked' },
  { name: 'compareWithProduction=false with threshold only', direction: 'higherIsBetter', candidate: 0.5, threshold: 0.6, compare: false, expect: 'failed' },
];

describe('RegisterModel gate: evaluateGate table', () => {
  for (const c of cases) {
    it(`${c.name} → ${c.expect}`, () => {
      const s = settings({ direction: c.direction, ...(c.threshold !== undefined ? { threshold: c.threshold } : {}), min: c.min ?? '0', compareWithProduction: c.compare ?? true });
      const baseline = c.production === undefined ? undefined : c.production === 'missing' ? { version: '7' } : { version: '7', value: c.production };
      const ev = evaluateGate(s, { m: c.candidate, other: 1 }, baseline);
      assert.equal(ev.result, c.expect, ev.reasons.join(' | '));
      if (c.threshold_) assert.equal(ev.threshold, c.threshold_);
      if (c.comparison) assert.equal(ev.comparison, c.comparison);
      if (c.expect === 'failed') assert.ok(failureText(ev).length > 0);
    });
  }

  it('reports delta, improvement and the required amount', () => {
    const ev = evaluateGate(settings({ direction: 'lowerIsBetter', min: '10%' }), { m: 1.8 }, { version: '3', value: 2 });
    assert.equal(ev.productionVersion, '3');
    assert.ok(Math.abs((ev.delta ?? NaN) - -0.2) < 1e-12);
    assert.ok(Math.abs((ev.improvement ?? NaN) - 0.2) < 1e-12);
    assert.ok(Math.abs((ev.requiredImprovement ?? NaN) - 0.2) < 1e-12);
    assert.match(ev.reasons.join('\n'), /10% of 2/);
  });

  it('a tie with an improvement required says why it failed', () => {
    const ev = evaluateGate(settings({ min: '0.01' }), { m: 0.9 }, { version: '1', value: 0.9 });
    assert.match(failureText(ev), /tie is not an improvement/);
  });

  it('fails clearly when the candidate lacks the metric, naming it and the metrics it has', () => {
    assert.throws(
      () => evaluateGate(settings({ metric: 'auc' }), { accuracy: 0.9, loss: 0.1 }, undefined),
      (e: unknown) => e instanceof GateInputError && /'auc'/.test(e.message) && /accuracy, loss/.test(e.message),
    );
  });

  it('treats a non-finite candidate value as missing', () => {
    assert.throws(() => evaluateGate(settings(), { m: Number.NaN }, undefined), GateInputError);
  });
});
