import * as assert from 'node:assert/strict';
import { parquetWriteBuffer } from 'hyparquet-writer';
import { readNumber } from '../src/data/cells';
import { CsvFormatError, readCsv, type CsvStats } from '../src/data/csv';
import { emptyJsonLinesStats, readJsonLines } from '../src/data/jsonLines';
import { lineRanges } from '../src/data/byteLines';
import { bufferRanges, readParquet, type ParquetStats } from '../src/data/parquet';
import { allRows, chunked } from './helpers';

describe('MonitorModel readers: lines', () => {
  const text = '\uFEFFé1\r\nzwei€\n\ndrei\r\n\r';
  for (const size of [1, 2, 3, 5, 64]) {
    it(`joins lines and characters split across ${size}-byte chunks, drops the BOM and CR`, async () => {
      const lines: string[] = [];
      for await (const r of lineRanges(chunked(text, size))) r.starts.forEach((s, i) => lines.push(r.buf.toString('utf8', s, r.ends[i])));
      assert.deepEqual(lines, ['é1', 'zwei€', '', 'drei']);
    });
  }
});

describe('MonitorModel readers: CSV', () => {
  const csv = '\uFEFFa,b,c\r\n1,"x, ""quoted""\nnext line",3\r\n4,,NaN\n\n7,8\n';
  for (const size of [1, 4, 7, 1000]) {
    it(`reads quotes, embedded newlines, CRLF and blank lines in ${size}-byte chunks`, async () => {
      const stats: CsvStats = { rows: 0, ragged: 0, columns: [] };
      const rows = await allRows(readCsv(chunked(csv, size), stats));
      assert.deepEqual(rows, [
        { a: '1', b: 'x, "quoted"\nnext line', c: '3' },
        { a: '4', b: '', c: 'NaN' },
        { a: '7', b: '8', c: undefined },
      ]);
      assert.deepEqual(stats, { rows: 3, ragged: 1, columns: ['a', 'b', 'c'] });
    });
  }
  for (const size of [1, 2, 3, 5, 9]) {
    it(`reads an unquoted CRLF file (the fast path) in ${size}-byte chunks, also when CR and LF are split`, async () => {
      const rows = await allRows(readCsv(chunked('x,y\r\n1.5,a\r\n,2\r\n\r\n3,\r\n', size)));
      assert.deepEqual(rows, [{ x: '1.5', y: 'a' }, { x: '', y: '2' }, { x: '3', y: '' }]);
    });
  }
  it('switches between the quoted and unquoted paths across chunks', async () => {
    const text = 'a,b\n' + '1,2\n'.repeat(50) + '"q,1",2\n' + '3,4\n'.repeat(50);
    for (const size of [3, 16, 64]) {
      const rows = await allRows(readCsv(chunked(text, size)));
      assert.equal(rows.length, 101);
      assert.deepEqual(rows[50], { a: 'q,1', b: '2' });
      assert.deepEqual(rows[100], { a: '3', b: '4' });
    }
  });
  it('fails on an unterminated quote, an empty file and a repeated header name', async () => {
    await assert.rejects(allRows(readCsv(chunked('a\n"open', 3))), CsvFormatError);
    await assert.rejects(allRows(readCsv(chunked('', 3))), /empty/);
    await assert.rejects(allRows(readCsv(chunked('a,a\n1,2', 3))), /'a' twice/);
  });
});

describe('MonitorModel readers: JSON lines', () => {
  it('reads objects, accepts Python\'s NaN/Infinity, and counts malformed lines with their numbers', async () => {
    const text = '{"a": 1, "b": "x"}\n{"a": NaN, "b": "NaN inside a string"}\nnot json\n[1,2]\n\n{"a": -Infinity, "n": {"deep": 1}}\n';
    const stats = emptyJsonLinesStats();
    const rows = await allRows(readJsonLines(chunked(text, 5), stats));
    assert.deepEqual(rows, [{ a: 1, b: 'x' }, { a: 'NaN', b: 'NaN inside a string' }, { a: '-Infinity', n: '{"deep":1}' }]);
    assert.deepEqual(stats, { lines: 6, rows: 3, malformed: 2, malformedLines: [3, 4] });
    assert.deepEqual(rows.map((r) => readNumber(r.a).kind), ['number', 'nan', 'number']);
  });
});

describe('MonitorModel readers: cells', () => {
  it('says why a cell is not a number', () => {
    const kinds = [1.5, ' 2 ', '', null, undefined, 'nan', '-NaN', NaN, 'abc', true, '1e3'].map((c) => readNumber(c).kind);
    assert.deepEqual(kinds, ['number', 'number', 'missing', 'missing', 'missing', 'nan', 'nan', 'nan', 'invalid', 'invalid', 'number']);
  });
});

describe('MonitorModel readers: Parquet (hyparquet)', () => {
  it('reads every row group of a file with numbers, text, nulls and 64-bit integers', async () => {
    const n = 2500;
    const buf = parquetWriteBuffer({
      rowGroupSize: 1000,
      columnData: [
        { name: 'temperature_c', data: Float64Array.from({ length: n }, (_, i) => i / 10), type: 'DOUBLE' },
        { name: 'site', data: Array.from({ length: n }, (_, i) => (i % 7 === 0 ? null : `s${i % 3}`)), type: 'STRING' },
        { name: 'count', data: BigInt64Array.from({ length: n }, (_, i) => BigInt(i)), type: 'INT64' },
      ],
    });
    const stats: ParquetStats = { rows: 0, rowGroups: 0, columns: [] };
    const batches: number[] = [];
    const rows = [];
    for await (const b of readParquet(bufferRanges(new Uint8Array(buf)), stats)) { batches.push(b.length); rows.push(...b); }
    assert.deepEqual(batches, [1000, 1000, 500]);
    assert.deepEqual(stats, { rows: n, rowGroups: 3, columns: ['temperature_c', 'site', 'count'] });
    assert.deepEqual(rows[1], { temperature_c: 0.1, site: 's1', count: 1 });
    assert.equal(rows[7].site, null);
    assert.equal(rows[2499].count, 2499);
  });
  it('rejects bytes that are not Parquet', async () => {
    await assert.rejects(allRows(readParquet(bufferRanges(Buffer.from('a,b\n1,2\n')))), /parquet/i);
  });
});

describe('MonitorModel readers: files by extension', () => {
  it('reads CSV, JSON lines and Parquet files alike, and says which extensions it knows', async () => {
    const fs = await import('node:fs');
    const os = await import('node:os');
    const path = await import('node:path');
    const { readTableFile, tableFormat, TABLE_EXTENSIONS } = await import('../src/data/tableFile');
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tables-'));
    fs.writeFileSync(path.join(dir, 'a.csv'), 'x,y\n1,a\n');
    fs.writeFileSync(path.join(dir, 'a.jsonl'), '{"x":1,"y":"a"}\n');
    fs.writeFileSync(path.join(dir, 'a.parquet'), new Uint8Array(parquetWriteBuffer({ columnData: [{ name: 'x', data: [1], type: 'INT32' }, { name: 'y', data: ['a'], type: 'STRING' }] })));
    for (const f of ['a.csv', 'a.jsonl', 'a.parquet']) {
      const rows = await allRows(readTableFile(path.join(dir, f), tableFormat(f)!));
      assert.deepEqual(rows.map((r) => [Number(r.x), r.y]), [[1, 'a']], f);
    }
    assert.equal(tableFormat('data.xlsx'), undefined);
    assert.deepEqual(TABLE_EXTENSIONS, ['.csv', '.jsonl', '.ndjson', '.json', '.parquet']);
    fs.rmSync(dir, { recursive: true, force: true });
  });
});
