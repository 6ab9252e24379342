// Azure ML model registry (api-version 2022-10-01): model containers (list, get, createOrUpdate) and model
// versions (list with $skip paging, `tags`/`properties`/`version` filters, listViewType, $orderBy, $top;
// get; createOrUpdate; delete). As the real service: a version PUT creates the container when needed,
// an existing version's modelUri cannot change (400 UserError "Asset paths cannot be updated.", nor its
// modelType: 400), names follow the AML rule (400). Races with other writers: assetPutRaces (aml-workspace.ts).
import { HttpError, type EmulatorApi, type RouteContext, type ServiceModule } from '../types';
import type { EmulatorState } from '../state';
import { AML_API_VERSIONS, AML_PROVIDER, assetPathsCannotBeUpdated, type Creator, creatorFromToken, requireWorkspace, systemData, takeAssetPutRace, WORKSPACE_PATH } from './aml-workspace';

export interface ModelVersionRecord {
  version: string;
  description?: string;
  tags: Record<string, string>;
  properties: Record<string, string>;
  modelType?: string;
  modelUri?: string;
  jobName?: string;
  flavors?: Record<string, unknown>;
  isArchived: boolean;
  isAnonymous: boolean;
  created: string;
  modified: string;
  /** Who created it and who wrote it last (ARM's systemData, from the callers' tokens); the test setup when absent. */
  creator?: Creator;
  modifier?: Creator;
}

export interface ModelContainerRecord {
  name: string;
  resourceGroup: string;
  workspace: string;
  description?: string;
  tags: Record<string, string>;
  properties: Record<string, string>;
  isArchived: boolean;
  created: string;
  modified: string;
  versions: Map<string, ModelVersionRecord>;
}

/** Page size of model version and container lists (tests may lower it with setModelPageSize). */
export const DEFAULT_MODEL_PAGE_SIZE = 100;

const NAME = /^[a-zA-Z0-9][a-zA-Z0-9_-]{0,254}$/;
const VERSION = /^[a-zA-Z0-9][a-zA-Z0-9._-]{0,63}$/;

function key(rg: string, ws: string, name: string): string {
  // resource group and workspace are case-insensitive (ARM); model names are case-sensitive (AML)
  return `${rg.toLowerCase()}/${ws.toLowerCase()}/${name}`;
}

/** Every model container of every workspace, keyed '<rg lower>/<ws lower>/<name>' (tests read and seed it). */
export function models(emulator: { state: EmulatorState }): Map<string, ModelContainerRecord> {
  return emulator.state.bucket<ModelContainerRecord>('aml.models');
}

export function setModelPageSize(emulator: { state: EmulatorState }, size: number): void {
  emulator.state.bucket<number>('aml.models.config').set('pageSize', size);
}

function pageSize(state: EmulatorState): number {
  return state.bucket<number>('aml.models.config').get('pageSize') ?? DEFAULT_MODEL_PAGE_SIZE;
}

export function getModel(emulator: { state: EmulatorState }, name: string, o: { resourceGroup?: string; workspace?: string } = {}): ModelContainerRecord | undefined {
  return models(emulator).get(key(o.resourceGroup ?? 'rg-ml', o.workspace ?? 'mlw', name));
}

export function getModelVersion(emulator: { state: EmulatorState }, name: string, version: string, o: { resourceGroup?: string; workspace?: string } = {}): ModelVersionRecord | undefined {
  return getModel(emulator, name, o)?.versions.get(version);
}

function ensureContainer(state: EmulatorState, rg: string, ws: string, name: string, now: string): ModelContainerRecord {
  const m = models({ state });
  let c = m.get(key(rg, ws, name));
  if (!c) {
    c = { name, resourceGroup: rg, workspace: ws, tags: {}, properties: {}, isArchived: false, created: now, modified: now, versions: new Map() };
    m.set(key(rg, ws, name), c);
  }
  return c;
}

function defined(m: Partial<Record<string, string>> | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(m ?? {})) if (v !== undefined) out[k] = v;
  return out;
}

/**
 * Seeds versions 1..count of a model (created one second apart, oldest first). `tags`, `properties` and
 * `uri` give each version's values by number; defaults: no tags, a job-output URI per version.
 */
export function seedModelVersions(
  emulator: { state: EmulatorState },
  o: {
    name: string;
    count: number;
    resourceGroup?: string;
    workspace?: string;
    tags?: (n: number) => Partial<Record<string, string>>;
    properties?: (n: number) => Partial<Record<string, string>>;
    uri?: (n: number) => string;
    archived?: (n: number) => boolean;
    modelType?: string;
  },
): ModelContainerRecord {
  const start = Date.now() - o.count * 1000 - 60_000;
  const c = ensureContainer(emulator.state, o.resourceGroup ?? 'rg-ml', o.workspace ?? 'mlw', o.name, new Date(start).toISOString());
  for (let n = 1; n <= o.count; n++) {
    const at = new Date(start + n * 1000).toISOString();
    c.versions.set(String(n), {
      version: String(n),
      tags: defined(o.tags?.(n)),
      properties: defined(o.properties?.(n)),
      modelType: o.modelType ?? 'custom_model',
      modelUri: o.uri?.(n) ?? `azureml://jobs/seed-job-${n}/outputs/model`,
      isArchived: o.archived?.(n) ?? false,
      isAnonymous: false,
      created: at,
      modified: at,
    });
  }
  return c;
}

function containerBody(emu: EmulatorApi, c: ModelContainerRecord): Record<string, unknown> {
  const numeric = [...c.versions.keys()].filter((v) => /^\d+$/.test(v)).map(Number);
  const latest = [...c.versions.values()].sort((a, b) => a.created.localeCompare(b.created)).pop();
  const max = numeric.length ? Math.max(...numeric) : 0;
  return {
    id: `/subscriptions/${emu.identities.subscriptionId}/resourceGroups/${c.resourceGroup}/providers/${AML_PROVIDER}/workspaces/${c.workspace}/models/${c.name}`,
    name: c.name,
    type: `${AML_PROVIDER}/workspaces/models`,
    properties: {
      description: c.description ?? null,
      tags: c.tags,
      properties: c.properties,
      isArchived: c.isArchived,
      latestVersion: latest?.version ?? null,
      nextVersion: String(max + 1),
    },
    systemData: { ...systemData(c.created), lastModifiedAt: c.modified },
  };
}

function versionBody(emu: EmulatorApi, c: ModelContainerRecord, v: ModelVersionRecord): Record<string, unknown> {
  return {
    id: `/subscriptions/${emu.identities.subscriptionId}/resourceGroups/${c.resourceGroup}/providers/${AML_PROVIDER}/workspaces/${c.workspace}/models/${c.name}/versions/${v.version}`,
    name: v.version,
    type: `${AML_PROVIDER}/workspaces/models/versions`,
    properties: {
      description: v.description ?? null,
      tags: v.tags,
      properties: v.properties,
      isArchived: v.isArchived,
      isAnonymous: v.isAnonymous,
      // never null: azure-ai-ml 1.4 reads `flavors.items()` of every model version it gets (model.py _from_rest_object)
      flavors: v.flavors ?? {},
      jobName: v.jobName ?? null,
      modelType: v.modelType ?? null,
      modelUri: v.modelUri ?? null,
    },
    systemData: { ...systemData(v.created, v.creator), lastModifiedAt: v.modified, ...(v.modifier ? { lastModifiedBy: v.modifier.by, lastModifiedByType: v.modifier.type } : {}) },
  };
}

/** `tags=k1,k2=v2` (also used for `properties`): every listed key present, with the value when given. */
function matchesFilter(values: Record<string, string>, filter: string | undefined): boolean {
  if (!filter) return true;
  return filter
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0)
    .every((term) => {
      const eq = term.indexOf('=');
      if (eq < 0) return term in values;
      return values[term.slice(0, eq)] === term.slice(eq + 1);
    });
}

function viewFilter(ctx: RouteContext): (archived: boolean) => boolean {
  const view = (ctx.query.listViewType ?? 'ActiveOnly').toLowerCase();
  if (view === 'activeonly') return (a) => !a;
  if (view === 'archivedonly') return (a) => a;
  if (view === 'all') return () => true;
  throw new HttpError(400, 'UserError', `The listViewType value '${ctx.query.listViewType}' is invalid. Valid values: ActiveOnly, ArchivedOnly, All.`);
}

function notFound(what: string): HttpError {
  return new HttpError(404, 'UserError', `${what} was not found.`);
}

function badName(name: string): HttpError {
  return new HttpError(400, 'UserError', `The model name '${name}' is invalid: it must start with a letter or digit and contain only letters, digits, '-' or '_' (at most 255 characters).`);
}

function stringMap(v: unknown, field: string): Record<string, string> {
  if (v === undefined || v === null) return {};
  if (typeof v !== 'object' || Array.isArray(v)) throw new HttpError(400, 'UserError', `'${field}' must be an object of strings.`);
  const out: Record<string, string> = {};
  for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
    if (x === null) continue;
    if (typeof x !== 'string') throw new HttpError(400, 'UserError', `'${field}.${k}' must be a string.`);
    out[k] = x;
  }
  return out;
}

interface VersionPutBody {
  properties?: {
    description?: string | null;
    tags?: Record<string, string | null> | null;
    properties?: Record<string, string | null> | null;
    isArchived?: boolean;
    isAnonymous?: boolean;
    flavors?: Record<string, unknown> | null;
    jobName?: string | null;
    modelType?: string | null;
    modelUri?: string | null;
  };
}

const sameUri = (a: string | undefined, b: string | undefined): boolean => (a ?? '').replace(/\/+$/, '') === (b ?? '').replace(/\/+$/, '');

const service: ServiceModule = {
  name: 'aml-models',
  order: 70,
  register(emu) {
    const o = { apiVersions: AML_API_VERSIONS };
    const container = (ctx: RouteContext): ModelContainerRecord | undefined => {
      const ws = requireWorkspace(emu, ctx);
      return models(emu).get(key(ws.resourceGroup, ws.name, ctx.params.name));
    };

    // ---- containers ----
    emu.addRoute('arm', 'GET', `${WORKSPACE_PATH}/models`, (ctx) => {
      const ws = requireWorkspace(emu, ctx);
      const keep = viewFilter(ctx);
      const prefix = key(ws.resourceGroup, ws.name, '');
      const list = [...models(emu).entries()].filter(([k, c]) => k.startsWith(prefix) && keep(c.isArchived)).map(([, c]) => containerBody(emu, c));
      ctx.json(200, emu.paged(list, ctx, pageSize(emu.state), { style: 'skip' }));
    }, o);
    emu.addRoute('arm', 'GET', `${WORKSPACE_PATH}/models/{name}`, (ctx) => {
      const c = container(ctx);
      if (!c) throw notFound(`Model container '${ctx.params.name}'`);
      ctx.json(200, containerBody(emu, c));
    }, o);
    emu.addRoute('arm', 'PUT', `${WORKSPACE_PATH}/models/{name}`, (ctx) => {
      const ws = requireWorkspace(emu, ctx);
      if (!NAME.test(ctx.params.name)) throw badName(ctx.params.name);
      const body = ctx.bodyJson<{ properties?: { description?: string | null; tags?: unknown; properties?: unknown; isArchived?: boolean } }>();
      if (!body || typeof body.properties !== 'object' || body.properties === null) throw new HttpError(400, 'UserError', "The request body must have 'properties'.");
      const now = new Date().toISOString();
      const existed = models(emu).has(key(ws.resourceGroup, ws.name, ctx.params.name));
      const c = ensureContainer(emu.state, ws.resourceGroup, ws.name, ctx.params.name, now);
      c.description = body.properties.description ?? undefined;
      c.tags = stringMap(body.properties.tags, 'properties.tags');
      c.properties = { ...c.properties, ...stringMap(body.properties.properties, 'properties.properties') };
      c.isArchived = body.properties.isArchived === true;
      c.modified = now;
      ctx.json(existed ? 200 : 201, containerBody(emu, c));
    }, o);

    // ---- versions ----
    emu.addRoute('arm', 'GET', `${WORKSPACE_PATH}/models/{name}/versions`, (ctx) => {
      const c = container(ctx);
      const keep = viewFilter(ctx);
      let list = [...(c?.versions.values() ?? [])].filter((v) => keep(v.isArchived));
      list = list.filter((v) => matchesFilter(v.tags, ctx.query.tags) && matchesFilter(v.properties, ctx.query.properties));
      if (ctx.query.version) list = list.filter((v) => v.version === ctx.query.version);
      if (ctx.query.description) list = list.filter((v) => (v.description ?? '').includes(ctx.query.description));
      // default order: newest first (what the studio and the CLI show)
      const order = (ctx.query.$orderBy ?? 'createdtime desc').toLowerCase().trim();
      const m = /^(createdtime|createdat|version|name)(\s+(asc|desc))?$/.exec(order);
      if (!m) throw new HttpError(400, 'UserError', `The $orderBy value '${ctx.query.$orderBy}' is not supported. Use 'createdtime desc' or 'createdtime asc'.`);
      const dir = m[3] === 'asc' ? 1 : -1;
      const num = (s: string): number => (/^\d+$/.test(s) ? Number(s) : Number.NaN);
      list.sort((a, b) => {
        if (m[1] === 'version' || m[1] === 'name') {
          const na = num(a.version);
          const nb = num(b.version);
          return dir * (Number.isNaN(na) || Number.isNaN(nb) ? a.version.localeCompare(b.version) : na - nb);
        }
        return dir * (a.created.localeCompare(b.created) || num(a.version) - num(b.version));
      });
      if (ctx.query.$top !== undefined) {
        const top = Number(ctx.query.$top);
        if (!Number.isInteger(top) || top < 1) throw new HttpError(400, 'UserError', `The $top value '${ctx.query.$top}' is invalid.`);
        list = list.slice(0, top);
      }
      const body = list.map((v) => versionBody(emu, c as ModelContainerRecord, v));
      ctx.json(200, emu.paged(body, ctx, pageSize(emu.state), { style: 'skip' }));
    }, o);
    emu.addRoute('arm', 'GET', `${WORKSPACE_PATH}/models/{name}/versions/{version}`, (ctx) => {
      const c = container(ctx);
      const v = c?.versions.get(ctx.params.version);
      if (!c || !v) throw notFound(`Model version '${ctx.params.name}:${ctx.params.version}'`);
      ctx.json(200, versionBody(emu, c, v));
    }, o);
    emu.addRoute('arm', 'PUT', `${WORKSPACE_PATH}/models/{name}/versions/{version}`, (ctx) => {
      const ws = requireWorkspace(emu, ctx);
      const { name, version } = ctx.params;
      if (!NAME.test(name)) throw badName(name);
      if (!VERSION.test(version)) throw new HttpError(400, 'UserError', `The model version '${version}' is invalid.`);
      const body = ctx.bodyJson<VersionPutBody>();
      const p = body?.properties;
      if (!p || typeof p !== 'object') throw new HttpError(400, 'UserError', "The request body must have 'properties'.");
      if (!p.modelUri) throw new HttpError(400, 'UserError', "'properties.modelUri' is required for a model version.");
      const tags = stringMap(p.tags, 'properties.tags');
      const properties = stringMap(p.properties, 'properties.properties');
      const now = new Date().toISOString();
      const race = takeAssetPutRace(emu, 'models', name, version);
      if (race) {
        const first = ensureContainer(emu.state, ws.resourceGroup, ws.name, name, now);
        first.versions.set(version, { version, tags: {}, properties: {}, modelType: 'custom_model', modelUri: race.path, isArchived: false, isAnonymous: false, created: now, modified: now });
      }
      const existing = models(emu).get(key(ws.resourceGroup, ws.name, name))?.versions.get(version);
      if (existing) {
        if (!sameUri(existing.modelUri, p.modelUri)) throw assetPathsCannotBeUpdated();
        if (p.modelType && existing.modelType && p.modelType !== existing.modelType) {
          throw new HttpError(400, 'UserError', `Model version '${name}:${version}' has modelType '${existing.modelType}'; the type of an existing version cannot be changed.`);
        }
        existing.description = p.description ?? undefined;
        existing.tags = tags;
        existing.properties = { ...existing.properties, ...properties };
        existing.isArchived = p.isArchived === true;
        existing.modified = now;
        existing.modifier = creatorFromToken(ctx.token);
        const c = models(emu).get(key(ws.resourceGroup, ws.name, name)) as ModelContainerRecord;
        ctx.json(200, versionBody(emu, c, existing));
        return;
      }
      const c = ensureContainer(emu.state, ws.resourceGroup, ws.name, name, now);
      const v: ModelVersionRecord = {
        version,
        ...(p.description ? { description: p.description } : {}),
        tags,
        properties,
        ...(p.modelType ? { modelType: p.modelType } : {}),
        modelUri: p.modelUri,
        ...(p.jobName ? { jobName: p.jobName } : {}),
        ...(p.flavors ? { flavors: p.flavors } : {}),
        isArchived: p.isArchived === true,
        isAnonymous: p.isAnonymous === true,
        created: now,
        modified: now,
        creator: creatorFromToken(ctx.token),
        modifier: creatorFromToken(ctx.token),
      };
      c.versions.set(version, v);
      c.modified = now;
      ctx.json(201, versionBody(emu, c, v));
    }, o);
    emu.addRoute('arm', 'DELETE', `${WORKSPACE_PATH}/models/{name}/versions/{version}`, (ctx) => {
      const c = container(ctx);
      if (!c || !c.versions.delete(ctx.params.version)) {
        ctx.send(204);
        return;
      }
      ctx.send(200);
    }, o);
  },
};
export default service;
