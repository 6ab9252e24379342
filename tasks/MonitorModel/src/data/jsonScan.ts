// The fast path for JSON lines: a flat object (scalar values, strings without escapes) read from its bytes
// straight into a ColumnBuilder, no object per record. Anything else it declines (returns -1) and the
// caller parses the line fully (JSON.parse, Python's NaN tokens, nested values): the scanner only ever
// accepts text JSON.parse accepts, with the values JSON.parse gives.
import type { ColumnBuilder } from './columnBatch';
import { jsonNumberEnd, readDecimal, type Scanned } from './decimal';

/** readDecimal's result, module-local (read per number). */
const scanned: Scanned = { value: 0, exact: false };

const QUOTE = 34;
const BACKSLASH = 92;
const MAX_DEPTH = 64;

export function skipSpace(b: Uint8Array, i: number, e: number): number {
  while (i < e) {
    const c = b[i];
    if (c === 32 || c === 9 || c === 10 || c === 13) i++;
    else break;
  }
  return i;
}

/** After a string at b[i] === '"' with no escape or control character: the index past its closing quote; else -1. */
export function plainStringEnd(b: Uint8Array, i: number, e: number): number {
  for (i++; i < e; i++) {
    const c = b[i];
    if (c === QUOTE) return i + 1;
    if (c === BACKSLASH || c < 32) return -1;
  }
  return -1;
}

function isHex(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 70) || (c >= 97 && c <= 102);
}

/** After any string at b[i] === '"', escapes checked; -1 when it is not valid JSON. */
function stringEnd(b: Uint8Array, i: number, e: number): number {
  for (i++; i < e; i++) {
    const c = b[i];
    if (c === QUOTE) return i + 1;
    if (c < 32) return -1;
    if (c === BACKSLASH) {
      const d = b[++i];
      if (d === 117 /* u */) {
        if (i + 4 >= e || !isHex(b[i + 1]) || !isHex(b[i + 2]) || !isHex(b[i + 3]) || !isHex(b[i + 4])) return -1;
        i += 4;
      } else if (!(d === QUOTE || d === BACKSLASH || d === 47 || d === 98 || d === 102 || d === 110 || d === 114 || d === 116)) return -1;
    }
  }
  return -1;
}

function literalEnd(b: Uint8Array, i: number, e: number, word: string): number {
  if (i + word.length > e) return -1;
  for (let k = 0; k < word.length; k++) if (b[i + k] !== word.charCodeAt(k)) return -1;
  return i + word.length;
}

/** After any JSON value at b[i] (validated, not built); -1 when it is not valid JSON or nests too deep. */
export function valueEnd(b: Uint8Array, i: number, e: number, depth = 0): number {
  if (i >= e) return -1;
  const c = b[i];
  if (c === QUOTE) return stringEnd(b, i, e);
  if (c === 123 /* { */ || c === 91 /* [ */) {
    if (depth >= MAX_DEPTH) return -1;
    const close = c === 123 ? 125 : 93;
    i = skipSpace(b, i + 1, e);
    if (b[i] === close) return i + 1;
    for (;;) {
      if (c === 123) {
        if (b[i] !== QUOTE) return -1;
        i = stringEnd(b, i, e);
        if (i < 0) return -1;
        i = skipSpace(b, i, e);
        if (b[i] !== 58 /* : */) return -1;
        i = skipSpace(b, i + 1, e);
      }
      i = valueEnd(b, i, e, depth + 1);
      if (i < 0) return -1;
      i = skipSpace(b, i, e);
      if (b[i] === close) return i + 1;
      if (b[i] !== 44 /* , */) return -1;
      i = skipSpace(b, i + 1, e);
    }
  }
  if (c === 116) return literalEnd(b, i, e, 'true');
  if (c === 102) return literalEnd(b, i, e, 'false');
  if (c === 110) return literalEnd(b, i, e, 'null');
  return jsonNumberEnd(b, i, e);
}

/** Column indices of a record's keys by their position, so a key repeated row after row is not decoded again. */
export class KeyCache {
  private keys: (Buffer | undefined)[] = [];
  private cols: number[] = [];

  constructor(private readonly builder: ColumnBuilder) {}

  column(b: Buffer, s: number, e: number, position: number): number {
    const known = this.keys[position];
    if (known !== undefined && known.length === e - s) {
      let k = 0;
      while (k < known.length && known[k] === b[s + k]) k++;
      if (k === known.length) return this.cols[position];
    }
    const col = this.builder.column(b.toString('utf8', s, e));
    this.keys[position] = Buffer.from(b.subarray(s, e));
    this.cols[position] = col;
    return col;
  }

  /** The column of the key at b[s] (just past its opening quote) when it is the one cached at `position` and
   * closes there: the index past its closing quote, the column in `matched`; else -1. */
  matched = 0;
  match(b: Buffer, s: number, e: number, position: number): number {
    const known = this.keys[position];
    if (known === undefined) return -1;
    const n = known.length;
    if (s + n >= e || b[s + n] !== QUOTE) return -1;
    for (let k = 0; k < n; k++) if (known[k] !== b[s + k]) return -1;
    this.matched = this.cols[position];
    return s + n + 1;
  }

  /** After a rollback: columns may have gone. */
  clear(): void {
    this.keys = [];
    this.cols = [];
  }
}

/**
 * A flat object at b[i] === '{' into the builder's current row (the caller ends the row). Returns the index
 * past the closing brace, or -1 to decline: nested values, escapes, Python's NaN, integer-like keys (an
 * object enumerates those first, so the full parse would see the columns in another order), bad JSON.
 */
export function readFlatObject(b: Buffer, i: number, e: number, builder: ColumnBuilder, keys: KeyCache): number {
  i = skipSpace(b, i + 1, e);
  if (b[i] === 125) return i + 1;
  for (let position = 0; ; position++) {
    if (b[i] !== QUOTE) return -1;
    // the key the row before had here (one pass: no escape or control byte can hide in a cached key's bytes)
    let ke = keys.match(b, i + 1, e, position);
    let col = keys.matched;
    if (ke < 0) {
      ke = plainStringEnd(b, i, e);
      if (ke < 0) return -1;
      const first = b[i + 1];
      if (first >= 48 && first <= 57) return -1;
      col = keys.column(b, i + 1, ke - 1, position);
    }
    i = skipSpace(b, ke, e);
    if (b[i] !== 58) return -1;
    i = skipSpace(b, i + 1, e);
    const c = b[i];
    if (c === QUOTE) {
      const se = plainStringEnd(b, i, e);
      if (se < 0) return -1;
      builder.setCell(col, b.toString('utf8', i + 1, se - 1));
      i = se;
    } else if (c === 45 || (c >= 48 && c <= 57)) {
      const ne = readDecimal(b, i, e, true, scanned);
      if (ne < 0) return -1;
      builder.setNumber(col, scanned.exact ? scanned.value : Number(b.toString('latin1', i, ne)));
      i = ne;
    } else if (c === 116 || c === 102 || c === 110) {
      const word = c === 116 ? 'true' : c === 102 ? 'false' : 'null';
      const le = literalEnd(b, i, e, word);
      if (le < 0) return -1;
      builder.setCell(col, c === 116 ? true : c === 102 ? false : null);
      i = le;
    } else return -1;
    i = skipSpace(b, i, e);
    if (b[i] === 125) return i + 1;
    if (b[i] !== 44) return -1;
    i = skipSpace(b, i + 1, e);
  }
}
