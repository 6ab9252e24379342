// Verdicts on data with a known shift: one feature moved, the others drawn from the same distribution.
import * as assert from 'node:assert/strict';
import type { Row } from '../src/data/cells';
import { DEFAULT_SETTINGS, type DriftSettings } from '../src/judge/settings';
import { schemaMessage, selectFeatures } from '../src/judge/schema';
import { monitor } from '../src/monitor';
import { parseMinImprovement } from '../../RegisterModel/src/gate';
import { random, rowsOf } from './helpers';

function rows(n: number, seed: number, shift = 0, extra: (i: number) => Row = () => ({})): Row[] {
  const r = random(seed);
  return Array.from({ length: n }, (_, i) => ({
    temperature_c: r.normal(15 + shift, 8),
    occupancy: Math.round(r.uniform() * 100),
    workday: r.uniform() < 5 / 7 ? 1 : 0,
    site: r.uniform() < 0.6 ? 'north' : 'south',
    ...extra(i),
  }));
}

const settings = (o: Partial<DriftSettings> = {}): DriftSettings => ({ ...DEFAULT_SETTINGS, ...o });

describe('MonitorModel judge: drift verdicts', () => {
  it('flags exactly the shifted feature, with PSI, KS and its p-value', async () => {
    const { drift } = await monitor({ reference: rowsOf(rows(5000, 1)), production: rowsOf(rows(3000, 2, 6)) }, settings());
    assert.equal(drift.verdict, 'drift');
    assert.deepEqual(drift.driftedFeatures, ['temperature_c']);
    const t = drift.features.find((f) => f.name === 'temperature_c')!;
    assert.ok(t.psi! > 0.2 && t.ks!.pValue < 1e-10 && t.ks!.method === 'asymptotic', JSON.stringify(t));
    for (const f of drift.features.filter((x) => x.name !== 'temperature_c')) assert.equal(f.verdict, 'noDrift', `${f.name}: ${f.reason}`);
    assert.equal(drift.features.find((f) => f.name === 'site')!.kind, 'categorical');
    assert.deepEqual(drift.features.find((f) => f.name === 'workday')!.bins!.map((b) => b.label), ['(-∞, 0]', '(0, 1]', '(1, ∞)']); // no bin between 0 and 1; one above the range
    assert.equal(drift.worstPsi, t.psi);
  });
  it('says no drift for the same distribution', async () => {
    const { drift } = await monitor({ reference: rowsOf(rows(5000, 3)), production: rowsOf(rows(3000, 4)) }, settings());
    assert.equal(drift.verdict, 'noDrift', drift.summary);
    assert.deepEqual(drift.driftedFeatures, []);
    assert.ok(drift.worstPsi! < 0.05);
  });
  it('needs both a large and a significant shift under rule both; either one under rule either', async () => {
    // a small shift on many rows: KS significant, PSI small
    const src = () => ({ reference: rowsOf(rows(20000, 5)), production: rowsOf(rows(20000, 6, 1.2)) });
    const both = await monitor(src(), settings());
    const t = both.drift.features.find((f) => f.name === 'temperature_c')!;
    assert.ok(t.psi! < 0.2 && t.ks!.pValue < 0.01, t.reason);
    assert.equal(t.verdict, 'noDrift');
    const either = await monitor(src(), settings({ rule: 'either' }));
    assert.deepEqual(either.drift.driftedFeatures, ['temperature_c']);
  });
  it('flags a categorical feature whose shares move, and pools rare and unseen categories', async () => {
    const ref = rows(4000, 7, 0, (i) => ({ plan: i % 400 === 0 ? 'legacy' : i % 2 ? 'basic' : 'pro' }));
    const prod = rows(4000, 8, 0, (i) => ({ plan: i % 10 === 0 ? 'trial' : i % 5 ? 'basic' : 'pro' }));
    const { drift } = await monitor({ reference: rowsOf(ref), production: rowsOf(prod) }, settings());
    const plan = drift.features.find((f) => f.name === 'plan')!;
    assert.equal(plan.verdict, 'drift', plan.reason);
    assert.deepEqual(plan.bins!.map((b) => b.label), ['basic', 'pro', '(rare)', '(unseen)']);
    assert.ok(Math.abs(plan.lInfinity! - 0.3975) < 1e-9, String(plan.lInfinity)); // pro: 0.4975 → 0.1
  });
  it('counts empty, NaN and invalid values on both sides, and a feature that stops arriving drifts', async () => {
    const prod = rows(1000, 9, 0, (i) => ({ occupancy: i % 2 ? null : i % 4 === 0 ? 'NaN' : 'n/a' }));
    const { drift } = await monitor({ reference: rowsOf(rows(1000, 10, 0, (i) => ({ occupancy: i % 100 === 0 ? '' : i }))), production: rowsOf(prod) }, settings());
    const occ = drift.features.find((f) => f.name === 'occupancy')!;
    assert.deepEqual(occ.reference, { rows: 1000, values: 990, missing: 10, nan: 0, invalid: 0 });
    assert.deepEqual(occ.production, { rows: 1000, values: 0, missing: 500, nan: 250, invalid: 250 });
    assert.equal(occ.verdict, 'drift', occ.reason);
    assert.match(occ.reason, /KS not computed \(0 value\(s\) present\)/);
    assert.equal(occ.bins!.at(-1)!.label, '(missing)');
  });
  it('says insufficient data — never no drift — for an empty or short window, with the count', async () => {
    const empty = await monitor({ reference: rowsOf(rows(1000, 11)), production: rowsOf([]) }, settings());
    assert.equal(empty.drift.verdict, 'insufficientData');
    assert.match(empty.drift.summary, /production window has 0 row\(s\)/);
    assert.deepEqual(empty.drift.schema, { missing: [], extra: [], unknown: [] });
    assert.ok(empty.drift.features.every((f) => f.verdict === 'insufficientData'));
    const short = await monitor({ reference: rowsOf(rows(1000, 11)), production: rowsOf(rows(99, 12, 10)) }, settings());
    assert.equal(short.drift.verdict, 'insufficientData');
    assert.ok(short.drift.features.every((f) => f.verdict === 'insufficientData'));
    assert.match(short.drift.features[0].reason, /99 row\(s\), fewer than minSamples 100/);
  });
  it('names missing and extra columns; a missing feature makes the verdict insufficient data at best', async () => {
    const prod = rows(1000, 13).map(({ site: _s, ...r }) => ({ ...r, region: 'x' }));
    const { drift } = await monitor({ reference: rowsOf(rows(1000, 14)), production: rowsOf(prod) }, settings());
    assert.deepEqual(drift.schema, { missing: ['site'], extra: ['region'], unknown: [] });
    assert.equal(drift.features.find((f) => f.name === 'site')!.verdict, 'absent');
    assert.equal(drift.verdict, 'insufficientData');
    assert.equal(schemaMessage(drift.schema), 'production data lacks reference column(s) site; production data has column(s) the reference lacks: region');
  });
  it('watches only `features`, leaves out `ignoreFeatures`, and names unknown names', () => {
    const s = settings({ features: ['a', 'b', 'nope'], ignoreFeatures: ['b'], targetColumn: 'y', predictionColumn: 'p' });
    const sel = selectFeatures(['a', 'b', 'c', 'y', 'correlationid'], ['a', 'b', 'c', 'p', 'correlationid'], s);
    assert.deepEqual(sel.features, ['a']);
    assert.deepEqual(sel.schema, { missing: [], extra: [], unknown: ['nope'] });
  });
  it('tells a constant reference column from a different constant in production', async () => {
    const { drift } = await monitor({ reference: rowsOf(rows(500, 17, 0, () => ({ version: 5 }))), production: rowsOf(rows(500, 18, 0, () => ({ version: 7 }))) }, settings());
    const v = drift.features.find((f) => f.name === 'version')!;
    assert.equal(v.verdict, 'drift', v.reason);
    assert.equal(v.ks!.statistic, 1);
  });
  it('judges number codes as categories when told (categoricalFeatures)', async () => {
    const codes = (seed: number, hot: number) => rows(2000, seed, 0, (i) => ({ zip: i % 10 === 0 ? hot : 10115 + (i % 5) }));
    const { drift } = await monitor({ reference: rowsOf(codes(31, 10115)), production: rowsOf(codes(32, 80331)) }, settings({ categoricalFeatures: ['zip'] }));
    const zip = drift.features.find((f) => f.name === 'zip')!;
    assert.equal(zip.kind, 'categorical');
    assert.ok(zip.bins!.some((b) => b.label === '(unseen)' && Math.abs(b.productionShare - 0.1) < 1e-12), JSON.stringify(zip.bins));
  });
  it('skips an id-like text column, saying why', async () => {
    const { drift } = await monitor({ reference: rowsOf(rows(2000, 15, 0, (i) => ({ customer: `c${i}` }))), production: rowsOf(rows(500, 16, 0, (i) => ({ customer: `d${i}` }))) }, settings());
    const c = drift.features.find((f) => f.name === 'customer')!;
    assert.equal(c.verdict, 'skipped');
    assert.match(c.reason, /more than 1000 distinct values/);
  });
});

describe('MonitorModel judge: predictions and the metric on the window', () => {
  // energy = 2·temperature + noise; the model predicts 2·temperature (+ bias in the degraded case)
  function labelled(n: number, seed: number, bias: number): { inputs: Row[]; outputs: Row[]; labels: Row[] } {
    const r = random(seed);
    const inputs: Row[] = [];
    const outputs: Row[] = [];
    const labels: Row[] = [];
    for (let i = 0; i < n; i++) {
      const t = r.normal(15, 8);
      const id = `req-${seed}-${i}`;
      inputs.push({ temperature_c: t, correlationid: id });
      outputs.push({ energy_pred: 2 * t + bias, correlationid: id });
      labels.push({ correlationid: id, energy_kwh: 2 * t + r.normal(0, 1) });
    }
    return { inputs, outputs, labels };
  }
  const reference = (): Row[] => { const r = random(20); return Array.from({ length: 3000 }, () => { const t = r.normal(15, 8); return { temperature_c: t, energy_kwh: 2 * t + r.normal(0, 1) }; }); };
  const s = settings({ targetColumn: 'energy_kwh', predictionColumn: 'energy_pred' });
  const quality = (registered: Record<string, number>, maxDrop = '10%') => ({ metric: 'rmse', direction: 'lowerIsBetter' as const, maxDrop: parseMinImprovement(maxDrop)!, registered });

  it('joins labels on the correlation id and passes a model as good as registered', async () => {
    const w = labelled(2000, 21, 0);
    const r = await monitor({ reference: rowsOf(reference()), production: rowsOf(w.inputs), predictions: rowsOf(w.outputs), labels: { rows: rowsOf(w.labels), labelColumn: 'energy_kwh' } }, s, quality({ rmse: 1.0 }));
    assert.equal(r.quality!.verdict, 'ok', r.quality!.reason);
    assert.ok(Math.abs(r.quality!.window! - 1) < 0.05);
    assert.deepEqual(r.quality!.join, { labels: 2000, labelsWithoutId: 0, matched: 2000, ambiguous: 0, unmatchedLabels: 0 });
    assert.equal(r.drift.prediction!.verdict, 'noDrift', r.drift.prediction!.reason);
    assert.deepEqual(r.drift.features.map((f) => f.name), ['temperature_c']); // the target and the id are not features
  });
  it('flags a drop beyond maxMetricDrop, and the prediction drift it comes with', async () => {
    const w = labelled(2000, 22, 12);
    const r = await monitor({ reference: rowsOf(reference()), production: rowsOf(w.inputs), predictions: rowsOf(w.outputs), labels: { rows: rowsOf(w.labels), labelColumn: 'energy_kwh' } }, s, quality({ rmse: 1.0 }, '0.5'));
    assert.equal(r.quality!.verdict, 'degraded');
    assert.match(r.quality!.reason, /^rmse 12\.\d+ on 2000 labelled prediction\(s\) vs 1 registered \(lower is better\): drop 11\.\d+ > maxMetricDrop 0\.5$/);
    assert.equal(r.drift.prediction!.verdict, 'drift');
    assert.equal(r.drift.verdict, 'drift');
  });
  it('counts ambiguous ids (a batched envelope shares one) and unmatched labels; too few pairs are insufficient data', async () => {
    const w = labelled(150, 23, 0);
    w.outputs[1].correlationid = w.outputs[0].correlationid; // two predictions under one id
    w.labels.push({ correlationid: 'never-predicted', energy_kwh: 1 });
    const r = await monitor({ reference: rowsOf(reference()), production: rowsOf(w.inputs), predictions: rowsOf(w.outputs), labels: { rows: rowsOf(w.labels), labelColumn: 'energy_kwh' } }, settings({ ...s, minSamples: 149 }), quality({ rmse: 1 }));
    assert.deepEqual(r.quality!.join, { labels: 151, labelsWithoutId: 0, matched: 148, ambiguous: 1, unmatchedLabels: 2 });
    assert.equal(r.quality!.verdict, 'insufficientData');
  });
  it('says noBaseline when the version has no such registered metric, naming what it has', async () => {
    const w = labelled(500, 24, 0);
    const r = await monitor({ reference: rowsOf(reference()), production: rowsOf(w.inputs), predictions: rowsOf(w.outputs), labels: { rows: rowsOf(w.labels), labelColumn: 'energy_kwh' } }, s, quality({ mae: 0.8, r2: 0.99 }));
    assert.equal(r.quality!.verdict, 'noBaseline');
    assert.match(r.quality!.reason, /has no registered rmse \(it has mae, r2\)/);
  });
  it('refuses a metric it cannot compute on the window, naming the input', async () => {
    await assert.rejects(monitor({ reference: rowsOf([]), production: rowsOf([]), labels: { rows: rowsOf([]), labelColumn: 'y' } }, s, { ...quality({}), metric: 'auc' }), /^MonitorInputError: gateMetric: 'auc'/);
  });
});

describe('MonitorModel judge: minSamples 0', () => {
  it('still calls an empty window insufficient data', async () => {
    const { drift } = await monitor({ reference: rowsOf(rows(50, 30)), production: rowsOf([]) }, settings({ minSamples: 0 }));
    assert.equal(drift.verdict, 'insufficientData');
    assert.match(drift.features[0].reason, /0 row\(s\), fewer than minSamples 0/);
  });
});
