// Textbook cases for the KS null distributions.
// - Smirnov's table of critical values of the limiting distribution (Smirnov 1948, "Table for estimating
//   the goodness of fit of empirical distributions", Ann. Math. Statist. 19; reprinted in most texts and in
//   Wikipedia's Kolmogorov–Smirnov article): P(K > c(α)) = α for c(0.10)=1.224, c(0.05)=1.358,
//   c(0.025)=1.480, c(0.01)=1.628, c(0.005)=1.731, c(0.001)=1.949.
// - R's pkstwo / psmirnov2x values published in PyCogent's tests of the same functions
//   (cogent3 tests/test_maths/test_stats/test_ks.py: "should match answers from R").
import * as assert from 'node:assert/strict';
import { kolmogorovSurvival, ksPValue, smirnovCdf } from '../src/stats/kolmogorov';

const close = (actual: number, expected: number, rel: number): void =>
  assert.ok(Math.abs(actual - expected) <= rel * Math.abs(expected), `${actual} is not within ${rel * 100}% of ${expected}`);

describe('MonitorModel kolmogorov: limiting distribution', () => {
  const table: [number, number][] = [[1.224, 0.10], [1.358, 0.05], [1.480, 0.025], [1.628, 0.01], [1.731, 0.005], [1.949, 0.001]];
  for (const [c, alpha] of table) {
    it(`P(K > ${c}) = ${alpha} (Smirnov's table)`, () => close(kolmogorovSurvival(c), alpha, 0.01));
  }
  it('P(K > 2.3) = 5.084e-05 (R pkstwo)', () => close(kolmogorovSurvival(2.3), 5.084e-5, 1e-3));
  it('is continuous where it switches series (x = 1) and bounded', () => {
    close(kolmogorovSurvival(0.999999), kolmogorovSurvival(1), 1e-5);
    close(kolmogorovSurvival(0.5), 0.9639452436648751, 1e-9); // 1 − K(0.5): the small-x series
    assert.equal(kolmogorovSurvival(0), 1);
    assert.equal(kolmogorovSurvival(-1), 1);
    assert.ok(kolmogorovSurvival(10) >= 0 && kolmogorovSurvival(10) < 1e-80);
  });
});

describe('MonitorModel kolmogorov: exact two-sample distribution', () => {
  it('P(D < 0.48) for samples of 20 and 50 = 0.9982277 (R psmirnov2x)', () => close(smirnovCdf(0.48, 20, 50), 0.9982277, 1e-6));
  it('P(D < 0.28) for samples of 20 and 50 = 0.8161612, in either order (R psmirnov2x)', () => {
    close(smirnovCdf(0.28, 20, 50), 0.8161612, 1e-6);
    close(smirnovCdf(0.28, 50, 20), 0.8161612, 1e-6);
  });
  it('counts lattice paths: for 2 and 2, P(D < 1) = 4/6 (2 of the 6 paths reach D = 1)', () => close(smirnovCdf(1, 2, 2), 4 / 6, 1e-12));
  it('uses the exact distribution below n·m = 10000 without ties, the limiting one otherwise (as R)', () => {
    assert.equal(ksPValue(0.3, 50, 50, false).method, 'exact');
    assert.equal(ksPValue(0.3, 50, 50, true).method, 'asymptotic');
    assert.equal(ksPValue(0.3, 100, 100, false).method, 'asymptotic');
    close(ksPValue(0.46, 50, 50, true).pValue, 5.084e-5, 1e-3); // √25 · 0.46 = 2.3
  });
});
