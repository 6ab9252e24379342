// Checks a JSON body on the wire against an SDK mapper (see sdk-operations.ts): required properties,
// types, enum values (closed enums from the mapper, extensible ones from the SDK's Known* enums),
// polymorphic discriminators, pattern/length constraints, and properties the schema does not have.
import type { Mapper, SdkModels } from './sdk-operations';

export type Direction = 'request' | 'reply';

interface Walk {
  models: SdkModels;
  direction: Direction;
  issues: string[];
}

const ISO_DURATION = /^-?P(?!$)(\d+(\.\d+)?Y)?(\d+(\.\d+)?M)?(\d+(\.\d+)?W)?(\d+(\.\d+)?D)?(T(?=\d)(\d+(\.\d+)?H)?(\d+(\.\d+)?M)?(\d+(\.\d+)?S)?)?$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Problems of `value` against `mapper`, each prefixed with its JSON path (`$.properties.jobType`). */
export function checkBody(value: unknown, mapper: Mapper, models: SdkModels, direction: Direction): string[] {
  const w: Walk = { models, direction, issues: [] };
  checkValue(w, value, mapper, '$', undefined);
  // The same problem in every item of a list is one problem.
  const unique = [...new Set(w.issues.map((i) => i.replace(/\[\d+\]/g, '[*]')))];
  return unique.length > 8 ? [...unique.slice(0, 8), `… and ${unique.length - 8} more`] : unique;
}

/** ARM compares enum values in requests case-insensitively (ARM RPC); replies carry the spec's own spelling. */
function sameEnumValue(w: Walk, allowed: string, value: string): boolean {
  return w.direction === 'request' ? allowed.toLowerCase() === value.toLowerCase() : allowed === value;
}

/** A Composite mapper may name its class only; the full mapper lives in the package's Mappers. */
function resolveComposite(w: Walk, mapper: Mapper): Mapper {
  if (mapper.type.modelProperties || !mapper.type.className) return mapper;
  return w.models.mappers[mapper.type.className] ?? mapper;
}

function checkValue(w: Walk, value: unknown, mapper: Mapper, at: string, knownKey: string | undefined): void {
  if (value === null || value === undefined) return; // presence is checked by the parent (required)
  const t = mapper.type.name;
  const bad = (what: string): void => void w.issues.push(`${at}: ${what}`);
  switch (t) {
    case 'String': {
      if (typeof value !== 'string') return bad(`expected a string, got ${JSON.stringify(value)}`);
      const c = mapper.constraints;
      if (w.direction === 'request' && c) {
        if (c.MinLength !== undefined && value.length < c.MinLength) bad(`shorter than ${c.MinLength} characters`);
        if (c.MaxLength !== undefined && value.length > c.MaxLength) bad(`longer than ${c.MaxLength} characters`);
        if (c.Pattern && !new RegExp(c.Pattern).test(value)) bad(`does not match the pattern ${String(c.Pattern)}`);
      }
      const known = knownKey ? w.models.knownValues.get(knownKey) : undefined;
      if (known && !known.some((k) => sameEnumValue(w, k, value))) bad(`'${value}' is not one of ${known.join(', ')}`);
      return;
    }
    case 'Enum':
      if (!(mapper.type.allowedValues ?? []).some((k) => sameEnumValue(w, String(k), String(value)))) bad(`'${String(value)}' is not one of ${(mapper.type.allowedValues ?? []).join(', ')}`);
      return;
    case 'Number':
      if (typeof value !== 'number') bad(`expected a number, got ${JSON.stringify(value)}`);
      return;
    case 'Boolean':
      if (typeof value !== 'boolean') bad(`expected a boolean, got ${JSON.stringify(value)}`);
      return;
    case 'DateTime': case 'Date': case 'DateTimeRfc1123':
      if (typeof value !== 'string' || Number.isNaN(Date.parse(value))) bad(`expected a date-time, got ${JSON.stringify(value)}`);
      return;
    case 'UnixTime':
      if (typeof value !== 'number') bad(`expected a unix time, got ${JSON.stringify(value)}`);
      return;
    case 'TimeSpan':
      if (typeof value !== 'string' || !ISO_DURATION.test(value)) bad(`expected an ISO 8601 duration, got ${JSON.stringify(value)}`);
      return;
    case 'Uuid':
      if (typeof value !== 'string' || !UUID.test(value)) bad(`expected a UUID, got ${JSON.stringify(value)}`);
      return;
    case 'ByteArray': case 'Base64Url':
      if (typeof value !== 'string') bad('expected base64 text');
      return;
    case 'Sequence':
      if (!Array.isArray(value)) return bad('expected an array');
      value.forEach((v, i) => checkValue(w, v, mapper.type.element!, `${at}[${i}]`, knownKey));
      return;
    case 'Dictionary':
      if (typeof value !== 'object' || Array.isArray(value)) return bad('expected an object');
      for (const [k, v] of Object.entries(value as Record<string, unknown>)) checkValue(w, v, mapper.type.value!, `${at}.${k}`, knownKey);
      return;
    case 'Composite':
      return checkComposite(w, value, mapper, at);
    default:
      return; // Object, Stream: any JSON
  }
}

/** The concrete mapper of a polymorphic value, by its discriminator property. */
function concreteMapper(w: Walk, mapper: Mapper, value: Record<string, unknown>, at: string): Mapper | undefined {
  const m = resolveComposite(w, mapper);
  const disc = m.type.polymorphicDiscriminator;
  if (!disc) return m;
  const uber = m.type.uberParent ?? m.type.className!;
  const kind = value[disc.serializedName];
  if (kind === undefined) {
    w.issues.push(`${at}: the required discriminator '${disc.serializedName}' is missing`);
    return undefined;
  }
  // A type can be both a subtype and the root of its own hierarchy (DatastoreProperties under
  // ResourceBase): its subtypes are indexed by its own class name, as @azure/core-client looks them up.
  // Some subtypes are indexed under an intermediate class (`AssetJobOutput.uri_folder` for JobOutput):
  // take the one whose properties carry this same discriminator.
  const sub = w.models.discriminators[`${m.type.className}.${String(kind)}`] ?? w.models.discriminators[`${uber}.${String(kind)}`]
    ?? Object.entries(w.models.discriminators).find(([k, v]) => k.endsWith(`.${String(kind)}`)
      && Object.values(resolveComposite(w, v).type.modelProperties ?? {}).some((p) => p.serializedName === disc.serializedName))?.[1];
  if (sub) return resolveComposite(w, sub);
  // No subtype claims this value: unknown unless the type has no subtypes of its own.
  const root = m.type.className!;
  const values = Object.entries(w.models.discriminators)
    .filter(([k, v]) => k.includes('.') && (k.startsWith(`${root}.`) || Object.values(resolveComposite(w, v).type.modelProperties ?? {}).some((p) => p.serializedName === disc.serializedName)))
    .map(([k]) => k.slice(k.indexOf('.') + 1));
  if (values.length > 0 && kind !== m.serializedName) {
    w.issues.push(`${at}.${disc.serializedName}: '${String(kind)}' is not one of ${values.join(', ')}`);
    return undefined;
  }
  return m;
}

interface Prop {
  path: string[];
  clientName: string;
  mapper: Mapper;
}

function splitSerializedName(name: string): string[] {
  // `properties.provisioningState` is flattened; `\\.` is a literal dot inside one name.
  return name.split(/(?<!\\)\./).map((s) => s.replace(/\\\./g, '.'));
}

function checkComposite(w: Walk, value: unknown, mapper: Mapper, at: string): void {
  if (typeof value !== 'object' || Array.isArray(value)) {
    w.issues.push(`${at}: expected an object, got ${JSON.stringify(value)}`);
    return;
  }
  const m = concreteMapper(w, mapper, value as Record<string, unknown>, at);
  if (!m) return;
  const props: Prop[] = Object.entries(m.type.modelProperties ?? {})
    .filter(([, pm]) => pm.serializedName !== undefined && pm.serializedName !== '')
    .map(([clientName, pm]) => ({ path: splitSerializedName(pm.serializedName!), clientName, mapper: pm }));
  checkProps(w, value as Record<string, unknown>, props, m, at);
}

function checkProps(w: Walk, obj: Record<string, unknown>, props: Prop[], owner: Mapper, at: string): void {
  const byKey = new Map<string, Prop[]>();
  for (const p of props) {
    const list = byKey.get(p.path[0]) ?? [];
    list.push(p);
    byKey.set(p.path[0], list);
  }
  for (const p of props) {
    if (p.path.length !== 1) continue;
    const v = obj[p.path[0]];
    const required = p.mapper.required && !(w.direction === 'request' && p.mapper.readOnly);
    if (v === undefined || (v === null && !p.mapper.nullable)) {
      if (required) w.issues.push(`${at}.${p.path[0]}: required property is missing`);
      continue;
    }
    checkValue(w, v, p.mapper, `${at}.${p.path[0]}`, `${owner.type.className}.${p.clientName}`);
  }
  for (const [key, list] of byKey) {
    const nested = list.filter((p) => p.path.length > 1);
    if (nested.length === 0) continue;
    const v = obj[key];
    const inner = nested.map((p) => ({ ...p, path: p.path.slice(1) }));
    if (v === undefined || v === null) {
      for (const p of inner) if (p.mapper.required && !(w.direction === 'request' && p.mapper.readOnly)) w.issues.push(`${at}.${key}.${p.path.join('.')}: required property is missing`);
      continue;
    }
    if (typeof v !== 'object' || Array.isArray(v)) {
      w.issues.push(`${at}.${key}: expected an object`);
      continue;
    }
    checkProps(w, v as Record<string, unknown>, inner, owner, `${at}.${key}`);
  }
  const extra = owner.type.additionalProperties;
  for (const [k, v] of Object.entries(obj)) {
    if (byKey.has(k)) continue;
    if (extra) checkValue(w, v, extra, `${at}.${k}`, undefined);
    else w.issues.push(`${at}.${k}: unknown property (the ${owner.type.className} schema has ${[...byKey.keys()].join(', ') || 'no properties'})`);
  }
}
