// The examples project's data for the tests and the demo: a trained model and a week of collected requests
// written by its data generator with the drift knob (temperature_c shifted by 10 °C from hour 96), plus the
// ground truth. Python 3 runs the project's own scripts (standard library only).
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';

export const PROJECT = path.resolve(__dirname, '..', '..', '..', '..', 'examples', 'project');
export const WEEK_START = '2026-11-27T00:00:00Z';
/** The drift starts at hour 96: 2026-12-01T00:00Z. */
export const DRIFT_FROM = '2026-12-01T00:00:00Z';
export const WEEK_END = '2026-12-04T00:00:00Z';

function python(args: string[]): string {
  const r = spawnSync('python3', args, { cwd: PROJECT, encoding: 'utf8', timeout: 120_000 });
  assert.equal(r.status, 0, `python3 ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

export interface CollectedWeek {
  /** the modelDataCollector folder: <endpoint>/<deployment>/model_inputs|model_outputs/YYYY/MM/DD/HH/*.jsonl */
  collector: string;
  labels: string;
  modelDir: string;
  metrics: Record<string, number>;
}

export function collectedWeek(dir: string, o: { endpoint: string; deployment: string; rowsPerHour: number; driftFeature?: string }): CollectedWeek {
  const modelDir = path.join(dir, 'model');
  python(['src/train.py', '--data', 'data', '--learning-rate', '0.1', '--epochs', '300', '--output', modelDir]);
  const collector = path.join(dir, 'modelDataCollector');
  const labels = path.join(dir, 'labels.csv');
  python(['tools/make_data.py', '--collect', collector, '--endpoint', o.endpoint, '--deployment', o.deployment, '--start', WEEK_START, '--hours', '168',
    '--rows-per-hour', String(o.rowsPerHour), ...(o.driftFeature ? ['--drift-feature', o.driftFeature, '--drift-shift', '10', '--drift-from-hour', '96'] : []),
    '--labels', labels, '--model', path.join(modelDir, 'model.json')]);
  return { collector, labels, modelDir, metrics: JSON.parse(fs.readFileSync(path.join(modelDir, 'metrics.json'), 'utf8')) as Record<string, number> };
}

/** Every file under `root`, relative paths with '/'. */
export function filesUnder(root: string): string[] {
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const abs = path.join(d, e.name);
      if (e.isDirectory()) walk(abs);
      else out.push(path.relative(root, abs).split(path.sep).join('/'));
    }
  };
  walk(root);
  return out.sort();
}
