import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { ModelVersion } from '@azure/arm-machinelearning';
import { evaluateGate, parseMinImprovement } from '../src/gate';
import type { ModelVersionInfo } from '../src/modelVersions';
import { concurrentWinner } from '../src/promote';
import { jobOutputInput, parseProductionTag } from '../src/inputs';
import { InputError } from '../../shared/src/inputs';
import { parseMetricsJson } from '../src/metrics';
import { latestMetrics } from '../../shared/src/mlflow';
import { versionContent } from '../src/register';
import {
  findProduction,
  findRunVersion,
  metricsFromProperties,
  nextVersion,
  productionHolders,
  sameUri,
  toInfo,
} from '../src/modelVersions';
import { comparisonRows } from '../src/report';
import { contentHash, datastoreUri, localFiles, planLocalSource, uploadPrefix } from '../src/source';
import { jobOutputUri } from '../../shared/src/jobOutputs';
import type { WorkspaceInfo } from '../../shared/src/workspace';

function mv(version: string, tags: Record<string, string> = {}, o: { uri?: string; archived?: boolean; created?: string; props?: Record<string, string> } = {}) {
  const raw: ModelVersion = {
    name: version,
    id: `/subscriptions/s/resourceGroups/rg/providers/Microsoft.MachineLearningServices/workspaces/ws/models/m/versions/${version}`,
    properties: { tags, properties: o.props ?? {}, modelUri: o.uri ?? `azureml://jobs/j${version}/outputs/model`, isArchived: o.archived ?? false },
    ...(o.created ? { systemData: { createdAt: new Date(o.created) } } : {}),
  };
  return toInfo('m', raw);
}

describe('RegisterModel metrics', () => {
  it('parses an object of numbers', () => {
    assert.deepEqual(parseMetricsJson('{"accuracy": 0.93, "loss": 1e-2}').metrics, { accuracy: 0.93, loss: 0.01 });
  });
  it('accepts a UTF-8 BOM', () => {
    assert.deepEqual(parseMetricsJson('\uFEFF{"a": 1}').metrics, { a: 1 });
  });
  const bad: [string, RegExp][] = [
    ['{"accuracy": "high"}', /non-numeric values for 'accuracy' \("high"\)/],
    ['{"a": null}', /non-numeric.*'a'/],
    ['{"a": [1]}', /non-numeric/],
    ['[1, 2]', /an array, not an object/],
    ['42', /a number, not an object/],
    ['null', /null, not an object/],
    ['{}', /has no metrics/],
    ['{oops', /not valid JSON/],
  ];
  for (const [text, re] of bad) it(`rejects ${text}`, () => assert.match(parseMetricsJson(text).problem ?? '', re));

  it('takes the latest MLflow value per metric (step, then timestamp)', () => {
    const m = latestMetrics([
      { key: 'loss', value: 0.9, step: 0, timestamp: 1 },
      { key: 'loss', value: 0.2, step: 5, timestamp: 2 },
      { key: 'loss', value: 0.5, step: 3, timestamp: 9 },
      { key: 'acc', value: 0.7, step: 0, timestamp: 1 },
      { key: 'acc', value: 0.8, step: 0, timestamp: 3 },
      { key: 'bad', value: 'x' },
      { value: 1 },
    ]);
    assert.deepEqual(m, { loss: 0.2, acc: 0.8 });
  });
});

describe('RegisterModel inputs: productionTag', () => {
  it('parses key=value', () => assert.deepEqual(parseProductionTag('stage=production'), { key: 'stage', value: 'production' }));
  it('defaults to stage=production', () => assert.deepEqual(parseProductionTag(undefined), { key: 'stage', value: 'production' }));
  for (const bad of ['production', '=x', 'stage=', 'a,b=c', 'a=b,c'])
    it(`rejects ${bad} naming the input`, () => assert.throws(() => parseProductionTag(bad), /Input 'productionTag'/));
});

describe('RegisterModel registry selection', () => {
  const tag = { key: 'stage', value: 'production' };
  it('next version = highest numeric + 1, archived versions included, non-numeric ignored', () => {
    assert.equal(nextVersion([]), '1');
    assert.equal(nextVersion([mv('1'), mv('12', {}, { archived: true }), mv('3'), mv('v2')]), '13');
  });
  it('production = newest active version with the exact tag', () => {
    const vs = [mv('1', { stage: 'production' }), mv('10', { stage: 'production' }), mv('11', { stage: 'production' }, { archived: true }), mv('12', { stage: 'staging' }), mv('2', { stage: 'production' })];
    assert.equal(findProduction(vs, tag)?.version, '10');
    assert.deepEqual(productionHolders(vs, tag).map((v) => v.version), ['10', '2', '1']);
    assert.equal(findProduction([mv('1', { stage: 'Production' })], tag), undefined);
  });
  it('non-numeric versions order by creation time', () => {
    const vs = [mv('a', { stage: 'production' }, { created: '2024-01-01T00:00:00Z' }), mv('b', { stage: 'production' }, { created: '2024-02-01T00:00:00Z' })];
    assert.equal(findProduction(vs, tag)?.version, 'b');
  });
  it('finds the version this run registered from the same source only', () => {
    const vs = [mv('4', { 'ado.runId': '42' }, { uri: 'azureml://jobs/a/outputs/model' }), mv('5', { 'ado.runId': '43' }, { uri: 'azureml://jobs/b/outputs/model' })];
    assert.equal(findRunVersion(vs, '42', 'azureml://jobs/a/outputs/model/')?.version, '4');
    assert.equal(findRunVersion(vs, '42', 'azureml://jobs/b/outputs/model'), undefined);
    assert.equal(findRunVersion(vs, undefined, 'azureml://jobs/a/outputs/model'), undefined);
    assert.equal(findRunVersion(vs, '43')?.version, '5');
  });
  it('reads metric properties, ignoring others and non-numbers', () => {
    const v = mv('1', {}, { props: { 'metric.accuracy': '0.9', 'metric.bad': 'x', 'metric.empty': '', other: '3' } });
    assert.deepEqual(metricsFromProperties(v), { accuracy: 0.9 });
  });
  it('compares URIs without a trailing slash', () => {
    assert.ok(sameUri('a/b/', 'a/b'));
    assert.ok(!sameUri('a/b', 'a/c'));
    assert.ok(!sameUri(undefined, 'a'));
  });
});

describe('RegisterModel version content', () => {
  it('carries user tags, lineage, the gate verdict and metrics as properties', () => {
    const ev = evaluateGate({ metric: 'acc', direction: 'higherIsBetter', compareWithProduction: true, minImprovement: parseMinImprovement('0')! }, { acc: 0.9, loss: 0.1 }, { version: '3', value: 0.8 });
    const c = versionContent({ modelUri: 'u', modelType: 'custom_model', jobName: 'j1', userTags: { team: 'x' }, lineage: { 'ado.runId': '42', 'upstream.job': 'j1' }, gateResult: ev.result, evaluation: ev, metrics: { acc: 0.9, loss: 0.1 }, metricsSource: 'job j1' });
    assert.deepEqual(c.tags, { team: 'x', 'ado.runId': '42', 'upstream.job': 'j1', 'gate.result': 'passed', 'gate.metric': 'acc', 'gate.candidate': '0.9', 'gate.baselineVersion': '3', 'gate.baseline': '0.8' });
    assert.deepEqual(c.properties, { 'metric.acc': '0.9', 'metric.loss': '0.1', 'metrics.source': 'job j1' });
    assert.equal(c.jobName, 'j1');
  });
});

describe('RegisterModel comparison rows', () => {
  it('gate metric first with verdict, then the others with deltas', () => {
    const ev = evaluateGate({ metric: 'rmse', direction: 'lowerIsBetter', compareWithProduction: true, minImprovement: parseMinImprovement('0')! }, { rmse: 1.5, r2: 0.8 }, { version: '2', value: 1.2 });
    const rows = comparisonRows(ev, { rmse: 1.5, r2: 0.8 }, { rmse: 1.2, mae: 0.4 });
    assert.deepEqual(rows[0], ['rmse', '1.5', '1.2', '+0.3', 'failed']);
    assert.deepEqual(rows.slice(1), [['r2', '0.8', '-', '-', ''], ['mae', '-', '0.4', '-', '']]);
  });
  it('says when the threshold failed', () => {
    const ev = evaluateGate({ metric: 'a', direction: 'higherIsBetter', threshold: 0.9, compareWithProduction: false, minImprovement: parseMinImprovement('0')! }, { a: 0.5 }, undefined);
    assert.equal(comparisonRows(ev, { a: 0.5 }, undefined)[0][4], 'failed (threshold)');
  });
});

describe('RegisterModel local source', () => {
  let dir: string;
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'regmodel-'));
    fs.mkdirSync(path.join(dir, 'model', 'sub'), { recursive: true });
    fs.writeFileSync(path.join(dir, 'model', 'b.pkl'), 'bbb');
    fs.writeFileSync(path.join(dir, 'model', 'a.txt'), 'aaa');
    fs.writeFileSync(path.join(dir, 'model', 'sub', 'c.json'), '{}');
    fs.writeFileSync(path.join(dir, 'single.onnx'), 'onnx');
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('lists folder files sorted with / separators', () => {
    assert.deepEqual(localFiles(path.join(dir, 'model')).map((f) => f.relative), ['a.txt', 'b.pkl', 'sub/c.json']);
    assert.deepEqual(localFiles(path.join(dir, 'single.onnx')).map((f) => f.relative), ['']);
  });
  it('hash changes with content and with names, not with nothing', () => {
    const h1 = contentHash(localFiles(path.join(dir, 'model')));
    assert.equal(contentHash(localFiles(path.join(dir, 'model'))), h1);
    assert.match(h1, /^[0-9a-f]{32}$/);
    fs.writeFileSync(path.join(dir, 'model', 'a.txt'), 'aab');
    const h2 = contentHash(localFiles(path.join(dir, 'model')));
    assert.notEqual(h2, h1);
    fs.renameSync(path.join(dir, 'model', 'a.txt'), path.join(dir, 'model', 'a2.txt'));
    assert.notEqual(contentHash(localFiles(path.join(dir, 'model'))), h2);
  });
  it('builds the azure-ai-ml style datastore URIs', () => {
    const ws = { name: 'mlw', resourceGroup: 'rg-ml', defaultDatastore: { name: 'workspaceblobstore' } } as WorkspaceInfo;
    assert.equal(uploadPrefix('abc', path.join(dir, 'model')), 'LocalUpload/abc/model');
    assert.equal(datastoreUri('sub1', ws, 'LocalUpload/abc/model/'), 'azureml://subscriptions/sub1/resourcegroups/rg-ml/workspaces/mlw/datastores/workspaceblobstore/paths/LocalUpload/abc/model/');
    assert.equal(jobOutputUri({ job: 'job1', output: 'model', path: '' }), 'azureml://jobs/job1/outputs/model');
    assert.equal(jobOutputUri({ job: 'job1', output: 'artifacts', path: 'model' }), 'azureml://jobs/job1/outputs/artifacts/paths/model');
    const folder = planLocalSource('sub1', ws, path.join(dir, 'model'));
    assert.match(folder.modelUri, /\/paths\/LocalUpload\/[0-9a-f]{32}\/model\/$/);
    const file = planLocalSource('sub1', ws, path.join(dir, 'single.onnx'), 'job9');
    assert.match(file.modelUri, /\/paths\/LocalUpload\/[0-9a-f]{32}\/single\.onnx$/);
    assert.equal(file.jobName, 'job9');
  });
  it('jobOutputName: an output, a path in an output, or a job model URI (runs:/ is the artifacts output)', () => {
    assert.deepEqual(jobOutputInput('model'), { text: 'model', output: 'model', path: '' });
    assert.deepEqual(jobOutputInput('artifacts/model/'), { text: 'artifacts/model/', output: 'artifacts', path: 'model' });
    assert.deepEqual(jobOutputInput('runs:/train-1/outputs/model'), { text: 'runs:/train-1/outputs/model', job: 'train-1', output: 'artifacts', path: 'outputs/model' });
    assert.deepEqual(jobOutputInput('azureml://jobs/train-1/outputs/artifacts/paths/model'), { text: 'azureml://jobs/train-1/outputs/artifacts/paths/model', job: 'train-1', output: 'artifacts', path: 'model' });
    for (const bad of ['artifacts/../x', 'https://x/y', '/model', 'runs:/a/../b', 'runs:/only-job']) {
      assert.throws(() => jobOutputInput(bad), (e: unknown) => e instanceof InputError && e.input === 'jobOutputName', bad);
    }
  });
  it('refuses an empty folder', () => {
    fs.mkdirSync(path.join(dir, 'empty'));
    assert.throws(() => planLocalSource('s', { defaultDatastore: { name: 'd' } } as WorkspaceInfo, path.join(dir, 'empty')), /holds no files/);
  });
});

describe('concurrent promotions agree on one winner', () => {
  const v = (version: string, at?: string): ModelVersionInfo => ({ name: 'm', version, id: version, tags: at ? { 'promotion.at': at } : {}, properties: {}, isArchived: false, raw: {} as ModelVersion });
  it('the earliest promotion.at wins, then the lower version; a holder without promotion.at loses', () => {
    assert.equal(concurrentWinner([v('3', '2026-01-01T10:00:01Z'), v('2', '2026-01-01T10:00:02Z')]).version, '3');
    assert.equal(concurrentWinner([v('10', '2026-01-01T10:00:00Z'), v('9', '2026-01-01T10:00:00Z')]).version, '9');
    assert.equal(concurrentWinner([v('1'), v('4', '2026-01-01T10:00:00Z')]).version, '4');
    // every promoter sees the same set, in any order: the same winner
    const set = [v('5', '2026-01-01T10:00:03Z'), v('6', '2026-01-01T10:00:01Z'), v('7')];
    assert.equal(concurrentWinner(set).version, concurrentWinner([...set].reverse()).version);
  });
});
