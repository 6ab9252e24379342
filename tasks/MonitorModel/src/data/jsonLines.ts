// JSON lines → rows: one JSON object per line, a flat one read from its bytes into columns (jsonScan.ts),
// any other by JSON.parse. A line that is not an object is counted with its number
// (the first few kept for the message), never silently skipped.
import { toRow } from './records';
import { lineRanges } from './byteLines';
import { appendRow, ColumnBuilder } from './columnBatch';
import { KeyCache, readFlatObject, skipSpace } from './jsonScan';
import { parsePythonJson } from './pythonJson';
import type { ByteSource, RowBatches } from './cells';

export interface JsonLinesStats {
  lines: number;
  rows: number;
  /** lines that are not JSON objects */
  malformed: number;
  /** 1-based numbers of the first malformed lines */
  malformedLines: number[];
}

export function emptyJsonLinesStats(): JsonLinesStats {
  return { lines: 0, rows: 0, malformed: 0, malformedLines: [] };
}

export async function* readJsonLines(bytes: ByteSource, stats: JsonLinesStats = emptyJsonLinesStats()): RowBatches {
  const builder = new ColumnBuilder();
  const keys = new KeyCache(builder);
  for await (const { buf, starts, ends } of lineRanges(bytes)) {
    for (let n = 0; n < starts.length; n++) {
      stats.lines++;
      const s = starts[n];
      const e = ends[n];
      const i = skipSpace(buf, s, e);
      if (i === e) continue;
      if (buf[i] === 123) {
        const mark = builder.mark();
        const end = readFlatObject(buf, i, e, builder, keys);
        if (end >= 0 && skipSpace(buf, end, e) === e) { builder.endRow(); continue; }
        builder.rollback(mark);
        keys.clear();
      }
      // the full parse: nested values, escapes, Python's NaN, or not an object at all
      const line = buf.toString('utf8', s, e);
      if (line.trim() === '') continue;
      let value: unknown;
      try {
        value = parsePythonJson(line);
      } catch {
        value = undefined;
      }
      if (value === null || typeof value !== 'object' || Array.isArray(value)) {
        stats.malformed++;
        if (stats.malformedLines.length < 5) stats.malformedLines.push(stats.lines);
        continue;
      }
      appendRow(builder, toRow(value as Record<string, unknown>));
    }
    stats.rows += builder.rows;
    if (builder.rows) yield builder.take();
  }
}
