// DeployOnlineEndpoint's ARM traffic. (1) While a deployment provisions: the task's own follow-up (ensureGreen
// with its default 30 s poll interval) on a fake clock, against fixed-interval pollers (2 s, the SDK's
// long-running-operation default, and 15 s). (2) Per rollout step against the emulator: the bundled task rolls a new deployment out in
// mirror 10, 10, 50, 100, and the ARM requests of each step are counted, beside the minimum a script needs
// for the same traffic change (PUT of the endpoint + follow its operation), measured on the same emulator.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { waitUntil } from '../../tasks/shared/src/waiter';
import { ensureGreen } from '../../tasks/DeployOnlineEndpoint/src/provision';
import { fakeArm, FakeClock, fakeInputs, fakePlan } from '../../tasks/DeployOnlineEndpoint/tests/fakes';
import { OnlineFixture, SCORE } from '../../test/emulator/online-fixtures';
import { installDnsPreload, runTask, serviceConnectionEnv } from '../../test/harness/run-task';
import { startTestBed } from '../../test/harness/testbed';

const PROVISION_MINUTES = [4, 12];
const DEFAULT_POLL_SECONDS = 30; // DeployOnlineEndpoint's pollIntervalSeconds default (task.json)

/** ARM reads while a deployment that takes `minutes` provisions, with the task's real ensureGreen. */
async function taskReads(minutes: number): Promise<number> {
  const clock = new FakeClock();
  const { ctx, calls } = fakeArm(clock, { endsAtMs: minutes * 60_000 });
  const log = console.log;
  console.log = () => undefined;
  try {
    await ensureGreen(ctx, fakeInputs, fakePlan, { location: 'eastus', properties: { authMode: 'Key' } }, { pollIntervalMs: DEFAULT_POLL_SECONDS * 1000, timeoutMs: 3600_000, clock });
  } finally {
    console.log = log;
  }
  return calls.filter((c) => c.method === 'GET').length;
}

async function fixedReads(minutes: number, intervalMs: number): Promise<number> {
  const clock = new FakeClock();
  let reads = 0;
  await waitUntil({
    what: 'deployment', clock, timeoutMs: 3600_000, initialDelayMs: intervalMs, maxDelayMs: intervalMs, factor: 1, heartbeatMs: 0, log: () => undefined,
    poll: async () => {
      reads++;
      const done = clock.now() >= minutes * 60_000;
      return { done, state: done ? 'Succeeded' : 'InProgress' };
    },
  });
  return reads;
}

async function perStep(root: string): Promise<string[]> {
  installDnsPreload();
  const bed = await startTestBed();
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-online-'));
  try {
    const fx = new OnlineFixture(bed);
    await fx.seed();
    const emu = bed.emulator;
    // blue: v-1 serving everything
    await fx.putEndpoint('bench-ep', { authMode: 'Key' });
    await fx.putDeployment('bench-ep', 'v-1', { model: '1', concurrency: 4 });
    await fx.putEndpoint('bench-ep', { authMode: 'Key', traffic: { 'v-1': 100 } });
    // baseline: one traffic change as a script makes it (PUT + follow the operation), on the same emulator
    const b0 = emu.requests.length;
    await fx.putEndpoint('bench-ep', { authMode: 'Key', traffic: { 'v-1': 100 } });
    const baseline = emu.requests.slice(b0).filter((r) => r.host === 'management.localhost').length;

    fs.mkdirSync(path.join(work, 'code'));
    fs.writeFileSync(path.join(work, 'code', 'score.py'), SCORE);
    fs.writeFileSync(path.join(work, 'payloads.jsonl'), '{"data": [1, 2]}\n{"data": [3]}\n');
    const conn = serviceConnectionEnv(emu, 'spnKey');
    const marks: { label: string; at: number }[] = [];
    const start = emu.requests.length;
    const run = await runTask(path.join(root, 'dist', 'tasks', 'DeployOnlineEndpoint', 'index.js'), {
      inputs: {
        azureSubscription: conn.id, resourceGroup: 'rg-ml', workspaceName: 'mlw', endpointName: 'bench-ep', modelId: 'azureml:energy:2',
        scoringScript: path.join(work, 'code', 'score.py'), environment: 'azureml:sklearn:1', payloadFile: path.join(work, 'payloads.jsonl'),
        requestCount: '4', concurrency: '1', maxConcurrentRequestsPerInstance: '4', stepWaitMinutes: '0', pollIntervalSeconds: '1',
      },
      connection: conn, variables: { 'Build.BuildId': '1' }, timeoutMs: 300_000,
      onStdout: (chunk) => {
        for (const m of chunk.matchAll(/(Step \d\/\d \([^)]*\)): (?:live|the endpoint)/g)) marks.push({ label: m[1], at: emu.requests.length });
        if (/Rollout complete/.test(chunk)) marks.push({ label: 'end', at: emu.requests.length });
      },
    });
    if (run.result !== 'Succeeded') throw new Error(`the rollout did not succeed: ${run.message ?? ''}`);
    const arm = (from: number, to: number): { reads: number; writes: number } => {
      const rs = emu.requests.slice(from, to).filter((r) => r.host === 'management.localhost');
      return { reads: rs.filter((r) => r.method === 'GET').length, writes: rs.filter((r) => r.method !== 'GET').length };
    };
    const lines = [`ARM requests per traffic change, script baseline (PUT + follow the operation): ${baseline}`];
    const before = arm(start, marks[0]?.at ?? start);
    lines.push(`before the first step (reads, green's PUT and its provisioning polls at pollIntervalSeconds=1, keys): ${before.reads} reads, ${before.writes} writes`);
    for (let i = 0; i + 1 < marks.length; i++) {
      const c = arm(marks[i].at, marks[i + 1].at);
      lines.push(`${marks[i].label}: ${c.reads + c.writes} ARM requests (${c.writes} write, ${c.reads} reads) — baseline ${baseline}`);
    }
    return lines;
  } finally {
    await bed.stop();
    fs.rmSync(work, { recursive: true, force: true });
  }
}

export async function benchOnline(root: string): Promise<string[]> {
  const lines: string[] = [];
  for (const minutes of PROVISION_MINUTES) {
    const ours = await taskReads(minutes);
    const sdk = await fixedReads(minutes, 2000);
    const cli = await fixedReads(minutes, 15_000);
    const per30 = ours / ((minutes * 60) / 30);
    lines.push(`deployment provisioning ${minutes} min: task ${ours} ARM reads (${per30.toFixed(2)} per 30 s, bound 1) vs fixed 2 s poller ${sdk}, fixed 15 s poller ${cli}`);
  }
  lines.push(...(await perStep(root)));
  return lines;
}
