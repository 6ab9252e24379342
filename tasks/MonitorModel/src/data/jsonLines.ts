// JSON lines → rows: one JSON object per line. A line that is not an object is counted with its number
// (the first few kept for the message), never silently skipped.
import { toRow } from './records';
import { textLines } from './lines';
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
  for await (const lines of textLines(bytes)) {
    const rows = [];
    for (const line of lines) {
      stats.lines++;
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
      rows.push(toRow(value as Record<string, unknown>));
    }
    stats.rows += rows.length;
    if (rows.length) yield rows;
  }
}
