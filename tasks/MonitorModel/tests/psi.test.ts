// PSI and L∞ on a published example: GeeksforGeeks, "Population Stability Index (PSI)" (2025), income
// bins expected (2020) 0.4/0.3/0.3 vs observed (2021) 0.35/0.25/0.4, whose terms sum to 0.04456.
// Quantiles as the inverted ECDF (Hyndman & Fan 1996, definition 1; numpy.percentile method="inverted_cdf"):
// the median of 1, 2, 3, 4, 7, 10 is 3 and the quartiles of 1..10 are 3, 5, 8.
import * as assert from 'node:assert/strict';
import { EMPTY_BIN_SHARE, lInfinity, psiFromCounts } from '../src/stats/psi';
import { binIndex, quantileEdges, quantileSorted } from '../src/stats/quantiles';

describe('MonitorModel psi', () => {
  const income = [
    { label: 'low', reference: 40, production: 35 },
    { label: 'medium', reference: 30, production: 25 },
    { label: 'high', reference: 30, production: 40 },
  ];
  it('sums the published example to 0.04456', () => {
    const r = psiFromCounts(income);
    assert.ok(Math.abs(r.psi - 0.0445608547) < 1e-9, String(r.psi));
    assert.deepEqual(r.bins.map((b) => b.productionShare), [0.35, 0.25, 0.4]);
  });
  it('L∞ of the published example is 0.1 (the high-income share)', () => {
    assert.ok(Math.abs(lInfinity(psiFromCounts(income).bins) - 0.1) < 1e-12);
  });
  it('is 0 for equal shares whatever the counts, and symmetric', () => {
    assert.equal(psiFromCounts([{ label: 'a', reference: 1, production: 10 }, { label: 'b', reference: 3, production: 30 }]).psi, 0);
    const swapped = income.map((b) => ({ label: b.label, reference: b.production, production: b.reference }));
    assert.ok(Math.abs(psiFromCounts(swapped).psi - psiFromCounts(income).psi) < 1e-12);
  });
  it('floors an empty bin at EMPTY_BIN_SHARE instead of going infinite', () => {
    const r = psiFromCounts([{ label: 'a', reference: 50, production: 100 }, { label: 'b', reference: 50, production: 0 }]);
    const expected = (1 - 0.5) * Math.log(1 / 0.5) + (EMPTY_BIN_SHARE - 0.5) * Math.log(EMPTY_BIN_SHARE / 0.5);
    assert.ok(Number.isFinite(r.psi));
    assert.ok(Math.abs(r.psi - expected) < 1e-12);
  });
  it('refuses empty sides', () => assert.throws(() => psiFromCounts([{ label: 'a', reference: 0, production: 1 }]), /counts on both sides/));
});

describe('MonitorModel quantiles', () => {
  it('is the inverted ECDF (Hyndman & Fan definition 1): a value of the sample, never between two', () => {
    assert.equal(quantileSorted(Float64Array.from([1, 2, 3, 4, 7, 10]), 0.5), 3);
    const ten = Float64Array.from({ length: 10 }, (_, i) => i + 1);
    assert.deepEqual([0.25, 0.5, 0.75].map((p) => quantileSorted(ten, p)), [3, 5, 8]);
    assert.deepEqual([0, 1].map((p) => quantileSorted(ten, p)), [1, 10]);
  });
  it('gives deciles as bin edges, repeated edges dropped, and a last edge at the maximum', () => {
    const hundred = Float64Array.from({ length: 100 }, (_, i) => i);
    assert.deepEqual(quantileEdges(hundred, 10), [9, 19, 29, 39, 49, 59, 69, 79, 89, 99]);
    const binary = Float64Array.from([...Array(30).fill(0), ...Array(70).fill(1)]);
    assert.deepEqual(quantileEdges(binary, 10), [0, 1]);
    assert.deepEqual(quantileEdges(Float64Array.from([5, 5, 5]), 10), [5]);
  });
  it('puts a value on an edge into the bin below it, and values outside the range into the end bins', () => {
    const edges = [1, 2, 3];
    assert.deepEqual([-100, 1, 1.5, 2, 3, 3.1, 1e9].map((x) => binIndex(edges, x)), [0, 0, 1, 1, 2, 3, 3]);
  });
});
