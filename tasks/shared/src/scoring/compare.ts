// Deep comparison of JSON responses with an absolute numeric tolerance, reporting the first
// difference by its JSON path (e.g. `$.result[2]`).

export interface Difference {
  path: string;
  expected: string;
  actual: string;
}

function show(v: unknown): string {
  const s = v === undefined ? 'nothing' : JSON.stringify(v) ?? String(v);
  return s.length > 60 ? s.slice(0, 57) + '...' : s;
}

function kind(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  return typeof v;
}

/** The first difference between actual and expected, or undefined when they match within tolerance. */
export function firstDifference(actual: unknown, expected: unknown, tolerance: number, path = '$'): Difference | undefined {
  if (typeof expected === 'number' && typeof actual === 'number') {
    // the slack absorbs binary rounding only (1 - 1.05 is 0.050000000000000044 in floating point)
    const slack = Number.EPSILON * Math.max(1, Math.abs(actual), Math.abs(expected)) * 4;
    return Math.abs(actual - expected) <= tolerance + slack ? undefined : { path, expected: show(expected), actual: show(actual) };
  }
  if (kind(actual) !== kind(expected)) return { path, expected: show(expected), actual: show(actual) };
  if (Array.isArray(expected) && Array.isArray(actual)) {
    if (actual.length !== expected.length) return { path, expected: `${expected.length} item(s)`, actual: `${actual.length} item(s)` };
    for (let i = 0; i < expected.length; i++) {
      const d = firstDifference(actual[i], expected[i], tolerance, `${path}[${i}]`);
      if (d) return d;
    }
    return undefined;
  }
  if (expected !== null && typeof expected === 'object') {
    const a = actual as Record<string, unknown>;
    const e = expected as Record<string, unknown>;
    // keys come from the endpoint's reply too: one that is no plain name is shown JSON-quoted (no raw control characters)
    const sub = (k: string): string => (/^[A-Za-z_$][\w$]*$/.test(k) ? `${path}.${k}` : `${path}[${JSON.stringify(k)}]`);
    for (const k of Object.keys(e)) {
      if (!Object.prototype.hasOwnProperty.call(a, k)) return { path: sub(k), expected: show(e[k]), actual: 'missing' };
      const d = firstDifference(a[k], e[k], tolerance, sub(k));
      if (d) return d;
    }
    for (const k of Object.keys(a)) {
      if (!Object.prototype.hasOwnProperty.call(e, k)) return { path: sub(k), expected: 'missing', actual: show(a[k]) };
    }
    return undefined;
  }
  return actual === expected ? undefined : { path, expected: show(expected), actual: show(actual) };
}

/**
 * A response body as JSON. AML scoring scripts often return `json.dumps(result)`, which the server
 * encodes again: a JSON string holding JSON. When the expected value is not a string, such a
 * string is decoded once more. A body that is not JSON is compared as text.
 */
export function responseValue(body: Buffer | undefined, expected: unknown): unknown {
  const text = (body ?? Buffer.alloc(0)).toString('utf8');
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    return text;
  }
  if (typeof v === 'string' && typeof expected !== 'string') {
    try {
      return JSON.parse(v);
    } catch {
      return v;
    }
  }
  return v;
}
