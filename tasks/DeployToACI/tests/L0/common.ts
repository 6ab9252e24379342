// Shared set-up of the DeployToACI L0 scenarios (not a scenario itself). A scenario sets the inputs and the
// service connection (ENDPOINT_* variables) through TaskMockRunner and runs tests/L0/entry.js, which calls the
// task's main with its dependencies injected (no module is mocked by path):
//   createAzureContext: the real connection and credential, with recording fakes as the clients (aci, acr,
//     resources, ml, arm for the Application Insights GET, and keyVault: a SecretClient holding the planted
//     secrets); the real getSecret / setSecret run on top of them, so values read are masked as in a real run.
//   clock: a virtual clock, so the waits (2 s back-off and two consecutive Running polls) take no real time.
// Everything else runs for real: inputs, the deployment plan, the container group body, the long-running
// operation adapter, the waiting states, diagnostics (events and log tail), outputs and the summary.
// Secrets reach the records only as placeholders ('<DB_PASSWORD>', …) or as a sha256 prefix.
import { createHash } from 'node:crypto';
import * as path from 'node:path';
import type { ContainerGroup } from '@azure/arm-containerinstance';
import type { AzureClients, AzureContext } from '../../../shared/src/azure';
import type { Clock } from '../../../shared/src/waiter';
import { L0_SUBSCRIPTION, l0TaskRunner, recordCall } from '../../../shared/tests/l0';
import type { DeployDeps } from '../../src/main';

/** Secrets planted in the inputs, the vault, the registry and Application Insights: never printed unmasked. */
export const SP_KEY = 'L0-planted-sp-Secret-aci-5e0b19';
export const DB_PASSWORD = 'L0-planted-db-Pass-aci-77f2c0';
export const FEATURE_KEY = 'L0-planted-feature-Key-aci-0c9a4d';
export const ACR_PASSWORD = 'L0-planted-acr-Pass-aci-d13e88';
export const APPINSIGHTS = 'InstrumentationKey=L0-planted-ai-Key-aci-6b2f01;IngestionEndpoint=https://westeurope-1.in.applicationinsights.azure.com/';
export const VAULT_SCORING_KEY = 'L0-planted-scoring-Key-aci-vault-41aa7e';
export const SECRETS = [SP_KEY, DB_PASSWORD, FEATURE_KEY, ACR_PASSWORD, APPINSIGHTS, VAULT_SCORING_KEY];

export const SUBSCRIPTION = L0_SUBSCRIPTION;
export const GROUP_ID = `/subscriptions/${SUBSCRIPTION}/resourceGroups/rg-ml/providers/Microsoft.ContainerInstance/containerGroups/churn-staging`;
export const REGISTRY_ID = `/subscriptions/${SUBSCRIPTION}/resourceGroups/rg-ml/providers/Microsoft.ContainerRegistry/registries/mlacr12345`;
export const APPINSIGHTS_ID = `/subscriptions/${SUBSCRIPTION}/resourceGroups/rg-ml/providers/Microsoft.Insights/components/ai-ml`;
export const FQDN = 'churn-staging.westeurope.azurecontainer.io';
export const DIGEST = `sha256:${'cd'.repeat(32)}`;
/** A container log line that tries to end the task as Succeeded: it must be neutralised. */
export const INJECTION = '##vso[task.complete result=Succeeded;]injected by the container log';

export const sha = (s: string): string => createHash('sha256').update(s).digest('hex').slice(0, 16);

export interface DeployScenarioOptions {
  /** The scoring key secret exists in the vault (default: missing, so a key is generated and stored). */
  vaultHasScoringKey?: boolean;
  /** The container crash-loops instead of running. */
  crash?: boolean;
  /** ACI rejects the PUT (400 InvalidRequestContent). */
  rejectPut?: boolean;
}

const SCENARIO_ENV = 'L0_DEPLOY_SCENARIO';
const notFound = (what: string): Error => Object.assign(new Error(`${what} not found`), { statusCode: 404 });

const PLACEHOLDERS: [string, string][] = [
  [DB_PASSWORD, '<DB_PASSWORD>'], [FEATURE_KEY, '<FEATURE_KEY>'], [ACR_PASSWORD, '<ACR_PASSWORD>'], [APPINSIGHTS, '<APPINSIGHTS>'], [VAULT_SCORING_KEY, '<VAULT_SCORING_KEY>'],
];

/** The container group body with every secret replaced: planted ones by a placeholder, the scoring key by its hash. */
function redactBody(body: ContainerGroup): unknown {
  const container = body.containers[0];
  const env = (container.environmentVariables ?? []).map((e) => {
    if (e.secureValue === undefined) return e;
    const known = PLACEHOLDERS.find(([s]) => s === e.secureValue)?.[1];
    return { name: e.name, secureValue: e.name === 'SCORING_KEY' ? `sha256:${sha(e.secureValue)}` : (known ?? '<UNKNOWN SECRET>') };
  });
  let json = JSON.stringify({ ...body, containers: [{ ...container, environmentVariables: env }] });
  for (const [s, p] of PLACEHOLDERS) json = json.split(s).join(p);
  return JSON.parse(json) as unknown;
}

/** A clock whose sleep advances time at once. */
function virtualClock(): Clock {
  let now = Date.now();
  return {
    now: () => now,
    sleep: async (ms) => {
      now += ms;
      await new Promise((resolve) => setImmediate(resolve));
    },
  };
}

/** Runs DeployToACI with the default valid inputs, overridden by `inputs` (undefined removes one). */
export function runDeployScenario(inputs: Record<string, string | undefined> = {}, o: DeployScenarioOptions = {}): void {
  const all: Record<string, string | undefined> = {
    azureSubscription: 'conn-arm',
    resourceGroup: 'rg-ml',
    workspaceName: 'ws-prod',
    containerGroupName: 'churn-staging',
    imageUri: 'mlacr12345.azurecr.io/churn:3-42',
    imageDigest: DIGEST,
    // the admin-user path (listCredentials, setsecret of the password); the managed-identity default runs in
    // integration.test.ts and pullIdentity.test.ts
    registryCredentials: 'adminUser',
    cpu: '1',
    memoryGb: '2',
    environmentVariables: 'MODE=staging',
    secureEnvironmentVariables: `DB_PASSWORD=${DB_PASSWORD}`,
    keyVault: 'kv-ml',
    secretEnvironmentVariables: 'FEATURE_STORE_KEY=feature-store-key',
    readinessTimeoutMinutes: '5',
    ...inputs,
  };
  const tmr = l0TaskRunner(__dirname, { spKey: SP_KEY, variables: {
    BUILD_BUILDID: '42',
    BUILD_DEFINITIONNAME: 'churn-ci',
    SYSTEM_COLLECTIONURI: 'https://dev.azure.com/contoso/',
    SYSTEM_TEAMPROJECT: 'ml',
  }, inputs: all, entry: path.join(__dirname, 'entry.js') });

  process.env[SCENARIO_ENV] = JSON.stringify(o);
  tmr.run();
}

/** The dependencies entry.js hands to main: the scenario's fakes (options from runDeployScenario). */
export function l0Deps(): DeployDeps {
  const o = JSON.parse(process.env[SCENARIO_ENV] ?? '{}') as DeployScenarioOptions;
  // --- the container group as ACI reports it ---
  let written: ContainerGroup | undefined;
  let polls = 0;
  const groupView = (): ContainerGroup => {
    const body = written as ContainerGroup;
    const c = body.containers[0];
    polls++;
    const running = { state: 'Running', startTime: new Date('2024-05-01T10:00:05Z') };
    const crashing = { state: 'Waiting', detailStatus: 'CrashLoopBackOff' };
    const events = o.crash
      ? [
          { count: 1, firstTimestamp: new Date('2024-05-01T10:00:01Z'), lastTimestamp: new Date('2024-05-01T10:00:01Z'), name: 'Pulled', message: `pulled image "${c.image}"`, type: 'Normal' },
          { count: 3, firstTimestamp: new Date('2024-05-01T10:00:09Z'), lastTimestamp: new Date('2024-05-01T10:00:30Z'), name: 'BackOff', message: 'Back-off restarting failed container', type: 'Warning' },
        ]
      : [];
    return {
      ...body,
      id: GROUP_ID,
      name: 'churn-staging',
      provisioningState: polls < 2 ? 'Creating' : 'Succeeded',
      ipAddress: { ...body.ipAddress, ip: '20.50.1.2', fqdn: FQDN },
      // ACI never returns secure values
      containers: [{ ...c, environmentVariables: (c.environmentVariables ?? []).map((e) => ({ name: e.name, value: e.value })), instanceView: {
        restartCount: o.crash && polls >= 2 ? 3 : 0,
        currentState: polls < 2 ? { state: 'Waiting', detailStatus: 'ContainerCreating' } : o.crash ? crashing : running,
        events,
      } }],
      osType: 'Linux',
    } as ContainerGroup;
  };

  const aciClient = {
    containerGroups: {
      get: async (rg: string, name: string): Promise<ContainerGroup> => {
        recordCall('containerGroups.get', { rg, name, exists: written !== undefined });
        if (!written) throw notFound(`container group ${name}`);
        return groupView();
      },
      beginCreateOrUpdate: async (rg: string, name: string, body: ContainerGroup) => {
        recordCall('containerGroups.beginCreateOrUpdate', { rg, name, body: redactBody(body) });
        if (o.rejectPut) throw Object.assign(new Error("The request content was invalid: 'properties.containers' is wrong."), { name: 'RestError', statusCode: 400, code: 'InvalidRequestContent' });
        written = body;
        return { poll: async () => undefined, isDone: () => true, getOperationState: () => ({ status: 'succeeded' }) };
      },
    },
    containers: {
      listLogs: async (rg: string, group: string, container: string, lo: { tail?: number }) => {
        recordCall('containers.listLogs', { rg, group, container, tail: lo.tail });
        return { content: `Traceback (most recent call last):\n${INJECTION}\nModuleNotFoundError: No module named 'sklearn'\n` };
      },
    },
  };
  const registry = { id: REGISTRY_ID, name: 'mlacr12345', loginServer: 'mlacr12345.azurecr.io', adminUserEnabled: true };
  const registryClient = {
    registries: {
      get: async (rg: string, name: string) => {
        recordCall('registries.get', { rg, name });
        return registry;
      },
      list: async function* () {
        recordCall('registries.list', {});
        yield registry;
      },
      listCredentials: async (rg: string, name: string) => {
        recordCall('registries.listCredentials', { rg, name });
        return { username: 'mlacr12345', passwords: [{ name: 'password', value: ACR_PASSWORD }] };
      },
    },
  };
  const resourceClient = {
    resourceGroups: {
      get: async (rg: string) => {
        recordCall('resourceGroups.get', { rg });
        return { name: rg, location: 'West Europe' };
      },
    },
  };
  const mlClient = {
    workspaces: {
      get: async (rg: string, name: string) => {
        recordCall('workspaces.get', { rg, name });
        return { name, containerRegistry: REGISTRY_ID, applicationInsights: APPINSIGHTS_ID };
      },
    },
  };

  const arm = {
    request: async <T>(method: string, pathOrUrl: string, apiVersion: string): Promise<T> => {
      recordCall('armRequest', { method, pathOrUrl, apiVersion });
      return { name: 'ai-ml', properties: { ConnectionString: APPINSIGHTS } } as T;
    },
  };
  // the connection's subscription, recorded with every vault call (set when main creates its context)
  let subscriptionId = '';
  const vault = (name: string) => ({
    vaultUrl: `https://${name}.vault.azure.net`,
    getSecret: async (secretName: string): Promise<{ value?: string }> => {
      recordCall('getSecret', { subscriptionId, vault: name, secretName });
      if (secretName === 'feature-store-key') return { value: FEATURE_KEY };
      if (secretName === 'churn-staging-scoring-key' && o.vaultHasScoringKey) return { value: VAULT_SCORING_KEY };
      throw notFound(`secret ${secretName}`);
    },
    setSecret: async (secretName: string, value: string, so: { tags?: Record<string, string> }): Promise<{ name: string }> => {
      recordCall('setSecret', { subscriptionId, vault: name, secretName, valueSha: sha(value), tags: so.tags });
      return { name: secretName };
    },
  });
  const clients = { aci: aciClient, acr: registryClient, resources: resourceClient, ml: mlClient, arm, keyVault: vault } as unknown as AzureClients;
  return {
    // the real connection and credential (nothing is signed in: no fake calls for a token)
    createAzureContext: (): AzureContext => {
      // loaded here, not at the top: task-lib reads the inputs when it is first loaded, after the scenario set them
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const { createAzureSession } = require('../../../shared/src/azureSession') as typeof import('../../../shared/src/azureSession');
      const session = createAzureSession();
      subscriptionId = session.subscriptionId;
      return { ...session, clients };
    },
    clock: virtualClock(),
  };
}
