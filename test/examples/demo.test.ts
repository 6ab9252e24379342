// The parts of scripts/demo.ts that do not need the built tasks: log rendering, macro expansion,
// .vsix extraction, local training. (The whole demo is `npm run demo`.)
import * as assert from 'assert';
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { expand, extractVsix, LiveLog, renderLine, renderLog, TASKS, trainLocally } from '../../scripts/demo';

const plain = (s: string | undefined): string | undefined => s?.replace(/\x1b\[[0-9;]*m/g, '');

describe('examples: demo script helpers', () => {
  let tmp = '';
  before(() => { tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'demo-test-')); });
  after(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it('renders a task log as a pipeline shows it: outputs and issues as notes, plumbing hidden, secrets masked', () => {
    const log = [
      '',
      '##vso[task.debug]agent.TempDirectory=/tmp/x',
      'Submitting job building-energy-1001',
      '##[group]Job log',
      'epoch 300',
      '##[endgroup]',
      '##vso[task.setsecret]s3cr3t-value',
      'key is s3cr3t-value',
      '##vso[task.setvariable variable=jobName;isOutput=true;issecret=false;]building-energy-1001',
      '##vso[task.setvariable variable=scoringKey;isOutput=true;issecret=true;]s3cr3t-value',
      '##vso[task.setvariable variable=internal;]x',
      '##vso[task.logissue type=warning;]production lacks the metric',
      '##vso[task.uploadsummary]/tmp/a/summary-TrainModel.md',
      '##vso[task.complete result=Failed;]Gate failed: rmse 89.9 > 5',
      '',
    ].join('\n');
    const lines = renderLog(log, ['s3cr3t-value']).map(plain);
    assert.deepStrictEqual(lines, [
      'Submitting job building-energy-1001',
      '▼ Job log',
      'epoch 300',
      'key is ***',
      '  → output jobName = building-energy-1001',
      '  → output scoringKey = ***',
      '##[warning]production lacks the metric',
      '  (summary attached: summary-TrainModel.md)',
      '  (task result: Failed — Gate failed: rmse 89.9 > 5)',
    ]);
    assert.strictEqual(renderLine('##vso[task.prependpath]/x', []), undefined);
    assert.strictEqual(plain(renderLine('##vso[task.complete result=Failed;]needs 1%AZP25 more%0Aon two lines', [])),
      '  (task result: Failed — needs 1% more on two lines)');
  });

  it('streams a log with groups collapsed to their last lines, as the web log shows them', () => {
    const printed: string[] = [];
    const live = new LiveLog([], (l) => printed.push(plain(l) ?? ''), { tail: 2 });
    live.push('before\n##[group]Build log\nstep 1\nstep 2\nst');
    live.push('ep 3\n##[endgroup]\nafter\n##vso[task.complete result=Succeeded;]');
    live.end();
    assert.deepStrictEqual(printed, ['before', '▶ Build log  (1 more line(s) collapsed)', '  step 2', '  step 3', 'after', '  (task result: Succeeded)']);
    const verbose: string[] = [];
    const all = new LiveLog([], (l) => verbose.push(plain(l) ?? ''), { verbose: true });
    all.push('##[group]G\na\n##[endgroup]\n');
    all.end();
    assert.deepStrictEqual(verbose, ['▼ G', 'a']);
  });

  it('expands $(step.output) and $(Variable) macros case-insensitively, leaving unknown ones', () => {
    const vars = new Map([['train.jobname', 'job-1'], ['build.buildid', '42']]);
    assert.strictEqual(expand('$(train.jobName) in $(Build.BuildId), $(register.modelId)', vars), 'job-1 in 42, $(register.modelId)');
  });

  it('extracts the task bundles from a .vsix (a zip) and names the missing ones', () => {
    const stage = path.join(tmp, 'stage');
    for (const t of TASKS) {
      fs.mkdirSync(path.join(stage, 'tasks', t), { recursive: true });
      fs.writeFileSync(path.join(stage, 'tasks', t, 'index.js'), `console.log('${t}')`);
    }
    fs.writeFileSync(path.join(stage, 'extension.vsixmanifest'), '<PackageManifest/>');
    const vsix = path.join(tmp, 'ext.vsix');
    const r = spawnSync('python3', ['-m', 'zipfile', '-c', vsix, 'tasks', 'extension.vsixmanifest'], { cwd: stage, encoding: 'utf8' });
    assert.strictEqual(r.status, 0, r.stderr);
    const bundles = extractVsix(vsix, path.join(tmp, 'out'));
    assert.strictEqual(fs.readFileSync(bundles.ProbeEndpoint, 'utf8'), "console.log('ProbeEndpoint')");
    fs.rmSync(path.join(stage, 'tasks', 'DeployToACI'), { recursive: true });
    const partial = path.join(tmp, 'partial.vsix');
    spawnSync('python3', ['-m', 'zipfile', '-c', partial, 'tasks'], { cwd: stage });
    assert.throws(() => extractVsix(partial, path.join(tmp, 'out2')), /does not contain tasks\/DeployToACI/);
  });

  it('trains the example project locally for the simulated AML compute', () => {
    const good = trainLocally({ learningRate: 0.1, epochs: 300 }, path.join(tmp, 'good'));
    const worse = trainLocally({ learningRate: 0.1, epochs: 20 }, path.join(tmp, 'worse'));
    assert.ok(fs.existsSync(path.join(good.modelDir, 'model.json')));
    // the demo's second candidate passes the threshold (5) but is more than 1 % worse than production
    assert.ok(good.metrics.rmse < 5 && worse.metrics.rmse < 5, `${good.metrics.rmse} / ${worse.metrics.rmse}`);
    assert.ok(worse.metrics.rmse > good.metrics.rmse * 1.01, `${good.metrics.rmse} / ${worse.metrics.rmse}`);
  });
});
