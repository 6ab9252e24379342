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

/**
 * The value of the whole of b[start, end) when it is `[+-]?digits[.digits][(e|E)[+-]digits]` (a subset of
 * what both JSON and Number() accept, with at least one digit before the exponent) within the exact range;
 * undefined otherwise (other text, or a number that needs the slow, exact path).
 */
export function decimalValue(b: Uint8Array, start: number, end: number): number | undefined {
  let i = start;
  let negative = false;
  if (i < end && (b[i] === 45 || b[i] === 43)) { negative = b[i] === 45; i++; }
  let mantissa = 0;
  let digits = 0; // significant digits taken (leading zeros are not significant)
  let anyDigit = false;
  let scale = 0; // digits after the point
  let c = 0;
  while (i < end && (c = b[i]) >= 48 && c <= 57) {
    anyDigit = true;
    if (mantissa !== 0 || c !== 48) { mantissa = mantissa * 10 + (c - 48); digits++; }
    i++;
  }
  if (i < end && b[i] === 46) {
    i++;
    while (i < end && (c = b[i]) >= 48 && c <= 57) {
      anyDigit = true;
      if (mantissa !== 0 || c !== 48) { mantissa = mantissa * 10 + (c - 48); digits++; }
      scale++;
      i++;
    }
  }
  if (!anyDigit || digits > MAX_DIGITS) return undefined;
  let exponent = 0;
  if (i < end && (b[i] === 101 || b[i] === 69)) {
    i++;
    let expNegative = false;
    if (i < end && (b[i] === 45 || b[i] === 43)) { expNegative = b[i] === 45; i++; }
    const e0 = i;
    while (i < end && (c = b[i]) >= 48 && c <= 57 && i - e0 < 6) { exponent = exponent * 10 + (c - 48); i++; }
    if (i === e0) return undefined;
    if (expNegative) exponent = -exponent;
  }
  if (i !== end) return undefined;
  const p = exponent - scale;
  let v: number;
  if (mantissa === 0) v = 0;
  else if (p >= 0 && p <= 22) v = mantissa * POW10[p];
  else if (p < 0 && p >= -22) v = mantissa / POW10[-p];
  else return undefined;
  return negative ? -v : v;
}
