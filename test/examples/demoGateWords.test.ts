// The demo's words for RegisterModel's gate (scripts/demo/gateWords.ts), on the gate's own messages: a tie
// with production is said to be a tie (equal is not better), never "worse".
import * as assert from 'assert';
import { gateStopWords } from '../../scripts/demo/gateWords';
import { evaluateGate, parseMinImprovement } from '../../tasks/RegisterModel/src/gate';

const settings = { metric: 'rmse', direction: 'lowerIsBetter' as const, threshold: 5, compareWithProduction: true, minImprovement: parseMinImprovement('1%')! };
const failure = (candidate: number): string => {
  const ev = evaluateGate(settings, { rmse: candidate }, { version: '1', value: 2 });
  assert.strictEqual(ev.result, 'failed');
  return `Quality gate failed: ${ev.reasons.join('; ')}.`;
};

describe('examples: the demo says what the gate decided', () => {
  it('a retrained model equal to production: kept production, a tie, not worse', () => {
    const words = gateStopWords(failure(2));
    assert.match(words, /ties/);
    assert.doesNotMatch(words, /worse/);
  });
  it('a candidate worse than production is called worse', () => {
    assert.match(gateStopWords(failure(2.5)), /worse than production/);
  });
  it('a candidate better by less than the required improvement is called better, not enough', () => {
    assert.match(gateStopWords(failure(1.999)), /better than production, but by less than the required improvement/);
  });
  it('a failure without a comparison says only that the gate stopped it', () => {
    assert.strictEqual(gateStopWords('Quality gate failed: threshold: rmse 9 > 5.'), 'the quality gate stopped the candidate');
  });
});
