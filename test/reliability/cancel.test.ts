// Cancellation (issue 9): SIGINT while each task waits — TrainModel for its AML job, CreateImage for its
// ACR run, DeployToACI for its container, ProbeEndpoint in its readiness wait and under load. The remote
// clean-up must show in the emulator's request log where there is one (job cancel POST, ACR run cancel
// POST), the result must be Cancelled, and the process must exit within the agent's 7.5 s grace after the
// signal (the agent sends SIGTERM then: a bound from the agent's contract, not a performance assertion).
import * as assert from 'node:assert/strict';
import type { RecordedRequest } from '../emulator';
import { acrControl, acrRuns } from '../emulator/services/acr';
import { aciControl } from '../emulator/services/aci';
import { findJob, jobScripts } from '../emulator/services/aml-jobs';
import type { TaskRun } from '../harness/run-task';
import { startTestBed, type TestBed } from '../harness/testbed';
import { startScoringServer, type ScoringServer } from '../../tasks/ProbeEndpoint/tests/helpers/scoringServer';
import { cleanupTemp, describeRequest, FIXTURES, type Fixture, type TaskName } from './helpers';

const GRACE_MS = 7500;

interface Cancelled { run: TaskRun; signalToExitMs: number; requests: RecordedRequest[] }

/** Runs with SIGINT sent when stdout first matches `when`; measures signal → process exit. */
async function runAndCancel(f: Fixture, inputs: Record<string, string>, when: RegExp): Promise<Cancelled> {
  const mark = f.emulator.requests.length;
  let seen = '';
  let signalledAt = 0;
  const run = await f.run(inputs, {
    timeoutMs: 45_000,
    signal: { name: 'SIGINT', whenStdoutMatches: when },
    // called just before the harness tests the same pattern and sends the signal
    onStdout: (chunk) => {
      seen += chunk;
      if (!signalledAt && when.test(seen)) signalledAt = Date.now();
    },
  });
  const exitedAt = Date.now();
  return { run, signalToExitMs: signalledAt ? exitedAt - signalledAt : -1, requests: f.emulator.requests.slice(mark) };
}

function assertCancelledInTime(c: Cancelled): void {
  const { run } = c;
  const log = `${run.result}: ${run.message} (exit code ${run.exitCode}, signal ${run.signal})\n${c.requests.map(describeRequest).join('\n')}\n${run.stdout.slice(-2500)}\n${run.stderr.slice(-1000)}`;
  assert.ok(c.signalToExitMs >= 0, `the signal was never sent (the waiting line never appeared)\n${log}`);
  assert.equal(run.timedOut, false, log);
  assert.equal(run.result, 'Cancelled', log);
  assert.equal(run.signal, null, `killed by ${run.signal} instead of exiting on its own\n${log}`);
  assert.doesNotMatch(run.stdout, /Received SIGTERM/, 'still running when the agent sent SIGTERM');
  assert.ok(c.signalToExitMs < GRACE_MS, `exited ${c.signalToExitMs} ms after SIGINT (grace ${GRACE_MS} ms)\n${log}`);
}

describe('reliability: SIGINT while waiting → remote clean-up, Cancelled, exit within 7.5 s', function () {
  this.timeout(120_000);
  let bed: TestBed;
  const fx = new Map<TaskName, Fixture>();
  const servers: ScoringServer[] = [];
  const timings: string[] = [];

  before(async () => {
    bed = await startTestBed();
    for (const t of ['TrainModel', 'CreateImage', 'DeployToACI', 'ProbeEndpoint'] as const) fx.set(t, await FIXTURES[t](bed));
  });
  afterEach(() => {
    for (const f of fx.values()) f.reset();
  });
  after(async () => {
    if (process.env.RELIABILITY_VERBOSE) console.log(timings.map((t) => `    ${t}`).join('\n'));
    await Promise.all(servers.map((s) => s.close()));
    for (const f of fx.values()) await f.stop();
    await bed?.stop();
    cleanupTemp();
  });

  it('TrainModel waiting for its job: the job is cancelled (POST …/jobs/<name>/cancel)', async () => {
    const f = fx.get('TrainModel')!;
    jobScripts(f.emulator).set('*', { neverFinish: true });
    const c = await runAndCancel(f, { ...f.inputs(), pollIntervalSeconds: '0.2' }, /: Running \(elapsed/);
    timings.push(`TrainModel: ${c.signalToExitMs} ms`);
    assertCancelledInTime(c);
    const cancels = c.requests.filter((r) => r.method === 'POST' && /\/jobs\/[^/]+\/cancel$/.test(r.path));
    assert.equal(cancels.length, 1, c.requests.map(describeRequest).join('\n'));
    assert.ok(cancels[0].status < 300, describeRequest(cancels[0]));
    const name = /\/jobs\/([^/]+)\/cancel$/.exec(cancels[0].path)![1];
    assert.equal(findJob(f.emulator, name)?.status, 'Canceled');
  });

  it('CreateImage waiting for its ACR run: the run is cancelled (POST …/runs/<id>/cancel)', async () => {
    const f = fx.get('CreateImage')!;
    acrControl(f.emulator).holdRuns = true;
    const c = await runAndCancel(f, f.inputs(), /ACR run \S+: Running/);
    timings.push(`CreateImage: ${c.signalToExitMs} ms`);
    assertCancelledInTime(c);
    const cancels = c.requests.filter((r) => r.method === 'POST' && /\/runs\/[^/]+\/cancel$/.test(r.path));
    assert.equal(cancels.length, 1, c.requests.map(describeRequest).join('\n'));
    assert.ok(cancels[0].status < 300, describeRequest(cancels[0]));
    const runId = /\/runs\/([^/]+)\/cancel$/.exec(cancels[0].path)![1];
    assert.equal(acrRuns(f.emulator).get(runId)?.status, 'Canceled');
  });

  // DeployToACI registers no clean-up of its own (ACI has no cancel for a create in progress) and only hands
  // cancellationSignal() to its wait: this case caught that the shared module then installed no handler at all.
  it('DeployToACI waiting for its container: Cancelled in time (no remote clean-up defined for ACI)', async () => {
    const f = fx.get('DeployToACI')!;
    aciControl(f.emulator).holdPulling = true;
    const c = await runAndCancel(f, f.inputs(), /container group '[^']+': provisioning Pending/);
    timings.push(`DeployToACI: ${c.signalToExitMs} ms`);
    assertCancelledInTime(c);
  });

  it('ProbeEndpoint in its readiness wait: Cancelled in time, no payload sent', async () => {
    const f = fx.get('ProbeEndpoint')! as Fixture & { key: string };
    const s = await startScoringServer({ key: f.key, readyAfterLivenessCalls: 'never' });
    servers.push(s);
    const c = await runAndCancel(f, { ...f.inputs(), scoringUri: s.url, readinessTimeoutSeconds: '30' }, /liveness .*: not ready/);
    timings.push(`ProbeEndpoint (readiness): ${c.signalToExitMs} ms`);
    assertCancelledInTime(c);
    assert.equal(s.posts, 0);
  });

  it('ProbeEndpoint under load: Cancelled in time, the load stops', async () => {
    const f = fx.get('ProbeEndpoint')! as Fixture & { key: string };
    const s = await startScoringServer({ key: f.key, delaysMs: [200] });
    servers.push(s);
    const c = await runAndCancel(f, { ...f.inputs(), scoringUri: s.url, warmupRequests: '0', requestCount: '2000', concurrency: '2' }, /Sending 2000 request\(s\)/);
    timings.push(`ProbeEndpoint (load): ${c.signalToExitMs} ms`);
    assertCancelledInTime(c);
    const sent = s.posts;
    await new Promise((r) => setTimeout(r, 500));
    assert.equal(s.posts, sent, 'requests kept coming after the exit');
    assert.ok(sent < 200, `${sent} requests sent`);
  });
});
