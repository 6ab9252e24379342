// The whole offline test bed: the Azure emulator + Azurite, wired together.
import type { PipelinePolicy } from '@azure/core-rest-pipeline';
import { ContainerClient, StorageSharedKeyCredential } from '@azure/storage-blob';
import * as fs from 'fs';
import * as path from 'path';
import { startEmulator, type Emulator, type EmulatorOptions } from '../emulator';
import { startAzurite, type Azurite } from './azurite';

export interface TestBed {
  emulator: Emulator;
  azurite: Azurite;
  /** JSON host map read by the DNS preload (AZ_EMU_HOSTS_FILE); see addHost. */
  hostsFile: string;
  /** Maps a host name to an address for child processes (e.g. a scoring endpoint on 127.0.0.5). */
  addHost(name: string, address: string): void;
  /** A ContainerClient on Azurite (path-style 127.0.0.1 URL, account key, emulator CA). */
  container(name: string): ContainerClient;
  stop(): Promise<void>;
}

export interface TestBedOptions extends EmulatorOptions {
  azuriteArgs?: string[];
}

/** Policy that makes an Azure SDK pipeline trust the given CA (for clients without tlsOptions, e.g. storage-blob). */
export function trustCaPolicy(ca: string): PipelinePolicy {
  return { name: 'testbed-trust-ca', sendRequest: (req, next) => {
    req.tlsSettings = { ...(req.tlsSettings ?? {}), ca };
    return next(req);
  } };
}

/** storage-blob has no tlsOptions: add the CA policy to a client's pipeline. */
export function withCa<T extends object>(client: T, ca: string): T {
  const ctx = (client as unknown as { storageClientContext?: { pipeline?: { addPolicy(p: PipelinePolicy): void } } }).storageClientContext;
  ctx?.pipeline?.addPolicy(trustCaPolicy(ca));
  return client;
}

export async function startTestBed(o: TestBedOptions = {}): Promise<TestBed> {
  const emulator = await startEmulator(o);
  let azurite: Azurite;
  try {
    azurite = await startAzurite({ certFile: emulator.certFile, keyFile: emulator.keyFile, args: o.azuriteArgs });
  } catch (e) {
    await emulator.stop();
    throw e;
  }
  emulator.state.storage.endpoint = `localhost:${azurite.port}`;
  const hostsFile = path.join(emulator.dir, 'hosts.json');
  fs.writeFileSync(hostsFile, '{}');
  const cred = new StorageSharedKeyCredential(azurite.accountName, azurite.accountKey);
  const container = (name: string): ContainerClient => withCa(new ContainerClient(`${azurite.ipBlobUrl()}/${name}`, cred), emulator.caPem);
  for (const name of emulator.state.datastoreContainers()) await container(name).createIfNotExists();
  return {
    emulator, azurite, hostsFile, container,
    addHost: (name, address) => {
      const map = JSON.parse(fs.readFileSync(hostsFile, 'utf8')) as Record<string, string>;
      map[name] = address;
      fs.writeFileSync(hostsFile, JSON.stringify(map));
    },
    stop: async () => {
      await azurite.stop();
      await emulator.stop();
    },
  };
}

