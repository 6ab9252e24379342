// Reads the collected files of a window: hour folders outside it are not opened; inside, an envelope
// whose `time` falls outside the window is left out (the first and last hour are partly outside). An
// envelope of flat records (the collector's model_inputs/model_outputs) is read from its bytes into
// columns; any other line by JSON.parse and envelopeRecords, with the same result.
import { selectHours } from './collectorLayout';
import { envelopeRecords, type EnvelopeOptions } from './collectorEnvelope';
import { lineRanges } from './byteLines';
import { appendRow, ColumnBuilder } from './columnBatch';
import { KeyCache, plainStringEnd, readFlatObject, skipSpace, valueEnd } from './jsonScan';
import { parsePythonJson } from './pythonJson';
import type { ByteSource, RowBatches } from './cells';
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

const DATA = Buffer.from('data');
const TIME = Buffer.from('time');
const CORRELATION_ID = Buffer.from('correlationid');

function keyIs(b: Buffer, s: number, e: number, key: Buffer): boolean {
  if (e - s !== key.length) return false;
  for (let k = 0; k < key.length; k++) if (b[s + k] !== key[k]) return false;
  return true;
}

/** What the fast path found in an envelope besides its records (already in the builder); one object, reused. */
interface FastEnvelope { time: number | undefined; id: string | undefined }
const found: FastEnvelope = { time: undefined, id: undefined };

/**
 * An envelope whose `data` is an array of flat objects, read from its bytes: the records go into the
 * builder's rows, the time and correlation id are returned. Undefined to decline (the caller rolls the
 * builder back and parses the line fully): no `data`, another shape of data, `datainblob`, escapes, NaN…
 */
function fastEnvelope(b: Buffer, i: number, e: number, builder: ColumnBuilder, keys: KeyCache): FastEnvelope | undefined {
  if (b[i] !== 123) return undefined;
  i = skipSpace(b, i + 1, e);
  let data = false;
  let timeText: string | undefined;
  let id: string | undefined;
  if (b[i] === 125) return undefined; // no data field
  for (;;) {
    if (b[i] !== 34) return undefined;
    const ke = plainStringEnd(b, i, e);
    if (ke < 0) return undefined;
    const ks = i + 1;
    i = skipSpace(b, ke, e);
    if (b[i] !== 58) return undefined;
    i = skipSpace(b, i + 1, e);
    if (keyIs(b, ks, ke - 1, DATA)) {
      if (data || b[i] !== 91) return undefined;
      data = true;
      i = skipSpace(b, i + 1, e);
      if (b[i] !== 93) {
        for (;;) {
          if (b[i] !== 123) return undefined;
          i = readFlatObject(b, i, e, builder, keys);
          if (i < 0) return undefined;
          builder.endRow();
          i = skipSpace(b, i, e);
          if (b[i] === 93) break;
          if (b[i] !== 44) return undefined;
          i = skipSpace(b, i + 1, e);
        }
      }
      i++;
    } else if (keyIs(b, ks, ke - 1, TIME) || keyIs(b, ks, ke - 1, CORRELATION_ID)) {
      let text: string | undefined;
      let end: number;
      if (b[i] === 34) {
        end = plainStringEnd(b, i, e);
        if (end < 0) return undefined;
        text = b.toString('utf8', i + 1, end - 1);
      } else {
        end = valueEnd(b, i, e);
        if (end < 0) return undefined;
      }
      if (b[ks] === 116) timeText = text;
      else id = text;
      i = end;
    } else {
      // datainblob: the full parse counts it; any other field is only validated
      if (b[ks] === 100 && b.toString('latin1', ks, ke - 1) === 'datainblob') return undefined;
      i = valueEnd(b, i, e);
      if (i < 0) return undefined;
    }
    i = skipSpace(b, i, e);
    if (b[i] === 125) break;
    if (b[i] !== 44) return undefined;
    i = skipSpace(b, i + 1, e);
  }
  if (!data || skipSpace(b, i + 1, e) !== e) return undefined;
  const t = timeText === undefined ? NaN : Date.parse(timeText);
  found.time = Number.isNaN(t) ? undefined : t;
  found.id = id;
  return found;
}

export async function* readCollected(files: readonly CollectedFile[], window: Window, options: EnvelopeOptions, stats: CollectedStats = emptyCollectedStats()): RowBatches {
  const { selected, outside, notInLayout } = selectHours(files, window);
  stats.filesOutsideWindow += outside;
  stats.notInLayout.push(...notInLayout.slice(0, 5 - Math.min(5, stats.notInLayout.length)));
  const from = window.from.getTime();
  const to = window.to.getTime();
  const builder = new ColumnBuilder();
  const keys = new KeyCache(builder);
  const inWindow = (time: number | undefined): boolean => time === undefined || (time >= from && time < to);
  for (const file of selected) {
    stats.filesRead++;
    let lineNo = 0;
    for await (const { buf, starts, ends } of lineRanges(file.open())) {
      for (let n = 0; n < starts.length; n++) {
        lineNo++;
        const s = starts[n];
        const e = ends[n];
        const i = skipSpace(buf, s, e);
        if (i === e) continue;
        const mark = builder.mark();
        const fast = fastEnvelope(buf, i, e, builder, keys);
        if (fast) {
          stats.envelopes++;
          if (!inWindow(fast.time)) { stats.envelopesOutsideWindow++; builder.rollback(mark); keys.clear(); continue; }
          stats.records += builder.rows - mark.rows;
          if (fast.id !== undefined) builder.fillMissing(builder.column(options.correlationColumn), mark.rows, builder.rows, fast.id);
          continue;
        }
        builder.rollback(mark);
        keys.clear();
        // the full parse: other shapes of data (payloads, column frames, nested values), Python's NaN, bad lines
        const line = buf.toString('utf8', s, e);
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
        if (!inWindow(r.time)) { stats.envelopesOutsideWindow++; continue; }
        stats.records += r.rows.length;
        for (const row of r.rows) appendRow(builder, row);
      }
      if (builder.rows) yield builder.take();
    }
  }
}
