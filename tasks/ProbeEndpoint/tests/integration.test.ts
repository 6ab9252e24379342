// The bundled task (dist/tasks/ProbeEndpoint/index.js) run as the agent runs it, through the harness,
// against local scoring servers (and the emulator's Key Vault for the key). Assertions are on what
// the servers received, the ##vso commands, the JUnit file, the summary and the picture.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Emulator, startEmulator } from '../../../test/emulator';
import { assertNoSecretsLeaked, runTask, serviceConnectionEnv, TaskRun } from '../../../test/harness/run-task';
import { BUNDLE } from './helpers/paths';
import { assertWellFormedXml, ScoringServer, startForwardProxy, startScoringServer } from './helpers/scoringServer';

const KEY = 'pl4nted-Sc0ring-KEY-7f3a9c';
const BASELINE_KEY = 'pl4nted-BASELINE-key-2b8e1d';

describe('ProbeEndpoint bundled task (integration)', function () {
  this.timeout(120000);
  let emulator: Emulator;
  let dir: string;
  const servers: ScoringServer[] = [];
  const serve = async (o: Parameters<typeof startScoringServer>[0] = {}): Promise<ScoringServer> => {
    const s = await startScoringServer(o);
    servers.push(s);
    return s;
  };
  const file = (name: string, text: string): string => {
    const p = path.join(dir, name);
    fs.writeFileSync(p, text);
    return p;
  };
  let payloads: string;
  let taskDir: string;
  let expected: string;

  before(async () => {
    assert.ok(fs.existsSync(BUNDLE), `${BUNDLE} is missing: run npm run build first`);
    // run a private copy of the bundle folder, as the agent runs it from its own _tasks folder
    // (and so a parallel `npm run build` rewriting dist/ cannot pull it away mid-test)
    taskDir = fs.mkdtempSync(path.join(os.tmpdir(), 'probe-task-'));
    fs.cpSync(path.dirname(BUNDLE), taskDir, { recursive: true });
    // the emulator gives the runs a realistic agent environment (Agent.CAInfo) and the Key Vault
    emulator = await startEmulator({ services: ['entra', 'keyvault', 'resources'] });
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'probe-it-'));
    payloads = file('payloads.jsonl', '{"x": 1}\n{"x": 2}\n\n{"x": 3}\n');
    expected = file('expected.jsonl', '{"result": 2}\n{"result": 4}\n{"result": 6}\n');
  });
  afterEach(async () => {
    await Promise.all(servers.splice(0).map((s) => s.close()));
  });
  after(async () => {
    await emulator?.stop();
  });

  const probe = (inputs: Record<string, string>, o: { connection?: ReturnType<typeof serviceConnectionEnv>; env?: Record<string, string> } = {}): Promise<TaskRun> =>
    runTask(path.join(taskDir, 'index.js'), { inputs: { readinessTimeoutSeconds: '20', warmupRequests: '2', requestCount: '30', concurrency: '3', ...inputs }, emulator, timeoutMs: 90000, ...o });
  const errors = (run: TaskRun): string[] => run.issues.filter((i) => i.type === 'error').map((i) => i.message);

  it('passes a fast endpoint: outputs, exact request counts, key sent, JUnit published, summary with histogram', async () => {
    const s = await serve({ key: KEY });
    const run = await probe({ scoringUri: s.url, authKey: KEY, payloadFile: payloads, expectedResponseFile: expected, maxLatencyP95Ms: '5000', testRunTitle: 'Smoke test' });
    assert.equal(run.result, 'Succeeded', run.stdout);
    assert.equal(run.outputs.passed, 'true');
    assert.equal(run.outputs.errorRate, '0');
    assert.equal(run.outputs.agreement, '');
    for (const k of ['p50Ms', 'p95Ms', 'p99Ms', 'requestsPerSecond']) assert.match(run.outputs[k], /^\d+\.\d+$/, k);
    assert.ok(Number(run.outputs.p50Ms) <= Number(run.outputs.p95Ms) && Number(run.outputs.p95Ms) <= Number(run.outputs.p99Ms));
    // warm-up 2 + one per payload (3) + 30 measured; the liveness route once
    assert.equal(s.posts, 35);
    assert.equal(s.livenessCalls, 1);
    // the one request sent without the key (the authentication check), refused
    assert.equal(s.unauthorized, 1);
    assert.ok(s.authorizations.every((a) => a === `Bearer ${KEY}`));

    const publish = run.commands.find((c) => c.name === 'results.publish');
    assert.ok(publish, 'results.publish command');
    assert.equal(publish.properties.type, 'JUnit');
    assert.equal(publish.properties.mergeResults, 'false');
    assert.equal(publish.properties.publishRunAttachments, 'true');
    assert.equal(publish.properties.runTitle, 'Smoke test');
    const xml = fs.readFileSync(publish.properties.resultFiles, 'utf8');
    assertWellFormedXml(xml);
    assert.deepEqual([...xml.matchAll(/<testcase [^>]*name="([^"]+)"/g)].map((m) => m[1]), ['readiness', 'authentication', 'status', 'correctness', 'latency p95', 'error rate', 'agreement']);
    assert.match(xml, /tests="7" failures="0" errors="0" skipped="1"/);

    const svg = run.attachments.find((a) => a.type === 'probeendpoint.latencyhistogram');
    assert.ok(svg?.content, 'histogram attachment');
    assertWellFormedXml(svg.content);
    assert.match(svg.content, /data-name="p95"/);
    assert.equal(run.summaries.length, 1);
    const summary = run.summaries[0];
    assert.match(summary, /^### Probe of http:\/\/127\.0\.0\.1:\d+\/score: passed/);
    // summary cells escape ( ) (issue 15): markdown shows them as written
    assert.match(summary, /\| correctness \| passed \| 3 response\\\(s\\\) match within tolerance 0 \|/);
    assert.match(summary, /\| authentication \| passed \| a scoring request without the key was refused \\\(HTTP 401\\\) \|/);
    assert.match(summary, /\| candidate \| 30 \|/);
    assert.match(summary, /!\[Latency histogram\]\(data:image\/svg\+xml;base64,[A-Za-z0-9+/=]+\)/);
    assert.match(summary, /█/);
    assertNoSecretsLeaked(run, [KEY]);
  });

  it('measures the known latency distribution through the bundle (nearest-rank)', async () => {
    // one POST slot per delay; warm-up 19 + 1 payload shift the measured 20 onto one full cycle. The
    // delays are larger than in the module test: the task is a separate process on a shared machine.
    // Nearest-rank: p50 = 100, p95 = 750, p99 = 1500; linear interpolation would give p50 = 200.
    const delays = [100, 100, 300, 100, 1500, 100, 300, 100, 300, 100, 750, 300, 100, 300, 100, 300, 100, 300, 300, 100];
    const s = await serve({ delaysMs: delays });
    const run = await probe({ scoringUri: s.url, payloadFile: file('one.json', '{"x": 5}'), warmupRequests: '19', requestCount: '20', concurrency: '4' });
    assert.equal(run.result, 'Succeeded', run.stdout);
    assert.equal(s.posts, 40);
    const between = (k: string, lo: number, below: number): void => assert.ok(Number(run.outputs[k]) >= lo - 2 && Number(run.outputs[k]) < below, `${k} = ${run.outputs[k]}, expected in [${lo}, ${below})`);
    between('p50Ms', 100, 200);
    between('p95Ms', 750, 1125);
    between('p99Ms', 1500, 2250);
  });

  it('fails a slow endpoint on maxLatencyP95Ms, naming the bound and the numbers', async () => {
    const s = await serve({ delaysMs: [150] });
    const run = await probe({ scoringUri: s.url, payloadFile: payloads, requestCount: '9', warmupRequests: '0', maxLatencyP95Ms: '50' });
    assert.equal(run.result, 'Failed');
    assert.equal(run.outputs.passed, 'false');
    assert.ok(Number(run.outputs.p95Ms) >= 148);
    assert.deepEqual(errors(run).filter((e) => e.startsWith('latency')), [`latency p95: ${run.outputs.p95Ms} ms is above maxLatencyP95Ms 50 ms`]);
    assert.match(run.message ?? '', /failed 1 check\(s\): latency p95$/);
  });

  it('fails a flaky endpoint (every 5th request 500) on maxErrorRate with the exact error rate', async () => {
    const s = await serve({ failEvery: 5 });
    // POST 1 answers the single payload; the 50 measured are POSTs 2-51, of which 5, 10, ... 50 fail
    const run = await probe({ scoringUri: s.url, payloadFile: file('one.json', '{"x": 5}'), warmupRequests: '0', requestCount: '50', concurrency: '2', maxErrorRate: '0.05' });
    assert.equal(run.result, 'Failed');
    assert.equal(run.outputs.errorRate, '0.2');
    assert.ok(errors(run).includes('error rate: 0.2 (10 of 50 requests failed: HTTP 500 x10) is above maxErrorRate 0.05'), errors(run).join('\n'));
    const xml = fs.readFileSync(run.commands.find((c) => c.name === 'results.publish')!.properties.resultFiles, 'utf8');
    assert.match(xml, /name="error rate"[^>]*>\n\s*<failure message="error rate: 0\.2 /);
    // the same flakiness within the bound passes
    const ok = await probe({ scoringUri: s.url, payloadFile: file('one.json', '{"x": 5}'), warmupRequests: '0', requestCount: '50', concurrency: '2', maxErrorRate: '0.25' });
    assert.equal(ok.result, 'Succeeded', ok.stdout);
  });

  it('fails wrong answers against expectedResponseFile, naming the payload and the JSON path', async () => {
    const s = await serve({ answer: (p) => ({ result: (p as { x: number }).x === 2 ? 5 : (p as { x: number }).x * 2 }) });
    const run = await probe({ scoringUri: s.url, payloadFile: payloads, expectedResponseFile: expected, tolerance: '0.5' });
    assert.equal(run.result, 'Failed');
    assert.ok(errors(run).includes('correctness: 1 of 3 response(s) differ from expectedResponseFile beyond tolerance 0.5 (first: payload 2 at $.result: expected 4, got 5)'), errors(run).join('\n'));
    // within a tolerance of 1 the same answers pass; AML double-encoded JSON is decoded
    const s2 = await serve({ doubleEncode: true, answer: (p) => ({ result: (p as { x: number }).x * 2 + 0.9 }) });
    const ok = await probe({ scoringUri: s2.url, payloadFile: payloads, expectedResponseFile: expected, tolerance: '1' });
    assert.equal(ok.result, 'Succeeded', ok.stdout);
  });

  it('fails on 401 without the right key: readiness stops at once, or status says so; the wrong key never leaks', async () => {
    const s = await serve({ key: KEY });
    const run = await probe({ scoringUri: s.url, payloadFile: payloads, authKey: 'wr0ng-planted-KEY-x' });
    assert.equal(run.result, 'Failed');
    // one liveness call, refused: no waiting for a timeout and no payload sent
    assert.equal(s.unauthorized, 1);
    assert.equal(s.posts, 0);
    assert.ok(errors(run).some((e) => /^readiness: the liveness route http:\/\/127\.0\.0\.1:\d+\/ answered HTTP 401: the scoring key is missing or wrong/.test(e)), errors(run).join('\n'));
    assertNoSecretsLeaked(run, ['wr0ng-planted-KEY-x']);

    const noWait = await probe({ scoringUri: s.url, payloadFile: payloads, readinessTimeoutSeconds: '0' });
    assert.equal(noWait.result, 'Failed');
    assert.ok(errors(noWait).some((e) => e.startsWith('status: 3 of 3 payload(s) did not return expectedStatus 200 (HTTP 401 x3); the endpoint refused the scoring key')), errors(noWait).join('\n'));
    assert.ok(errors(noWait).some((e) => e.startsWith('error rate: 1 (30 of 30 requests failed: HTTP 401 x30)')));
  });

  it('catches an endpoint that ignores the key (a custom image without the SCORING_KEY check): authentication fails', async () => {
    const s = await serve(); // answers every request, key or not
    const run = await probe({ scoringUri: s.url, payloadFile: payloads, expectedResponseFile: expected, authKey: KEY });
    assert.equal(run.result, 'Failed', run.stdout);
    assert.ok(errors(run).includes('the endpoint answered HTTP 200 to a scoring request without the key: it does not check the key (a custom image that ignores SCORING_KEY?)'), errors(run).join('\n'));
    assert.match(run.message ?? '', /authentication/);
    // the request without the key is the only one without it
    assert.equal(s.authorizations.filter((a) => a === `Bearer ${KEY}`).length, s.posts - 1 + s.livenessCalls);
    assertNoSecretsLeaked(run, [KEY]);
  });

  it('fails an endpoint that never gets ready within readinessTimeoutSeconds and sends no payload', async () => {
    const s = await serve({ readyAfterLivenessCalls: 'never' });
    const run = await probe({ scoringUri: s.url, payloadFile: payloads, readinessTimeoutSeconds: '2' });
    assert.equal(run.result, 'Failed');
    assert.equal(s.posts, 0);
    assert.ok(s.livenessCalls >= 2);
    assert.ok(errors(run).some((e) => /^readiness: the liveness route http:\/\/127\.0\.0\.1:\d+\/ did not answer 2xx within readinessTimeoutSeconds=2 \(last: HTTP 503\)$/.test(e)), errors(run).join('\n'));
    assert.equal(run.outputs.p95Ms, '');
    const xml = fs.readFileSync(run.commands.find((c) => c.name === 'results.publish')!.properties.resultFiles, 'utf8');
    assert.match(xml, /tests="7" failures="1" errors="0" skipped="6"/);
  });

  it('compares with a baseline endpoint: agreement, latency ratio, minAgreement; each endpoint gets its own key', async () => {
    const candidate = await serve({ key: KEY });
    const baseline = await serve({ key: BASELINE_KEY, answer: (p) => ({ result: (p as { x: number }).x === 3 ? 7 : (p as { x: number }).x * 2 }) });
    const inputs = { scoringUri: candidate.url, authKey: KEY, baselineScoringUri: baseline.url, baselineAuthKey: BASELINE_KEY, payloadFile: payloads };
    const run = await probe({ ...inputs, minAgreement: '0.9' });
    assert.equal(run.result, 'Failed');
    assert.equal(run.outputs.agreement, '0.6667');
    assert.ok(errors(run).includes('agreement: 0.6667 (2 of 3 payloads match the baseline within tolerance 0) is below minAgreement 0.9; first difference: payload 3 at $.result: baseline 7, candidate 6'), errors(run).join('\n'));
    assert.equal(baseline.posts, 35);
    assert.ok(baseline.authorizations.length > 0 && baseline.authorizations.every((a) => a === `Bearer ${BASELINE_KEY}`));
    assert.ok(candidate.authorizations.every((a) => a === `Bearer ${KEY}`));
    assert.match(run.summaries[0], /\| baseline \| 30 \|/);
    assert.match(run.summaries[0], /\| candidate \/ baseline \|\s+\| \d+\.\d\d \|\s+\| \d+\.\d\d \|/);
    assertNoSecretsLeaked(run, [KEY, BASELINE_KEY]);
    const ok = await probe({ ...inputs, minAgreement: '0.6' });
    assert.equal(ok.result, 'Succeeded', ok.stdout);
  });

  it('reads the key from Key Vault through the service connection (no Azure writes) and never prints it', async () => {
    const vaultKey = 'kv-pl4nted-scoring-KEY-91c0';
    emulator.state.setSecret('kv-test', 'probe-key', vaultKey);
    const s = await serve({ key: vaultKey });
    const connection = serviceConnectionEnv(emulator, 'spnKey', { id: 'conn-probe' });
    const run = await probe({ scoringUri: s.url, payloadFile: payloads, azureSubscription: 'conn-probe', keyVault: 'kv-test', authKeySecret: 'probe-key' }, { connection });
    assert.equal(run.result, 'Succeeded', run.stdout);
    assert.equal(s.unauthorized, 1, 'only the request sent without the key on purpose');
    assert.ok(emulator.requests.some((r) => r.host === 'kv-test.vault.localhost' && r.method === 'GET' && /\/secrets\/probe-key/.test(r.path) && r.status === 200));
    assert.deepEqual(emulator.armWrites(), []);
    assertNoSecretsLeaked(run, [vaultKey, ...connection.secrets]);

    const missing = await probe({ scoringUri: s.url, payloadFile: payloads, azureSubscription: 'conn-probe', keyVault: 'kv-test', authKeySecret: 'no-such-secret' }, { connection });
    assert.equal(missing.result, 'Failed');
    assert.match(missing.message ?? '', /secret 'no-such-secret' from Key Vault https:\/\/kv-test\.vault\.localhost:\d+ failed: SecretNotFound \(404\)/);
    assert.equal(s.posts, 35);
  });

  it('reaches an https endpoint trusting the agent CA (Agent.CAInfo), and an http one through the agent proxy', async () => {
    const secure = await serve({ key: KEY, tls: { cert: fs.readFileSync(emulator.certFile, 'utf8'), key: fs.readFileSync(emulator.keyFile, 'utf8') } });
    const run = await probe({ scoringUri: secure.url, authKey: KEY, payloadFile: payloads, requestCount: '6' });
    assert.equal(run.result, 'Succeeded', run.stdout);
    assert.ok(run.env.AGENT_CAINFO, 'the harness sets Agent.CAInfo');
    assert.equal(secure.posts, 2 + 3 + 6);
    // concurrency 3, plus the one connection of the request without the key
    assert.ok(secure.connections <= 4, `${secure.connections} TLS connections for concurrency 3`);

    const plain = await serve();
    const proxy = await startForwardProxy();
    try {
      const viaProxy = await probe({ scoringUri: plain.url, payloadFile: payloads, requestCount: '6' }, { env: { AGENT_PROXYURL: proxy.url } });
      assert.equal(viaProxy.result, 'Succeeded', viaProxy.stdout);
      assert.equal(proxy.relayed.filter((r) => r === `POST ${plain.url}`).length, 11);
      assert.ok(proxy.relayed.includes(`GET ${plain.origin}/`));
    } finally {
      await proxy.close();
    }
  });

  it('stops on pipeline cancellation (SIGINT) while measuring and reports Cancelled', async () => {
    const s = await serve({ delaysMs: [200] });
    const run = await runTask(path.join(taskDir, 'index.js'), {
      inputs: { scoringUri: s.url, payloadFile: payloads, warmupRequests: '0', requestCount: '2000', concurrency: '2' },
      emulator,
      timeoutMs: 60000,
      signal: { name: 'SIGINT', whenStdoutMatches: /Sending 2000 request\(s\)/ },
    });
    assert.equal(run.result, 'Cancelled', run.stdout);
    assert.equal(run.exitCode, 0);
    assert.ok(s.posts < 100, `${s.posts} requests sent`);
  });

  it('does not publish test results when publishTestResults is false', async () => {
    const s = await serve();
    const run = await probe({ scoringUri: s.url, payloadFile: payloads, publishTestResults: 'false', requestCount: '3' });
    assert.equal(run.result, 'Succeeded', run.stdout);
    assert.equal(run.commands.filter((c) => c.name === 'results.publish').length, 0);
  });

  describe('bad inputs fail with one line and send nothing', () => {
    const cases: [string, () => Record<string, string>, RegExp][] = [
      ['a non-http URI', () => ({ scoringUri: 'ftp://example.localhost/score' }), /^Input 'scoringUri': scheme 'ftp' is not supported\. Expected an absolute http:\/\/ or https:\/\/ URL/],
      ['a relative URI', () => ({ scoringUri: '/score' }), /^Input 'scoringUri': '\/score' is not an absolute URL\./],
      ['a negative request count', () => ({ requestCount: '-5' }), /^Input 'requestCount': -5 is out of range\. Expected an integer from 1 to 100000\.$/],
      ['concurrency 0', () => ({ concurrency: '0' }), /^Input 'concurrency': 0 is out of range\. Expected an integer from 1 to 256\.$/],
      ['concurrency above the request count', () => ({ concurrency: '8', requestCount: '4' }), /^Input 'concurrency': 8 is more than requestCount 4\./],
      ['an unreadable payload file', () => ({ payloadFile: path.join(dir, 'nope.jsonl') }), /^Input 'payloadFile': '.*nope\.jsonl' does not exist\./],
      ['invalid JSON Lines', () => ({ payloadFile: file('bad.jsonl', '{"x": 1}\n{"x": 2}\n{"x": }\n') }), /^Input 'payloadFile': line 3 of '.*bad\.jsonl' is not valid JSON Lines: /],
      ['expected responses not matching the payloads', () => ({ expectedResponseFile: file('two.jsonl', '{"result":2}\n{"result":4}\n') }), /^Input 'expectedResponseFile': has 2 response\(s\) but payloadFile has 3 payload\(s\)\./],
      ['a key and Key Vault at once', () => ({ authKey: KEY, keyVault: 'kv-test', authKeySecret: 'scoring-key' }), /^Input 'authKey': is set together with keyVault\/authKeySecret\./],
      ['Key Vault without a service connection', () => ({ keyVault: 'kv-test', authKeySecret: 'scoring-key' }), /^Input 'azureSubscription': is empty while keyVault is set\./],
      ['a header line without separator', () => ({ headers: 'X-Api-Key pl4nted-header-value' }), /^Input 'headers': line 1 has no ':' or '='\./],
      ['maxErrorRate above 1', () => ({ maxErrorRate: '5' }), /^Input 'maxErrorRate': 5 is out of range\. Expected a number from 0 to 1\.$/],
      ['minAgreement without a baseline', () => ({ minAgreement: '0.9' }), /^Input 'minAgreement': is set but baselineScoringUri is empty\./],
      ['a key spanning two lines', () => ({ authKey: 'pl4nted-line-one\npl4nted-line-two' }), /^Input 'authKey': contains a line break\. Expected a single-line key\.$/],
      ['credentials in the URI', () => ({ scoringUri: 'http://user:pl4nted-pass@127.0.0.1:1/score' }), /^Input 'scoringUri': must not carry a user name or password\./],
    ];
    for (const [what, inputs, message] of cases) {
      it(what, async () => {
        const s = await serve();
        const run = await probe({ scoringUri: s.url, payloadFile: payloads, ...inputs() });
        assert.equal(run.result, 'Failed', run.stdout);
        assert.match(run.message ?? '', message);
        assert.equal(s.posts + s.livenessCalls, 0);
        assert.ok(!run.stdout.includes('pl4nted-header-value') && !run.stdout.includes('pl4nted-pass'), 'no header value or password echoed');
        assertNoSecretsLeaked(run, [KEY, 'pl4nted-line-one', 'pl4nted-line-two']);
      });
    }
  });
});
