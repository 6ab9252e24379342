// A data reference → the blobs it names. Datastore paths are read with the datastore's own credentials
// (account key or SAS from listSecrets, masked) or the task's identity, like every task's datastore access
// (shared workspace.ts); a data asset is resolved to its dataUri first. A blob URL inside a data asset is
// only followed to the cloud's own storage hosts (<account>.blob.<storage suffix>), so the task's token never
// goes to a host a data asset names.
import type { AzureBlobDatastore } from '@azure/arm-machinelearning';
import type { ContainerClient } from '@azure/storage-blob';
import { azureCall, blobContainerClient, type ContextWith, type WorkspaceInfo } from '../../../shared/src/azure';
import { storageSuffix } from '../../../shared/src/cloud';
import { TaskError } from '../../../shared/src/task';
import { datastoreBlobEndpoint, datastoreContainer } from '../../../shared/src/workspace';
import { parseDataRef, type DataRef } from '../dataRef';
import type { ByteSource } from '../data/cells';
import type { DataFile, DataLocation } from '../data/location';

type Ctx = ContextWith<'ml'>;

/** Every blob at `prefix`: the blob itself when one is named exactly so, else those under the folder. */
export function blobLocation(container: ContainerClient, prefix: string, description: string): DataLocation {
  return {
    description,
    files: async () => {
      const clean = prefix.replace(/^\/+/, '');
      const folder = clean === '' || clean.endsWith('/') ? clean : `${clean}/`;
      const out: DataFile[] = [];
      for await (const b of container.listBlobsFlat({ prefix: clean })) {
        if (b.name === clean) return [blobFile(container, b.name, b.name.split('/').pop() as string, b.properties.contentLength ?? 0)];
        if (b.name.startsWith(folder)) out.push(blobFile(container, b.name, b.name.slice(folder.length), b.properties.contentLength ?? 0));
      }
      return out.sort((a, b) => (a.path < b.path ? -1 : 1));
    },
  };
}

function blobFile(container: ContainerClient, name: string, rel: string, size: number): DataFile {
  const blob = container.getBlobClient(name);
  return {
    path: rel,
    size,
    open: (): ByteSource => (async function* () {
      const r = await blob.download(0);
      if (r.readableStreamBody) for await (const c of r.readableStreamBody) yield typeof c === 'string' ? Buffer.from(c) : (c as Uint8Array);
    })(),
    read: async (start, end) => blob.downloadToBuffer(start, end - start),
  };
}

async function datastorePath(ctx: Ctx, ws: WorkspaceInfo, datastore: string, path: string, input: string, description: string): Promise<DataLocation> {
  const ds = await azureCall('Reading', `datastore '${datastore}' of workspace '${ws.name}'`, () => ctx.clients.ml.datastores.get(ws.resourceGroup, ws.name, datastore), { notFound: 'undefined' });
  if (!ds) throw new TaskError(`Input '${input}': datastore '${datastore}' does not exist in workspace '${ws.name}'. Expected an existing Azure Blob datastore.`);
  const props = ds.properties as AzureBlobDatastore;
  if (props.datastoreType !== 'AzureBlob' || !props.accountName || !props.containerName) {
    throw new TaskError(`Input '${input}': datastore '${datastore}' is a ${props.datastoreType} datastore. Expected an Azure Blob datastore.`);
  }
  const container = await datastoreContainer(ctx, {
    ...ws,
    defaultDatastore: {
      name: datastore, accountName: props.accountName, containerName: props.containerName,
      blobEndpoint: datastoreBlobEndpoint(props, storageSuffix(ctx.cloud)), ...(props.credentials?.credentialsType ? { credentialsType: props.credentials.credentialsType } : {}),
    },
  });
  return blobLocation(container, path, description);
}

function blobUrl(ctx: Ctx, url: URL, input: string, description: string): DataLocation {
  const suffix = storageSuffix(ctx.cloud).toLowerCase();
  const host = url.hostname.toLowerCase();
  const account = host.endsWith(`.blob.${suffix}`) ? host.slice(0, -(`.blob.${suffix}`.length)) : '';
  if (url.protocol !== 'https:' || !/^[a-z0-9]{3,24}$/.test(account) || url.search !== '') {
    throw new TaskError(`Input '${input}': ${description} points to ${url.origin}, which is not a blob endpoint of this cloud (https://<account>.blob.${suffix}, no query). Expected data on a datastore of the workspace.`);
  }
  const [container, ...rest] = url.pathname.replace(/^\/+/, '').split('/');
  if (!container) throw new TaskError(`Input '${input}': ${description} names no container. Expected https://<account>.blob.${suffix}/<container>/<path>.`);
  return blobLocation(blobContainerClient(ctx, `${url.origin}/${container}`, { credential: ctx.credential }), decodeURIComponent(rest.join('/')), description);
}

/** The blobs a data reference names, for input `input`. */
export async function locate(ctx: Ctx, ws: WorkspaceInfo, ref: DataRef, input: string): Promise<DataLocation> {
  if (ref.kind === 'datastorePath') return datastorePath(ctx, ws, ref.datastore, ref.path, input, `datastore '${ref.datastore}' path '${ref.path}'`);
  if (ref.kind === 'blobUrl') return blobUrl(ctx, ref.url, input, ref.url.origin + ref.url.pathname);
  let version = ref.version;
  if (!version) {
    const c = await azureCall('Reading', `data asset '${ref.name}'`, () => ctx.clients.ml.dataContainers.get(ws.resourceGroup, ws.name, ref.name), { notFound: 'undefined' });
    version = c?.properties.latestVersion ?? undefined;
    if (!version) throw new TaskError(`Input '${input}': data asset '${ref.name}' does not exist in workspace '${ws.name}'. Expected an existing data asset or a datastore path.`);
  }
  const v = await azureCall('Reading', `data asset ${ref.name}:${version}`, () => ctx.clients.ml.dataVersions.get(ws.resourceGroup, ws.name, ref.name, version as string), { notFound: 'undefined' });
  if (!v) throw new TaskError(`Input '${input}': data asset ${ref.name}:${version} does not exist in workspace '${ws.name}'. Expected an existing data asset version.`);
  const inner: DataRef | string = parseDataRef(v.properties.dataUri, { allowUrl: true });
  if (typeof inner === 'string' || inner.kind === 'asset') {
    throw new TaskError(`Input '${input}': data asset ${ref.name}:${version} has dataUri ${typeof inner === 'string' ? inner : `'${v.properties.dataUri}'`}. Expected a datastore path or a blob URL.`);
  }
  const description = `data asset ${ref.name}:${version} (${inner.kind === 'datastorePath' ? `datastore '${inner.datastore}' path '${inner.path}'` : inner.url.origin + inner.url.pathname})`;
  return inner.kind === 'datastorePath'
    ? datastorePath(ctx, ws, inner.datastore, inner.path, input, description)
    : blobUrl(ctx, inner.url, input, description);
}
