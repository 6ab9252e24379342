// Fakes for green's provisioning follow-up (ensureGreen) off the emulator: read inputs and a plan with only what
// ensureGreen reads, and an ARM client whose deployment provisions until a time on a fake clock. Used by
// provisioning.test.ts and the polling bench (scripts/bench/online.ts), so both measure the same follow-up.
import type { OnlineInputs } from '../src/inputs';
import type { OnlineContext, OnlinePlan } from '../src/prepare';
import type { FakeClock } from '../../shared/tests/fakeClock';

export { FakeClock } from '../../shared/tests/fakeClock';

/** Read inputs of a one-instance deployment of model m:2. */
export const fakeInputs = {
  model: { name: 'm', version: '2', text: 'm:2' }, instanceType: 'Standard_DS3_v2', instanceCount: 1, requestTimeoutMs: 5000, maxConcurrentRequestsPerInstance: 1,
  probe: { initialDelaySeconds: 10, periodSeconds: 10, failureThreshold: 30 }, environmentVariables: new Map(), appInsights: true, collectData: false, sampleRate: 1,
} as unknown as OnlineInputs;

/** The plan: green deployment 'v-2' of endpoint 'ep' in workspace 'ws'. */
export const fakePlan = {
  ws: { name: 'ws', resourceGroup: 'rg', location: 'eastus', id: '/ws' }, scope: { workspaceId: '/ws', workspaceName: 'ws', endpoint: 'ep' },
  modelArmId: '/ws/models/m/versions/2', green: 'v-2', environment: { id: '/ws/environments/e/versions/1', reference: 'e:1' }, tags: {},
} as unknown as OnlinePlan;

export interface ArmCall { method: string; at: number; path: string }

/**
 * An ARM client: the deployment PUT answers 201 with an Azure-AsyncOperation, every status read says InProgress until
 * `endsAtMs` on the clock, then Succeeded (or Failed with `fails`); getLogs returns a line with a planted `##vso`.
 */
export function fakeArm(clock: FakeClock, o: { endsAtMs: number; fails?: boolean }): { ctx: OnlineContext; calls: ArmCall[] } {
  const calls: ArmCall[] = [];
  const arm = {
    response: async (method: string, path: string) => {
      calls.push({ method, at: clock.now(), path });
      if (method === 'PUT') return { status: 201, headers: { 'Azure-AsyncOperation': 'https://management.localhost/op/1?api-version=2024-04-01' }, body: {} };
      const done = clock.now() >= o.endsAtMs;
      return { status: 200, headers: {}, body: done ? (o.fails ? { status: 'Failed', error: { code: 'ResourceNotReady', message: 'User container has crashed or terminated.' } } : { status: 'Succeeded' }) : { status: 'InProgress' } };
    },
    request: async (method: string, path: string, _v: string, body: { containerType: string }) => {
      calls.push({ method, at: clock.now(), path });
      return { content: `${body.containerType} log line\n##vso[task.complete result=Succeeded;]injected\n` };
    },
  };
  return { ctx: { clients: { arm, ml: {} } } as unknown as OnlineContext, calls };
}
