// Reads the collected files of a window: hour folders outside it are not opened; inside, an envelope
// whose `time` falls outside the window is left out (the first and last hour are partly outside).
import { selectHours } from './collectorLayout';
import { envelopeRecords, type EnvelopeOptions } from './collectorEnvelope';
import { textLines } from './lines';
import { parsePythonJson } from './pythonJson';
import type { ByteSource, Row, RowBatches } from './cells';
import type { Window } from './window';

/** A file of the collector's layout wherever it lives (a blob, a local file): its path and its bytes. */
export interface CollectedFile {
  path: string;
  open(): ByteSource;
}

export interface CollectedStats {
  filesRead: number;
  filesOutsideWindow: number;
  /** paths that are not in the YYYY/MM/DD/HH/*.jsonl layout (first few) */
  notInLayout: string[];
  envelopes: number;
  records: number;
  /** envelopes whose time is outside the window */
  envelopesOutsideWindow: number;
  /** lines that are not JSON objects, with where the first few are */
  malformed: number;
  malformedAt: string[];
  /** envelopes whose data could not be read as records, with why (first few) */
  unreadable: number;
  unreadableWhy: string[];
  /** envelopes whose payload is in a separate blob (over 4 MB), not followed */
  inBlob: number;
}

export function emptyCollectedStats(): CollectedStats {
  return { filesRead: 0, filesOutsideWindow: 0, notInLayout: [], envelopes: 0, records: 0, envelopesOutsideWindow: 0, malformed: 0, malformedAt: [], unreadable: 0, unreadableWhy: [], inBlob: 0 };
}

export async function* readCollected(files: readonly CollectedFile[], window: Window, options: EnvelopeOptions, stats: CollectedStats = emptyCollectedStats()): RowBatches {
  const { selected, outside, notInLayout } = selectHours(files, window);
  stats.filesOutsideWindow += outside;
  stats.notInLayout.push(...notInLayout.slice(0, 5 - Math.min(5, stats.notInLayout.length)));
  const from = window.from.getTime();
  const to = window.to.getTime();
  for (const file of selected) {
    stats.filesRead++;
    let lineNo = 0;
    for await (const lines of textLines(file.open())) {
      const rows: Row[] = [];
      for (const line of lines) {
        lineNo++;
        if (line.trim() === '') continue;
        let envelope: unknown;
        try { envelope = parsePythonJson(line); } catch { envelope = undefined; }
        if (envelope === null || typeof envelope !== 'object' || Array.isArray(envelope)) {
          stats.malformed++;
          if (stats.malformedAt.length < 5) stats.malformedAt.push(`${file.path}:${lineNo}`);
          continue;
        }
        stats.envelopes++;
        const r = envelopeRecords(envelope as Record<string, unknown>, options);
        if (r.kind === 'inBlob') { stats.inBlob++; continue; }
        if (r.kind === 'unreadable') {
          stats.unreadable++;
          if (stats.unreadableWhy.length < 5) stats.unreadableWhy.push(`${file.path}:${lineNo}: ${r.why}`);
          continue;
        }
        if (r.time !== undefined && (r.time < from || r.time >= to)) { stats.envelopesOutsideWindow++; continue; }
        stats.records += r.rows.length;
        for (const row of r.rows) rows.push(row);
      }
      if (rows.length) yield rows;
    }
  }
}
