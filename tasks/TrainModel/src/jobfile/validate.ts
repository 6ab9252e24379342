// Checks a parsed job file against the official schema (schema.ts) and returns its plain value.
// Types follow marshmallow as the official client configures it: Str takes only strings (a number
// where a name is expected is an error), Int/Float also take numeric strings, Bool takes true/false,
// StringTransformedEnum compares case-insensitively and keeps the lower-case value.
import { isMap, isScalar, isSeq, type Node, type Scalar } from 'yaml';
import { failAt, type JobFileSource, type PathSegment } from './source';
import type { Field, ObjectField } from './schema';

/** A literal value as the official client turns it into a job input: `str(value)` of the Python value. */
export class Literal {
  constructor(readonly value: string | number | boolean, readonly text: string) {}
}

export type Value = string | number | boolean | null | Literal | Value[] | { [k: string]: Value };

/** The scalar as written (an override's value has no place in the file: its JS value then). */
function textOf(src: JobFileSource, node: Scalar): string {
  return node.range && !src.overridden.has(node) ? src.text.slice(node.range[0], node.range[1]) : String(node.value);
}

/** Python's repr() of a float: shortest round-trip digits, exponent form below 1e-4 and from 1e16. */
export function pythonFloat(x: number): string {
  if (Number.isNaN(x)) return 'nan';
  if (!Number.isFinite(x)) return x > 0 ? 'inf' : '-inf';
  if (x === 0) return Object.is(x, -0) ? '-0.0' : '0.0';
  const [mant, e] = x.toExponential().split('e');
  const e10 = Number(e);
  if (e10 < -4 || e10 >= 16) return `${mant}e${e10 < 0 ? '-' : '+'}${String(Math.abs(e10)).padStart(2, '0')}`;
  const s = String(x);
  return s.includes('.') ? s : `${s}.0`;
}

function isFloatScalar(src: JobFileSource, node: Scalar): boolean {
  if (typeof node.value !== 'number') return false;
  if (!Number.isInteger(node.value)) return true;
  const t = textOf(src, node).trim().toLowerCase();
  return !/^[-+]?0x/.test(t) && /[.e]|inf|nan/.test(t);
}

/** The Python str() of a scalar as the official client puts it in a literal job input. */
export function literalOf(src: JobFileSource, node: Scalar): Literal {
  const v = node.value;
  if (typeof v === 'boolean') return new Literal(v, v ? 'True' : 'False');
  if (typeof v === 'number') {
    if (isFloatScalar(src, node)) return new Literal(v, pythonFloat(v));
    // Python ints have no size limit: past 2^53 the digits as written are the value
    const digits = textOf(src, node).trim().replace(/_/g, '').replace(/^\+/, '');
    return new Literal(v, !Number.isSafeInteger(v) && /^-?\d+$/.test(digits) ? digits.replace(/^(-?)0+(?=\d)/, '$1') : String(v));
  }
  return new Literal(String(v), String(v));
}

/** A mapping key: a scalar node in a parsed file, a plain string where an override created the pair. */
function keyOf(k: unknown): unknown {
  return isScalar(k) ? k.value : k;
}

function describeNode(node: Node | null | undefined): string {
  if (node === null || node === undefined) return 'nothing';
  if (isMap(node)) return 'a mapping';
  if (isSeq(node)) return 'a list';
  if (isScalar(node)) {
    const v = node.value;
    if (v === null) return 'null';
    if (typeof v === 'number') return `the number ${String(v)}`;
    if (typeof v === 'boolean') return `the boolean ${String(v)}`;
    return `the string '${String(v).slice(0, 60)}'`;
  }
  return 'an alias';
}

function describeField(f: Field): string {
  switch (f.kind) {
    case 'str': return 'a string';
    case 'armStr': return "'azureml:<name>'";
    case 'int': return 'an integer';
    case 'float': return 'a number';
    case 'bool': return 'true or false';
    case 'primitive': return 'a string, number or boolean';
    case 'any': return 'a value';
    case 'enum': return `one of ${f.values.join(', ')}`;
    case 'object': return 'a mapping';
    case 'map': return 'a mapping';
    case 'list': return 'a list';
    case 'union':
    case 'tagged': return f.describe;
  }
}

export function validateValue(src: JobFileSource, node: Node | null | undefined, field: Field, path: PathSegment[]): Value {
  const wrong = (): never => failAt(src, path, `must be ${describeField(field)}, not ${describeNode(node)}`, node ? { node } : {});
  if (node === null || node === undefined || (isScalar(node) && node.value === null)) {
    if (field.kind === 'any') return null;
    return failAt(src, path, `may not be empty: expected ${describeField(field)}`, node ? { node } : {});
  }
  switch (field.kind) {
    case 'any':
      return node.toJSON() as Value;
    case 'str':
      if (isScalar(node) && typeof node.value === 'string') return node.value;
      return wrong();
    case 'armStr':
      // ArmStr (settings.default_compute, default_datastore): only `azureml:<name>` or an ARM id
      if (isScalar(node) && typeof node.value === 'string') {
        if (node.value.startsWith('azureml:')) return node.value;
        return failAt(src, path, `must start with 'azureml:' ('azureml:${node.value}'), as the official PipelineJobSettingsSchema requires`, { node });
      }
      return wrong();
    case 'int':
      if (isScalar(node)) {
        const v = node.value;
        if (typeof v === 'number' && Number.isInteger(v)) return v;
        if (typeof v === 'string' && /^\s*[-+]?\d+\s*$/.test(v)) return Number(v);
      }
      return wrong();
    case 'float':
      if (isScalar(node)) {
        const v = node.value;
        if (typeof v === 'number') return v;
        if (typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v))) return Number(v);
      }
      return wrong();
    case 'bool':
      if (isScalar(node)) {
        const v = node.value;
        if (typeof v === 'boolean') return v;
        if (typeof v === 'string' && /^(true|false)$/i.test(v)) return v.toLowerCase() === 'true';
      }
      return wrong();
    case 'primitive':
      if (isScalar(node) && node.value !== null && ['string', 'number', 'boolean'].includes(typeof node.value)) return literalOf(src, node);
      return wrong();
    case 'enum':
      if (isScalar(node) && typeof node.value === 'string') {
        const lower = node.value.toLowerCase();
        if (field.values.includes(lower)) return lower;
      }
      return failAt(src, path, `must be ${describeField(field)}, not ${describeNode(node)}`, { node });
    case 'list':
      if (!isSeq(node)) return wrong();
      return node.items.map((item, i) => validateValue(src, item as Node, field.items, [...path, i]));
    case 'map': {
      if (!isMap(node)) return wrong();
      const out: Record<string, Value> = {};
      for (const pair of node.items) {
        const key = keyOf(pair.key);
        if (typeof key !== 'string') return failAt(src, path, 'has a key that is not a string', { node: pair.key as Node });
        if (field.nullable && (pair.value === null || (isScalar(pair.value) && pair.value.value === null))) {
          out[key] = null;
          continue;
        }
        out[key] = validateValue(src, pair.value as Node, field.values, [...path, key]);
      }
      return out;
    }
    case 'object':
      return validateObject(src, node, field, path);
    case 'union': {
      for (const option of field.options) {
        if (fits(node, option)) return validateValue(src, node, option, path);
      }
      return wrong();
    }
    case 'tagged': {
      if (!isMap(node)) return wrong();
      const typeNode = node.get('type', true) as Node | undefined;
      let type: string | undefined;
      if (typeNode === undefined) {
        if (!field.defaultVariant) return failAt(src, [...path, 'type'], `is required: expected ${field.describe}`);
        type = field.defaultVariant;
      } else if (isScalar(typeNode) && typeof typeNode.value === 'string') {
        type = typeNode.value.toLowerCase();
      }
      const variant = type === undefined ? undefined : field.variants[type];
      if (!variant) return failAt(src, [...path, 'type'], `must be ${field.describe}, not ${describeNode(typeNode)}`, { node: typeNode });
      const value = validateObject(src, node, variant, path);
      if (typeNode !== undefined && typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Literal)) value.type = type as string;
      return value;
    }
  }
}

/** Whether a union option is meant for this node (strings for scalar options, mappings for the others). */
function fits(node: Node, f: Field): boolean {
  switch (f.kind) {
    case 'str':
    case 'armStr':
    case 'enum':
      return isScalar(node) && typeof node.value === 'string';
    case 'primitive':
      return isScalar(node);
    case 'object':
      // InputLiteralValueSchema: `{value: …}` without a type
      return isMap(node);
    case 'tagged':
    case 'map':
      return isMap(node);
    case 'list':
      return isSeq(node);
    default:
      return true;
  }
}

export function validateObject(src: JobFileSource, node: Node, schema: ObjectField, path: PathSegment[]): Record<string, Value> {
  if (!isMap(node)) return failAt(src, path, `must be a mapping (${schema.schemaClass}), not ${describeNode(node)}`, { node });
  const out: Record<string, Value> = {};
  for (const pair of node.items) {
    const key = keyOf(pair.key);
    if (typeof key !== 'string') return failAt(src, path, 'has a key that is not a string', { node: pair.key as Node });
    if (schema.ignored?.includes(key)) continue;
    const field = schema.fields[key];
    if (!field) {
      if (schema.open) {
        out[key] = (pair.value as Node | null)?.toJSON() as Value;
        continue;
      }
      const known = Object.keys(schema.fields).filter((k) => k !== '$schema').join(', ');
      return failAt(src, [...path, key], `is not a field of ${schema.schemaClass} (known fields: ${known})`, { key: true });
    }
    out[key] = validateValue(src, pair.value as Node | null, field, [...path, key]);
  }
  for (const r of schema.required ?? []) {
    if (!(r in out)) return failAt(src, [...path, r], `is required (${schema.schemaClass})`);
  }
  return out;
}
