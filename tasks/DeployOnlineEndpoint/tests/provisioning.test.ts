// Green's provisioning follow-up on a fake clock: one ARM status read per poll interval (30 s by default),
// none right after the PUT, and a failed provisioning shows both containers' logs and fails without traffic.
import * as assert from 'node:assert/strict';
import { ensureGreen } from '../src/provision';
import { fakeArm, FakeClock, fakeInputs as inputs, fakePlan as plan } from './fakes';

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
