// The job's environment: an existing version (azureml:name:version), the newest version
// (azureml:name@latest, found by listing every page), a registry id, or a conda file + base image
// registered once as version <content hash> of an environment. resolveEnvironment only reads;
// registerEnvironment is the write, done after every input has been checked.
import type { EnvironmentVersion } from '@azure/arm-machinelearning';
import { putAssetVersion } from '../../shared/src/assetCollision';
import { azureCall, AzureCallError, toAzureCallError } from '../../shared/src/errors';
import { InputError } from '../../shared/src/inputs';
import type { WorkspaceScope } from '../../shared/src/workspace';
import type { EnvironmentSpec } from './inputs';
import { condaEnvironmentVersion, environmentArmId, newestVersion } from '../../shared/src/assets';

export interface ResolvedEnvironment {
  /** What the job's environmentId gets: an ARM id or a registry id. */
  id: string;
  /** azureml:name:version, for logs and the summary. */
  reference: string;
  /** Set when a conda environment version must still be created. */
  toCreate?: { name: string; version: string; body: EnvironmentVersion };
  reused: boolean;
}

export async function resolveEnvironment(scope: WorkspaceScope, spec: EnvironmentSpec, tags: Record<string, string>): Promise<ResolvedEnvironment> {
  const { ws, clients: { ml: client } } = scope;
  const what = (name: string, version?: string): string => `environment '${name}${version ? `:${version}` : ''}' of workspace '${ws.name}'`;
  switch (spec.kind) {
    case 'registry':
      return { id: spec.id, reference: spec.id, reused: true };
    case 'version': {
      const v = await azureCall('Reading', what(spec.name, spec.version), () => client.environmentVersions.get(ws.resourceGroup, ws.name, spec.name, spec.version), { notFound: 'undefined' });
      if (!v) throw new InputError('environment', `${what(spec.name, spec.version)} does not exist`, "an existing environment version ('azureml:<name>:<version>' or 'azureml:<name>@latest')");
      return { id: v.id ?? environmentArmId(ws, spec.name, spec.version), reference: `azureml:${spec.name}:${spec.version}`, reused: true };
    }
    case 'latest': {
      const all: EnvironmentVersion[] = [];
      try {
        for await (const v of client.environmentVersions.list(ws.resourceGroup, ws.name, spec.name)) all.push(v);
      } catch (err) {
        const e = toAzureCallError(err, 'Listing the versions of', what(spec.name));
        if (!(e instanceof AzureCallError && e.statusCode === 404)) throw e;
      }
      const newest = newestVersion(all);
      if (!newest?.name) throw new InputError('environment', `${what(spec.name)} has no versions`, 'an existing environment name');
      return { id: newest.id ?? environmentArmId(ws, spec.name, newest.name), reference: `azureml:${spec.name}:${newest.name}`, reused: true };
    }
    case 'conda': {
      const version = condaEnvironmentVersion(spec.condaYaml, spec.baseImage);
      const id = environmentArmId(ws, spec.name, version);
      const reference = `azureml:${spec.name}:${version}`;
      const existing = await azureCall('Reading', what(spec.name, version), () => client.environmentVersions.get(ws.resourceGroup, ws.name, spec.name, version), { notFound: 'undefined' });
      if (existing) return { id: existing.id ?? id, reference, reused: true };
      const body: EnvironmentVersion = {
        properties: {
          image: spec.baseImage,
          condaFile: spec.condaYaml,
          osType: 'Linux',
          isAnonymous: false,
          description: `Conda file ${spec.condaFile} on ${spec.baseImage} (content hash ${version}).`,
          tags: { ...tags, 'aml.contentHash': version },
        },
      };
      return { id, reference, reused: false, toCreate: { name: spec.name, version, body } };
    }
  }
}

/** Creates the conda environment version when resolveEnvironment found none. */
export async function registerEnvironment(scope: WorkspaceScope, env: ResolvedEnvironment): Promise<ResolvedEnvironment> {
  const { ws, clients: { ml: client } } = scope;
  if (!env.toCreate) return env;
  const { name, version, body } = env.toCreate;
  // a PUT colliding with another writer (shared/assetCollision.ts): its version is reused when it has our base
  // image and conda file (the version name is their hash: a concurrent run of the same project), else it is named
  const norm = (c: string | undefined): string => (c ?? '').replace(/\r\n/g, '\n').trimEnd();
  const { value: created, reused } = await putAssetVersion({
    put: () => azureCall('Registering', `environment '${name}:${version}' in workspace '${ws.name}'`, () => client.environmentVersions.createOrUpdate(ws.resourceGroup, ws.name, name, version, body)),
    read: () => azureCall('Reading', `environment '${name}:${version}' of workspace '${ws.name}'`, () => client.environmentVersions.get(ws.resourceGroup, ws.name, name, version), { notFound: 'undefined' }),
    holdsOurs: (v) => v.properties.image === body.properties.image && norm(v.properties.condaFile) === norm(body.properties.condaFile),
    conflict: (v) => `Environment version '${name}:${version}' was registered by someone else with another definition (image '${v.properties.image ?? 'none'}'): environment versions cannot change. Use another environment name (input 'environmentName').`,
  });
  return { id: created.id ?? env.id, reference: env.reference, reused };
}
