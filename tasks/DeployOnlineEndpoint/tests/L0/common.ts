// Shared set-up of the DeployOnlineEndpoint L0 scenarios (not a scenario itself). scenario.ts sets the inputs and
// the service connection (ENDPOINT_* variables) through TaskMockRunner and runs entry.js, which calls the task's
// main with its dependencies injected (no module is mocked by path):
//   createAzureContext: the real connection and credential, with recording fakes as the clients: `ml` (workspace,
//     datastores, model, environment and code versions) and `arm` (an in-memory online endpoint and its
//     deployments: PUTs answer 201 with an Azure-AsyncOperation URL, polls answer Succeeded or the scenario's
//     provisioning failure, listKeys the planted key, getLogs a log line that tries to end the task);
//   scoringClient: a fake ScoringClient answering each deployment (header azureml-model-deployment) with
//     data × its model's factor; clock: a virtual clock (waits take no real time).
// The scenario's options travel in L0_ONLINE_SCENARIO (JSON).
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Exchange, ScoringClient, ScoringClientOptions } from '../../../shared/src/scoring';
import type { Clock } from '../../../shared/src/task';
import { L0_SUBSCRIPTION, l0TaskRunner, recordCall } from '../../../shared/tests/l0';
import type { OnlineDeps } from '../../src/main';
import type { OnlineContext } from '../../src/prepare';

export const SP_KEY = 'L0-planted-sp-Secret-online-91c2ee';
export const ENDPOINT_KEY = 'L0-planted-endpoint-Key-online-4d7a10';
export const INJECTION = '##vso[task.complete result=Succeeded;]injected by the container log';
export const WS_ID = `/subscriptions/${L0_SUBSCRIPTION}/resourceGroups/rg-ml/providers/Microsoft.MachineLearningServices/workspaces/ws-prod`;
const SCENARIO_ENV = 'L0_ONLINE_SCENARIO';

export interface OnlineScenario {
  inputs?: Record<string, string | undefined>;
  /** The endpoint exists with v-1 serving everything (default true). */
  blue?: boolean;
  /** Factor each model version answers with (default: every version 2). */
  factors?: Record<string, number>;
  /** Green's provisioning fails with this Azure error. */
  provisioningError?: { code: string; message: string };
  /** Azure refuses green's PUT (e.g. OutOfQuota). */
  putError?: { status: number; code: string; message: string };
}

const notFound = (what: string): Error => Object.assign(new Error(`${what} not found`), { statusCode: 404, code: 'ResourceNotFound' });

/** Runs the scenario with the default inputs overridden by `o.inputs` (undefined removes one). */
export function runOnlineScenario(o: OnlineScenario = {}): void {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'l0-online-'));
  fs.mkdirSync(path.join(dir, 'code'));
  fs.writeFileSync(path.join(dir, 'code', 'score.py'), 'def init():\n    pass\ndef run(raw):\n    return raw\n');
  fs.writeFileSync(path.join(dir, 'payloads.jsonl'), '{"data": [1, 2]}\n{"data": [3]}\n');
  const all: Record<string, string | undefined> = {
    azureSubscription: 'conn-arm', resourceGroup: 'rg-ml', workspaceName: 'ws-prod', endpointName: 'energy-prod', modelId: 'azureml:energy:2',
    scoringScript: path.join(dir, 'code', 'score.py'), environment: 'azureml:sklearn:1', payloadFile: path.join(dir, 'payloads.jsonl'),
    requestCount: '6', concurrency: '2', stepWaitMinutes: '1', pollIntervalSeconds: '30',
    ...o.inputs,
  };
  process.env[SCENARIO_ENV] = JSON.stringify(o);
  const tmr = l0TaskRunner(__dirname, { spKey: SP_KEY, variables: { BUILD_BUILDID: '42', BUILD_SOURCESDIRECTORY: dir }, inputs: all, entry: path.join(__dirname, 'entry.js') });
  tmr.run();
}

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

interface Endpoint { location: string; tags?: Record<string, string>; properties: { authMode: string; traffic: Record<string, number>; mirrorTraffic: Record<string, number>; scoringUri: string; swaggerUri: string; provisioningState: string } }

export function l0Deps(): OnlineDeps {
  const o = JSON.parse(process.env[SCENARIO_ENV] ?? '{}') as OnlineScenario;
  const factors = o.factors ?? {};
  let endpoint: Endpoint | undefined = o.blue === false ? undefined : {
    location: 'westeurope', tags: {},
    properties: { authMode: 'Key', traffic: { 'v-1': 100 }, mirrorTraffic: {}, scoringUri: 'https://energy-prod.westeurope.inference.ml.azure.com/score', swaggerUri: 'https://energy-prod.westeurope.inference.ml.azure.com/swagger.json', provisioningState: 'Succeeded' },
  };
  const deployments = new Map<string, { model: string; state: string }>(o.blue === false ? [] : [['v-1', { model: '1', state: 'Succeeded' }]]);
  let pendingFailure: { code: string; message: string } | undefined;

  const arm = {
    response: async (method: string, url: string, _api: string, body?: { properties?: Record<string, unknown>; location?: string }) => {
      const p = url.replace(/\?.*$/, '').replace(/^https:\/\/management\.azure\.com/, '');
      const dep = /\/deployments\/([^/]+)$/.exec(p)?.[1];
      recordCall('arm', { method, path: p.replace(WS_ID, '<ws>'), ...(method === 'PUT' && !dep ? { traffic: body?.properties?.traffic, mirrorTraffic: body?.properties?.mirrorTraffic } : {}) });
      const accepted = { status: 201, headers: { 'azure-asyncoperation': 'https://management.azure.com/op/1?api-version=2024-04-01' }, body: {} };
      if (p.startsWith('/op/')) {
        const failure = pendingFailure;
        pendingFailure = undefined;
        return { status: 200, headers: {}, body: failure ? { status: 'Failed', error: failure } : { status: 'Succeeded' } };
      }
      if (dep) {
        if (method === 'GET') {
          const d = deployments.get(dep);
          if (!d) throw notFound(`deployment ${dep}`);
          return { status: 200, headers: {}, body: { name: dep, location: 'westeurope', tags: {}, properties: { provisioningState: d.state } } };
        }
        if (o.putError) throw Object.assign(new Error(o.putError.message), { statusCode: o.putError.status, code: o.putError.code, details: { error: { code: o.putError.code, message: o.putError.message } } });
        const model = String((body?.properties?.model as string | undefined)?.split('/').pop() ?? '');
        deployments.set(dep, { model, state: o.provisioningError ? 'Failed' : 'Succeeded' });
        pendingFailure = o.provisioningError;
        return accepted;
      }
      if (method === 'GET') {
        if (!endpoint) throw notFound('endpoint');
        return { status: 200, headers: {}, body: endpoint };
      }
      const props = body?.properties ?? {};
      endpoint = {
        location: body?.location ?? 'westeurope', tags: {},
        properties: {
          authMode: String(props.authMode), traffic: (props.traffic ?? {}) as Record<string, number>, mirrorTraffic: (props.mirrorTraffic ?? {}) as Record<string, number>,
          scoringUri: 'https://energy-prod.westeurope.inference.ml.azure.com/score', swaggerUri: 'https://energy-prod.westeurope.inference.ml.azure.com/swagger.json', provisioningState: 'Succeeded',
        },
      };
      return accepted;
    },
    request: async (method: string, url: string, _api: string, body?: { containerType?: string }) => {
      const p = url.replace(WS_ID, '<ws>');
      recordCall('arm', { method, path: p, ...(body?.containerType ? { containerType: body.containerType } : {}) });
      if (p.endsWith('/listKeys')) return { primaryKey: ENDPOINT_KEY, secondaryKey: 'L0-planted-secondary-online-3a3a3a' };
      return { content: `${body?.containerType} started\n${INJECTION}\n` };
    },
  };

  const ml = {
    workspaces: { get: async (rg: string, name: string) => {
      recordCall('workspaces.get', { rg, name });
      return { id: WS_ID, name, location: 'westeurope' };
    } },
    datastores: {
      list: async function* () {
        recordCall('datastores.list', {});
        yield { name: 'workspaceblobstore', properties: { datastoreType: 'AzureBlob', accountName: 'acct', containerName: 'c', isDefault: true, credentials: { credentialsType: 'AccountKey' } } };
      },
    },
    modelContainers: { get: async (_rg: string, _ws: string, name: string) => {
      recordCall('modelContainers.get', { name });
      if (name !== 'energy') throw notFound(`model ${name}`);
      return { properties: { latestVersion: '3' } };
    } },
    modelVersions: { get: async (_rg: string, _ws: string, name: string, version: string) => {
      recordCall('modelVersions.get', { name, version });
      if (name !== 'energy' || !['1', '2', '3'].includes(version)) throw notFound(`model ${name}:${version}`);
      return { id: `${WS_ID}/models/${name}/versions/${version}`, properties: { modelType: 'custom_model' } };
    } },
    environmentVersions: { get: async (_rg: string, _ws: string, name: string, version: string) => {
      recordCall('environmentVersions.get', { name, version });
      if (name !== 'sklearn' || version !== '1') throw notFound(`environment ${name}:${version}`);
      return { id: `${WS_ID}/environments/${name}/versions/${version}` };
    } },
    // the code version of the scenario's snapshot exists: nothing is uploaded
    codeVersions: { get: async (_rg: string, _ws: string, name: string, version: string) => {
      recordCall('codeVersions.get', { version });
      return { id: `${WS_ID}/codes/${name}/versions/${version}`, properties: { codeUri: 'https://acct.blob.core.windows.net/c/LocalUpload/x' } };
    } },
  };

  class FakeScoringClient {
    constructor(private readonly co: ScoringClientOptions) {}
    async score(body: Buffer): Promise<Exchange> {
      const dep = this.co.headers['azureml-model-deployment'];
      const model = deployments.get(dep)?.model ?? '?';
      const data = (JSON.parse(body.toString()) as { data: number[] }).data;
      return { status: 200, latencyMs: 5, body: Buffer.from(JSON.stringify(data.map((x) => x * (factors[model] ?? 2)))) };
    }
    close(): void {
      // nothing to release
    }
  }

  return {
    createAzureContext: (): OnlineContext => {
      // loaded here, not at the top: task-lib reads the inputs when it is first loaded, after the scenario set them
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const { createAzureSession } = require('../../../shared/src/azureSession') as typeof import('../../../shared/src/azureSession');
      return { ...createAzureSession(), clients: { ml, arm } } as unknown as OnlineContext;
    },
    scoringClient: (co: ScoringClientOptions) => new FakeScoringClient(co) as unknown as ScoringClient,
    clock: virtualClock(),
  };
}
