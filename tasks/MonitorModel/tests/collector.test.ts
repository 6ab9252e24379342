// The collector's envelope and layout, on the examples in Azure ML's docs (how-to-collect-production-data:
// "Store collected data in Blob Storage", "Data collector batching", "Perform payload logging").
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { readCollected, emptyCollectedStats, type CollectedFile } from '../src/data/collected';
import { collectedHour, selectHours } from '../src/data/collectorLayout';
import { envelopeRecords, type EnvelopeOptions } from '../src/data/collectorEnvelope';
import { localFiles } from '../src/data/localFiles';
import { parseWindow, WindowError } from '../src/data/window';
import { allRows, chunked } from './helpers';

const OPTIONS: EnvelopeOptions = { correlationColumn: 'correlationid', valueColumn: 'prediction' };

// verbatim from the docs, "Data collector batching" (two requests batched into one envelope; columns trimmed)
const BATCHED = '{"specversion":"1.0","id":"720b8867-54a2-4876-80eb-1fd6a8975770","source":"/subscriptions/cccc2c2c-dd3d-ee4e-ff5f-aaaaaa6a6a6a/resourceGroups/rg-bozhlinmomoignite/providers/Microsoft.MachineLearningServices/workspaces/momo-demo-ws/onlineEndpoints/credit-default-mdc-testing-4/deployments/main2","type":"azureml.inference.model_inputs","datacontenttype":"application/json","time":"2024-03-05T18:16:25Z","data":[{"LIMIT_BAL":502970,"AGE":54,"SEX":2},{"LIMIT_BAL":293458,"AGE":35,"SEX":1}],"contentrange":"bytes 0-6794/6795","correlationid":"test","xrequestid":"test","modelversion":"default","collectdatatype":"pandas.core.frame.DataFrame","agent":"azureml-ai-monitoring/0.1.0b4"}';

describe('MonitorModel collector: envelope', () => {
  it('reads the records of a batched envelope with the envelope\'s correlation id and time', () => {
    const r = envelopeRecords(JSON.parse(BATCHED), OPTIONS);
    assert.equal(r.kind, 'records');
    if (r.kind !== 'records') return;
    assert.deepEqual(r.rows, [{ LIMIT_BAL: 502970, AGE: 54, SEX: 2, correlationid: 'test' }, { LIMIT_BAL: 293458, AGE: 35, SEX: 1, correlationid: 'test' }]);
    assert.equal(r.time, Date.parse('2024-03-05T18:16:25Z'));
  });
  it('keeps a record\'s own correlation id column (the docs\' advice for performance monitoring)', () => {
    const r = envelopeRecords({ data: [{ x: 1, correlationid: 'row-1' }, { x: 2 }], correlationid: 'env' }, OPTIONS);
    assert.deepEqual(r.kind === 'records' && r.rows.map((x) => x.correlationid), ['row-1', 'env']);
  });
  it('reads payload logging: a request body {"data": [[…]]} with named positions, a response [values]', () => {
    const req = envelopeRecords({ data: { data: [[1, 2, 3], [10, 9, 8]] }, correlationid: 'c' }, { ...OPTIONS, positionalColumns: ['a', 'b', 'c'] });
    assert.deepEqual(req.kind === 'records' && req.rows, [{ a: 1, b: 2, c: 3, correlationid: 'c' }, { a: 10, b: 9, c: 8, correlationid: 'c' }]);
    const res = envelopeRecords({ data: [11055.977245525679, 4503.079536107787], correlationid: 'c' }, OPTIONS);
    assert.deepEqual(res.kind === 'records' && res.rows.map((x) => x.prediction), [11055.977245525679, 4503.079536107787]);
    const noNames = envelopeRecords({ data: { data: [[1, 2]] } }, OPTIONS);
    assert.deepEqual(noNames, { kind: 'unreadable', why: 'records logged as arrays, and no column names for their positions' });
  });
  it('reads the bodies the extension\'s ACI scoring server logs wrapped in one record ({"data": [[…]]}, {"value": […]})', () => {
    const req = envelopeRecords({ data: [{ data: [[21.5, 80, 1], [-3, 95, 1]] }], correlationid: 'c' }, { ...OPTIONS, positionalColumns: ['t', 'o', 'w'] });
    assert.deepEqual(req.kind === 'records' && req.rows, [{ t: 21.5, o: 80, w: 1, correlationid: 'c' }, { t: -3, o: 95, w: 1, correlationid: 'c' }]);
    const res = envelopeRecords({ data: [{ value: [52.1, 61.7] }], correlationid: 'c' }, OPTIONS);
    assert.deepEqual(res.kind === 'records' && res.rows.map((x) => x.prediction), [52.1, 61.7]);
    assert.deepEqual(envelopeRecords({ data: [{ value: 'text' }] }, OPTIONS), { kind: 'records', rows: [{ value: 'text' }] });
  });
  it('reads a column-oriented frame and counts payloads stored in another blob', () => {
    const r = envelopeRecords({ data: { a: [1, 2], b: ['x', 'y'] } }, OPTIONS);
    assert.deepEqual(r.kind === 'records' && r.rows, [{ a: 1, b: 'x' }, { a: 2, b: 'y' }]);
    assert.deepEqual(envelopeRecords({ data: 'https://…', datainblob: 'true' }, OPTIONS), { kind: 'inBlob' });
    assert.equal(envelopeRecords({ nodata: 1 }, OPTIONS).kind, 'unreadable');
  });
});

describe('MonitorModel collector: layout and window', () => {
  it('reads the UTC hour from YYYY/MM/DD/HH/<instance>.jsonl and rejects other paths', () => {
    assert.equal(collectedHour('modelDataCollector/ep/blue/model_inputs/2026/12/01/07/abc.jsonl')?.toISOString(), '2026-12-01T07:00:00.000Z');
    assert.equal(collectedHour('2026/13/01/07/abc.jsonl'), undefined);
    assert.equal(collectedHour('2026/12/01/07/abc.json'), undefined);
    assert.equal(collectedHour('2026/12/01/abc.jsonl'), undefined);
  });
  it('selects the hours that overlap the window, oldest first', () => {
    const files = ['2026/12/01/09/a.jsonl', '2026/12/01/07/a.jsonl', '2026/12/01/08/b.jsonl', '2026/12/01/08/a.jsonl', '2026/12/01/10/a.jsonl', 'README.md'].map((p) => ({ path: p }));
    const w = { from: new Date('2026-12-01T07:30:00Z'), to: new Date('2026-12-01T10:00:00Z') };
    const s = selectHours(files, w);
    assert.deepEqual(s.selected.map((f) => f.path), ['2026/12/01/07/a.jsonl', '2026/12/01/08/a.jsonl', '2026/12/01/08/b.jsonl', '2026/12/01/09/a.jsonl']);
    assert.equal(s.outside, 1);
    assert.deepEqual(s.notInLayout, ['README.md']);
  });
  it('parses windowHours back from now, or from/to; names the input on bad values', () => {
    const now = new Date('2026-12-04T12:00:00Z');
    assert.deepEqual(parseWindow({}, now), { from: new Date('2026-12-03T12:00:00Z'), to: now });
    assert.deepEqual(parseWindow({ windowHours: '168' }, now).from, new Date('2026-11-27T12:00:00Z'));
    assert.deepEqual(parseWindow({ from: '2026-12-01T00:00', to: '2026-12-02' }, now), { from: new Date('2026-12-01T00:00:00Z'), to: new Date('2026-12-02T00:00:00Z') });
    for (const [inputs, name] of [[{ windowHours: '0' }, 'windowHours'], [{ windowHours: '-1' }, 'windowHours'], [{ windowHours: 'day' }, 'windowHours'], [{ from: 'yesterday' }, 'from'], [{ from: '2026-12-02', to: '2026-12-01' }, 'from']] as const) {
      assert.throws(() => parseWindow(inputs, now), (e: unknown) => e instanceof WindowError && e.input === name && e.message.startsWith(`${name}: `));
    }
  });
  it('reads a folder of collected files: hours and envelope times outside the window left out, bad lines counted', async () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'collected-'));
    const write = (rel: string, lines: string[]): void => {
      fs.mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
      fs.writeFileSync(path.join(root, rel), lines.join('\n') + '\n');
    };
    const env = (time: string, data: unknown[], id: string): string => JSON.stringify({ specversion: '1.0', type: 'azureml.inference.model_inputs', time, data, correlationid: id });
    write('ep/blue/model_inputs/2026/12/01/06/i.jsonl', [env('2026-12-01T06:10:00Z', [{ x: 0 }], 'early')]);
    write('ep/blue/model_inputs/2026/12/01/07/i.jsonl', [env('2026-12-01T07:10:00Z', [{ x: 1 }], 'before-from'), env('2026-12-01T07:40:00Z', [{ x: 2 }, { x: 3 }], 'in'), '{broken', env('2026-12-01T07:50:00Z', [[1]], 'arrays')]);
    write('ep/blue/model_inputs/2026/12/01/08/i.jsonl', [env('2026-12-01T08:00:00Z', [{ x: 4 }], 'in2'), JSON.stringify({ data: 'u', datainblob: 'true' })]);
    const stats = emptyCollectedStats();
    const files: CollectedFile[] = localFiles(root);
    const rows = await allRows(readCollected(files, { from: new Date('2026-12-01T07:30:00Z'), to: new Date('2026-12-01T09:00:00Z') }, OPTIONS, stats));
    assert.deepEqual(rows, [{ x: 2, correlationid: 'in' }, { x: 3, correlationid: 'in' }, { x: 4, correlationid: 'in2' }]);
    assert.equal(stats.filesRead, 2);
    assert.equal(stats.filesOutsideWindow, 1);
    assert.equal(stats.envelopesOutsideWindow, 1);
    assert.deepEqual(stats.malformedAt, ['ep/blue/model_inputs/2026/12/01/07/i.jsonl:3']);
    assert.equal(stats.unreadable, 1);
    assert.equal(stats.inBlob, 1);
    assert.equal(stats.records, 3);
    fs.rmSync(root, { recursive: true, force: true });
  });
  it('reads an envelope split across chunks', async () => {
    const file: CollectedFile = { path: '2024/03/05/18/x.jsonl', open: () => chunked(BATCHED + '\n', 7) };
    const rows = await allRows(readCollected([file], { from: new Date('2024-03-05T00:00:00Z'), to: new Date('2024-03-06T00:00:00Z') }, OPTIONS));
    assert.equal(rows.length, 2);
  });
});
