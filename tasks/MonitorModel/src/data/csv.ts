// CSV (RFC 4180) → rows keyed by the header, streamed. Quoted fields may hold commas, doubled quotes and
// newlines; cells stay text (the profile decides what is a number). A row with more or fewer fields than
// the header is counted, not guessed at.
import type { ByteSource, Row, RowBatch, RowBatches } from './cells';

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
class CsvSplitter {
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

/** Rows of a CSV file with a header line. `stats` is filled as the rows stream. */
export async function* readCsv(bytes: ByteSource, stats: CsvStats = { rows: 0, ragged: 0, columns: [] }): RowBatches {
  const decoder = new TextDecoder('utf-8');
  const splitter = new CsvSplitter();
  let header: string[] | undefined;
  let first = true;
  const toRows = (records: string[][]): RowBatch => {
    const rows: RowBatch = [];
    for (const r of records) {
      if (!header) {
        header = r.map((h) => h.trim());
        const dup = header.find((h, k) => header!.indexOf(h) !== k);
        if (dup !== undefined) throw new CsvFormatError(`the header names column '${dup}' twice`);
        stats.columns = header;
        continue;
      }
      if (r.length !== header.length) stats.ragged++;
      const row: Row = {};
      for (let k = 0; k < header.length; k++) row[header[k]] = r[k];
      rows.push(row);
    }
    stats.rows += rows.length;
    if (header) rows.columns = header; // toRows sets every header key on every row
    return rows;
  };
  for await (const chunk of bytes) {
    let text = decoder.decode(chunk, { stream: true });
    if (first && text.length) {
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
      first = false;
    }
    const records: string[][] = [];
    splitter.push(text, records);
    const rows = toRows(records);
    if (rows.length) yield rows;
  }
  const records: string[][] = [];
  splitter.push(decoder.decode(), records);
  splitter.end(records);
  const rows = toRows(records);
  if (rows.length) yield rows;
  if (!header) throw new CsvFormatError('the file is empty: no header line');
}
