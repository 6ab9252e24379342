// One line of a collected file is an envelope (CloudEvents-like) whose `data` holds the logged records:
//   {"specversion":"1.0","id":…,"source":…,"type":"azureml.inference.model_inputs",
//    "datacontenttype":"application/json","time":"2022-12-01T08:51:30Z",
//    "data":[{"col":…},…],"correlationid":…,"xrequestid":…,"modelversion":…,"contentrange":…}
// (Azure ML docs, how-to-collect-production-data, "Store collected data in Blob Storage"; requests close
// together are batched into one envelope, "Data collector batching"). Payload logging (`request`/
// `response` collections) logs the HTTP bodies instead: {"data": [[1,2,…],…]} and [11055.9, 4503.0];
// over 4 MB the body is in a separate blob and `datainblob` is "true".
import { toCell } from './records';
import type { Row } from './cells';

export interface EnvelopeOptions {
  /** column that carries the correlation id of each record (default correlationid) */
  correlationColumn: string;
  /** names for records logged as arrays (payload logging: {"data": [[t, occ, workday]]}) */
  positionalColumns?: readonly string[];
  /** name for records logged as bare values (a response body [11055.9, 4503.0]) */
  valueColumn: string;
}

export type EnvelopeResult =
  | { kind: 'records'; rows: Row[]; time?: number }
  | { kind: 'inBlob' } // the payload is in another blob (over 4 MB): counted, not followed
  | { kind: 'unreadable'; why: string };

/** The records of one parsed envelope, each carrying its correlation id in `correlationColumn`. */
export function envelopeRecords(envelope: Record<string, unknown>, options: EnvelopeOptions): EnvelopeResult {
  if (!('data' in envelope)) return { kind: 'unreadable', why: 'no data field' };
  if (String(envelope.datainblob).toLowerCase() === 'true') return { kind: 'inBlob' };
  const records = recordsOf(envelope.data, options);
  if (typeof records === 'string') return { kind: 'unreadable', why: records };
  const id = typeof envelope.correlationid === 'string' ? envelope.correlationid : undefined;
  const col = options.correlationColumn;
  // a record's own correlation id column wins: batched envelopes share one envelope id
  if (id !== undefined) for (const r of records) if (r[col] === undefined || r[col] === null || r[col] === '') r[col] = id;
  const t = typeof envelope.time === 'string' ? Date.parse(envelope.time) : NaN;
  return { kind: 'records', rows: records, ...(Number.isNaN(t) ? {} : { time: t }) };
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** A parsed record used as the row itself (no copy): only nested values are replaced by their JSON text. */
function objectRow(o: Record<string, unknown>): Row {
  for (const k in o) {
    const v = o[k];
    if (v !== null && typeof v === 'object') o[k] = toCell(v);
  }
  return o as Row;
}

/** Keys the extension's ACI scoring server (tasks/CreateImage/assets/server.py) wraps a body in: a request object
 * `{"data": [[…]]}` is logged as the record `[{"data": [[…]]}]`, a bare response `[v, …]` as `[{"value": [v, …]}]`. */
const WRAPPERS = ['data', 'value'];

function isWrapped(v: unknown): v is Record<string, unknown[]> {
  if (!isPlainObject(v)) return false;
  const keys = Object.keys(v);
  return keys.length === 1 && WRAPPERS.includes(keys[0]) && Array.isArray(v[keys[0]]);
}

function recordsOf(data: unknown, options: EnvelopeOptions): Row[] | string {
  if (Array.isArray(data)) {
    if (data.length === 0) return [];
    if (data.every(isWrapped)) {
      const out: Row[] = [];
      for (const w of data) {
        const inner = recordsOf(Object.values(w)[0], options);
        if (typeof inner === 'string') return inner;
        for (const r of inner) out.push(r);
      }
      return out;
    }
    if (data.every(isPlainObject)) return data.map(objectRow);
    if (data.every(Array.isArray)) {
      const names = options.positionalColumns;
      if (!names?.length) return 'records logged as arrays, and no column names for their positions';
      return data.map((a: unknown[]) => {
        const row: Row = {};
        names.forEach((n, k) => { row[n] = toCell(a[k]); });
        return row;
      });
    }
    if (data.every((v) => !isPlainObject(v) && !Array.isArray(v))) return data.map((v) => ({ [options.valueColumn]: toCell(v) }));
    return 'data mixes records, arrays and values';
  }
  if (isPlainObject(data)) {
    // a request body {"data": [...]} as payload logging stores it
    if (Object.keys(data).length === 1 && 'data' in data && Array.isArray(data.data)) return recordsOf(data.data, options);
    // a column-oriented frame {"col": [1,2], "col2": [3,4]}
    const values = Object.values(data);
    if (values.length && values.every(Array.isArray)) {
      const n = (values[0] as unknown[]).length;
      if (!values.every((v) => (v as unknown[]).length === n)) return 'columns of different lengths';
      const keys = Object.keys(data);
      return Array.from({ length: n }, (_, i) => {
        const row: Row = {};
        for (const k of keys) row[k] = toCell((data[k] as unknown[])[i]);
        return row;
      });
    }
    return [objectRow(data)];
  }
  if (data === null || data === undefined) return [];
  return [{ [options.valueColumn]: toCell(data) }];
}
