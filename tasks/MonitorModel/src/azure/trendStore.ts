// The PSI trend's blob in the workspace's default datastore: read (absent = no trend yet) and written back.
import type { ContainerClient } from '@azure/storage-blob';
import { azureCall } from '../../../shared/src/azure';

export interface TrendStore {
  /** for messages: datastore and blob name */
  where(name: string): string;
  read(name: string): Promise<string | undefined>;
  write(name: string, text: string): Promise<void>;
}

export function blobTrendStore(container: ContainerClient, datastore: string): TrendStore {
  const where = (name: string): string => `datastore '${datastore}' blob '${name}'`;
  return {
    where,
    read: async (name) => {
      const buf = await azureCall('Reading', where(name), () => container.getBlobClient(name).downloadToBuffer(), { notFound: 'undefined' });
      return buf?.toString('utf8');
    },
    write: async (name, text) => {
      await azureCall('Writing', where(name), () => container.getBlockBlobClient(name).upload(text, Buffer.byteLength(text), { blobHTTPHeaders: { blobContentType: 'application/json' } }));
    },
  };
}
