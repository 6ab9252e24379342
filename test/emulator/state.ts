// Typed in-memory stores of the emulator. Other services keep their own data in `bucket<T>(name)`.
import * as crypto from 'crypto';
import type { Operation } from './types';

/** Azurite's well-known development account key (public, documented). */
export const AZURITE_ACCOUNT = 'devstoreaccount1';
export const AZURITE_KEY = 'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==';

export interface ResourceGroup {
  id: string;
  name: string;
  type: 'Microsoft.Resources/resourceGroups';
  location: string;
  managedBy?: string;
  tags?: Record<string, string>;
  properties: { provisioningState: string };
}

export interface SecretVersion {
  version: string;
  value: string;
  contentType?: string;
  tags?: Record<string, string>;
  enabled: boolean;
  created: number;
  updated: number;
}

export interface Datastore {
  name: string;
  isDefault: boolean;
  containerName: string;
  description?: string;
  tags?: Record<string, string>;
  /** When unset, the emulator's storage account (Azurite) is used. */
  accountName?: string;
  credentialsType: 'AccountKey' | 'Sas' | 'None';
  created: string;
}

export interface Workspace {
  name: string;
  resourceGroup: string;
  location: string;
  friendlyName?: string;
  description?: string;
  tags?: Record<string, string>;
  workspaceId: string;
  storageAccountName: string;
  containerRegistryName?: string;
  keyVaultName: string;
  applicationInsightsName?: string;
  datastores: Map<string, Datastore>;
  created: string;
}

export interface MlflowMetric { key: string; value: number; timestamp: number; step: number }

export interface MlflowRun {
  runId: string;
  experimentId: string;
  /** RUNNING, SCHEDULED, FINISHED, FAILED, KILLED */
  status: string;
  startTime: number;
  endTime?: number;
  metrics: MlflowMetric[];
  params: { key: string; value: string }[];
  tags: { key: string; value: string }[];
}

export interface StorageAccountInfo {
  accountName: string;
  accountKey: string;
  /** Blob endpoint suffix as a datastore carries it: 'localhost:<azuritePort>'. */
  endpoint: string;
}

const lower = (s: string): string => s.toLowerCase();

export class EmulatorState {
  readonly resourceGroups = new Map<string, ResourceGroup>();
  /** vault name (lower) → secret name (lower) → versions, oldest first. */
  readonly vaults = new Map<string, Map<string, SecretVersion[]>>();
  /** key 'rg/ws' lower-cased. */
  readonly workspaces = new Map<string, Workspace>();
  readonly mlflowRuns = new Map<string, MlflowRun>();
  readonly operations = new Map<string, Operation>();
  readonly storage: StorageAccountInfo = { accountName: AZURITE_ACCOUNT, accountKey: AZURITE_KEY, endpoint: 'localhost:10000' };
  private readonly buckets = new Map<string, Map<string, unknown>>();

  constructor(readonly subscriptionId: string) {}

  /** Generic store for service modules: `state.bucket<Registry>('acr.registries')`. */
  bucket<T>(name: string): Map<string, T> {
    let b = this.buckets.get(name);
    if (!b) {
      b = new Map<string, unknown>();
      this.buckets.set(name, b);
    }
    return b as Map<string, T>;
  }

  resourceGroupId(name: string): string {
    return `/subscriptions/${this.subscriptionId}/resourceGroups/${name}`;
  }

  addResourceGroup(name: string, location: string, tags?: Record<string, string>): ResourceGroup {
    const rg: ResourceGroup = {
      id: this.resourceGroupId(name), name, type: 'Microsoft.Resources/resourceGroups', location, tags,
      properties: { provisioningState: 'Succeeded' },
    };
    this.resourceGroups.set(lower(name), rg);
    return rg;
  }

  getResourceGroup(name: string): ResourceGroup | undefined {
    return this.resourceGroups.get(lower(name));
  }

  /** Adds a new version of a secret (creates the vault on first use); returns it. */
  setSecret(vault: string, name: string, value: string, o: { contentType?: string; tags?: Record<string, string> } = {}): SecretVersion {
    let v = this.vaults.get(lower(vault));
    if (!v) {
      v = new Map();
      this.vaults.set(lower(vault), v);
    }
    const now = Math.floor(Date.now() / 1000);
    const version: SecretVersion = {
      version: crypto.randomBytes(16).toString('hex'), value, contentType: o.contentType, tags: o.tags,
      enabled: true, created: now, updated: now,
    };
    const list = v.get(lower(name)) ?? [];
    list.push(version);
    v.set(lower(name), list);
    return version;
  }

  /** Latest value of a secret, or undefined. */
  getSecretValue(vault: string, name: string): string | undefined {
    const list = this.vaults.get(lower(vault))?.get(lower(name));
    return list && list.length ? list[list.length - 1].value : undefined;
  }

  addVault(name: string): void {
    if (!this.vaults.has(lower(name))) this.vaults.set(lower(name), new Map());
  }

  addWorkspace(resourceGroup: string, name: string, o: Partial<Omit<Workspace, 'name' | 'resourceGroup' | 'datastores'>> = {}): Workspace {
    const created = new Date().toISOString();
    const suffix = crypto.randomBytes(4).toString('hex');
    const ws: Workspace = {
      name, resourceGroup, location: o.location ?? 'eastus', friendlyName: o.friendlyName ?? name, description: o.description,
      tags: o.tags, workspaceId: o.workspaceId ?? crypto.randomUUID(),
      storageAccountName: o.storageAccountName ?? AZURITE_ACCOUNT,
      containerRegistryName: o.containerRegistryName ?? `cr${name.replace(/[^a-z0-9]/gi, '').toLowerCase()}${suffix}`,
      keyVaultName: o.keyVaultName ?? 'kv-test',
      applicationInsightsName: o.applicationInsightsName ?? `appi-${name}`,
      datastores: new Map(), created,
    };
    const container = `azureml-blobstore-${ws.workspaceId}`;
    ws.datastores.set('workspaceblobstore', { name: 'workspaceblobstore', isDefault: true, containerName: container, credentialsType: 'AccountKey', created, description: 'Default blob datastore' });
    ws.datastores.set('workspaceartifactstore', { name: 'workspaceartifactstore', isDefault: false, containerName: `azureml`, credentialsType: 'AccountKey', created });
    this.workspaces.set(lower(`${resourceGroup}/${name}`), ws);
    return ws;
  }

  getWorkspace(resourceGroup: string, name: string): Workspace | undefined {
    return this.workspaces.get(lower(`${resourceGroup}/${name}`));
  }

  /** Blob containers the seeded datastores need (created in Azurite by the test bed). */
  datastoreContainers(): string[] {
    const out = new Set<string>();
    for (const ws of this.workspaces.values()) for (const d of ws.datastores.values()) out.add(d.containerName);
    return [...out];
  }

  /** Creates or replaces the MLflow run's metrics (latest value per key; `history` adds steps). */
  setRunMetrics(runId: string, metrics: Record<string, number | number[]>, o: { status?: string; params?: Record<string, string>; tags?: Record<string, string>; experimentId?: string } = {}): MlflowRun {
    const now = Date.now();
    const run: MlflowRun = this.mlflowRuns.get(runId) ?? { runId, experimentId: o.experimentId ?? '1', status: 'FINISHED', startTime: now - 60_000, endTime: now, metrics: [], params: [], tags: [] };
    run.metrics = [];
    for (const [key, v] of Object.entries(metrics)) {
      const values = Array.isArray(v) ? v : [v];
      values.forEach((value, step) => run.metrics.push({ key, value, timestamp: now - (values.length - step) * 1000, step }));
    }
    if (o.status) run.status = o.status;
    if (o.params) run.params = Object.entries(o.params).map(([key, value]) => ({ key, value }));
    if (o.tags) run.tags = Object.entries(o.tags).map(([key, value]) => ({ key, value }));
    this.mlflowRuns.set(runId, run);
    return run;
  }
}
