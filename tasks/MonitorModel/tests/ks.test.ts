// Two-sample KS on a published example: PyCogent's samples x1 (50 values) and x2 (50 values) with R's
// ks.test results for them (cogent3 tests/test_maths/test_stats/test_ks.py, test_ks2x:
// D = 0.46, p = 3.801e-05 exact; x1 vs x2[:20]: D = 0.53, p = 0.0003576; x1[:20] vs x2: D = 0.48, p = 0.001772).
import * as assert from 'node:assert/strict';
import { ksStatistic, ksTest } from '../src/stats/ks';

const x1 = [0.09916191, 0.29732882, 0.41475044, 0.68816838, 0.20841367, 0.46129887, 0.22074544, 0.06889561, 0.88264852, 0.87726406,
  0.76905072, 0.86178033, 0.42596777, 0.59443782, 0.68852176, 0.66032130, 0.72683791, 0.02363118, 0.82384762, 0.32759965,
  0.69231127, 0.50848596, 0.67500888, 0.84919139, 0.70774136, 0.97847465, 0.59784714, 0.82033663, 0.45640039, 0.13054766,
  0.01227875, 0.21229238, 0.37054602, 0.80905622, 0.26056527, 0.01662457, 0.76277188, 0.76892495, 0.39186350, 0.61468789,
  0.83247770, 0.69946238, 0.80550609, 0.22336814, 0.62491296, 0.03413056, 0.74500251, 0.36008309, 0.19443889, 0.06808133];
const x2 = [1.1177760, 0.9984325, 0.8113576, 0.7247507, 0.9473543, 1.1192222, 1.2577115, 0.6168244, 0.9616475, 1.0677138,
  0.5106196, 1.2334833, 0.3750225, 0.9788191, 1.1366872, 0.8212352, 0.7665240, 0.4409294, 0.4447418, 1.1381901,
  0.7299300, 1.1307991, 0.5356031, 0.3193794, 1.2476867, 0.7909454, 0.7781800, 0.8438637, 1.1814135, 1.0117055,
  0.7433708, 0.7917239, 0.5080752, 0.9014003, 0.5960710, 0.9646521, 0.9263595, 0.7969784, 1.2847108, 0.6393015,
  0.6828791, 1.0817340, 0.6586887, 0.7314203, 0.3998812, 0.9988478, 1.0225579, 1.2721428, 0.6465969, 0.9133413];
const sorted = (a: number[]): Float64Array => Float64Array.from(a).sort();
const close = (actual: number, expected: number, rel: number): void =>
  assert.ok(Math.abs(actual - expected) <= rel * Math.abs(expected), `${actual} is not within ${rel * 100}% of ${expected}`);

describe('MonitorModel ks: two-sample test', () => {
  const cases: [string, number[], number[], number, number][] = [
    ['x1 vs x2', x1, x2, 0.46, 3.801e-5],
    ['x1 vs x2[:20]', x1, x2.slice(0, 20), 0.53, 0.0003576],
    ['x2[:20] vs x1', x2.slice(0, 20), x1, 0.53, 0.0003576],
    ['x1[:20] vs x2', x1.slice(0, 20), x2, 0.48, 0.001772],
  ];
  for (const [name, a, b, d, p] of cases) {
    it(`${name}: D = ${d}, p = ${p} (R ks.test)`, () => {
      const r = ksTest(sorted(a), sorted(b));
      close(r.statistic, d, 1e-12);
      close(r.pValue, p, 1e-3);
      assert.equal(r.method, 'exact');
      assert.equal(r.ties, false);
    });
  }
  it('steps over tied values at once, as the ECDF does', () => {
    // F_a: 1→1/4, 2→3/4, 3→1; F_b: 2→2/3, 4→1. Largest gap at x = 1 (1/4) and x = 3 (1 − 2/3 = 1/3).
    const r = ksStatistic(sorted([1, 2, 2, 3]), sorted([2, 2, 4]));
    close(r.statistic, 1 / 3, 1e-12);
    assert.equal(r.ties, true);
  });
  it('finds ties inside one sample past the other\'s end', () => {
    assert.equal(ksStatistic(sorted([1]), sorted([5, 6, 6])).ties, true);
    assert.equal(ksStatistic(sorted([1]), sorted([5, 6, 7])).ties, false);
  });
  it('gives D = 0 and p = 1 for identical samples, D = 1 for disjoint ones', () => {
    const r = ksTest(sorted(x1), sorted(x1));
    assert.equal(r.statistic, 0);
    assert.equal(r.pValue, 1);
    assert.equal(ksStatistic(sorted([1, 2]), sorted([3, 4])).statistic, 1);
  });
  it('refuses an empty sample', () => assert.throws(() => ksTest(new Float64Array(0), sorted([1])), /at least one value/));
});
