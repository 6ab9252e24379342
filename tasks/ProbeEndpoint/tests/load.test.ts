// The load engine and client against local scoring servers, called directly (no task process).
import * as assert from 'node:assert/strict';
import * as net from 'node:net';
import * as path from 'node:path';
import * as tl from 'azure-pipelines-task-lib/task';
import { ScoringClient } from '../../shared/src/scoring';
import { runLoad } from '../../shared/src/scoring';
import { waitForReadiness } from '../src/readiness';
import { latencyStats } from '../../shared/src/scoring';
import { TASK_DIR } from './helpers/paths';
import { startScoringServer, ScoringServer } from './helpers/scoringServer';

before(() => tl.setResourcePath(path.join(TASK_DIR, 'task.json')));

const PAYLOAD = [Buffer.from('{"x":1}')];
const quiet = (): void => undefined;

function clientFor(s: { url: string }, o: { timeoutMs?: number; maxSockets?: number; headers?: Record<string, string> } = {}): ScoringClient {
  return new ScoringClient({ url: new URL(s.url), headers: o.headers ?? {}, timeoutMs: o.timeoutMs ?? 10000, maxSockets: o.maxSockets ?? 4 });
}

describe('ProbeEndpoint load engine: latency measurement', function () {
  this.timeout(60000);
  let server: ScoringServer | undefined;
  afterEach(async () => server?.close());

  // 20 delays: 10 x 40 ms, 8 x 120 ms, 300 ms, 600 ms. Nearest-rank over 20 samples: p50 = 10th = 40,
  // p90 = 18th = 120, p95 = 19th = 300, p99 = 20th = 600. Wrong formulas land outside the windows:
  // linear interpolation gives p50 = 80 ms, sorted[floor(p*n)] gives p50 = 120 ms and p95 = 600 ms.
  const DELAYS = [40, 40, 120, 40, 600, 40, 120, 40, 120, 40, 300, 120, 40, 120, 40, 120, 40, 120, 120, 40];
  it('computes nearest-rank percentiles of requests with known server delays', async () => {
    server = await startScoringServer({ delaysMs: DELAYS });
    const c = clientFor(server, { maxSockets: 4 });
    // one full cycle of warm-up (connections, JIT), so the measured run starts again at delay 0
    await runLoad(c, { requests: DELAYS.length, concurrency: 4, payloads: PAYLOAD });
    const run = await runLoad(c, { requests: 20, concurrency: 4, payloads: PAYLOAD });
    c.close();
    assert.equal(server.posts, 40);
    const s = latencyStats(run.results.map((r) => r.latencyMs));
    assert.equal(run.results.length, 20);
    // each latency is the server delay plus local overhead: at least the delay, and below the next delay up
    const within = (v: number, lo: number, below: number, what: string): void => assert.ok(v >= lo - 2 && v < below, `${what} = ${v.toFixed(1)} ms, expected in [${lo}, ${below})`);
    within(s.p50, 40, 80, 'p50');
    within(s.p90, 120, 210, 'p90');
    within(s.p95, 300, 450, 'p95');
    within(s.p99, 600, 900, 'p99');
    assert.equal(s.p99, s.max);
  });

  it('times the whole response body, not just the headers', async () => {
    server = await startScoringServer({ bodyDelayMs: 120 });
    const c = clientFor(server);
    const run = await runLoad(c, { requests: 2, concurrency: 1, payloads: PAYLOAD, keepBodies: true });
    c.close();
    for (const r of run.results) {
      assert.equal(r.status, 200);
      assert.ok(r.latencyMs >= 118, `latency ${r.latencyMs} ms includes the 120 ms body delay`);
      assert.deepEqual(JSON.parse(r.body!.toString()), { result: 2 });
    }
  });

  it('keeps connections alive: no more connections than the concurrency', async () => {
    server = await startScoringServer();
    const c = clientFor(server, { maxSockets: 3 });
    const run = await runLoad(c, { requests: 60, concurrency: 3, payloads: [Buffer.from('{"x":1}'), Buffer.from('{"x":2}')], keepBodies: true });
    c.close();
    assert.equal(server.posts, 60);
    assert.ok(server.connections <= 3, `${server.connections} connections`);
    // payloads are cycled by request number
    assert.deepEqual(run.results.slice(0, 4).map((r) => r.payloadIndex), [0, 1, 0, 1]);
    assert.deepEqual(JSON.parse(run.results[1].body!.toString()), { result: 4 });
  });

  it('counts a request without a complete answer in time as a timeout', async () => {
    server = await startScoringServer({ delaysMs: [2000] });
    const c = clientFor(server, { timeoutMs: 200 });
    const run = await runLoad(c, { requests: 2, concurrency: 2, payloads: PAYLOAD });
    c.close();
    assert.deepEqual(run.results.map((r) => r.error), ['timeout', 'timeout']);
    for (const r of run.results) assert.ok(r.latencyMs >= 195 && r.latencyMs < 1900, String(r.latencyMs));
  });

  it('records network errors (nothing listening) without throwing', async () => {
    const port = await new Promise<number>((resolve) => {
      const s = net.createServer().listen(0, '127.0.0.1', () => {
        const p = (s.address() as net.AddressInfo).port;
        s.close(() => resolve(p));
      });
    });
    const c = clientFor({ url: `http://127.0.0.1:${port}/score` });
    const run = await runLoad(c, { requests: 3, concurrency: 1, payloads: PAYLOAD });
    c.close();
    assert.deepEqual(run.results.map((r) => r.error), ['ECONNREFUSED', 'ECONNREFUSED', 'ECONNREFUSED']);
  });

  it('stops sending when the cancellation signal fires', async () => {
    server = await startScoringServer({ delaysMs: [50] });
    const c = clientFor(server, { maxSockets: 2 });
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 120);
    const run = await runLoad(c, { requests: 1000, concurrency: 2, payloads: PAYLOAD, signal: ac.signal });
    c.close();
    assert.ok(run.results.length < 1000, `${run.results.length} sent`);
    assert.ok(run.results.some((r) => r.error === 'cancelled'));
  });
});

describe('ProbeEndpoint readiness', function () {
  this.timeout(60000);
  let server: ScoringServer | undefined;
  afterEach(async () => server?.close());

  it('polls the liveness route on the origin until it answers 2xx', async () => {
    server = await startScoringServer({ readyAfterLivenessCalls: 2 });
    const lines: string[] = [];
    const r = await waitForReadiness(clientFor(server), { timeoutMs: 20000, log: (l) => lines.push(l) });
    assert.equal(r.outcome, 'ready');
    assert.equal(server.livenessCalls, 3);
    assert.equal(server.posts, 0);
    assert.ok(lines.some((l) => /not ready \(HTTP 503\)/.test(l)) && lines.some((l) => /ready \(HTTP 200\)/.test(l)), lines.join('\n'));
  });

  it('gives up at the timeout with the last answer', async () => {
    server = await startScoringServer({ readyAfterLivenessCalls: 'never' });
    const r = await waitForReadiness(clientFor(server), { timeoutMs: 1200, log: quiet });
    assert.equal(r.outcome, 'timeout');
    assert.equal(r.last, 'HTTP 503');
    assert.ok(server.livenessCalls >= 2);
  });

  it('stops at once on 401 (up, but the key is wrong) and sends the key on the liveness route', async () => {
    server = await startScoringServer({ key: 'right-key-1234' });
    const r = await waitForReadiness(clientFor(server, { headers: { Authorization: 'Bearer wrong-key-1234' } }), { timeoutMs: 20000, log: quiet });
    assert.equal(r.outcome, 'unauthorized');
    assert.equal(server.unauthorized, 1);
    const ok = await waitForReadiness(clientFor(server, { headers: { Authorization: 'Bearer right-key-1234' } }), { timeoutMs: 20000, log: quiet });
    assert.equal(ok.outcome, 'ready');
  });

  it('is skipped with readinessTimeoutSeconds=0', async () => {
    server = await startScoringServer({ readyAfterLivenessCalls: 'never' });
    assert.equal((await waitForReadiness(clientFor(server), { timeoutMs: 0 })).outcome, 'skipped');
    assert.equal(server.livenessCalls, 0);
  });
});
