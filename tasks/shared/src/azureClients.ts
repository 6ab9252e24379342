// The clients of one run. A task names the clients it uses (createAzureContext({ ml: machineLearning, … }));
// each is built on first use and reused afterwards, and its SDK module is loaded inside the factory
// (require of an ES re-export in ./sdk), not at the top: the bundle holds only the SDKs the task names, and
// the first ARM request is not delayed by loading SDKs the run may never need.
/* eslint-disable @typescript-eslint/no-require-imports */
import type { ContainerInstanceManagementClient } from '@azure/arm-containerinstance';
import type { ContainerRegistryManagementClient } from '@azure/arm-containerregistry';
import type { AzureMachineLearningWorkspaces } from '@azure/arm-machinelearning';
import type { ResourceManagementClient } from '@azure/arm-resources';
import { armPipeline, ArmPipeline } from './armPipeline';
import type { AzureClients, AzureContext, AzureSession } from './azureSession';
import { clientOptions } from './http';
import { keyVaultClients } from './keyvault';

/** Builds one client of a run from its session. */
export type ClientFactory<T> = (session: AzureSession) => T;
export type ClientFactories<K extends keyof AzureClients> = { [P in K]: ClientFactory<AzureClients[P]> };

/** The options every ARM client gets: the connection's ARM URL and audience plus the agent's HTTP settings. */
export function armClientOptions(session: Pick<AzureSession, 'http' | 'cloud'>): ReturnType<typeof clientOptions> & { endpoint: string; credentialScopes: string[] } {
  return { ...clientOptions(session.http), endpoint: session.cloud.armUrl, credentialScopes: [session.cloud.armScope] };
}

export const machineLearning: ClientFactory<AzureMachineLearningWorkspaces> = (s) => {
  const { AzureMachineLearningWorkspaces: Client } = require('./sdk/machineLearning') as typeof import('./sdk/machineLearning');
  return new Client(s.credential, s.subscriptionId, armClientOptions(s));
};

export const containerInstances: ClientFactory<ContainerInstanceManagementClient> = (s) => {
  const { ContainerInstanceManagementClient: Client } = require('./sdk/containerInstance') as typeof import('./sdk/containerInstance');
  return new Client(s.credential, s.subscriptionId, armClientOptions(s));
};

export const containerRegistries: ClientFactory<ContainerRegistryManagementClient> = (s) => {
  const { ContainerRegistryManagementClient: Client } = require('./sdk/containerRegistry') as typeof import('./sdk/containerRegistry');
  return new Client(s.credential, s.subscriptionId, armClientOptions(s));
};

export const resourceGroups: ClientFactory<ResourceManagementClient> = (s) => {
  const { ResourceManagementClient: Client } = require('./sdk/resources') as typeof import('./sdk/resources');
  return new Client(s.credential, s.subscriptionId, armClientOptions(s));
};

/** Raw ARM calls: one pipeline for the run. */
export const rawArm: ClientFactory<ArmPipeline> = (s) => armPipeline(s);

/** One SecretClient per vault. */
export const keyVaults: ClientFactory<AzureClients['keyVault']> = (s) => keyVaultClients(s).keyVault;

/** The named clients of a session, each built on first read and then reused. */
export function azureClients<K extends keyof AzureClients>(session: AzureSession, factories: ClientFactories<K>): Pick<AzureClients, K> {
  const clients = {} as Pick<AzureClients, K>;
  for (const name of Object.keys(factories) as K[]) {
    let value: AzureClients[K] | undefined;
    Object.defineProperty(clients, name, { enumerable: true, get: () => (value ??= factories[name](session)) });
  }
  return clients;
}

/** Every client: for tests and tools that build a session by hand. */
export const ALL_CLIENTS: ClientFactories<keyof AzureClients> = {
  ml: machineLearning,
  aci: containerInstances,
  acr: containerRegistries,
  resources: resourceGroups,
  arm: rawArm,
  keyVault: keyVaults,
};

/** The per-run context of a session with every client (tests build sessions by hand). */
export function contextOf(session: AzureSession): AzureContext {
  return { ...session, clients: azureClients(session, ALL_CLIENTS) };
}
