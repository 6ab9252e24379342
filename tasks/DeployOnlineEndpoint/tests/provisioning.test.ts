// Green's provisioning follow-up on a fake clock: one ARM status read per poll interval (30 s by default),
// none right after the PUT, and a failed provisioning shows both containers' logs and fails without traffic.
import * as assert from 'node:assert/strict';
import type { Clock } from '../../shared/src/task';
import type { OnlineInputs } from '../src/inputs';
import type { OnlineContext, OnlinePlan } from '../src/prepare';
import { ensureGreen } from '../src/provision';

class FakeClock implements Clock {
  t = 0;
  now(): number {
    return this.t;
  }
  async sleep(ms: number): Promise<void> {
    this.t += ms;
  }
}

const inputs = {
  model: { name: 'm', version: '2', text: 'm:2' }, instanceType: 'Standard_DS3_v2', instanceCount: 1, requestTimeoutMs: 5000, maxConcurrentRequestsPerInstance: 1,
  probe: { initialDelaySeconds: 10, periodSeconds: 10, failureThreshold: 30 }, environmentVariables: new Map(), appInsights: true, collectData: false, sampleRate: 1,
} as unknown as OnlineInputs;
const plan = {
  ws: { name: 'ws', resourceGroup: 'rg', location: 'eastus', id: '/ws' }, scope: { workspaceId: '/ws', workspaceName: 'ws', endpoint: 'ep' },
  modelArmId: '/ws/models/m/versions/2', green: 'v-2', environment: { id: '/ws/environments/e/versions/1', reference: 'e:1' }, tags: {},
} as unknown as OnlinePlan;

function fakeArm(clock: FakeClock, o: { endsAtMs: number; fails?: boolean }): { ctx: OnlineContext; calls: { method: string; at: number; path: string }[] } {
  const calls: { method: string; at: number; path: string }[] = [];
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

describe('DeployOnlineEndpoint provisioning follow-up (fake clock)', () => {
  let out: string[];
  let log: typeof console.log;
  let write: typeof process.stdout.write;
  beforeEach(() => {
    out = [];
    log = console.log;
    write = process.stdout.write;
    console.log = (...a: unknown[]) => void out.push(a.join(' '));
    process.stdout.write = ((chunk: string | Uint8Array) => { out.push(String(chunk)); return true; }) as typeof process.stdout.write;
  });
  afterEach(() => {
    console.log = log;
    process.stdout.write = write;
  });

  it('reads the status at most once per 30 s while a deployment provisions for 12 minutes', async () => {
    const clock = new FakeClock();
    const { ctx, calls } = fakeArm(clock, { endsAtMs: 12 * 60_000 });
    const r = await ensureGreen(ctx, inputs, plan, { location: 'eastus', properties: { authMode: 'Key' } }, { pollIntervalMs: 30_000, timeoutMs: 3600_000, clock });
    assert.equal(r, 'created');
    const reads = calls.filter((c) => c.method === 'GET');
    assert.equal(calls[0].method, 'PUT');
    assert.ok(reads.every((c) => c.at >= 30_000), 'no read right after the PUT');
    for (let i = 1; i < reads.length; i++) assert.ok(reads[i].at - reads[i - 1].at >= 30_000, `reads ${i - 1} and ${i} are less than 30 s apart`);
    assert.equal(reads.length, 24);
  });

  it('a deployment that fails to provision: both containers\' logs, neutralised, and a failure that says the traffic is unchanged', async () => {
    const clock = new FakeClock();
    const { ctx, calls } = fakeArm(clock, { endsAtMs: 60_000, fails: true });
    await assert.rejects(
      ensureGreen(ctx, inputs, plan, { location: 'eastus', properties: { authMode: 'Key' } }, { pollIntervalMs: 30_000, timeoutMs: 3600_000, clock }),
      /deployment 'v-2' failed in Azure: ResourceNotReady\. User container has crashed or terminated.*the endpoint's traffic is unchanged/,
    );
    assert.deepEqual(calls.filter((c) => c.method === 'POST').map((c) => c.path), ['/ws/onlineEndpoints/ep/deployments/v-2/getLogs', '/ws/onlineEndpoints/ep/deployments/v-2/getLogs']);
    const text = out.join('');
    assert.match(text, /StorageInitializer log line/);
    assert.match(text, /InferenceServer log line/);
    assert.doesNotMatch(text, /^##vso\[task\.complete/m);
  });
});
