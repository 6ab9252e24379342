// Parquet → rows with hyparquet (a maintained pure-JS reader; no Parquet is decoded here). A Parquet file
// keeps its schema in a footer at the end, so the reader needs byte ranges rather than a stream: a local
// file gives them with positioned reads, a blob with ranged GETs. Rows are read one row group at a time,
// so a file is never held whole, and each column chunk goes straight into a typed array.
import * as fs from 'node:fs';
import { parquetMetadataAsync, parquetRead, type AsyncBuffer, type ColumnData } from 'hyparquet';
import { ColumnBatch } from './columnBatch';
import { toCell } from './records';
import type { Cell, RowBatches } from './cells';

/** Random access to a file's bytes. */
export interface ByteRanges {
  byteLength: number;
  read(start: number, end: number): Promise<Uint8Array>;
}

export function fileRanges(file: string): ByteRanges {
  const size = fs.statSync(file).size;
  return {
    byteLength: size,
    async read(start, end) {
      const handle = await fs.promises.open(file, 'r');
      try {
        const buf = Buffer.alloc(end - start);
        await handle.read(buf, 0, end - start, start);
        return buf;
      } finally {
        await handle.close();
      }
    },
  };
}

export function bufferRanges(bytes: Uint8Array): ByteRanges {
  return { byteLength: bytes.byteLength, read: async (start, end) => bytes.subarray(start, end) };
}

function asyncBuffer(src: ByteRanges): AsyncBuffer {
  return {
    byteLength: src.byteLength,
    async slice(start: number, end?: number): Promise<ArrayBuffer> {
      const b = await src.read(start, end ?? src.byteLength);
      return b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer;
    },
  };
}

export interface ParquetStats {
  rows: number;
  rowGroups: number;
  columns: string[];
}

/** The top-level field names in schema order (a struct or list is one column, its JSON text per row). */
function topLevelNames(schema: readonly { name: string; num_children?: number }[]): string[] {
  const names: string[] = [];
  let i = 1;
  const skip = (): void => { const n = schema[i++].num_children ?? 0; for (let c = 0; c < n; c++) skip(); };
  while (i < schema.length) { names.push(schema[i].name); skip(); }
  return names;
}

/** A row group's column chunks straight into a column batch: typed numbers copied, other values as cells. */
class GroupColumns {
  readonly numbers = new Map<string, Float64Array>();
  readonly others = new Map<string, Cell[]>();

  constructor(private readonly start: number, private readonly n: number) {}

  add(chunk: ColumnData): void {
    let nums = this.numbers.get(chunk.columnName);
    if (!nums) { nums = new Float64Array(this.n).fill(NaN); this.numbers.set(chunk.columnName, nums); }
    const data = chunk.columnData;
    const from = Math.max(chunk.rowStart, this.start);
    const to = Math.min(chunk.rowEnd, this.start + this.n);
    const offset = chunk.rowStart;
    if (data instanceof Float64Array || data instanceof Float32Array || data instanceof Int32Array || data instanceof Uint32Array) {
      for (let r = from; r < to; r++) {
        const v = data[r - offset];
        if (v === v) nums[r - this.start] = v;
        else this.other(chunk.columnName)[r - this.start] = v; // NaN: counted as NaN, not missing
      }
      return;
    }
    for (let r = from; r < to; r++) {
      const cell = toCell(data[r - offset]);
      if (typeof cell === 'number' && cell === cell) nums[r - this.start] = cell;
      else this.other(chunk.columnName)[r - this.start] = cell;
    }
  }

  batch(order: readonly string[]): ColumnBatch {
    const names = [...order.filter((c) => this.numbers.has(c)), ...[...this.numbers.keys()].filter((c) => !order.includes(c))];
    return new ColumnBatch(names, this.n, names.map((c) => this.numbers.get(c) as Float64Array), names.map((c) => this.others.get(c)));
  }

  private other(name: string): Cell[] {
    let o = this.others.get(name);
    if (!o) { o = new Array<Cell>(this.n); this.others.set(name, o); }
    return o;
  }
}

/** Rows of a Parquet file, one column batch per row group: each column chunk copied into its typed array, no row objects. */
export async function* readParquet(src: ByteRanges, stats: ParquetStats = { rows: 0, rowGroups: 0, columns: [] }): RowBatches {
  const file = asyncBuffer(src);
  const metadata = await parquetMetadataAsync(file);
  stats.columns = metadata.schema.slice(1).filter((s) => !s.num_children).map((s) => s.name);
  const order = topLevelNames(metadata.schema);
  let start = 0;
  for (const group of metadata.row_groups) {
    const n = Number(group.num_rows);
    const columns = new GroupColumns(start, n);
    // onChunk is called for every chunk before parquetRead resolves (hyparquet src/read.js)
    await parquetRead({ file, metadata, rowStart: start, rowEnd: start + n, onChunk: (chunk) => columns.add(chunk) });
    stats.rowGroups++;
    stats.rows += n;
    start += n;
    if (n > 0) yield columns.batch(order);
  }
}
