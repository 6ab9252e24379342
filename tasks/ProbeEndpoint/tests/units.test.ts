import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tl from 'azure-pipelines-task-lib/task';
import { InputError } from '../../shared/src/inputs';
import { agreement, Bounds, evaluate, measure, Observations } from '../src/checks';
import { firstDifference, responseValue } from '../src/compare';
import { parseHeaderLines } from '../src/headers';
import { formatTick, latencyHistogramSvg, logBuckets } from '../src/histogram';
import { junitXml, xmlEscape } from '../src/junit';
import { RequestResult } from '../src/load';
import { jsonErrorOffset, parseJsonOrJsonLines, readJsonDocuments } from '../src/payloads';
import { latencyStats, percentile } from '../src/stats';
import { isPrivateAddress, plainHttpKeyWarning } from '../src/transport';
import { assertWellFormedXml } from './helpers/scoringServer';
import { TASK_DIR } from './helpers/paths';

before(() => tl.setResourcePath(path.join(TASK_DIR, 'task.json')));

describe('ProbeEndpoint stats: nearest-rank percentiles', () => {
  const oneToHundred = Array.from({ length: 100 }, (_, i) => i + 1);
  it('gives the sample at rank ceil(p/100*N)', () => {
    assert.equal(percentile(oneToHundred, 50), 50);
    assert.equal(percentile(oneToHundred, 90), 90);
    assert.equal(percentile(oneToHundred, 95), 95); // 0.95*100 = 95.00000000000001 in floating point
    assert.equal(percentile(oneToHundred, 99), 99);
    assert.equal(percentile(oneToHundred, 100), 100);
    assert.equal(percentile([7], 99), 7);
  });
  it('never interpolates: p50 of 4 samples is the 2nd, p95 of 20 samples is the 19th', () => {
    assert.equal(percentile([10, 20, 30, 40], 50), 20);
    const twenty = Array.from({ length: 20 }, (_, i) => (i + 1) * 10);
    assert.equal(percentile(twenty, 95), 190);
    assert.equal(percentile(twenty, 99), 200);
    assert.equal(percentile(twenty, 50), 100);
  });
  it('sorts numerically and reports min/mean/max; NaN without samples', () => {
    const s = latencyStats([100, 9, 30, 2]);
    assert.deepEqual([s.min, s.p50, s.max, s.mean], [2, 9, 100, 35.25]);
    assert.ok(Number.isNaN(latencyStats([]).p95));
    assert.throws(() => percentile([1], 0), RangeError);
  });
});

describe('ProbeEndpoint payload files', () => {
  it('reads one JSON document (an array is one request)', () => {
    assert.deepEqual(parseJsonOrJsonLines('payloadFile', 'p.json', '{\n "data": [[1,2]]\n}\n'), { format: 'json', items: [{ data: [[1, 2]] }] });
    assert.deepEqual(parseJsonOrJsonLines('payloadFile', 'p.json', '[1,2]').items, [[1, 2]]);
  });
  it('reads JSON Lines, skipping blank lines and CRLF', () => {
    const d = parseJsonOrJsonLines('payloadFile', 'p.jsonl', '{"x":1}\r\n\r\n{"x":2}\n');
    assert.deepEqual(d, { format: 'jsonl', items: [{ x: 1 }, { x: 2 }] });
  });
  it('names the line of a bad JSON Lines record', () => {
    assert.throws(() => parseJsonOrJsonLines('payloadFile', 'p.jsonl', '{"x":1}\n{"x":2}\n{"x":\n'), (e: Error) => {
      assert.ok(e instanceof InputError);
      assert.match(e.message, /^Input 'payloadFile': line 3 of 'p\.jsonl' is not valid JSON Lines/);
      return true;
    });
  });
  it('reports a broken multi-line JSON document with its line and column', () => {
    assert.throws(() => parseJsonOrJsonLines('payloadFile', 'p.json', '{\n  "x": 1,\n  "y": ]\n}'), /Input 'payloadFile': 'p\.json' is not valid JSON \(line 3, column 8\)/);
    assert.throws(() => parseJsonOrJsonLines('payloadFile', 'p.json', '{\n  "x": "a\\q"\n}'), /\(line 2, column 10\)/);
    assert.equal(jsonErrorOffset('{"a": [1, 2.5e3, true, null, "x\\u00e9"]}'), -1);
    assert.equal(jsonErrorOffset('[1,]'), 3);
    assert.equal(jsonErrorOffset('{"a":1} x'), 8);
  });
  it('refuses an empty file and an unreadable path', () => {
    assert.throws(() => parseJsonOrJsonLines('payloadFile', 'e.json', ' \n'), /Input 'payloadFile': 'e\.json' is empty/);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'probe-'));
    assert.throws(() => readJsonDocuments('expectedResponseFile', path.join(dir, 'missing.json')), /Input 'expectedResponseFile': '.*missing\.json' cannot be read \(ENOENT\)/);
  });
});

describe('ProbeEndpoint headers input', () => {
  it('accepts Name: value and Name=value, ignores comments', () => {
    assert.deepEqual(parseHeaderLines('headers', 'azureml-model-deployment: blue\n# note\nX-Trace=a=b:c\n'), { 'azureml-model-deployment': 'blue', 'X-Trace': 'a=b:c' });
  });
  it('names the line and the header, never the value', () => {
    assert.throws(() => parseHeaderLines('headers', 'X-Api-Key topsecretvalue'), (e: Error) => {
      assert.equal(e.message, "Input 'headers': line 1 has no ':' or '='. Expected one 'Name: value' or 'Name=value' per line.");
      return true;
    });
    assert.throws(() => parseHeaderLines('headers', 'X-A: 1\nx-a: 2'), /line 2: header 'x-a' is repeated/);
    assert.throws(() => parseHeaderLines('headers', 'Content-Length: 5'), /set by the task itself/);
    assert.throws(() => parseHeaderLines('headers', 'Bad Name: v'), /line 1: 'Bad Name' is not a valid header name/);
  });
});

describe('ProbeEndpoint response comparison', () => {
  it('matches numbers within the absolute tolerance, and not beyond', () => {
    assert.equal(firstDifference({ r: [1.0, 2.0] }, { r: [1.05, 2] }, 0.05), undefined);
    assert.deepEqual(firstDifference({ r: [1.0, 2.0] }, { r: [1.2, 2] }, 0.05), { path: '$.r[0]', expected: '1.2', actual: '1' });
  });
  it('reports missing and extra keys, length and type differences', () => {
    assert.equal(firstDifference({ a: 1 }, { a: 1, b: 2 }, 0)?.path, '$.b');
    assert.equal(firstDifference({ a: 1, c: 3 }, { a: 1 }, 0)?.path, '$.c');
    assert.deepEqual(firstDifference([1], [1, 2], 0), { path: '$', expected: '2 item(s)', actual: '1 item(s)' });
    assert.equal(firstDifference('1', 1, 0)?.path, '$');
    assert.equal(firstDifference(null, {}, 0)?.path, '$');
  });
  it('decodes AML double-encoded JSON when the expected value is not a string', () => {
    const body = Buffer.from(JSON.stringify(JSON.stringify({ result: [1] })));
    assert.deepEqual(responseValue(body, { result: [1] }), { result: [1] });
    assert.equal(responseValue(body, 'text'), JSON.stringify({ result: [1] }));
    assert.equal(responseValue(Buffer.from('not json'), {}), 'not json');
  });
});

function result(i: number, latencyMs: number, o: Partial<RequestResult> = {}): RequestResult {
  return { index: i, payloadIndex: i, status: 200, latencyMs, body: Buffer.from(JSON.stringify({ result: i })), ...o };
}

describe('ProbeEndpoint checks', () => {
  const bounds: Bounds = { expectedStatus: 200, tolerance: 0, maxErrorRate: 0.1, readinessTimeoutSeconds: 5, maxLatencyP95Ms: 50 };
  const ready = { outcome: 'ready' as const, last: 'HTTP 200', elapsedMs: 10 };
  const base = (o: Partial<Observations> = {}): Observations => ({
    liveness: 'http://h/',
    readiness: ready,
    answers: { results: [result(0, 5), result(1, 5)], seconds: 0.01 },
    load: measure({ results: Array.from({ length: 20 }, (_, i) => result(i, 10)), wallMs: 100 }, 200),
    ...o,
  });
  const byName = (o: Observations, b = bounds): Record<string, string> => Object.fromEntries(evaluate(b, o).map((c) => [c.name, `${c.outcome}: ${c.detail}`]));

  it('passes everything that is within bounds and skips what is not configured', () => {
    const c = byName(base());
    assert.match(c.readiness, /^passed/);
    assert.match(c.status, /^passed: 2 payload/);
    assert.match(c.correctness, /^skipped: no expectedResponseFile/);
    assert.match(c['latency p95'], /^passed: p95 10\.00 ms <= 50 ms/);
    assert.match(c['error rate'], /^passed/);
    assert.match(c.agreement, /^skipped: no baselineScoringUri/);
  });
  it('fails each broken bound with its numbers', () => {
    const load = measure({ results: Array.from({ length: 20 }, (_, i) => result(i, i < 18 ? 10 : 80, i % 5 === 0 ? { status: 500 } : {})), wallMs: 100 }, 200);
    const c = byName(base({ load, answers: { results: [result(0, 1), result(1, 1, { status: 401 })], seconds: 0 } }), { ...bounds, expectedResponses: [{ result: 0 }, { result: 1 }] });
    assert.equal(c['latency p95'], 'failed: latency p95: 80.00 ms is above maxLatencyP95Ms 50 ms');
    assert.equal(c['error rate'], 'failed: error rate: 0.2 (4 of 20 requests failed: HTTP 500 x4) is above maxErrorRate 0.1');
    assert.match(c.status, /^failed: status: 1 of 2 payload\(s\) did not return expectedStatus 200 \(HTTP 401 x1\); the endpoint refused the scoring key/);
    assert.match(c.correctness, /^failed: correctness: 1 of 2 response\(s\) differ from expectedResponseFile beyond tolerance 0 \(first: payload 2 at \$: expected HTTP 200, got HTTP 401\)/);
  });
  it('compares answers with the expected responses by payload index', () => {
    const c = byName(base(), { ...bounds, expectedResponses: [{ result: 0 }, { result: 1.5 }], tolerance: 0.4 });
    assert.match(c.correctness, /^failed: correctness: 1 of 2 .* tolerance 0\.4 \(first: payload 2 at \$\.result: expected 1\.5, got 1\)/);
    assert.match(byName(base(), { ...bounds, expectedResponses: [{ result: 0 }, { result: 1.5 }], tolerance: 0.5 }).correctness, /^passed/);
  });
  it('reports readiness failures and skips the rest', () => {
    const c = byName({ liveness: 'http://h/', readiness: { outcome: 'timeout', last: 'HTTP 503', elapsedMs: 5000 } });
    assert.equal(c.readiness, 'failed: readiness: the liveness route http://h/ did not answer 2xx within readinessTimeoutSeconds=5 (last: HTTP 503)');
    for (const k of ['status', 'correctness', 'latency p95', 'error rate', 'agreement']) assert.match(c[k], /^skipped: not run: the endpoint was not ready/);
    assert.match(byName({ liveness: 'http://h/', readiness: { outcome: 'unauthorized', last: 'HTTP 401', elapsedMs: 5 } }).readiness, /answered HTTP 401: the scoring key is missing or wrong/);
  });
  it('with a key in use, an endpoint must refuse a request without it (401): one that answers 200 is caught', () => {
    assert.equal(byName(base({ keyInUse: true, withoutKey: { status: 401, seconds: 0.01 } })).authentication, 'passed: a scoring request without the key was refused (HTTP 401)');
    assert.equal(
      byName(base({ keyInUse: true, withoutKey: { status: 200, seconds: 0.01 } })).authentication,
      'failed: the endpoint answered HTTP 200 to a scoring request without the key: it does not check the key (a custom image that ignores SCORING_KEY?)',
    );
    assert.equal(byName(base({ keyInUse: true, withoutKey: { status: 403, seconds: 0 } })).authentication, 'failed: a scoring request without the key got HTTP 403, expected HTTP 401');
    assert.equal(byName(base({ keyInUse: true, withoutKey: { error: 'timeout', seconds: 0 } })).authentication, 'failed: a scoring request without the key got timeout, expected HTTP 401');
    assert.equal(byName(base({ keyInUse: false })).authentication, 'skipped: no scoring key in use');
    assert.equal(byName({ liveness: 'http://h/', readiness: { outcome: 'timeout', last: 'HTTP 503', elapsedMs: 5000 }, keyInUse: true }).authentication, 'skipped: not run: the endpoint was not ready');
    assert.equal(byName(base()).authentication, undefined, 'no check when the caller does not say (DeployOnlineEndpoint)');
  });
  it('computes agreement per payload and fails below minAgreement', () => {
    const cand = [result(0, 1), result(1, 1), result(2, 1), result(3, 1)];
    const baseAnswers = [result(0, 1), result(1, 1), result(2, 1, { body: Buffer.from('{"result":9}') }), result(3, 1, { status: 500 })];
    const a = agreement(cand, baseAnswers, 200, 0);
    assert.deepEqual([a.matched, a.total, a.ratio], [2, 4, 0.5]);
    assert.equal(a.first?.payload, 3);
    const m = base().load!;
    const c = byName(base({ baseline: { answers: baseAnswers, load: m, agreement: a, seconds: 0 } }), { ...bounds, minAgreement: 0.75 });
    assert.match(c.agreement, /^failed: agreement: 0\.5 \(2 of 4 payloads match the baseline within tolerance 0\) is below minAgreement 0\.75; first difference: payload 3 at \$\.result: baseline 9, candidate 2/);
    assert.match(byName(base({ baseline: { answers: baseAnswers, load: m, agreement: a, seconds: 0 } }), { ...bounds, minAgreement: 0.5 }).agreement, /^passed/);
  });
});

describe('ProbeEndpoint JUnit file', () => {
  it('has one test case per check with failure/skipped elements, escaped and well-formed', () => {
    const checks = evaluate({ expectedStatus: 200, tolerance: 0, maxErrorRate: 0, readinessTimeoutSeconds: 5, maxLatencyP95Ms: 1 }, {
      liveness: 'http://h/?a=1&b=<2>',
      readiness: { outcome: 'ready', last: 'HTTP 200', elapsedMs: 1 },
      answers: { results: [result(0, 1)], seconds: 0 },
      load: measure({ results: [result(0, 5)], wallMs: 5 }, 200),
    });
    const xml = junitXml({ suite: 'ProbeEndpoint http://h/score?x="1"&y', checks, timestamp: new Date('2025-01-02T03:04:05.678Z') });
    assertWellFormedXml(xml);
    assert.equal((xml.match(/<testcase /g) ?? []).length, 6);
    assert.match(xml, /<testsuites name="ProbeEndpoint" tests="6" failures="1" errors="0" skipped="2"/);
    assert.match(xml, /timestamp="2025-01-02T03:04:05"/);
    assert.match(xml, /<testcase [^>]*name="latency p95"[^>]*>\n\s*<failure message="latency p95: 5\.00 ms is above maxLatencyP95Ms 1 ms" type="BoundBroken">/);
    assert.match(xml, /name="agreement"[^>]*>\n\s*<skipped message="no baselineScoringUri"\/>/);
    assert.match(xml, /x=&quot;1&quot;&amp;y/);
    assert.equal(xmlEscape('a\u0001<b>&'), 'a&lt;b&gt;&amp;');
  });
});

describe('ProbeEndpoint latency histogram (SVG)', () => {
  const samples = [...Array.from({ length: 90 }, (_, i) => 10 + (i % 10)), 50, 60, 70, 80, 90, 100, 200, 300, 400, 900];
  const stats = latencyStats(samples);
  it('is well-formed SVG with bars, log axis ticks, axis labels and p50/p95/p99 markers', () => {
    const svg = latencyHistogramSvg(samples, stats, { title: 'Latency <&> "test"' });
    assertWellFormedXml(svg);
    assert.match(svg, /^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
    assert.ok((svg.match(/class="bar"/g) ?? []).length >= 5);
    for (const p of ['p50', 'p95', 'p99']) assert.match(svg, new RegExp(`data-name="${p}"`));
    assert.match(svg, new RegExp(`p95 ${stats.p95.toFixed(2)} ms`));
    assert.match(svg, />latency \(ms, log scale\)</);
    assert.match(svg, />requests</);
    for (const t of ['10 ms', '20 ms', '50 ms', '100 ms', '200 ms', '500 ms']) assert.ok(svg.includes(`>${t}<`), t);
    assert.match(svg, /Latency &lt;&amp;&gt; &quot;test&quot;/);
  });
  it('places markers in order along a log axis', () => {
    const svg = latencyHistogramSvg(samples, stats);
    const x = (name: string): number => Number(new RegExp(`data-name="${name}" x1="([\\d.]+)"`).exec(svg)![1]);
    assert.ok(x('p50') < x('p95') && x('p95') < x('p99'));
    // log scale: 10 -> 100 ms spans the same width as 100 -> 1000 ms
    const tick = (label: string): number => Number(new RegExp(`class="xtick" x="([\\d.]+)" y="[\\d.]+" text-anchor="middle">${label}<`).exec(svg)![1]);
    assert.ok(Math.abs(tick('20 ms') - tick('10 ms') - (tick('200 ms') - tick('100 ms'))) < 0.5);
    assert.ok(tick('20 ms') - tick('10 ms') > 20);
  });
  it('buckets every sample exactly once, and handles equal samples and no samples', () => {
    assert.equal(logBuckets(samples, 30).reduce((s, b) => s + b.count, 0), samples.length);
    const same = logBuckets([5, 5, 5], 10);
    assert.equal(same.reduce((s, b) => s + b.count, 0), 3);
    assert.ok(same[0].fromMs < 5 && same[same.length - 1].toMs > 5);
    assertWellFormedXml(latencyHistogramSvg([], latencyStats([])));
    assert.equal(formatTick(0.5), '0.5 ms');
    assert.equal(formatTick(1500), '1.5 s');
  });
});

describe('ProbeEndpoint plain-HTTP key warning', () => {
  const lookup = (map: Record<string, string[]>) => async (h: string): Promise<string[]> => {
    if (!map[h]) throw new Error('ENOTFOUND');
    return map[h];
  };
  it('classifies private, loopback and link-local addresses (IPv4, IPv6, mapped)', () => {
    for (const a of ['10.1.2.3', '127.0.0.1', '172.16.0.1', '172.31.255.255', '192.168.1.1', '169.254.1.1', '::1', 'fd12:3456::1', 'fe80::1', '::ffff:10.0.0.1']) assert.ok(isPrivateAddress(a), a);
    for (const a of ['20.50.1.2', '172.32.0.1', '8.8.8.8', '2001:db8::1', '::ffff:52.1.1.1', 'not-an-ip']) assert.ok(!isPrivateAddress(a), a);
  });
  it('warns once for http to a public or unresolvable host, never for https or private addresses', async () => {
    const l = lookup({ 'churn.eastus.azurecontainer.io': ['20.62.1.2'], 'inside.corp': ['10.0.0.5'], 'mixed.corp': ['10.0.0.5', '20.1.1.1'] });
    assert.match((await plainHttpKeyWarning(new URL('http://churn.eastus.azurecontainer.io:5001/score'), 'scoringUri', l)) ?? '', /^The scoring key is sent over plain HTTP to http:\/\/churn\.eastus\.azurecontainer\.io:5001\/score, a public address: .*https:\/\/ scoringUri/);
    assert.match((await plainHttpKeyWarning(new URL('http://nowhere.invalid/score'), 'scoringUri', l)) ?? '', /an address that does not resolve here/);
    assert.ok(await plainHttpKeyWarning(new URL('http://mixed.corp/score'), 'scoringUri', l));
    assert.strictEqual(await plainHttpKeyWarning(new URL('https://churn.eastus.azurecontainer.io/score'), 'scoringUri', l), undefined);
    assert.strictEqual(await plainHttpKeyWarning(new URL('http://inside.corp/score'), 'scoringUri', l), undefined);
    assert.strictEqual(await plainHttpKeyWarning(new URL('http://127.0.0.1:5001/score'), 'scoringUri', l), undefined);
  });
});
