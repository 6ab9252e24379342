// Bytes → text lines, streamed: a line split across chunks is joined, a UTF-8 character split across
// chunks is decoded once whole (TextDecoder in stream mode), CRLF and a leading BOM are removed.
import type { ByteSource } from './cells';

/** Lines in batches of up to `batch`; the last line needs no newline; empty lines are kept (callers skip them). */
export async function* textLines(bytes: ByteSource, batch = 2048): AsyncGenerator<string[]> {
  const decoder = new TextDecoder('utf-8');
  let carry = '';
  let first = true;
  let out: string[] = [];
  for await (const chunk of bytes) {
    let text = carry + decoder.decode(chunk, { stream: true });
    if (first && text.length) {
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
      first = false;
    }
    let start = 0;
    for (let nl = text.indexOf('\n'); nl !== -1; nl = text.indexOf('\n', start)) {
      out.push(text.charCodeAt(nl - 1) === 13 && nl > start ? text.slice(start, nl - 1) : text.slice(start, nl));
      start = nl + 1;
      if (out.length >= batch) { yield out; out = []; }
    }
    carry = text.slice(start);
  }
  carry += decoder.decode();
  if (first && carry.charCodeAt(0) === 0xfeff) carry = carry.slice(1);
  if (carry.endsWith('\r')) carry = carry.slice(0, -1);
  if (carry.length) out.push(carry);
  if (out.length) yield out;
}
