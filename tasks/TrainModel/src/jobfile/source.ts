// A job file as the `yaml` package parses it: the document (nodes keep their offsets), a line counter
// for line/column, and where each value set by `jobOverrides` came from. YAML 1.1, as PyYAML (the
// official client's `load_yaml` → `yaml.safe_load`) reads it: `yes`/`on` are booleans there too.
import { Document, isMap, isNode, isScalar, isSeq, LineCounter, parseDocument, type Node, type ScalarTag, type Tags } from 'yaml';
import { InputError } from '../../../shared/src/inputs';

export type PathSegment = string | number;

export interface JobFileSource {
  /** The file name as the user gave it (for messages). */
  file: string;
  text: string;
  doc: Document;
  lines: LineCounter;
  /** Nodes set by a `jobOverrides` line → that line's number (1-based). */
  overridden: Map<Node, number>;
}

/** An error in a job file: names the input, the file, the place and the path in the file. */
export class JobFileError extends InputError {
  constructor(input: 'jobFile' | 'jobOverrides', where: string, problem: string) {
    // values quoted from the file must not become agent commands when the message is printed
    super(input, `${where}: ${problem}`.replace(/##(vso)?\[/gi, '# #$1['));
    this.name = 'JobFileError';
  }
}

// PyYAML's resolver differs from YAML 1.1 as the `yaml` package reads it: `y`/`n` are strings there,
// and a float needs a dot and a signed exponent (`1e-5` and `1.0e5` are strings, `1.0e-5` a float).
const PY_BOOL_TRUE = /^(?:yes|Yes|YES|true|True|TRUE|on|On|ON)$/;
const PY_BOOL_FALSE = /^(?:no|No|NO|false|False|FALSE|off|Off|OFF)$/;
const PY_FLOAT_EXP = /^[-+]?(?:[0-9][0-9_]*\.[0-9_]*|\.[0-9_]+)[eE][-+][0-9]+$/;

export function pyYamlTags(tags: Tags): Tags {
  return tags.map((t) => {
    const tag = t as ScalarTag;
    if (tag.tag === 'tag:yaml.org,2002:bool' && tag.test) return { ...tag, test: String(tag.test).includes('Y|y') ? PY_BOOL_TRUE : PY_BOOL_FALSE };
    if (tag.tag === 'tag:yaml.org,2002:float' && tag.format === 'EXP') return { ...tag, test: PY_FLOAT_EXP };
    return t;
  });
}

export function parseJobFile(file: string, text: string): JobFileSource {
  const lines = new LineCounter();
  const doc = parseDocument(text, { version: '1.1', customTags: pyYamlTags, lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  const err = doc.errors[0];
  if (err) {
    const { line, col } = lines.linePos(err.pos[0]);
    const what = err.message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '');
    throw new JobFileError('jobFile', `${file} line ${line}, column ${col}`, `is not valid YAML: ${what}`);
  }
  if (!isMap(doc.contents)) {
    throw new JobFileError('jobFile', file, 'is not a job file: its top level must be a mapping of fields (type, command, jobs, …)');
  }
  return { file, text, doc, lines, overridden: new Map() };
}

/** The node at a path, or undefined. */
export function nodeAt(src: JobFileSource, path: PathSegment[]): Node | undefined {
  let cur: unknown = src.doc.contents;
  for (const seg of path) {
    if (isMap(cur)) cur = cur.get(seg, true);
    else if (isSeq(cur) && typeof seg === 'number') cur = cur.get(seg, true);
    else return undefined;
  }
  return isNode(cur) ? cur : undefined;
}

/** The key node of the last segment of a path in a mapping (for "unknown field" errors). */
export function keyNodeAt(src: JobFileSource, path: PathSegment[]): Node | undefined {
  const parent = nodeAt(src, path.slice(0, -1));
  if (!isMap(parent)) return undefined;
  const pair = parent.items.find((p) => isScalar(p.key) && p.key.value === path[path.length - 1]);
  return pair && isNode(pair.key) ? pair.key : undefined;
}

export function formatPath(path: PathSegment[]): string {
  return path.map((s, i) => (typeof s === 'number' ? `[${s}]` : i === 0 ? s : `.${s}`)).join('') || '(top level)';
}

/**
 * "file line L, column C" for a node (or the nearest node above it that has a place in the file), or
 * "jobOverrides line N" when an override set it.
 */
export function placeOf(src: JobFileSource, node: Node | undefined, fallbackPath: PathSegment[] = []): { input: 'jobFile' | 'jobOverrides'; where: string } {
  let n = node;
  let path = fallbackPath;
  while (true) {
    if (n) {
      const line = src.overridden.get(n);
      if (line !== undefined) return { input: 'jobOverrides', where: `jobOverrides line ${line}` };
      if (n.range) {
        const { line: l, col } = src.lines.linePos(n.range[0]);
        return { input: 'jobFile', where: `${src.file} line ${l}, column ${col}` };
      }
    }
    if (path.length === 0) return { input: 'jobFile', where: src.file };
    path = path.slice(0, -1);
    n = nodeAt(src, path);
  }
}

/** Throws a JobFileError about the value at `path`. */
export function failAt(src: JobFileSource, path: PathSegment[], problem: string, o: { node?: Node; key?: boolean } = {}): never {
  const node = o.node ?? (o.key ? keyNodeAt(src, path) : undefined) ?? nodeAt(src, path);
  const { input, where } = placeOf(src, node, path);
  throw new JobFileError(input, where, `${formatPath(path)} ${problem}`);
}
