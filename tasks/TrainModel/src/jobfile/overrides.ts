// `jobOverrides`: lines `path=value`, applied to the file before it is validated, as
// `az ml job create --set` does (azure-ai-ml PathAwareSchema.add_param_overrides: the value replaces
// or adds the field at the dotted path, creating the mappings on the way). Unlike a plain dict update,
// a path that is no field of the job type's schema is refused (a typo such as `input.lr=0.2` would
// otherwise add a field the service rejects or, worse, ignores); a schema field the file leaves out
// may be set. Values stay strings, as the CLI passes them, except where the schema wants an integer,
// number or boolean, or where the value is a flow mapping/list (`{…}`, `[…]`).
import { isMap, isNode, isScalar, parse, type Node } from 'yaml';
import { InputError } from '../../../shared/src/inputs';
import type { Field } from './schema';
import { nodeAt, type JobFileSource, type PathSegment } from './source';

export interface Override {
  line: number;
  text: string;
  path: string[];
  raw: string;
}

export function parseOverrides(text: string | undefined): Override[] {
  const out: Override[] = [];
  (text ?? '').split(/\r?\n/).forEach((l, i) => {
    const line = l.trim();
    if (!line || line.startsWith('#')) return;
    const eq = line.indexOf('=');
    const path = eq > 0 ? line.slice(0, eq).trim() : '';
    const segments = path.split('.');
    if (eq <= 0 || segments.some((s) => !/^[$A-Za-z0-9_-]+$/.test(s))) {
      throw new InputError('jobOverrides', `line ${i + 1} '${line.slice(0, 80).replace(/##(vso)?\[/gi, '# #$1[')}' is not 'path=value'`, "lines like 'inputs.learning_rate=0.2' or 'limits.max_total_trials=40'");
    }
    out.push({ line: i + 1, text: line, path: segments, raw: line.slice(eq + 1).trim() });
  });
  return out;
}

function fail(o: Override, problem: string): never {
  throw new InputError('jobOverrides', `line ${o.line} '${o.text.slice(0, 80)}': ${problem}`.replace(/##(vso)?\[/gi, '# #$1['));
}

/** The schema field at a path, given what the document already holds there. */
function fieldAt(src: JobFileSource, root: Field, o: Override): Field {
  let f: Field = root;
  const done: PathSegment[] = [];
  for (const seg of o.path) {
    const here = nodeAt(src, done);
    f = pickShape(f, here, seg, o, done);
    switch (f.kind) {
      case 'any':
        return f;
      case 'object': {
        const next = f.fields[seg];
        if (!next) {
          if (f.open) return { kind: 'any' };
          const known = Object.keys(f.fields).filter((k) => k !== '$schema').join(', ');
          fail(o, `'${[...done, seg].join('.')}' is not a field of ${f.schemaClass} (known fields: ${known})`);
        }
        f = next;
        break;
      }
      case 'map':
        f = f.values;
        break;
      default:
        fail(o, `'${done.join('.')}' is a single value: it has no field '${seg}'`);
    }
    done.push(seg);
  }
  return f;
}

/** Chooses among union options and tagged variants the one that has the field `seg`. */
function pickShape(f: Field, here: Node | undefined, seg: string, o: Override, done: PathSegment[]): Field {
  if (f.kind === 'union') {
    if (here && isScalar(here)) fail(o, `'${done.join('.')}' is a reference string in the file: set it whole ('${done.join('.')}=…'), not its fields`);
    const mapping = f.options.find((opt) => opt.kind === 'object' || opt.kind === 'tagged' || opt.kind === 'map');
    if (!mapping) fail(o, `'${done.join('.')}' is a single value: it has no field '${seg}'`);
    return pickShape(mapping, here, seg, o, done);
  }
  if (f.kind === 'tagged') {
    const typeNode = here && isMap(here) ? here.get('type', true) : undefined;
    const type = isScalar(typeNode) && typeof typeNode.value === 'string' ? typeNode.value.toLowerCase() : f.defaultVariant;
    if (type && f.variants[type]) return f.variants[type];
    const withField = Object.values(f.variants).find((v) => seg in v.fields);
    if (!withField) fail(o, `'${[...done, seg].join('.')}' is no field of ${f.describe}`);
    return withField;
  }
  return f;
}

function valueFor(field: Field, o: Override): unknown {
  const raw = o.raw;
  const bad = (what: string): never => fail(o, `'${raw.slice(0, 60)}' is not ${what}`);
  switch (field.kind) {
    case 'int':
      return /^[-+]?\d+$/.test(raw) ? Number(raw) : bad('an integer');
    case 'float':
      return raw !== '' && Number.isFinite(Number(raw)) ? Number(raw) : bad('a number');
    case 'bool':
      return /^(true|false)$/i.test(raw) ? raw.toLowerCase() === 'true' : bad('true or false');
    case 'str':
    case 'armStr':
    case 'enum':
    case 'primitive':
      return raw;
    default:
      if (/^[[{]/.test(raw)) {
        try {
          return parse(raw, { version: '1.1' }) as unknown;
        } catch (err) {
          return bad(`a YAML flow mapping or list (${(err as Error).message.split('\n')[0]})`);
        }
      }
      return raw;
  }
}

/** Applies the overrides to the document; the nodes they set remember their line for messages. */
export function applyOverrides(src: JobFileSource, schema: Field, overrides: Override[]): void {
  for (const o of overrides) {
    if (o.path[0] === 'type' && o.path.length === 1) fail(o, 'the job type cannot be overridden');
    const field = fieldAt(src, schema, o);
    const node = src.doc.createNode(valueFor(field, o));
    // create the missing mappings on the way as mappings (setIn would guess from the key)
    for (let i = 1; i < o.path.length; i++) {
      if (nodeAt(src, o.path.slice(0, i)) === undefined) src.doc.setIn(o.path.slice(0, i), src.doc.createNode({}));
    }
    src.doc.setIn(o.path, node);
    // mark the value and every mapping the override created, so errors inside them name this line
    const mark = (n: unknown): void => {
      if (!isNode(n)) return;
      src.overridden.set(n, o.line);
      if (isMap(n)) for (const p of n.items) { mark(p.key); mark(p.value); }
    };
    mark(node);
    for (let i = 1; i < o.path.length; i++) {
      const n = nodeAt(src, o.path.slice(0, i));
      if (n && !n.range) src.overridden.set(n, o.line);
    }
  }
}
