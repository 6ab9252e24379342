// The code snapshot as an Azure ML code version: uploaded to the workspace's default blob datastore
// under LocalUpload/<hash>/ and registered as code '<hash>' version 1. A code version that already
// exists for the hash is reused and nothing is uploaded (same content → same code version); one another run
// registers between our read and our PUT is reused too.
import type { ContainerClient } from '@azure/storage-blob';
import { putAssetVersion } from '../assetCollision';
import { azureCall } from '../errors';
import type { WorkspaceInfo, WorkspaceScope } from '../workspace';
import type { CodeSnapshot } from './codeSnapshot';

export const CODE_VERSION = '1';

export interface CodeVersionResult {
  name: string;
  version: string;
  /** ARM id, for the job's codeId. */
  id: string;
  codeUri: string;
  reused: boolean;
  uploadedFiles: number;
  uploadedBytes: number;
}

export function codeBlobPrefix(hash: string): string {
  return `LocalUpload/${hash}`;
}

export function codeVersionArmId(ws: Pick<WorkspaceInfo, 'id'>, name: string, version: string): string {
  return `${ws.id}/codes/${name}/versions/${version}`;
}

/** Uploads files with a few in parallel; returns the bytes sent. */
export async function uploadSnapshot(container: ContainerClient, snapshot: CodeSnapshot, prefix: string, parallel = 8): Promise<number> {
  let next = 0;
  let bytes = 0;
  const worker = async (): Promise<void> => {
    while (next < snapshot.files.length) {
      const f = snapshot.files[next++];
      const blobName = `${prefix}/${f.relativePath}`;
      await azureCall('Uploading', `'${f.relativePath}' to blob '${blobName}' of the workspace's default datastore`, () => container.getBlockBlobClient(blobName).uploadFile(f.absolutePath));
      bytes += f.size;
    }
  };
  await Promise.all(Array.from({ length: Math.min(parallel, Math.max(1, snapshot.files.length)) }, worker));
  return bytes;
}

/** Finds the code version of the snapshot's hash (read only). */
export async function findCodeVersion(scope: WorkspaceScope, hash: string): Promise<{ id: string; codeUri: string } | undefined> {
  const { ws, clients: { ml: client } } = scope;
  const v = await azureCall('Reading', `code version '${hash}:${CODE_VERSION}' of workspace '${ws.name}'`, () => client.codeVersions.get(ws.resourceGroup, ws.name, hash, CODE_VERSION), {
    notFound: 'undefined',
  });
  return v ? { id: v.id ?? codeVersionArmId(ws, hash, CODE_VERSION), codeUri: v.properties.codeUri ?? '' } : undefined;
}

/** Uploads and registers the snapshot unless its code version exists. */
export async function ensureCodeVersion(o: {
  scope: WorkspaceScope;
  snapshot: CodeSnapshot;
  container: () => Promise<ContainerClient>;
  tags: Record<string, string>;
}): Promise<CodeVersionResult> {
  const { scope, snapshot } = o;
  const { ws, clients: { ml: client } } = scope;
  const name = snapshot.hash;
  const existing = await findCodeVersion(scope, name);
  if (existing) {
    return { name, version: CODE_VERSION, id: existing.id, codeUri: existing.codeUri, reused: true, uploadedFiles: 0, uploadedBytes: 0 };
  }
  const prefix = codeBlobPrefix(name);
  const container = await o.container();
  const uploadedBytes = await uploadSnapshot(container, snapshot, prefix);
  const ds = ws.defaultDatastore;
  const codeUri = `${ds.blobEndpoint}/${ds.containerName}/${prefix}`;
  // another run registering the same snapshot at the same moment collides with this PUT (shared/assetCollision.ts):
  // the version it made is reused — the code name is the content's sha256, so it holds these files
  const { value: created, reused } = await putAssetVersion({
    put: () => azureCall('Registering', `code version '${name}:${CODE_VERSION}' in workspace '${ws.name}'`, () =>
      client.codeVersions.createOrUpdate(ws.resourceGroup, ws.name, name, CODE_VERSION, {
        properties: {
          codeUri,
          isAnonymous: false,
          description: `Code snapshot of ${snapshot.files.length} files (sha256 ${name}).`,
          tags: { ...o.tags, 'aml.contentHash': name },
        },
      }),
    ),
    read: () => azureCall('Reading', `code version '${name}:${CODE_VERSION}' of workspace '${ws.name}'`, () => client.codeVersions.get(ws.resourceGroup, ws.name, name, CODE_VERSION), { notFound: 'undefined' }),
    holdsOurs: () => true,
    conflict: () => '',
  });
  return {
    name, version: CODE_VERSION, id: created.id ?? codeVersionArmId(ws, name, CODE_VERSION), codeUri: created.properties.codeUri ?? codeUri,
    reused, uploadedFiles: snapshot.files.length, uploadedBytes,
  };
}
