// Python's `json.dumps(obj, sort_keys=True)` (default separators ', ' and ': ', ensure_ascii), so that
// hashes the official client takes over a dict come out the same here (azure-ai-ml
// `_utils/utils.py hash_dict`, which names anonymous components).
import { pythonFloat } from './validate';

/** A float that must print as Python prints floats (1.0, not 1). */
export class PyFloat {
  constructor(readonly value: number) {}
}

function str(s: string): string {
  let out = '"';
  for (const ch of s) {
    const c = ch.codePointAt(0) as number;
    if (ch === '"') out += '\\"';
    else if (ch === '\\') out += '\\\\';
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (ch === '\b') out += '\\b';
    else if (ch === '\f') out += '\\f';
    else if (c < 0x20 || (c > 0x7e && c <= 0xffff)) out += `\\u${c.toString(16).padStart(4, '0')}`;
    else if (c > 0xffff) {
      const v = c - 0x10000;
      out += `\\u${(0xd800 + (v >> 10)).toString(16)}\\u${(0xdc00 + (v & 0x3ff)).toString(16)}`;
    } else out += ch;
  }
  return `${out}"`;
}

export function pythonJsonDumps(v: unknown): string {
  if (v === null || v === undefined) return 'null';
  if (v instanceof PyFloat) return pythonFloat(v.value).replace(/^inf$/, 'Infinity').replace(/^-inf$/, '-Infinity').replace(/^nan$/, 'NaN');
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (typeof v === 'number') return Number.isInteger(v) ? String(v) : pythonFloat(v);
  if (typeof v === 'string') return str(v);
  if (Array.isArray(v)) return `[${v.map(pythonJsonDumps).join(', ')}]`;
  const entries = Object.entries(v as Record<string, unknown>).filter(([, x]) => x !== undefined);
  // sort_keys compares code points, as JS string comparison of UTF-16 does for the BMP
  entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, x]) => `${str(k)}: ${pythonJsonDumps(x)}`).join(', ')}}`;
}

/** JSON for the wire: PyFloat becomes a plain number. */
export function toWire<T>(v: T): T {
  return JSON.parse(JSON.stringify(v, (_k, x: unknown) => (x instanceof PyFloat ? x.value : x))) as T;
}
