// L0 tests: the tsc-compiled task's main (out/tasks/ProbeEndpoint/src/main.js, through tests/L0/entry.js) run by task-lib's
// MockTestRunner, one scenario script per case (tests/L0/<case>.ts). The scoring client and Key Vault
// are fakes injected into main (tests/L0/common.ts), except in one case that probes a real local scoring server running
// in a separate process (MockTestRunner's spawnSync blocks this one). No request leaves loopback.
import * as assert from 'node:assert/strict';
import { ChildProcessByStdio, spawn } from 'node:child_process';
import * as path from 'node:path';
import * as readline from 'node:readline';
import type { Readable, Writable } from 'node:stream';
import { assertFailedBeforeAnyCall, callsOf, leakedBeyondAgentMasking, runScenario, ScenarioRun } from '../../shared/tests/l0';
import { KEY, MOCK_URL, SP_KEY, SUBSCRIPTION, VAULT_KEY } from './L0/common';

const scenario = (name: string, env?: Record<string, string>): Promise<ScenarioRun> =>
  runScenario(path.join(__dirname, 'L0', `${name}.js`), { timeoutMs: 60000, ...(env ? { env } : {}) });

// task-lib echoes endpoint auth parameters in debug lines; the agent masks its endpoint secrets itself.
// Everything else (the scoring keys above all: typed into inputs, the agent does not know them) must
// appear only in the commands that register a secret.
const leaks = (run: ScenarioRun): string[] => leakedBeyondAgentMasking(run, [KEY, VAULT_KEY, SP_KEY, `second-${KEY}`]);

interface ServerProcess {
  url: string;
  stats(): Promise<{ posts: number; livenessCalls: number; unauthorized: number; withKey: number; requests: number }>;
  stop(): Promise<void>;
}

/** The scoring server of tests/helpers in its own process (spawn, async): it answers while spawnSync blocks this process. */
async function startServerProcess(key: string): Promise<ServerProcess> {
  const child: ChildProcessByStdio<Writable, Readable, null> = spawn(process.execPath, [path.join(__dirname, 'helpers', 'scoringServerProcess.js'), key], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const lines = readline.createInterface({ input: child.stdout });
  const queue: string[] = [];
  const waiters: ((line: string) => void)[] = [];
  lines.on('line', (line) => {
    const w = waiters.shift();
    if (w) w(line);
    else queue.push(line);
  });
  const nextLine = (): Promise<string> =>
    new Promise((resolve, reject) => {
      const q = queue.shift();
      if (q !== undefined) return resolve(q);
      const timer = setTimeout(() => reject(new Error('scoring server process did not answer')), 10000);
      waiters.push((l) => {
        clearTimeout(timer);
        resolve(l);
      });
    });
  const { url } = JSON.parse(await nextLine()) as { url: string };
  return {
    url,
    stats: async () => {
      child.stdin.write('stats\n');
      return JSON.parse(await nextLine()) as Awaited<ReturnType<ServerProcess['stats']>>;
    },
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        const timer = setTimeout(() => child.kill(), 5000);
        child.once('exit', () => {
          clearTimeout(timer);
          resolve();
        });
        child.stdin.end();
      }),
  };
}

const NUMBER = /^\d+(\.\d+)?$/;

describe('ProbeEndpoint L0 (MockTestRunner)', function () {
  this.timeout(120000);

  it('probes with the typed-in key: client built with the key, every request sent, outputs set, key masked', async () => {
    const run = await scenario('success');
    assert.equal(run.result, 'Succeeded', run.stdout);
    assert.ok(run.succeeded);
    assert.deepEqual(run.errors, []);
    // the candidate's client, then one without the key for the authentication check
    assert.deepEqual(callsOf(run, 'ScoringClient'), [{ url: MOCK_URL, authorization: 'Bearer <KEY>', maxSockets: 2, timeoutMs: 30000 }, { url: MOCK_URL, maxSockets: 1, timeoutMs: 30000 }]);
    // readiness once, warm-up 2 + one per payload (3) + 20 measured
    assert.deepEqual(callsOf(run, 'ScoringClient.close'), [{ url: MOCK_URL, posts: 1, livenessCalls: 0 }, { url: MOCK_URL, posts: 25, livenessCalls: 1 }]);
    assert.deepEqual(callsOf(run, 'getSecret'), []);
    assert.equal(run.outputs.passed, 'true');
    assert.equal(run.outputs.errorRate, '0');
    assert.equal(run.outputs.agreement, '');
    for (const k of ['p50Ms', 'p95Ms', 'p99Ms', 'requestsPerSecond']) assert.match(run.outputs[k], NUMBER, k);
    assert.ok(run.secrets.includes(KEY), 'authKey registered with the agent');
    assert.ok(!run.stdout.includes('authKey='), 'no debug echo of authKey');
    assert.deepEqual(leaks(run), []);
  });

  it('concurrency not set and requestCount 3 (below the default 4): the default gives way, 3 in flight, the run succeeds', async () => {
    const run = await scenario('concurrencyDefaultOverCount');
    assert.equal(run.result, 'Succeeded', run.stdout);
    assert.deepEqual(run.errors, []);
    // the candidate's client, then one without the key for the authentication check
    assert.deepEqual(callsOf(run, 'ScoringClient'), [{ url: MOCK_URL, authorization: 'Bearer <KEY>', maxSockets: 3, timeoutMs: 30000 }, { url: MOCK_URL, maxSockets: 1, timeoutMs: 30000 }]);
    // readiness once, warm-up 2 + one per payload (3) + 3 measured
    assert.deepEqual(callsOf(run, 'ScoringClient.close'), [{ url: MOCK_URL, posts: 1, livenessCalls: 0 }, { url: MOCK_URL, posts: 8, livenessCalls: 1 }]);
  });

  it('reads the key from Key Vault through the service connection and sends it', async () => {
    const run = await scenario('keyVault');
    assert.equal(run.result, 'Succeeded', run.stdout);
    assert.deepEqual(callsOf(run, 'getSecret'), [{ subscriptionId: SUBSCRIPTION, scheme: 'ServicePrincipal', vault: 'kv-probe', secretName: 'scoring-key' }]);
    assert.deepEqual(callsOf(run, 'ScoringClient'), [{ url: MOCK_URL, authorization: 'Bearer <VAULT_KEY>', maxSockets: 2, timeoutMs: 30000 }, { url: MOCK_URL, maxSockets: 1, timeoutMs: 30000 }]);
    assert.equal(run.outputs.passed, 'true');
    assert.deepEqual(leaks(run), []);
  });

  it('probes a real scoring server running in another process', async () => {
    const server = await startServerProcess(KEY);
    try {
      const run = await scenario('realServer', { L0_SCORING_URL: server.url });
      assert.equal(run.result, 'Succeeded', run.stdout);
      assert.deepEqual(run.calls.filter((c) => c.name.startsWith('ScoringClient')), [], 'the real client was used');
      assert.equal(run.outputs.passed, 'true');
      assert.equal(run.outputs.errorRate, '0');
      for (const k of ['p50Ms', 'p95Ms', 'p99Ms', 'requestsPerSecond']) assert.match(run.outputs[k], NUMBER, k);
      const s = await server.stats();
      // plus the one request without the key (the authentication check), refused
      assert.deepEqual(s, { posts: 25, livenessCalls: 1, unauthorized: 1, withKey: 26, requests: 26 });
      assert.deepEqual(leaks(run), []);
    } finally {
      await server.stop();
    }
  });

  const bad: [scenario: string, message: RegExp][] = [
    ['badScheme', /^Input 'scoringUri': scheme 'ftp' is not supported\. Expected an absolute http:\/\/ or https:\/\/ URL/],
    ['keyAndVault', /^Input 'authKey': is set together with keyVault\/authKeySecret\. Expected either authKey, or keyVault with authKeySecret\.$/],
    // a concurrency the user set is still checked against requestCount
    ['concurrencyOverCount', /^Input 'concurrency': 10 is more than requestCount 5\. Expected an integer from 1 to requestCount \(5\)\.$/],
    ['missingPayloadFile', /^Input 'payloadFile': '\/nonexistent\/l0\/payloads\.jsonl' does not exist\./],
    ['multiLineKey', /^Input 'authKey': contains a line break\. Expected a single-line key\.$/],
  ];
  for (const [name, message] of bad) {
    it(`fails on a bad input before any request or Key Vault call: ${name}`, async () => {
      const run = await scenario(name);
      assertFailedBeforeAnyCall(run, message, [KEY, VAULT_KEY, SP_KEY, `second-${KEY}`]);
    });
  }

  it('masks every line of a multi-line key before failing', async () => {
    const run = await scenario('multiLineKey');
    assert.equal(run.result, 'Failed');
    assert.ok(run.secrets.includes(KEY) && run.secrets.includes(`second-${KEY}`), run.secrets.join(', '));
  });
});
