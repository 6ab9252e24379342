// Bytes → line ranges, streamed, without decoding: a line split across chunks is carried whole into the
// next buffer; a trailing CR and a leading BOM are left out (as textLines does for text). A newline byte
// never occurs inside a UTF-8 character, so ranges cut at it decode as the text lines would.
import type { ByteSource } from './cells';

export interface LineRanges {
  buf: Buffer;
  /** [starts[i], ends[i]) is line i of buf */
  starts: number[];
  ends: number[];
}

function bomLength(b: Uint8Array, from: number): number {
  return b.length - from >= 3 && b[from] === 0xef && b[from + 1] === 0xbb && b[from + 2] === 0xbf ? 3 : 0;
}

export async function* lineRanges(bytes: ByteSource): AsyncGenerator<LineRanges> {
  let carry: Buffer | undefined;
  let first = true;
  let out: LineRanges;
  const push = (buf: Buffer, s: number, e: number): void => {
    out.starts.push(s);
    out.ends.push(e > s && buf[e - 1] === 13 ? e - 1 : e);
  };
  for await (const chunk of bytes) {
    let buf = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    if (carry) buf = Buffer.concat([carry, buf]);
    let pos = 0;
    if (first) {
      if (buf.length < 6) { carry = buf; continue; } // enough to see the BOM (TextDecoder and textLines each drop one)
      pos += bomLength(buf, pos);
      pos += bomLength(buf, pos);
      first = false;
    }
    out = { buf, starts: [], ends: [] };
    for (let nl = buf.indexOf(10, pos); nl !== -1; nl = buf.indexOf(10, pos)) {
      push(buf, pos, nl);
      pos = nl + 1;
    }
    carry = pos < buf.length ? buf.subarray(pos) : undefined;
    if (out.starts.length) yield out;
  }
  if (!carry) return;
  let pos = 0;
  if (first) { pos += bomLength(carry, pos); pos += bomLength(carry, pos); }
  out = { buf: carry, starts: [], ends: [] };
  for (let nl = carry.indexOf(10, pos); nl !== -1; nl = carry.indexOf(10, pos)) {
    push(carry, pos, nl);
    pos = nl + 1;
  }
  // the last line needs no newline; an empty rest is not a line
  const e = pos < carry.length && carry[carry.length - 1] === 13 ? carry.length - 1 : carry.length;
  if (e > pos) { out.starts.push(pos); out.ends.push(e); }
  if (out.starts.length) yield out;
}
