// The example data-science project is real: its data regenerate byte for byte, train.py trains,
// and score.py reproduces samples/expected.jsonl within 1e-6 (what ProbeEndpoint checks live).
import * as assert from 'assert';
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { repoRoot } from './task-steps';

const project = path.join(repoRoot, 'examples', 'project');

function python(args: string[], env: NodeJS.ProcessEnv = {}): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync('python3', args, { cwd: project, encoding: 'utf8', env: { ...process.env, ...env }, timeout: 60_000 });
  if (r.error) throw r.error;
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function jsonLines(file: string): unknown[] {
  return fs.readFileSync(file, 'utf8').split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l) as unknown);
}

function assertClose(actual: unknown, expected: unknown, where: string, tolerance = 1e-6): void {
  if (typeof expected === 'number') {
    assert.strictEqual(typeof actual, 'number', `${where}: ${JSON.stringify(actual)} is not a number`);
    assert.ok(Math.abs((actual as number) - expected) <= tolerance, `${where}: ${String(actual)} differs from ${expected} by more than ${tolerance}`);
  } else if (Array.isArray(expected)) {
    assert.ok(Array.isArray(actual) && actual.length === expected.length, `${where}: ${JSON.stringify(actual)} vs ${JSON.stringify(expected)}`);
    expected.forEach((e, i) => assertClose((actual as unknown[])[i], e, `${where}[${i}]`, tolerance));
  } else {
    assert.deepStrictEqual(actual, expected, where);
  }
}

// Runs score.py the way the scoring server does: init() once, then run(<request body>) per request.
const scoreScript = `
import json, sys
sys.path.insert(0, 'src')
import score
score.init()
for line in sys.stdin:
    if line.strip():
        try:
            print(json.dumps({"ok": score.run(line.strip())}))
        except Exception as e:
            print(json.dumps({"error": f"{type(e).__name__}: {e}"}))
`;

describe('examples: the data-science project (python3, standard library)', function () {
  let tmp = '';
  let modelDir = '';
  let trainOut = '';
  before(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'example-project-'));
    modelDir = path.join(tmp, 'model');
    const r = python(['src/train.py', '--data', 'data', '--learning-rate', '0.1', '--epochs', '300', '--output', modelDir]);
    assert.strictEqual(r.code, 0, r.stderr);
    trainOut = r.stdout;
  });
  after(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it('tools/make_data.py regenerates the committed CSV files byte for byte', () => {
    const out = path.join(tmp, 'data');
    const r = python(['tools/make_data.py', '--out', out]);
    assert.strictEqual(r.code, 0, r.stderr);
    for (const f of ['train.csv', 'test.csv']) {
      assert.ok(fs.readFileSync(path.join(out, f)).equals(fs.readFileSync(path.join(project, 'data', f))), `${f} differs`);
    }
    assert.strictEqual(fs.readFileSync(path.join(out, 'train.csv'), 'utf8').trim().split('\n').length, 321);
  });

  it('train.py writes model.json and metrics.json and logs the metrics', () => {
    const model = JSON.parse(fs.readFileSync(path.join(modelDir, 'model.json'), 'utf8')) as { weights: number[]; features: string[] };
    assert.strictEqual(model.weights.length, model.features.length);
    const metrics = JSON.parse(fs.readFileSync(path.join(modelDir, 'metrics.json'), 'utf8')) as Record<string, number>;
    assert.deepStrictEqual(Object.keys(metrics).sort(), ['mae', 'r2', 'rmse', 'train_rmse']);
    // the data's noise has a standard deviation of 3 kWh: a good fit lands near it
    assert.ok(metrics.rmse > 2 && metrics.rmse < 4.5, `rmse ${metrics.rmse}`);
    assert.ok(metrics.r2 > 0.97, `r2 ${metrics.r2}`);
    assert.match(trainOut, /test metrics: rmse=\d+\.\d{4}, mae=/);
    assert.match(trainOut, /metrics logged to metrics\.json \(mlflow not installed\)/);
  });

  it('fewer epochs give worse candidates (what the quality gate stops)', () => {
    const rmse = (epochs: string, lr: string): number => {
      const out = path.join(tmp, `e${epochs}-lr${lr}`);
      const r = python(['src/train.py', '--data', 'data', '--learning-rate', lr, '--epochs', epochs, '--output', out]);
      assert.strictEqual(r.code, 0, r.stderr);
      return (JSON.parse(fs.readFileSync(path.join(out, 'metrics.json'), 'utf8')) as Record<string, number>).rmse;
    };
    const good = (JSON.parse(fs.readFileSync(path.join(modelDir, 'metrics.json'), 'utf8')) as Record<string, number>).rmse;
    const underTrained = rmse('20', '0.1');
    assert.ok(underTrained < 5 && underTrained > good * 1.1, `20 epochs: rmse ${underTrained} vs ${good}`);
    assert.ok(rmse('3', '0.01') > good * 5);
  });

  it('train.py accepts a single CSV file and rejects bad hyperparameters', () => {
    const single = python(['src/train.py', '--data', 'data/train.csv', '--epochs', '50', '--output', path.join(tmp, 'single')]);
    assert.strictEqual(single.code, 0, single.stderr);
    assert.match(single.stdout, /training rows: 256, test rows: 64/);
    const bad = python(['src/train.py', '--data', 'data', '--epochs', '0', '--output', path.join(tmp, 'bad')]);
    assert.strictEqual(bad.code, 2);
    assert.match(bad.stderr, /--epochs >= 1/);
  });

  it('score.py on samples/payload.jsonl equals samples/expected.jsonl within 1e-6', () => {
    const payloads = fs.readFileSync(path.join(project, 'samples', 'payload.jsonl'), 'utf8');
    const expected = jsonLines(path.join(project, 'samples', 'expected.jsonl'));
    const r = spawnSync('python3', ['-c', scoreScript], { cwd: project, input: payloads, encoding: 'utf8', env: { ...process.env, AZUREML_MODEL_DIR: modelDir } });
    assert.strictEqual(r.status, 0, r.stderr);
    const answers = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as { ok?: unknown; error?: string });
    assert.strictEqual(answers.length, expected.length);
    answers.forEach((a, i) => {
      assert.strictEqual(a.error, undefined, `line ${i + 1}: ${a.error}`);
      assertClose(a.ok, expected[i], `expected.jsonl line ${i + 1}`);
    });
  });

  it('score.py finds model.json one folder below AZUREML_MODEL_DIR and rejects malformed requests', () => {
    const nested = path.join(tmp, 'registered');
    fs.mkdirSync(path.join(nested, 'model'), { recursive: true });
    fs.copyFileSync(path.join(modelDir, 'model.json'), path.join(nested, 'model', 'model.json'));
    const r = spawnSync('python3', ['-c', scoreScript], {
      cwd: project, encoding: 'utf8', env: { ...process.env, AZUREML_MODEL_DIR: nested },
      input: '{"data": [[21.5, 80, 1]]}\n{"data": [[1, 2]]}\n{"rows": []}\n',
    });
    assert.strictEqual(r.status, 0, r.stderr);
    const [ok, short, wrong] = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as { ok?: number[]; error?: string });
    assertClose(ok.ok, (jsonLines(path.join(project, 'samples', 'expected.jsonl'))[0]), 'nested model');
    assert.match(short.error ?? '', /ValueError: expected \{"data": \[\[temperature_c, occupancy, workday\], \.\.\.\]\}/);
    assert.match(wrong.error ?? '', /ValueError/);
  });

  it('tools/samples.py --check verifies the committed expected.jsonl and detects a change', () => {
    const ok = python(['tools/samples.py', '--check', '--model-dir', modelDir]);
    assert.strictEqual(ok.code, 0, ok.stdout + ok.stderr);
    assert.match(ok.stdout, /5 responses match expected\.jsonl within 1e-06/);
    const altered = path.join(tmp, 'expected.jsonl');
    const lines = fs.readFileSync(path.join(project, 'samples', 'expected.jsonl'), 'utf8').split('\n');
    lines[1] = JSON.stringify((JSON.parse(lines[1]) as number[]).map((v) => v + 1e-4));
    fs.writeFileSync(altered, lines.join('\n'));
    const bad = python(['tools/samples.py', '--check', '--model-dir', modelDir, '--expected', altered]);
    assert.strictEqual(bad.code, 1, bad.stdout);
    assert.match(bad.stdout, /^line 2: expected/m);
  });
});
