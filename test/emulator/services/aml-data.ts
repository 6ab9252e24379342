// Azure ML data assets (api-version 2022-10-01): data versions GET and PUT under a workspace. As the real
// service: a version PUT creates the container when needed, dataType is uri_file | uri_folder | mltable, a
// dataUri is required, and an existing version cannot change its dataUri or dataType (409).
// Tests read what was registered with `dataVersions(emu)`.
import { HttpError, type ServiceModule } from '../types';
import type { EmulatorState } from '../state';
import { AML_API_VERSIONS, AML_PROVIDER, requireWorkspace, systemData, WORKSPACE_PATH } from './aml-workspace';

export interface DataVersionRecord {
  resourceGroup: string;
  workspace: string;
  name: string;
  version: string;
  dataType: string;
  dataUri: string;
  description?: string;
  tags: Record<string, string>;
  created: string;
}

/** Every data version, keyed '<rg lower>/<ws lower>/<name>/<version>'. */
export function dataVersions(emu: { state: EmulatorState }): Map<string, DataVersionRecord> {
  return emu.state.bucket<DataVersionRecord>('aml.dataVersions');
}

const NAME = /^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,254}$/;
const TYPES = ['uri_file', 'uri_folder', 'mltable'];

const service: ServiceModule = {
  name: 'aml-data',
  order: 40,
  register(emu) {
    const o = { apiVersions: AML_API_VERSIONS };
    const path = `${WORKSPACE_PATH}/data/{name}/versions/{version}`;
    const body = (sub: string, r: DataVersionRecord): Record<string, unknown> => ({
      id: `/subscriptions/${sub}/resourceGroups/${r.resourceGroup}/providers/${AML_PROVIDER}/workspaces/${r.workspace}/data/${r.name}/versions/${r.version}`,
      name: r.version, type: 'Microsoft.MachineLearningServices/workspaces/data/versions',
      properties: { dataType: r.dataType, dataUri: r.dataUri, description: r.description ?? null, tags: r.tags, properties: {}, isAnonymous: false, isArchived: false },
      systemData: systemData(r.created),
    });
    emu.addRoute('arm', 'GET', path, (ctx) => {
      const ws = requireWorkspace(emu, ctx);
      const r = dataVersions(emu).get(`${ws.resourceGroup.toLowerCase()}/${ws.name.toLowerCase()}/${ctx.params.name}/${ctx.params.version}`);
      if (!r) throw new HttpError(404, 'UserError', `Data version ${ctx.params.name}:${ctx.params.version} (dataContainerName:version) not found.`);
      ctx.json(200, body(ctx.params.sub, r));
    }, o);
    emu.addRoute('arm', 'PUT', path, (ctx) => {
      const ws = requireWorkspace(emu, ctx);
      const { name, version } = ctx.params;
      if (!NAME.test(name)) throw new HttpError(400, 'UserError', `The data asset name '${name}' is invalid.`);
      const p = ctx.bodyJson<{ properties?: { dataType?: string; dataUri?: string; description?: string; tags?: Record<string, string> } }>()?.properties;
      if (!p || typeof p !== 'object') throw new HttpError(400, 'UserError', "The request body must have 'properties'.");
      if (!p.dataType || !TYPES.includes(p.dataType)) throw new HttpError(400, 'UserError', `'properties.dataType' must be one of ${TYPES.join(', ')}.`);
      if (!p.dataUri) throw new HttpError(400, 'UserError', "'properties.dataUri' is required.");
      const key = `${ws.resourceGroup.toLowerCase()}/${ws.name.toLowerCase()}/${name}/${version}`;
      const existing = dataVersions(emu).get(key);
      if (existing && (existing.dataUri !== p.dataUri || existing.dataType !== p.dataType)) {
        throw new HttpError(409, 'UserError', `Data version ${name}:${version} exists with another dataUri or dataType; versions are immutable.`);
      }
      const r: DataVersionRecord = existing ?? { resourceGroup: ws.resourceGroup, workspace: ws.name, name, version, dataType: p.dataType, dataUri: p.dataUri, tags: {}, created: new Date().toISOString() };
      r.description = p.description ?? r.description;
      r.tags = { ...(p.tags ?? {}) };
      dataVersions(emu).set(key, r);
      ctx.json(existing ? 200 : 201, body(ctx.params.sub, r));
    }, o);
  },
};
export default service;
