// End to end on the examples project: its data generator's drift knob writes a week of collected data in
// the collector's layout (temperature_c shifted by 10 °C from hour 96); the monitor, with the project's
// training data as reference, flags exactly that feature in the drifted window and nothing before it, and
// joins the generator's ground truth to the trained model's collected predictions.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { readCollected } from '../src/data/collected';
import { readCsv } from '../src/data/csv';
import { fileBytes, localFiles } from '../src/data/localFiles';
import { DEFAULT_SETTINGS } from '../src/judge/settings';
import { monitor } from '../src/monitor';
import { parseMinImprovement } from '../../RegisterModel/src/gate';

const project = path.resolve(__dirname, '..', '..', '..', '..', 'examples', 'project');

function python(args: string[]): string {
  const r = spawnSync('python3', args, { cwd: project, encoding: 'utf8', timeout: 120_000 });
  assert.equal(r.status, 0, `python3 ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

describe('MonitorModel on the examples project\'s collected data (generator drift knob)', function () {
  this.timeout(120_000);
  let dir = '';
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'monitor-e2e-'));
    python(['src/train.py', '--data', 'data', '--learning-rate', '0.1', '--epochs', '300', '--output', path.join(dir, 'model')]);
    const out = python(['tools/make_data.py', '--collect', path.join(dir, 'modelDataCollector'), '--start', '2026-11-27T00:00:00Z', '--hours', '168',
      '--rows-per-hour', '30', '--drift-feature', 'temperature_c', '--drift-shift', '10', '--drift-from-hour', '96',
      '--labels', path.join(dir, 'labels.csv'), '--model', path.join(dir, 'model', 'model.json')]);
    assert.match(out, /wrote 5040 requests over 168 hour\(s\)/);
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  const settings = { ...DEFAULT_SETTINGS, targetColumn: 'energy_kwh', predictionColumn: 'prediction' };
  const options = { correlationColumn: 'correlationid', valueColumn: 'prediction' };
  const run = (from: string, to: string) => {
    const collection = (c: string) => localFiles(path.join(dir, 'modelDataCollector', 'energy-ep', 'blue', c));
    const window = { from: new Date(from), to: new Date(to) };
    const registered = JSON.parse(fs.readFileSync(path.join(dir, 'model', 'metrics.json'), 'utf8')) as Record<string, number>;
    return monitor({
      reference: readCsv(fileBytes(path.join(project, 'data', 'train.csv'))),
      production: readCollected(collection('model_inputs'), window, options),
      predictions: readCollected(collection('model_outputs'), window, options),
      labels: { rows: readCsv(fileBytes(path.join(dir, 'labels.csv'))), labelColumn: 'energy_kwh' },
    }, settings, { metric: 'rmse', direction: 'lowerIsBetter', maxDrop: parseMinImprovement('20%')!, registered });
  };

  it('flags exactly temperature_c over the drifted days, and the model keeps its rmse', async () => {
    const r = await run('2026-12-01T00:00:00Z', '2026-12-04T00:00:00Z');
    assert.equal(r.drift.productionRows, 72 * 30);
    assert.deepEqual(r.drift.driftedFeatures, ['temperature_c'], r.drift.features.map((f) => `${f.name}: ${f.reason}`).join('\n'));
    assert.deepEqual(r.drift.schema, { missing: [], extra: [], unknown: [] });
    assert.equal(r.quality!.join.matched, 72 * 30);
    assert.equal(r.quality!.verdict, 'ok', r.quality!.reason);
  });
  it('finds no drift in the days before the shift', async () => {
    const r = await run('2026-11-27T00:00:00Z', '2026-12-01T00:00:00Z');
    assert.equal(r.drift.verdict, 'noDrift', r.drift.features.map((f) => `${f.name}: ${f.reason}`).join('\n'));
  });
  it('says insufficient data for a window after the collected week', async () => {
    const r = await run('2026-12-10T00:00:00Z', '2026-12-11T00:00:00Z');
    assert.equal(r.drift.verdict, 'insufficientData');
    assert.match(r.drift.summary, /production window has 0 row\(s\)/);
    assert.equal(r.quality!.verdict, 'insufficientData');
  });
});
