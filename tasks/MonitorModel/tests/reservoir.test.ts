import * as assert from 'node:assert/strict';
import { Reservoir } from '../src/profile/reservoir';
import { DEFAULT_SETTINGS } from '../src/judge/settings';
import { monitor } from '../src/monitor';
import { random, rowsOf } from './helpers';

describe('MonitorModel reservoir (Algorithm L)', () => {
  it('keeps every value below capacity', () => {
    const r = new Reservoir(10);
    [5, 3, 9].forEach((v) => r.add(v));
    assert.deepEqual([...r.sorted()], [3, 5, 9]);
    assert.equal(r.seen, 3);
    assert.equal(r.complete, true);
  });
  it('keeps a uniform sample of a long stream: each tenth of the stream ≈ a tenth of the sample', () => {
    const r = new Reservoir(20000);
    const n = 1_000_000;
    for (let i = 0; i < n; i++) r.add(i);
    const s = r.sorted();
    assert.equal(s.length, 20000);
    assert.equal(r.seen, n);
    assert.equal(new Set(s).size, 20000); // no value twice
    const tenths = new Array<number>(10).fill(0);
    for (const v of s) tenths[Math.floor(v / (n / 10))]++;
    // binomial(20000, 0.1): sd ≈ 42; 5 sd either side
    for (const t of tenths) assert.ok(Math.abs(t - 2000) < 212, JSON.stringify(tenths));
  });
  it('samples every position alike: chi-square over 100 position bins of a 1e6 stream fed as one column (skips)', () => {
    // positions 0..n-1 as the values, so the sample tells where in the stream it was taken
    const n = 1_000_000;
    const k = 20_000;
    const bins = 100;
    const r = new Reservoir(k); // the default seed, as the task uses
    r.addMany(Float64Array.from({ length: n }, (_, i) => i), n);
    const s = r.sorted();
    assert.equal(s.length, k);
    assert.equal(new Set(s).size, k);
    const counts = new Array<number>(bins).fill(0);
    for (const v of s) counts[Math.floor(v / (n / bins))]++;
    const expected = k / bins;
    const chi2 = counts.reduce((a, c) => a + (c - expected) ** 2 / expected, 0);
    // upper 0.1% point of chi-square with 99 degrees of freedom: 148.23 (NIST/SEMATECH e-Handbook of
    // Statistical Methods, 1.3.6.7.4, "Critical values of the chi-square distribution"; scipy's
    // chi2.ppf(0.999, 99) = 148.230). Sampling without replacement only narrows the spread (factor 1 − k/n).
    assert.ok(chi2 < 148.23, `chi-square ${chi2.toFixed(1)} over ${JSON.stringify(counts)}`);
    // and not suspiciously even (a sample taken at fixed strides would pass the upper test): lower 0.1% point 61.137 (the same table; scipy chi2.ppf(0.001, 99) = 61.137)
    assert.ok(chi2 > 61.137, `chi-square ${chi2.toFixed(1)} is too even for a random sample`);
  });
  it('gives the same sample for the same stream (a verdict does not change between runs)', () => {
    const a = new Reservoir(100);
    const b = new Reservoir(100);
    for (let i = 0; i < 10000; i++) { a.add(i); b.add(i); }
    assert.deepEqual(a.sorted(), b.sorted());
  });
  it('takes a column batch (addMany) exactly as value by value, however the stream is cut', () => {
    const values = Float64Array.from({ length: 50000 }, (_, i) => Math.sin(i) * 1000);
    for (const capacity of [0, 1, 100, 49999, 50000, 60000]) {
      const one = new Reservoir(capacity);
      for (const v of values) one.add(v);
      for (const cut of [1, 7, 100, 4096, 50000]) {
        const many = new Reservoir(capacity);
        for (let i = 0; i < values.length; i += cut) many.addMany(values.subarray(i, i + cut), Math.min(cut, values.length - i));
        assert.equal(many.seen, one.seen);
        assert.deepEqual(many.sorted(), one.sorted(), `capacity ${capacity}, cut ${cut}`);
      }
    }
  });
  it('judges on samples past sampleSize, with counts and production bins over every row', async () => {
    const gen = (n: number, seed: number, shift: number) => { const r = random(seed); return Array.from({ length: n }, () => ({ x: r.normal(shift, 1), y: r.normal(0, 1) })); };
    const { drift } = await monitor({ reference: rowsOf(gen(20000, 1, 0)), production: rowsOf(gen(30000, 2, 1)) }, { ...DEFAULT_SETTINGS, sampleSize: 2000 });
    assert.deepEqual(drift.driftedFeatures, ['x']);
    const x = drift.features[0];
    assert.equal(x.production!.values, 30000);
    assert.match(x.reason, /KS [\d.]+ on samples of 2000 and 2000 p/);
    const shares = x.bins!.map((b) => b.productionShare);
    assert.ok(Math.abs(shares.reduce((a, b) => a + b, 0) - 1) < 1e-12);
    assert.equal(drift.features[1].verdict, 'noDrift', drift.features[1].reason);
  });
});
