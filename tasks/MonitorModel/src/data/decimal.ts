// Decimal text in bytes → a double without making a string, exactly as Number() reads it. Only the easy
// case is taken: at most 15 significant digits (the integer is exact in a double) and a power of ten up
// to 22 (exact too), so one IEEE multiplication or division rounds correctly (Clinger 1990, "How to read
// floating point numbers accurately", the fast path). Anything else returns undefined and the caller
// reads the text with Number().

const POW10 = Array.from({ length: 23 }, (_, k) => Number(`1e${k}`));
const MAX_DIGITS = 15;

/** The end of a JSON number token starting at `start` (RFC 8259 grammar), or -1 when there is none. */
export function jsonNumberEnd(b: Uint8Array, start: number, end: number): number {
  let i = start;
  if (i < end && b[i] === 45 /* - */) i++;
  if (i >= end) return -1;
  if (b[i] === 48 /* 0 */) i++;
  else if (b[i] >= 49 && b[i] <= 57) { while (i < end && b[i] >= 48 && b[i] <= 57) i++; } else return -1;
  if (i < end && b[i] === 46 /* . */) {
    i++;
    const f = i;
    while (i < end && b[i] >= 48 && b[i] <= 57) i++;
    if (i === f) return -1;
  }
  if (i < end && (b[i] === 101 || b[i] === 69) /* e E */) {
    i++;
    if (i < end && (b[i] === 43 || b[i] === 45)) i++;
    const e = i;
    while (i < end && b[i] >= 48 && b[i] <= 57) i++;
    if (i === e) return -1;
  }
  return i;
}

/** What readDecimal found: `exact` when `value` is the token's value by the fast path (else Number() of its text). */
export interface Scanned { value: number; exact: boolean }

/**
 * Scans a decimal number token at b[start] and returns the index past it (-1 when none starts there),
 * setting `out` (each caller keeps its own in a module-local constant: a hot path reads it per number). `json`: RFC 8259's grammar (a leading '-' only, no leading zeros, digits after the
 * point); otherwise `[+-]?digits[.digits][(e|E)[+-]digits]` with a digit somewhere before the exponent,
 * a subset of what Number() reads. One pass: the digits are validated and accumulated together.
 */
export function readDecimal(b: Uint8Array, start: number, end: number, json: boolean, out: Scanned): number {
  let i = start;
  let negative = false;
  let c = i < end ? b[i] : -1;
  if (c === 45 || (c === 43 && !json)) { negative = c === 45; i++; }
  let mantissa = 0;
  let scale = 0; // digits after the point
  const intStart = i;
  while (i < end && b[i] === 48) i++; // leading zeros are not significant digits
  const significant = i;
  while (i < end && (c = b[i]) >= 48 && c <= 57) { mantissa = mantissa * 10 + (c - 48); i++; }
  let digits = i - significant; // significant digits taken (past 15 the value is not exact: see below)
  const intDigits = i - intStart;
  if (json && (intDigits === 0 || (intDigits > 1 && b[intStart] === 48))) return -1;
  if (i < end && b[i] === 46) {
    const point = i;
    i++;
    if (digits === 0) while (i < end && b[i] === 48) i++; // 0.000123: zeros before the first significant digit
    const fraction = i;
    while (i < end && (c = b[i]) >= 48 && c <= 57) { mantissa = mantissa * 10 + (c - 48); i++; }
    digits += i - fraction;
    scale = i - point - 1;
    if (scale === 0 && (json || intDigits === 0)) {
      if (json) return -1;
      i = point; // "." alone is no number
    }
  }
  if (intDigits === 0 && scale === 0) return -1;
  let exponent = 0;
  let expDigits = 0;
  if (i < end && (b[i] === 101 || b[i] === 69)) {
    let j = i + 1;
    let expNegative = false;
    if (j < end && (b[j] === 45 || b[j] === 43)) { expNegative = b[j] === 45; j++; }
    const e0 = j;
    while (j < end && (c = b[j]) >= 48 && c <= 57) { if (expDigits < 6) exponent = exponent * 10 + (c - 48); expDigits++; j++; }
    if (j === e0) {
      if (json) return -1;
    } else {
      i = j;
      if (expNegative) exponent = -exponent;
    }
  }
  const p = exponent - scale;
  const exact = digits <= MAX_DIGITS && expDigits <= 6 && (mantissa === 0 || (p >= -22 && p <= 22));
  out.exact = exact;
  if (exact) {
    const v = mantissa === 0 ? 0 : p >= 0 ? mantissa * POW10[p] : mantissa / POW10[-p];
    out.value = negative ? -v : v;
  }
  return i;
}

/**
 * The value of the whole of b[start, end) when it is a decimal number (readDecimal, not JSON) within the
 * exact range; undefined otherwise (other text, or a number that needs the slow, exact path).
 */
const scanned: Scanned = { value: 0, exact: false };

export function decimalValue(b: Uint8Array, start: number, end: number): number | undefined {
  return readDecimal(b, start, end, false, scanned) === end && scanned.exact ? scanned.value : undefined;
}
