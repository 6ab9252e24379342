// Unit tests of the task's own logic around the core: data references, the PSI trend, the JUnit cases and
// the neutralising of Azure DevOps text.
import * as assert from 'node:assert/strict';
import { parseDataRef, siblingOutputs } from '../src/dataRef';
import { neutral } from '../src/devops/pipelines';
import { featureCase, junitXml } from '../src/report/junit';
import { appendRun, parseTrend, trendBlobName, trendStream, type TrendRun } from '../src/report/trend';
import { histogramSvg, trendSvg } from '../src/report/charts';

describe('MonitorModel data references', () => {
  it('reads datastore paths in the short and the long form, and data assets with or without a version', () => {
    assert.deepEqual(parseDataRef('azureml://datastores/workspaceblobstore/paths/modelDataCollector/ep/blue/model_inputs/'),
      { kind: 'datastorePath', datastore: 'workspaceblobstore', path: 'modelDataCollector/ep/blue/model_inputs/', text: 'azureml://datastores/workspaceblobstore/paths/modelDataCollector/ep/blue/model_inputs/' });
    const long = parseDataRef('azureml://subscriptions/s/resourcegroups/rg/workspaces/ws/datastores/ds/paths/a%20b/c.csv');
    assert.deepEqual(long, { kind: 'datastorePath', datastore: 'ds', path: 'a b/c.csv', text: 'azureml://subscriptions/s/resourcegroups/rg/workspaces/ws/datastores/ds/paths/a%20b/c.csv' });
    assert.deepEqual(parseDataRef('azureml:train:3'), { kind: 'asset', name: 'train', version: '3', text: 'azureml:train:3' });
    assert.deepEqual(parseDataRef('ep-blue-model_inputs'), { kind: 'asset', name: 'ep-blue-model_inputs', text: 'ep-blue-model_inputs' });
    // a job's input as TrainModel (and azure-ai-ml) writes it: the data version's ARM id
    assert.deepEqual(parseDataRef('/subscriptions/s/resourceGroups/rg/providers/Microsoft.MachineLearningServices/workspaces/ws/data/energy-train/versions/2'),
      { kind: 'asset', name: 'energy-train', version: '2', text: 'energy-train:2' });
    assert.deepEqual(parseDataRef('train@latest'), { kind: 'asset', name: 'train', text: 'train@latest' });
  });
  it('refuses a URL from the user, a path with .. and other azureml:// URIs, saying why', () => {
    assert.match(parseDataRef('https://evil.example.com/x') as string, /is a URL; name the data through a datastore/);
    assert.match(parseDataRef('azureml://datastores/ds/paths/a/../../b') as string, /has '\.\.' in its path/);
    assert.match(parseDataRef('azureml://jobs/j/outputs/o') as string, /cannot read \(only datastore paths\)/);
    assert.equal(typeof parseDataRef('a b'), 'string');
    assert.equal((parseDataRef('https://acct.blob.core.windows.net/c/x.csv', { allowUrl: true }) as { kind: string }).kind, 'blobUrl');
  });
  it('finds the collected outputs next to the collected inputs', () => {
    assert.deepEqual(siblingOutputs(parseDataRef('ep-blue-model_inputs:1') as never), { kind: 'asset', name: 'ep-blue-model_outputs', version: '1', text: 'ep-blue-model_outputs:1' });
    assert.equal((siblingOutputs(parseDataRef('azureml://datastores/ds/paths/modelDataCollector/ep/blue/model_inputs/') as never) as { path: string }).path, 'modelDataCollector/ep/blue/model_outputs/');
    assert.equal(siblingOutputs(parseDataRef('train:1') as never), undefined);
  });
});

describe('MonitorModel PSI trend', () => {
  const run = (at: string, runId: string, psi: number): TrendRun => ({ at, runId, modelVersion: '3', window: { from: at, to: at }, verdict: 'noDrift', psi: { t: psi } });
  it('keeps the last N runs in time order, a re-run of the same pipeline run replacing its earlier attempt', () => {
    let t = { schema: 1 as const, model: 'm', runs: [] as TrendRun[] };
    for (let i = 1; i <= 5; i++) t = appendRun(t, run(`2026-12-0${i}T00:00:00Z`, String(i), i / 10), 3);
    assert.deepEqual(t.runs.map((r) => r.runId), ['3', '4', '5']);
    t = appendRun(t, run('2026-12-06T00:00:00Z', '5', 0.9), 3);
    assert.deepEqual(t.runs.map((r) => [r.runId, r.psi.t]), [['3', 0.3], ['4', 0.4], ['5', 0.9]]);
  });
  it('keeps one trend per monitored stream: endpoint and deployment, however the collected data is named', () => {
    const stream = (text: string): string => {
      const ref = parseDataRef(text, { allowUrl: true });
      assert.ok(typeof ref !== 'string', String(ref));
      return trendStream(ref);
    };
    // the collector's data asset and its datastore folder name the same stream
    assert.equal(stream('energy-ep-blue-model_inputs'), 'energy-ep-blue');
    assert.equal(stream('azureml:energy-ep-blue-model_inputs:7'), 'energy-ep-blue');
    assert.equal(stream('azureml://datastores/workspaceblobstore/paths/modelDataCollector/energy-ep/blue/model_inputs/'), 'energy-ep-blue');
    assert.equal(stream('azureml://datastores/workspaceblobstore/paths/modelDataCollector/energy-ep/blue/model_inputs/2026/12/01'), 'energy-ep-blue');
    // two deployments, two endpoints of the same model: apart
    const streams = ['energy-ep-blue-model_inputs', 'energy-ep-green-model_inputs', 'other-ep-blue-model_inputs', 'sales:3', 'azureml://datastores/ds/paths/prod/a/', 'azureml://datastores/ds/paths/prod/b', 'https://acct.blob.core.windows.net/c/prod.csv'].map(stream);
    assert.equal(new Set(streams).size, streams.length, streams.join(' '));
    // another asset: its name, any version; a path: its hash, trailing slashes ignored
    assert.equal(stream('sales:3'), stream('sales:4'));
    assert.equal(stream('sales:3'), 'asset-sales');
    assert.equal(stream('azureml://datastores/ds/paths/prod/a/'), stream('azureml://datastores/ds/paths/prod/a'));
    assert.match(stream('azureml://datastores/ds/paths/prod/a'), /^path-[0-9a-f]{12}$/);
    assert.equal(trendBlobName('energy', 'energy-ep-blue'), 'monitoring/energy/energy-ep-blue/psi-trend.json');
  });
  it('starts a new trend from a blob that is not one, saying so', () => {
    assert.deepEqual(parseTrend('not json', 'm', 's'), { trend: { schema: 1, model: 'm', stream: 's', runs: [] }, note: 'the stored trend is not JSON: starting a new one' });
    assert.match(parseTrend('{"schema":2}', 'm', 's').note ?? '', /another shape/);
    assert.deepEqual(parseTrend(JSON.stringify({ schema: 1, runs: [{ at: 'x', psi: { a: 1, b: 'NaN' } }, 5] }), 'm', 's').trend.runs, [{ at: 'x', psi: { a: 1 } }]);
  });
  it('draws the trend and a histogram as SVG with the names escaped', () => {
    const svg = trendSvg([run('2026-12-01T00:00:00Z', '1', 0.1), run('2026-12-02T00:00:00Z', '2', 0.5)], 0.2, ['t']);
    assert.match(svg, /^<svg [^>]+>/);
    assert.match(svg, /<polyline /);
    const h = histogramSvg({ name: '<x>', kind: 'numeric', verdict: 'drift', reason: '', psi: 0.5, reference: { rows: 1, values: 1, missing: 0, nan: 0, invalid: 0 }, bins: [{ label: '(-∞, 1]', referenceShare: 0.5, productionShare: 0.1, term: 0.1 }] });
    assert.ok(h.includes('&lt;x&gt;: PSI 0.500') && !h.includes('<x>'));
  });
});

describe('MonitorModel JUnit and Azure DevOps text', () => {
  it('fails drift and absent features, skips what could not be judged, passes only no drift', () => {
    const f = (verdict: 'drift' | 'noDrift' | 'insufficientData' | 'absent' | 'skipped') => featureCase({ name: 'a', kind: 'numeric', verdict, reason: 'r', reference: { rows: 0, values: 0, missing: 0, nan: 0, invalid: 0 } }).outcome;
    assert.deepEqual(['drift', 'noDrift', 'insufficientData', 'absent', 'skipped'].map((v) => f(v as never)), ['failed', 'passed', 'skipped', 'failed', 'skipped']);
    const xml = junitXml('s<', [{ name: 'feature "a"', outcome: 'failed', detail: 'PSI 1 ≥ 0.2' }], new Date('2026-12-01T00:00:00Z'));
    assert.match(xml, /tests="1" failures="1" errors="0" skipped="0"/);
    assert.match(xml, /name="feature &quot;a&quot;"/);
  });
  it('neutralises logging commands and bounds the length', () => {
    assert.equal(neutral('bad ##vso[task.setvariable variable=x]1\nnext'), 'bad #\u200b#vso[task.setvariable variable=x]1 next');
    assert.equal(neutral('x'.repeat(400)).length, 300);
  });
});
