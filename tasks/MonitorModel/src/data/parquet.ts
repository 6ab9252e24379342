// Parquet → rows with hyparquet (a maintained pure-JS reader; no Parquet is decoded here). A Parquet file
// keeps its schema in a footer at the end, so the reader needs byte ranges rather than a stream: a local
// file gives them with positioned reads, a blob with ranged GETs. Rows are read one row group at a time,
// so a file is never held whole.
import * as fs from 'node:fs';
import { parquetMetadataAsync, parquetRead, type AsyncBuffer } from 'hyparquet';
import { toCell } from './records';
import type { Row, RowBatches } from './cells';

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

export async function* readParquet(src: ByteRanges, stats: ParquetStats = { rows: 0, rowGroups: 0, columns: [] }): RowBatches {
  const file = asyncBuffer(src);
  const metadata = await parquetMetadataAsync(file);
  stats.columns = metadata.schema.slice(1).filter((s) => !s.num_children).map((s) => s.name);
  let start = 0;
  for (const group of metadata.row_groups) {
    const end = start + Number(group.num_rows);
    let rows: Row[] = [];
    await parquetRead({
      file, metadata, rowStart: start, rowEnd: end, rowFormat: 'object',
      onComplete: (objects) => { rows = objects.map((o) => rowOf(o)); },
    });
    stats.rowGroups++;
    stats.rows += rows.length;
    start = end;
    if (rows.length) yield rows;
  }
}

function rowOf(o: Record<string, unknown>): Row {
  const row: Row = {};
  for (const k of Object.keys(o)) row[k] = toCell(o[k]);
  return row;
}
