// The ARM operations of the official JS SDK packages, as the SDKs themselves describe them.
// Each package is generated (autorest) from the azure-rest-api-specs OpenAPI files; every operation
// has an `OperationSpec` (path template, method, request body mapper, reply mappers per status) kept
// in a module-level const that the package does not export. We evaluate the package's own operation
// source with one line appended that exports those consts, so the contract is the SDK's, not ours.
import * as fs from 'fs';
import { createRequire } from 'module';
import * as path from 'path';

/** A serializer mapper as @azure/core-client defines it (only the parts the contract check reads). */
export interface Mapper {
  serializedName?: string;
  required?: boolean;
  readOnly?: boolean;
  nullable?: boolean;
  constraints?: { Pattern?: RegExp; MinLength?: number; MaxLength?: number; InclusiveMinimum?: number; InclusiveMaximum?: number };
  type: {
    name: string;
    className?: string;
    modelProperties?: Record<string, Mapper>;
    polymorphicDiscriminator?: { serializedName: string; clientName: string };
    uberParent?: string;
    additionalProperties?: Mapper;
    element?: Mapper;
    value?: Mapper;
    allowedValues?: unknown[];
  };
}

interface RawOperationSpec {
  path: string;
  httpMethod: string;
  requestBody?: { mapper: Mapper };
  responses: Record<string, { bodyMapper?: Mapper }>;
  queryParameters?: { parameterPath: string; mapper: { serializedName?: string; defaultValue?: unknown } }[];
  urlParameters?: { parameterPath: string; skipEncoding?: boolean }[];
  serializer: { modelMappers: Record<string, unknown> };
}

/** Models of one package: mappers by class name, discriminated subtypes, extensible-enum values per property. */
export interface SdkModels {
  /** npm package name and version, e.g. `@azure/arm-machinelearning@2.1.1`. */
  source: string;
  mappers: Record<string, Mapper>;
  discriminators: Record<string, Mapper>;
  /** `Class.property` → the values of its `Known<Type>` enum (extensible enums are plain strings in the mappers). */
  knownValues: Map<string, string[]>;
}

export interface SdkOperation {
  /** e.g. `@azure/arm-machinelearning@2.1.1 jobs createOrUpdate (api-version 2022-10-01)`. */
  name: string;
  method: string;
  template: string;
  segments: string[];
  /** Segment indexes whose parameter may span several segments (`skipEncoding` url parameters such as `{scope}`). */
  multiSegment: Set<number>;
  requestBody?: Mapper;
  responses: Record<string, { bodyMapper?: Mapper }>;
  models: SdkModels;
}

/** Where each package keeps its generated operations (one rollup bundle, or one file per operation group). */
const PACKAGES: { pkg: string; files: (root: string) => string[]; typings: (root: string) => string }[] = [
  { pkg: '@azure/arm-machinelearning', files: (r) => [path.join(r, 'dist/index.js')], typings: (r) => path.join(r, 'types/arm-machinelearning.d.ts') },
  { pkg: '@azure/arm-containerinstance', files: (r) => [path.join(r, 'dist/index.js')], typings: (r) => path.join(r, 'types/arm-containerinstance.d.ts') },
  { pkg: '@azure/arm-containerregistry', files: (r) => listJs(path.join(r, 'dist/commonjs/operations')), typings: (r) => path.join(r, 'dist/commonjs/models/index.d.ts') },
  { pkg: '@azure/arm-resources', files: (r) => listJs(path.join(r, 'dist/commonjs/operations')), typings: (r) => path.join(r, 'dist/commonjs/models/index.d.ts') },
];

function listJs(dir: string): string[] {
  return fs.readdirSync(dir).filter((f) => f.endsWith('.js') && f !== 'index.js').map((f) => path.join(dir, f));
}

/** Runs a CommonJS file of the package with an extra export of its `…OperationSpec` consts. */
function operationSpecsOf(file: string): Record<string, RawOperationSpec> {
  const src = fs.readFileSync(file, 'utf8');
  const names = [...new Set([...src.matchAll(/^const (\w+OperationSpec(?:\$\w+)?) = \{/gm)].map((m) => m[1]))];
  if (names.length === 0) return {};
  const mod = { exports: {} as Record<string, unknown> };
  const req = createRequire(file);
  const body = `${src}\n;module.exports.__operationSpecs = { ${names.join(', ')} };`;
  new Function('exports', 'require', 'module', '__filename', '__dirname', body)(mod.exports, req, mod, file, path.dirname(file));
  return (mod.exports.__operationSpecs ?? {}) as Record<string, RawOperationSpec>;
}

/** `interface X extends Y { prop?: Type; }` → property types, and the parents, from the package typings. */
function parseTypings(dts: string): { props: Map<string, Map<string, string>>; parents: Map<string, string[]> } {
  const props = new Map<string, Map<string, string>>();
  const parents = new Map<string, string[]>();
  const re = /^export (?:declare )?interface (\w+)(?: extends ([\w, ]+))? \{\n([\s\S]*?)^\}/gm;
  for (const m of dts.matchAll(re)) {
    const p = new Map<string, string>();
    for (const l of m[3].matchAll(/^\s+(?:readonly )?(\w+)\??: (\w+)(?: \| null)?;$/gm)) p.set(l[1], l[2]);
    props.set(m[1], p);
    if (m[2]) parents.set(m[1], m[2].split(',').map((s) => s.trim()));
  }
  return { props, parents };
}

function knownValuesOf(pkgExports: Record<string, unknown>, dtsFile: string, mappers: Record<string, Mapper>): Map<string, string[]> {
  const { props, parents } = parseTypings(fs.readFileSync(dtsFile, 'utf8').replace(/\r\n/g, '\n'));
  const typeOf = (cls: string, prop: string, depth = 0): string | undefined => {
    const own = props.get(cls)?.get(prop);
    if (own || depth > 10) return own;
    for (const p of parents.get(cls) ?? []) {
      const t = typeOf(p, prop, depth + 1);
      if (t) return t;
    }
    return undefined;
  };
  const out = new Map<string, string[]>();
  for (const [cls, mapper] of Object.entries(mappers)) {
    for (const prop of Object.keys(mapper?.type?.modelProperties ?? {})) {
      const t = typeOf(cls, prop);
      const known = t ? pkgExports[`Known${t}`] : undefined;
      if (known && typeof known === 'object') out.set(`${cls}.${prop}`, Object.values(known as Record<string, string>).filter((v) => typeof v === 'string'));
    }
  }
  return out;
}

let cache: SdkOperation[] | undefined;

/** Every ARM operation of the four SDK packages the tasks use (loaded once per process, ~100 ms). */
export function sdkOperations(): SdkOperation[] {
  if (cache) return cache;
  const ops: SdkOperation[] = [];
  for (const p of PACKAGES) {
    const pkgJson = require.resolve(`${p.pkg}/package.json`);
    const root = path.dirname(pkgJson);
    const version = (JSON.parse(fs.readFileSync(pkgJson, 'utf8')) as { version: string }).version;
    let models: SdkModels | undefined;
    for (const file of p.files(root)) {
      for (const [constName, spec] of Object.entries(operationSpecsOf(file))) {
        if (!models) {
          const mm = spec.serializer.modelMappers as Record<string, Mapper> & { discriminators?: Record<string, Mapper> };
          // eslint-disable-next-line @typescript-eslint/no-require-imports
          const pkgExports = require(p.pkg) as Record<string, unknown>;
          models = {
            source: `${p.pkg}@${version}`, mappers: mm, discriminators: mm.discriminators ?? {},
            knownValues: knownValuesOf(pkgExports, p.typings(root), mm),
          };
        }
        const apiVersion = spec.queryParameters?.find((q) => q.mapper.serializedName === 'api-version')?.mapper.defaultValue;
        const group = path.basename(file, '.js') === 'index' ? '' : `${path.basename(file, '.js')} `;
        // `{nextLink}` operations follow a URL the service returned; they describe no route.
        // `/{resourceId}` (generic get-by-id) would claim every path and hide a route Azure lacks.
        if (spec.path.includes('{nextLink}') || /^\/\{\w+\}$/.test(spec.path)) continue;
        const segments = spec.path.split('/').filter(Boolean);
        const skip = new Set((spec.urlParameters ?? []).filter((u) => u.skipEncoding).map((u) => u.parameterPath));
        const multiSegment = new Set<number>();
        segments.forEach((s, i) => {
          const m = /^\{(\w+)\}$/.exec(s);
          if (m && skip.has(m[1]) && m[1] !== '$host') multiSegment.add(i);
        });
        ops.push({
          name: `${models.source} ${group}${constName.replace(/OperationSpec.*$/, '')} (api-version ${String(apiVersion)})`,
          method: spec.httpMethod.toUpperCase(), template: spec.path, segments, multiSegment,
          requestBody: spec.requestBody?.mapper, responses: spec.responses, models,
        });
      }
    }
  }
  cache = ops;
  return ops;
}

function segMatches(op: SdkOperation, segs: string[]): boolean {
  const t = op.segments;
  const multi = [...op.multiSegment];
  if (multi.length === 0) {
    if (t.length !== segs.length) return false;
    return t.every((s, i) => /^\{\w+\}$/.test(s) || s.toLowerCase() === segs[i].toLowerCase());
  }
  // One multi-segment parameter (`{scope}`, `{resourceId}`): match the fixed parts before and after it.
  const k = multi[0];
  const after = t.length - k - 1;
  if (segs.length < t.length) return false;
  const fixed = (ts: string, ps: string): boolean => /^\{\w+\}$/.test(ts) || ts.toLowerCase() === ps.toLowerCase();
  for (let i = 0; i < k; i++) if (!fixed(t[i], segs[i])) return false;
  for (let j = 0; j < after; j++) if (!fixed(t[t.length - 1 - j], segs[segs.length - 1 - j])) return false;
  return true;
}

/** The SDK operation serving `method path` (the most specific template wins), or undefined. */
export function findSdkOperation(method: string, p: string): SdkOperation | undefined {
  const segs = p.split('/').filter(Boolean).map((s) => {
    try {
      return decodeURIComponent(s);
    } catch {
      return s;
    }
  });
  const literalCount = (op: SdkOperation): number => op.segments.filter((s) => !/^\{\w+\}$/.test(s)).length - op.multiSegment.size * 100;
  let best: SdkOperation | undefined;
  for (const op of sdkOperations()) {
    if (op.method !== method.toUpperCase() || !segMatches(op, segs)) continue;
    if (!best || literalCount(op) > literalCount(best)) best = op;
  }
  return best;
}
