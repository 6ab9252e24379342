// The readers' fast paths (CSV records and collector envelopes read from their bytes into column arrays)
// against the full parse (the RFC 4180 splitter over the whole text; JSON.parse and envelopeRecords per
// line): every cell the profile sees must be the same, on tricky inputs and on random ones, whatever the
// chunk size; and the profiles of the two agree.
import * as assert from 'node:assert/strict';
import { parquetReadObjects } from 'hyparquet';
import { parquetWriteBuffer } from 'hyparquet-writer';
import type { Cell, Row, RowBatches } from '../src/data/cells';
import { ColumnBatch } from '../src/data/columnBatch';
import { CsvSplitter, readCsv } from '../src/data/csv';
import { readCollected, type CollectedFile } from '../src/data/collected';
import { envelopeRecords, type EnvelopeOptions } from '../src/data/collectorEnvelope';
import { decimalValue } from '../src/data/decimal';
import { bufferRanges, readParquet } from '../src/data/parquet';
import { emptyJsonLinesStats, readJsonLines } from '../src/data/jsonLines';
import { parsePythonJson } from '../src/data/pythonJson';
import { toRow } from '../src/data/records';
import { profileRows } from '../src/profile/dataProfile';
import { chunked, random, rowsOf } from './helpers';

const OPTIONS: EnvelopeOptions = { correlationColumn: 'correlationid', valueColumn: 'prediction' };
const WINDOW = { from: new Date('2026-12-01T00:00:00Z'), to: new Date('2026-12-02T00:00:00Z') };

/** CSV by the full parser alone: the whole text through the splitter, rows keyed by the header. */
function fullCsv(text: string): Row[] {
  const records: string[][] = [];
  const splitter = new CsvSplitter();
  splitter.push(text.replace(/^\uFEFF/, ''), records);
  splitter.end(records);
  const header = records[0].map((h) => h.trim());
  return records.slice(1).map((r) => Object.fromEntries(header.map((h, k) => [h, r[k]])));
}

/** Collected lines by the full parse alone. */
async function fullCollected(text: string): Promise<Row[]> {
  const rows: Row[] = [];
  // what a text decoder gives (one BOM dropped), cut at newlines, a CR before each dropped
  for (const lines of [text.replace(/^\uFEFF/, '').split('\n').map((l) => l.replace(/\r$/, ''))]) {
    for (const line of lines) {
      if (line.trim() === '') continue;
      let envelope: unknown;
      try { envelope = parsePythonJson(line); } catch { continue; }
      if (envelope === null || typeof envelope !== 'object' || Array.isArray(envelope)) continue;
      const r = envelopeRecords(envelope as Record<string, unknown>, OPTIONS);
      if (r.kind !== 'records') continue;
      if (r.time !== undefined && (r.time < WINDOW.from.getTime() || r.time >= WINDOW.to.getTime())) continue;
      rows.push(...r.rows);
    }
  }
  return rows;
}

/** Every cell as the profile reads it from the column batches: (row, column) → cell. */
async function cellsOf(batches: RowBatches): Promise<{ columns: string[]; rows: Map<string, Cell>[] }> {
  const columns: string[] = [];
  const rows: Map<string, Cell>[] = [];
  for await (const b of batches) {
    assert.ok(b instanceof ColumnBatch, 'the reader yields column batches');
    for (const c of b.columns) if (!columns.includes(c)) columns.push(c);
    for (let i = 0; i < b.length; i++) {
      const m = new Map<string, Cell>();
      b.columns.forEach((c, k) => { const v = b.cell(k, i); if (v !== undefined) m.set(c, v); });
      rows.push(m);
    }
  }
  return { columns, rows };
}

/** A fast cell agrees with the full parse's when it is the same, or the number Number() reads from that text. */
function assertSameCell(fast: Cell, full: Cell, where: string): void {
  if (typeof fast === 'number' && typeof full === 'string') {
    assert.ok(Object.is(fast, Number(full)) && full.trim() === full && full !== '', `${where}: ${fast} read from '${full}'`);
    return;
  }
  assert.ok(Object.is(fast, full), `${where}: fast ${JSON.stringify(fast)} (${typeof fast}), full ${JSON.stringify(full)} (${typeof full})`);
}

function assertAgree(fast: { rows: Map<string, Cell>[] }, full: Row[], label: string): void {
  assert.equal(fast.rows.length, full.length, `${label}: row count`);
  full.forEach((row, i) => {
    const keys = new Set([...Object.keys(row).filter((k) => row[k] !== undefined), ...fast.rows[i].keys()]);
    for (const k of keys) assertSameCell(fast.rows[i].get(k), row[k], `${label} row ${i} column ${k}`);
  });
}

async function profileSummary(batches: RowBatches): Promise<unknown> {
  const p = await profileRows(batches);
  return { rows: p.rows, columns: [...p.columns.values()].map((c) => ({ name: c.name, seen: c.numbers.seen, nan: c.nan, invalid: c.invalid, categorical: c.categorical, categories: c.categories && [...c.categories].sort(), sample: [...c.numbers.sorted()] })) };
}

const TRICKY_CSV = [
  '\uFEFFid,"a b",num,text\r\n',
  '1,"x, ""quoted""\r\nsecond line",1.5,plain\r\n',
  '2,,NaN,\r\n',
  '3,"",nan,"NaN"\n',
  '4,1e3,-2.5E-3,+7\n',
  '5,.5,5.,-0\n',
  '6,12345678901234567890,0.1234567890123456789,1e400\n',
  '7, 1.5 ,0x10,Infinity\n',
  '8,-Infinity,1_000,1e\n',
  '\n',
  '9,é,€1,"a""b"\n',
  '10,1,2\n',
  '11,1,2,3,4\n',
  '12,007,1.50,1e-7\r\n',
  '\r\n',
  '13,9007199254740993,123456789012345,0.000001',
].join('');

describe('MonitorModel readers: fast paths agree with the full parse', () => {
  for (const size of [1, 3, 7, 64, 1 << 20]) {
    it(`CSV: quotes, doubled quotes, CRLF, empty values, NaN, exponents, BOM, ragged rows in ${size}-byte chunks`, async () => {
      const fast = await cellsOf(readCsv(chunked(TRICKY_CSV, size)));
      assert.deepEqual(fast.columns, ['id', 'a b', 'num', 'text']);
      assertAgree(fast, fullCsv(TRICKY_CSV), 'csv');
    });
  }

  it('CSV: a field that is plainly a number is stored as one, anything else stays text', async () => {
    const { rows } = await cellsOf(readCsv(chunked(TRICKY_CSV, 1 << 20)));
    assert.equal(rows[0].get('num'), '1.5'); // a record with quotes goes through the full parse: text
    assert.equal(rows[3].get('id'), 4);
    assert.equal(rows[3].get('num'), -0.0025);
    assert.ok(Object.is(rows[4].get('text'), -0));
    assert.equal(rows[5].get('a b'), '12345678901234567890'); // past 15 digits: Number() reads the text
    assert.equal(rows[6].get('a b'), ' 1.5 ');
    assert.equal(rows[1].get('num'), 'NaN');
  });

  it('CSV: random files of numbers, quotes and blanks read the same as by the full parser', async () => {
    const r = random(7);
    const pieces = ['1', '-0.5', '3.25e2', '', 'NaN', '"q"', '"a,b"', '"x""y"', ' 2 ', 'abc', '1e-9', '0.1', '12345.678901', '"multi\nline"', '+4', '.', '-', '1e+21'];
    const lines = ['a,b,c'];
    for (let i = 0; i < 400; i++) {
      const n = 2 + Math.floor(r.uniform() * 3);
      lines.push(Array.from({ length: n }, () => pieces[Math.floor(r.uniform() * pieces.length)]).join(','));
    }
    const text = lines.join(r.uniform() < 0.5 ? '\n' : '\r\n');
    for (const size of [5, 97, 4096]) assertAgree(await cellsOf(readCsv(chunked(text, size))), fullCsv(text), `random csv ${size}`);
    assert.deepEqual(await profileSummary(readCsv(chunked(text, 13))), await profileSummary(rowsOf(fullCsv(text))));
  });

  const envelope = (data: string, extra = ''): string => `{"specversion":"1.0","type":"azureml.inference.model_inputs","time":"2026-12-01T08:00:00Z"${extra},"data":${data},"correlationid":"c-1"}`;
  const TRICKY_JSONL = [
    '\uFEFF' + envelope('[{"x":1.5,"y":"a","z":null,"b":true},{"x":-2e-3,"y":"b","correlationid":"own"}]'),
    envelope('[{"x":NaN,"y":"nan"},{"x":Infinity,"y":-Infinity}]'), // Python's tokens: the full parse
    envelope('[{"x":{"nested":[1,2]},"y":[3]}]'), // nested values: their JSON text
    envelope('[{"x":"esc\\"aped\\u00e9","y":"tab\\t"}]'),
    envelope('[{"2":1,"x":2}]'), // an integer-like key
    envelope('[{"x":1,"x":2}]'), // a repeated key: the last wins
    envelope('[[1,2],[3,4]]'), // arrays without names: unreadable
    envelope('[{"data":[[1,2]]}]'), // the ACI server's wrapper
    envelope('{"x":[1,2],"y":[3,4]}'), // a column frame
    envelope('[1,2,3]'), // bare values
    envelope('[]'),
    envelope('[{"x":12345678901234567890,"y":0.1234567890123456789,"z":1E400}]'),
    envelope('[{"x":1}]', ',"datainblob":"true"'),
    '{"time":"2026-11-30T23:59:59Z","data":[{"x":99,"new":1}],"correlationid":"outside"}',
    '{"time":"2026-12-01T23:59:59Z","data":[{"x":98}],"correlationid":7}',
    '{"time":5,"data":[{"x":97,"y":""}],"correlationid":"t"}',
    '{"data":[{"x":96}],"time":"2026-12-01T01:00:00Z","correlationid":"after-data"}',
    '  { "data" : [ { "x" : 95 , "y" : "sp" } ] , "time" : "2026-12-01T02:00:00Z" }  \r',
    '{"data":[{"x":94}]} trailing',
    '{"data":[{"x":01}]}',
    'not json',
    '',
    '   ',
    '{"data":[{"x":93}],"extra":{"deep":[1,{"a":"\\u0041"}],"s":"\\n"}}',
  ].join('\n');

  for (const size of [1, 3, 11, 1 << 20]) {
    it(`collector envelopes: nested values, escapes, NaN, wrappers, window edges, whitespace, BOM in ${size}-byte chunks`, async () => {
      const file: CollectedFile = { path: '2026/12/01/08/i.jsonl', open: () => chunked(TRICKY_JSONL, size) };
      const fast = await cellsOf(readCollected([file], WINDOW, OPTIONS));
      assertAgree(fast, await fullCollected(TRICKY_JSONL), 'collected');
      assert.ok(!fast.columns.includes('new'), 'a column only in an envelope outside the window is not seen');
    });
  }

  it('collector envelopes: the profile of the fast path is the full parse\'s', async () => {
    const file: CollectedFile = { path: '2026/12/01/08/i.jsonl', open: () => chunked(TRICKY_JSONL, 5) };
    assert.deepEqual(await profileSummary(readCollected([file], WINDOW, OPTIONS)), await profileSummary(rowsOf(await fullCollected(TRICKY_JSONL))));
  });

  it('JSON lines: flat objects from the bytes, any other line by JSON.parse, malformed ones counted', async () => {
    const text = [
      '\uFEFF{"x":1.5,"y":"a","z":null,"b":false}',
      '{"x":NaN,"y":"nan"}',
      '{"x":{"nested":[1,2]},"y":[3]}',
      '{"x":"esc\\"aped","y":"\\u00e9"}',
      '{"10":1,"x":2}',
      '{"x":1,"x":"two"}',
      ' { "x" : -0 , "y" : 1e400 } \r',
      '{}',
      '[1,2]',
      '"text"',
      '{"x":1} trailing',
      'not json',
      '',
      '{"x":12345678901234567890,"y":"é€"}',
    ].join('\n');
    const full: Row[] = [];
    for (const line of text.replace(/^\uFEFF/, '').split('\n')) {
      if (line.trim() === '') continue;
      try {
        const v = parsePythonJson(line);
        if (v !== null && typeof v === 'object' && !Array.isArray(v)) full.push(toRow(v as Record<string, unknown>));
      } catch { /* malformed */ }
    }
    for (const size of [2, 1 << 20]) {
      const stats = emptyJsonLinesStats();
      assertAgree(await cellsOf(readJsonLines(chunked(text, size), stats)), full, `jsonl ${size}`);
      assert.equal(stats.rows, full.length);
    }
  });

  it('Parquet: column chunks into typed arrays give the cells of hyparquet\'s row objects (NaN, nulls, 64-bit integers, booleans, floats)', async () => {
    const n = 2300;
    const buf = new Uint8Array(parquetWriteBuffer({
      rowGroupSize: 1000,
      columnData: [
        { name: 'x', data: Float64Array.from({ length: n }, (_, i) => (i % 11 === 0 ? NaN : i / 7)), type: 'DOUBLE' },
        { name: 'f', data: Float32Array.from({ length: n }, (_, i) => i / 3), type: 'FLOAT' },
        { name: 'i', data: Int32Array.from({ length: n }, (_, i) => i - 1000), type: 'INT32' },
        { name: 'big', data: BigInt64Array.from({ length: n }, (_, i) => BigInt(i) * 1000000007n), type: 'INT64' },
        { name: 'site', data: Array.from({ length: n }, (_, i) => (i % 5 === 0 ? null : `s${i % 3}`)), type: 'STRING' },
        { name: 'ok', data: Array.from({ length: n }, (_, i) => (i % 4 === 0 ? null : i % 2 === 0)), type: 'BOOLEAN' },
        { name: 'maybe', data: Array.from({ length: n }, (_, i) => (i % 3 === 0 ? null : i * 1.5)), type: 'DOUBLE' },
      ],
    }));
    const file = { byteLength: buf.byteLength, slice: async (s: number, e?: number) => buf.slice(s, e).buffer };
    const full = (await parquetReadObjects({ file })).map((o) => toRow(o as Record<string, unknown>));
    const fast = await cellsOf(readParquet(bufferRanges(buf)));
    assert.deepEqual(fast.columns, ['x', 'f', 'i', 'big', 'site', 'ok', 'maybe']);
    assertAgree(fast, full, 'parquet');
    assert.deepEqual(await profileSummary(readParquet(bufferRanges(buf))), await profileSummary(rowsOf(full)));
  });

  it('reads a decimal from bytes exactly as Number() reads its text, or declines', () => {
    const r = random(3);
    const texts = ['0', '-0', '1', '1.5', '.5', '5.', '+5', '1e5', '1E-5', '-1.25e+3', '123456789012345', '1234567890123456', '0.000000000000000000001', '9.999999999999999e22', '1e22', '1e23', '4.35', '0.1', '00012.5000', '0.000', '.000', '0e5', '-00.0012300', '000', '1.e3', '123456789012345.0', '0.1234567890123456', '1234567890.12345e-30'];
    for (let i = 0; i < 2000; i++) texts.push((r.normal() * 10 ** Math.floor(r.uniform() * 12 - 6)).toPrecision(1 + Math.floor(r.uniform() * 15)));
    for (const t of texts) {
      const v = decimalValue(Buffer.from(t), 0, t.length);
      if (v !== undefined) assert.ok(Object.is(v, Number(t)), `${t}: ${v} vs ${Number(t)}`);
    }
    for (const t of ['', '.', '-', '+', 'e5', '1e', '1x', ' 1', '1 ', '0x10', 'NaN', 'Infinity', '1_0', '1..2']) assert.equal(decimalValue(Buffer.from(t), 0, t.length), undefined, t);
  });
});
