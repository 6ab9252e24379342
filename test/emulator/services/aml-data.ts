// AML data assets (api 2022-10-01 DataContainer / DataVersionBase): containers and versions, as the
// official client resolves `azureml:<name>:<version>` job inputs (GET …/data/{name}/versions/{version}).
// As the real service, a version PUT creates the container when needed, dataType is uri_file | uri_folder |
// mltable, a dataUri is required, and an existing version cannot change its dataUri (400 UserError "Asset paths
// cannot be updated.") or its dataType (400).
import { HttpError, type EmulatorApi, type RouteContext, type ServiceModule } from '../types';
import type { EmulatorState, Workspace } from '../state';
import { AML_API_VERSIONS, AML_PROVIDER, assetPathsCannotBeUpdated, WORKSPACE_PATH } from './aml-workspace';

export type DataType = 'uri_file' | 'uri_folder' | 'mltable';

export interface DataVersionRecord {
  version: string;
  dataType: DataType;
  dataUri: string;
  description?: string;
  tags: Record<string, string>;
  created: string;
}

export interface DataContainerRecord {
  name: string;
  dataType: DataType;
  created: string;
  versions: Map<string, DataVersionRecord>;
}

const key = (rg: string, ws: string, name: string): string => `${rg}/${ws}/${name}`.toLowerCase();

export function dataAssets(emulator: { state: EmulatorState }): Map<string, DataContainerRecord> {
  return emulator.state.bucket<DataContainerRecord>('aml.data');
}

/** Seeds a data asset version (tests): `addDataVersion(emu, 'sales', '3', { dataType: 'uri_folder', dataUri })`. */
export function addDataVersion(emulator: { state: EmulatorState }, name: string, version: string,
  o: { dataType: DataType; dataUri: string; resourceGroup?: string; workspace?: string }): DataVersionRecord {
  const k = key(o.resourceGroup ?? 'rg-ml', o.workspace ?? 'mlw', name);
  const now = new Date().toISOString();
  const c = dataAssets(emulator).get(k) ?? { name, dataType: o.dataType, created: now, versions: new Map() };
  const v: DataVersionRecord = { version, dataType: o.dataType, dataUri: o.dataUri, tags: {}, created: now };
  c.versions.set(version, v);
  dataAssets(emulator).set(k, c);
  return v;
}

const NAME = /^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,254}$/;
const TYPES: readonly DataType[] = ['uri_file', 'uri_folder', 'mltable'];

const systemData = (at: string): Record<string, unknown> => ({
  createdAt: at, createdBy: 'emulator', createdByType: 'Application', lastModifiedAt: at, lastModifiedBy: 'emulator', lastModifiedByType: 'Application',
});

function wsId(emu: EmulatorApi, ws: Workspace): string {
  return `/subscriptions/${emu.identities.subscriptionId}/resourceGroups/${ws.resourceGroup}/providers/${AML_PROVIDER}/workspaces/${ws.name}`;
}

function versionBody(emu: EmulatorApi, ws: Workspace, c: DataContainerRecord, v: DataVersionRecord): Record<string, unknown> {
  return {
    id: `${wsId(emu, ws)}/data/${c.name}/versions/${v.version}`, name: v.version, type: `${AML_PROVIDER}/workspaces/data/versions`,
    properties: { dataType: v.dataType, dataUri: v.dataUri, description: v.description ?? null, tags: v.tags, properties: {}, isAnonymous: false, isArchived: false },
    systemData: systemData(v.created),
  };
}

function containerBody(emu: EmulatorApi, ws: Workspace, c: DataContainerRecord): Record<string, unknown> {
  const versions = [...c.versions.keys()];
  return {
    id: `${wsId(emu, ws)}/data/${c.name}`, name: c.name, type: `${AML_PROVIDER}/workspaces/data`,
    properties: { dataType: c.dataType, description: null, tags: {}, properties: {}, isArchived: false, latestVersion: versions[versions.length - 1] ?? null, nextVersion: String(versions.length + 1) },
    systemData: systemData(c.created),
  };
}

const service: ServiceModule = {
  name: 'aml-data',
  order: 62,
  register(emu) {
    const o = { apiVersions: AML_API_VERSIONS };
    const find = (ctx: RouteContext): { ws: Workspace; c: DataContainerRecord } => {
      const ws = emu.state.getWorkspace(ctx.params.rg, ctx.params.ws);
      if (!ws) throw new HttpError(404, 'ResourceNotFound', `Workspace '${ctx.params.ws}' was not found in resource group '${ctx.params.rg}'.`);
      const c = dataAssets(emu).get(key(ws.resourceGroup, ws.name, ctx.params.name));
      if (!c) throw new HttpError(404, 'UserError', `Could not find asset with name ${ctx.params.name} in workspace ${ws.name}.`);
      return { ws, c };
    };
    emu.addRoute('arm', 'GET', `${WORKSPACE_PATH}/data/{name}`, (ctx) => {
      const { ws, c } = find(ctx);
      ctx.json(200, containerBody(emu, ws, c));
    }, o);
    emu.addRoute('arm', 'GET', `${WORKSPACE_PATH}/data/{name}/versions`, (ctx) => {
      const { ws, c } = find(ctx);
      ctx.json(200, emu.paged([...c.versions.values()].reverse().map((v) => versionBody(emu, ws, c, v)), ctx, 20, { style: 'skip' }));
    }, o);
    emu.addRoute('arm', 'GET', `${WORKSPACE_PATH}/data/{name}/versions/{version}`, (ctx) => {
      const { ws, c } = find(ctx);
      const v = c.versions.get(ctx.params.version);
      if (!v) throw new HttpError(404, 'UserError', `Could not find asset with name ${ctx.params.name} and version ${ctx.params.version} in workspace ${ws.name}.`);
      ctx.json(200, versionBody(emu, ws, c, v));
    }, o);
    emu.addRoute('arm', 'PUT', `${WORKSPACE_PATH}/data/{name}/versions/{version}`, (ctx) => {
      const ws = emu.state.getWorkspace(ctx.params.rg, ctx.params.ws);
      if (!ws) throw new HttpError(404, 'ResourceNotFound', `Workspace '${ctx.params.ws}' was not found in resource group '${ctx.params.rg}'.`);
      const { name, version } = ctx.params;
      if (!NAME.test(name)) throw new HttpError(400, 'UserError', `The data asset name '${name}' is invalid.`);
      const p = ctx.bodyJson<{ properties?: { dataType?: string; dataUri?: string; description?: string; tags?: Record<string, string> } }>()?.properties;
      if (!p || typeof p !== 'object') throw new HttpError(400, 'UserError', "The request body must have 'properties'.");
      const dataType = TYPES.find((t) => t === p.dataType);
      if (!dataType) throw new HttpError(400, 'UserError', `'properties.dataType' must be one of ${TYPES.join(', ')}.`);
      if (!p.dataUri) throw new HttpError(400, 'UserError', "'properties.dataUri' is required.");
      const existing = dataAssets(emu).get(key(ws.resourceGroup, ws.name, name))?.versions.get(version);
      if (existing && existing.dataUri !== p.dataUri) throw assetPathsCannotBeUpdated();
      if (existing && existing.dataType !== dataType) throw new HttpError(400, 'UserError', `Data version ${name}:${version} has dataType '${existing.dataType}'; the type of an existing version cannot be changed.`);
      const v = existing ?? addDataVersion(emu, name, version, { dataType, dataUri: p.dataUri, resourceGroup: ws.resourceGroup, workspace: ws.name });
      v.description = p.description ?? v.description;
      v.tags = { ...(p.tags ?? {}) };
      const c = dataAssets(emu).get(key(ws.resourceGroup, ws.name, name))!;
      ctx.json(existing ? 200 : 201, versionBody(emu, ws, c, v));
    }, o);
  },
};
export default service;
