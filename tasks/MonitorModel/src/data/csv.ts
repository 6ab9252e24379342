// CSV (RFC 4180) → rows keyed by the header, streamed column-wise. Quoted fields may hold commas, doubled
// quotes and newlines; cells are text, except that a field which is plainly a decimal number is stored as
// that number straight from the bytes (the value Number() gives its text; the profile would read it so).
// A row with more or fewer fields than the header is counted, not guessed at.
import { ColumnBuilder } from './columnBatch';
import { readDecimal, type Scanned } from './decimal';
import type { ByteSource, Row, RowBatch, RowBatches } from './cells';

/** readDecimal's result, module-local (read per number). */
const scanned: Scanned = { value: 0, exact: false };

export interface CsvStats {
  rows: number;
  /** rows whose field count differs from the header's (kept: missing fields are missing values) */
  ragged: number;
  columns: string[];
}

export class CsvFormatError extends Error {
  constructor(message: string) { super(message); this.name = 'CsvFormatError'; }
}

/** Splits CSV text into records incrementally; `push` returns the records completed by this chunk. */
export class CsvSplitter {
  private field = '';
  private record: string[] = [];
  private inQuotes = false;
  private quoteSeen = false; // the previous char closed a quote (a second " means a literal quote)

  push(text: string, out: string[][]): void {
    if (!this.inQuotes && text.indexOf('"') === -1) { this.pushUnquoted(text, out); return; }
    let i = 0;
    const n = text.length;
    while (i < n) {
      if (this.inQuotes) {
        const q = text.indexOf('"', i);
        if (q === -1) { this.field += text.slice(i); return; }
        this.field += text.slice(i, q);
        this.inQuotes = false;
        this.quoteSeen = true;
        i = q + 1;
        continue;
      }
      const c = text.charCodeAt(i);
      if (c === 34 /* " */) {
        if (this.quoteSeen) this.field += '"';
        this.inQuotes = true;
        this.quoteSeen = false;
        i++;
        continue;
      }
      this.quoteSeen = false;
      if (c === 44 /* , */) { this.record.push(this.field); this.field = ''; i++; continue; }
      if (c === 10 /* \n */) { this.endRecord(out); i++; continue; }
      if (c === 13 /* \r */) { i++; continue; }
      // plain run up to the next special character
      let j = i + 1;
      while (j < n) {
        const d = text.charCodeAt(j);
        if (d === 44 || d === 10 || d === 13 || d === 34) break;
        j++;
      }
      this.field += text.slice(i, j);
      i = j;
    }
  }

  /** A chunk without quotes (most files): lines and fields split natively, not char by char. */
  private pushUnquoted(text: string, out: string[][]): void {
    this.quoteSeen = false;
    let start = 0;
    for (let nl = text.indexOf('\n'); nl !== -1; nl = text.indexOf('\n', start)) {
      this.takeFields(text.slice(start, nl).split(','));
      this.endRecord(out);
      start = nl + 1;
    }
    if (start < text.length) this.takeFields(text.slice(start).split(','));
  }

  /** Fields of a piece of a line: the first continues the open field, the last stays open. */
  private takeFields(parts: string[]): void {
    parts[0] = this.field + parts[0];
    for (let k = 0; k < parts.length - 1; k++) this.record.push(parts[k]);
    this.field = parts[parts.length - 1];
  }

  end(out: string[][]): void {
    if (this.inQuotes) throw new CsvFormatError('the file ends inside a quoted field');
    if (this.field !== '' || this.record.length) this.endRecord(out);
  }

  private endRecord(out: string[][]): void {
    // a CR before the newline (CRLF), also when the two arrived in different chunks
    this.record.push(this.field.endsWith('\r') ? this.field.slice(0, -1) : this.field);
    this.field = '';
    // a blank line is not a record
    if (!(this.record.length === 1 && this.record[0] === '')) out.push(this.record);
    this.record = [];
  }
}


const NL = 10;
const CR = 13;
const QUOTE = 34;
const COMMA = 44;

/** The fields of one record's text by the full parser (quotes, doubled quotes, newlines in quotes); undefined for a blank line. */
export function parseRecord(text: string): string[] | undefined {
  const out: string[][] = [];
  const splitter = new CsvSplitter();
  splitter.push(text, out);
  splitter.end(out);
  return out[0];
}

function hasBom(b: Uint8Array): boolean {
  return b.length >= 3 && b[0] === 0xef && b[1] === 0xbb && b[2] === 0xbf;
}

/**
 * Rows of a CSV file with a header line, as column batches. `stats` is filled as the rows stream.
 * A record without quotes (most) is split and its numbers read straight from the bytes; a record with a
 * quote (it ends at the first newline outside quotes) goes through the full parser.
 */
export async function* readCsv(bytes: ByteSource, stats: CsvStats = { rows: 0, ragged: 0, columns: [] }): RowBatches {
  const builder = new ColumnBuilder();
  let header: string[] | undefined;
  let headerColumns: number[] = [];
  let starts: number[] = [];
  let ends: number[] = [];

  const takeHeader = (fields: string[]): void => {
    const names = fields.map((h) => h.trim());
    const dup = names.find((h, k) => names.indexOf(h) !== k);
    if (dup !== undefined) throw new CsvFormatError(`the header names column '${dup}' twice`);
    header = names;
    stats.columns = names;
    headerColumns = names.map((h) => builder.column(h));
  };

  const fullRecord = (buf: Buffer, s: number, e: number): void => {
    const fields = parseRecord(buf.toString('utf8', s, e));
    if (!fields) return;
    if (!header) { takeHeader(fields); return; }
    if (fields.length !== header.length) stats.ragged++;
    for (let k = 0; k < headerColumns.length && k < fields.length; k++) builder.setCell(headerColumns[k], fields[k]);
    starts.push(s);
    ends.push(e);
    builder.endRow();
  };

  const plainRecord = (buf: Buffer, s: number, e: number): void => {
    if (e > s && buf[e - 1] === CR) e--;
    if (e === s) return; // a blank line is not a record
    if (!header) { fullRecord(buf, s, e); return; }
    const width = headerColumns.length;
    let k = 0;
    let fs = s;
    for (;;) {
      // a plain number is read while the field is scanned; anything else is scanned on to the comma as text
      const numberEnd = readDecimal(buf, fs, e, false, scanned);
      let fe = numberEnd;
      if (numberEnd > fs && (numberEnd === e || buf[numberEnd] === COMMA) && scanned.exact) {
        if (k < width) builder.setNumber(headerColumns[k], scanned.value);
      } else {
        if (fe < fs) fe = fs;
        while (fe < e && buf[fe] !== COMMA) fe++;
        if (k < width) builder.setCell(headerColumns[k], fe === fs ? '' : buf.toString('utf8', fs, fe));
      }
      k++;
      if (fe === e) break;
      fs = fe + 1;
    }
    if (k !== width) stats.ragged++;
    starts.push(s);
    ends.push(e);
    builder.endRow();
  };

  /** Reads the complete records of buf; returns where the incomplete rest starts. */
  const scan = (buf: Buffer, atEnd: boolean): number => {
    const n = buf.length;
    let pos = 0;
    let quote = buf.indexOf(QUOTE, pos);
    while (pos < n) {
      const nl = buf.indexOf(NL, pos);
      const lineEnd = nl === -1 ? n : nl;
      if (quote !== -1 && quote < lineEnd) {
        let inQuotes = false;
        let end = -1;
        for (let i = pos; i < n; i++) {
          const c = buf[i];
          if (c === QUOTE) inQuotes = !inQuotes;
          else if (c === NL && !inQuotes) { end = i; break; }
        }
        if (end === -1) {
          if (!atEnd) return pos;
          if (inQuotes) throw new CsvFormatError('the file ends inside a quoted field');
          end = n;
        }
        fullRecord(buf, pos, end);
        pos = end + 1;
        quote = buf.indexOf(QUOTE, pos);
        continue;
      }
      if (nl === -1 && !atEnd) return pos;
      plainRecord(buf, pos, lineEnd);
      pos = lineEnd + 1;
    }
    return n;
  };

  const take = (buf: Buffer): RowBatch => {
    const h = header as string[];
    const s = starts;
    const e = ends;
    starts = [];
    ends = [];
    stats.rows += builder.rows;
    return builder.take((i) => {
      const fields = parseRecord(buf.toString('utf8', s[i], e[i])) ?? [];
      const row: Row = {};
      for (let k = 0; k < h.length; k++) row[h[k]] = fields[k];
      return row;
    });
  };

  let carry: Buffer | undefined;
  let first = true;
  for await (const chunk of bytes) {
    let buf = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    if (carry) buf = Buffer.concat([carry, buf]);
    if (first) {
      if (buf.length < 6) { carry = buf; continue; } // enough to see a BOM (two, as the decoder and the old reader dropped both)
      for (let k = 0; k < 2 && hasBom(buf); k++) buf = buf.subarray(3);
      first = false;
    }
    const used = scan(buf, false);
    carry = used < buf.length ? buf.subarray(used) : undefined;
    if (builder.rows) yield take(buf);
  }
  let rest = carry ?? Buffer.alloc(0);
  if (first) for (let k = 0; k < 2 && hasBom(rest); k++) rest = rest.subarray(3);
  scan(rest, true);
  if (builder.rows) yield take(rest);
  if (!header) throw new CsvFormatError('the file is empty: no header line');
}
