// The scoring server (assets/server.py) started with python3 on 127.0.0.1, called over HTTP and raw TCP.
import * as assert from 'assert';
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as http from 'http';
import * as https from 'https';
import * as net from 'net';
import type * as tls from 'tls';
import { makeCa, type TestCa } from '../../shared/tests/helpers';
import * as path from 'path';
import { findAsset } from '../src/assets';
import { call, scoringDir, startServer, type Started } from './helpers/pythonServer';

const PYTHON_TESTS = path.join(__dirname, '..', '..', '..', '..', 'tasks', 'CreateImage', 'tests', 'python');
const INFERENCE_SCHEMA_STANDIN = path.join(PYTHON_TESTS, 'standin');

const SCORE_PY = `
import json, os
model = None
calls = {"init": 0}

def init():
    global model
    calls["init"] += 1
    with open(os.path.join(os.environ["AZUREML_MODEL_DIR"], "model", "weights.json")) as f:
        model = json.load(f)

def run(raw_data):
    data = json.loads(raw_data)
    if data.get("fail"):
        raise ValueError("bad payload")
    return {"result": [x * model["w"] for x in data["data"]], "inits": calls["init"]}
`;

/** Sends raw bytes and collects everything until the server closes or `waitMs` passes. */
function raw(port: number, text: string | Buffer, waitMs = 1500): Promise<{ data: string; closed: boolean }> {
  return new Promise((resolve, reject) => {
    const s = net.connect(port, '127.0.0.1');
    let data = '';
    const timer = setTimeout(() => {
      s.destroy();
      resolve({ data, closed: false });
    }, waitMs);
    s.on('data', (c: Buffer) => (data += c.toString('latin1')));
    s.on('end', () => {
      clearTimeout(timer);
      s.destroy();
      resolve({ data, closed: true });
    });
    s.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    s.write(text);
  });
}

/** The first interpreter (python3 on PATH, then Debian's) that can import `module`, or undefined. */
function pythonWith(module: string): string | undefined {
  return ['python3', '/usr/bin/python3'].find((py) => spawnSync(py, ['-c', `import ${module}`], { stdio: 'ignore' }).status === 0);
}

describe('CreateImage scoring server (server.py)', function () {
  this.timeout(20000);
  const dirs: string[] = [];
  const dirFor = (scorePy: string, files: Record<string, string> = {}): string => {
    const d = scoringDir(scorePy, files);
    dirs.push(d);
    return d;
  };
  after(() => dirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

  describe('with SCORING_TLS_PEM (key and chain as Key Vault stores a PEM certificate)', () => {
    let s: Started;
    let ca: TestCa;
    const KEY = 'tls-scoring-key-0123456789';
    before(async () => {
      ca = makeCa();
      s = await startServer(dirFor(SCORE_PY), { SCORING_TLS_PEM: `${ca.key}${ca.cert}`, SCORING_KEY: KEY, WORKER_COUNT: '2' });
    });
    after(() => s.stop());
    const tlsCall = (o: https.RequestOptions & { body?: string }): Promise<{ status: number; body: string; protocol: string }> =>
      new Promise((resolve, reject) => {
        const req = https.request({ host: '127.0.0.1', servername: 'localhost', port: s.port, ca: ca.ca, agent: false, ...o }, (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8'), protocol: (res.socket as tls.TLSSocket).getProtocol?.() ?? '' }));
        });
        req.on('error', reject);
        req.end(o.body);
      });

    it('serves HTTPS with the given certificate (TLS 1.2 or newer), the key still required', async () => {
      assert.match(s.output(), /listening on 127\.0\.0\.1:\d+ \(https, auth on, 2 workers\)/);
      const ok = await tlsCall({ method: 'POST', path: '/score', headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' }, body: '{"data": [2]}' });
      assert.strictEqual(ok.status, 200, ok.body);
      assert.deepStrictEqual(JSON.parse(ok.body).result, [4]);
      assert.match(ok.protocol, /^TLSv1\.[23]$/);
      const refused = await tlsCall({ method: 'POST', path: '/score', body: '{"data": [2]}' });
      assert.strictEqual(refused.status, 401);
    });

    it('refuses plain HTTP and TLS 1.1, and keeps serving', async () => {
      await assert.rejects(call(s.port, 'GET', '/'));
      await assert.rejects(tlsCall({ method: 'GET', path: '/', minVersion: 'TLSv1', maxVersion: 'TLSv1.1' }));
      assert.strictEqual((await tlsCall({ method: 'GET', path: '/' })).status, 200);
    });

    it('does not start with a PEM that is not a key and certificate, and never prints the value', async () => {
      const bad = `-----BEGIN PRIVATE KEY-----\nplanted-not-a-key-4242\n-----END PRIVATE KEY-----\n`;
      const err = await startServer(dirFor(SCORE_PY), { SCORING_TLS_PEM: bad }).catch((e: unknown) => e as Error);
      assert.ok(err instanceof Error);
      assert.match(err.message, /SCORING_TLS_PEM is not a PEM private key with its certificate chain \(SSLError\)/);
      assert.doesNotMatch(err.message, /planted-not-a-key/);
    });
  });

  describe('without SCORING_KEY', () => {
    let s: Started;
    before(async () => (s = await startServer(dirFor(SCORE_PY), {})));
    after(() => s.stop());

    it('answers liveness with 200 Healthy, with no Python version in Server', async () => {
      const r = await call(s.port, 'GET', '/');
      assert.strictEqual(r.status, 200);
      assert.strictEqual(r.body, 'Healthy');
      assert.strictEqual(r.headers.server, 'azureml-scoring');
    });

    it('scores with run() after one init(), reading the model from AZUREML_MODEL_DIR', async () => {
      const r1 = await call(s.port, 'POST', '/score', { body: '{"data": [1, 2.5]}' });
      assert.strictEqual(r1.status, 200, r1.body);
      assert.match(String(r1.headers['content-type']), /application\/json/);
      assert.deepStrictEqual(JSON.parse(r1.body), { result: [2, 5], inits: 1 });
      const r2 = await call(s.port, 'POST', '/score', { body: '{"data": [3]}' });
      assert.deepStrictEqual(JSON.parse(r2.body), { result: [6], inits: 1 });
    });

    it('turns a run() exception into a generic 500; the traceback goes to the log only', async () => {
      const r = await call(s.port, 'POST', '/score', { body: '{"fail": true}' });
      assert.strictEqual(r.status, 500);
      assert.deepStrictEqual(JSON.parse(r.body), { message: 'An unexpected error occurred in scoring script. Check the logs for more info.' });
      assert.doesNotMatch(r.body, /bad payload|ValueError/);
      assert.strictEqual(r.headers['x-ms-run-function-failed'], 'True');
      assert.match(s.output(), /Traceback[\s\S]*ValueError: bad payload/);
    });

    it('answers 404 elsewhere and 405 for other methods on /score', async () => {
      assert.strictEqual((await call(s.port, 'POST', '/nope', { body: '{}' })).status, 404);
      assert.strictEqual((await call(s.port, 'PUT', '/score', { body: '{}' })).status, 405);
    });

    it('reads a chunked body (Transfer-Encoding: chunked) and keeps the connection usable', async () => {
      const body = '{"data": [1, 2, 3]}';
      const chunked = `${(7).toString(16)}\r\n${body.slice(0, 7)}\r\n${(body.length - 7).toString(16)};ext=1\r\n${body.slice(7)}\r\n0\r\nX-Trailer: t\r\n\r\n`;
      const req = `POST /score HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nContent-Type: application/json\r\n\r\n${chunked}`;
      const r = await raw(s.port, req + 'GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
      assert.match(r.data, /^HTTP\/1\.1 200 OK/);
      assert.ok(r.data.includes('{"result": [2, 4, 6], "inits": 1}'), r.data);
      assert.match(r.data, /HTTP\/1\.1 200 OK[\s\S]*\r\n\r\nHealthy$/, 'the second request on the connection is answered');
    });

    it('refuses other transfer codings with 411, Content-Length with Transfer-Encoding with 400, and a malformed chunk with 400', async () => {
      const gz = await raw(s.port, 'POST /score HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip\r\n\r\nxx');
      assert.match(gz.data, /^HTTP\/1\.1 411 /);
      assert.ok(gz.closed);
      const both = await raw(s.port, 'POST /score HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n0\r\n\r\n');
      assert.match(both.data, /^HTTP\/1\.1 400 /);
      const bad = await raw(s.port, 'POST /score HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nabc\r\n0\r\n\r\n');
      assert.match(bad.data, /^HTTP\/1\.1 400 [\s\S]*Malformed chunked body/);
    });

    it('answers 413 for a body over the limit without reading it, and closes the connection', async () => {
      const r = await raw(s.port, 'POST /score HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 104857601\r\n\r\n{');
      assert.match(r.data, /^HTTP\/1\.1 413 /);
      assert.match(r.data, /Connection: close/);
      assert.ok(r.closed);
      const chunked = await raw(s.port, `POST /score HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n${(104857601).toString(16)}\r\n`);
      assert.match(chunked.data, /^HTTP\/1\.1 413 /);
    });

    it('escapes control characters in the request log', async () => {
      await raw(s.port, 'GET /\x1b[31mred\x07 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
      // the line is written after the reply: wait for it
      for (let i = 0; i < 40 && !s.output().includes('red\\x07'); i++) await new Promise((r) => setTimeout(r, 50));
      const out = s.output();
      assert.ok(out.includes('\\x1b[31mred\\x07'), out);
      assert.ok(!out.includes('\x1b'), 'no raw ESC in the log');
      assert.ok(!out.includes('\x07'), 'no raw BEL in the log');
    });

    it('echoes x-request-id (or makes one) and x-ms-request-id / x-ms-client-request-id as Azure ML does; 431 past 100 characters', async () => {
      const a = await call(s.port, 'POST', '/score', { body: '{"data": [1]}', headers: { 'x-request-id': 'req-1', 'x-ms-client-request-id': 'client-1' } });
      assert.strictEqual(a.headers['x-request-id'], 'req-1');
      assert.strictEqual(a.headers['x-ms-request-id'], 'client-1');
      assert.strictEqual(a.headers['x-ms-client-request-id'], 'client-1');
      assert.match(String(a.headers['x-ms-run-fn-exec-ms']), /^\d+\.\d{3}$/);
      const b = await call(s.port, 'POST', '/score', { body: '{"data": [1]}' });
      assert.match(String(b.headers['x-request-id']), /^[0-9a-f-]{36}$/);
      assert.strictEqual(b.headers['x-ms-request-id'], b.headers['x-request-id']);
      const long = await call(s.port, 'POST', '/score', { body: '{"data": [1]}', headers: { 'x-request-id': 'x'.repeat(101) } });
      assert.strictEqual(long.status, 431);
    });

    it('passes GET /score query parameters to run() as a JSON string, answers OPTIONS with 200', async () => {
      const r = await call(s.port, 'GET', '/score?data=[4]');
      assert.strictEqual(r.status, 200, r.body);
      assert.deepStrictEqual(JSON.parse(r.body).result, [8]);
      assert.strictEqual((await call(s.port, 'OPTIONS', '/score')).status, 200);
    });

    it('serves /swagger.json (version 2; other versions 404)', async () => {
      const r = await call(s.port, 'GET', '/swagger.json');
      assert.strictEqual(r.status, 200);
      const doc = JSON.parse(r.body);
      assert.strictEqual(doc.swagger, '2.0');
      assert.ok(doc.paths['/score'].post);
      assert.deepStrictEqual(doc.definitions.ServiceInput, { type: 'object', example: {} });
      assert.strictEqual((await call(s.port, 'GET', '/swagger.json?version=3')).status, 404);
    });
  });

  describe('with SCORING_KEY', () => {
    const key = 'k-' + 'Zq9'.repeat(10);
    let s: Started;
    before(async () => (s = await startServer(dirFor(SCORE_PY), { SCORING_KEY: key })));
    after(() => s.stop());

    it('refuses /score without a key, with a wrong key and with a non-Bearer scheme (401)', async () => {
      for (const headers of [{} as Record<string, string>, { authorization: 'Bearer wrong' }, { authorization: `Bearer ${key}x` }, { authorization: `Basic ${key}` }]) {
        const r = await call(s.port, 'POST', '/score', { body: '{"data": [1]}', headers });
        assert.strictEqual(r.status, 401, JSON.stringify(headers));
        assert.match(String(r.headers['www-authenticate']), /^Bearer/);
        assert.ok(JSON.parse(r.body).message);
      }
      assert.strictEqual((await call(s.port, 'GET', '/score?data=[1]')).status, 401);
    });

    it('accepts the right key and keeps liveness and swagger open', async () => {
      const r = await call(s.port, 'POST', '/score', { body: '{"data": [4]}', headers: { authorization: `Bearer ${key}` } });
      assert.strictEqual(r.status, 200, r.body);
      assert.deepStrictEqual(JSON.parse(r.body).result, [8]);
      assert.strictEqual((await call(s.port, 'GET', '/')).status, 200);
      assert.strictEqual((await call(s.port, 'GET', '/swagger.json')).status, 200);
    });

    it('never prints the key', () => {
      assert.ok(!s.output().includes(key));
    });
  });

  describe('connections', () => {
    it('closes a connection that stops sending (socket timeout) and bounds the connections per worker', async () => {
      const s = await startServer(dirFor(SCORE_PY), { SOCKET_TIMEOUT_SECONDS: '1', MAX_CONNECTIONS_PER_WORKER: '2' });
      try {
        const started = Date.now();
        const stalled = await raw(s.port, 'POST /score HTTP/1.1\r\nHost: x\r\n', 5000);
        assert.ok(stalled.closed, 'the server closed the stalled connection');
        assert.ok(Date.now() - started < 4000);
        // two idle connections hold both slots: a third client waits until one times out
        const idle = [net.connect(s.port, '127.0.0.1'), net.connect(s.port, '127.0.0.1')];
        await new Promise((r) => setTimeout(r, 200));
        const t0 = Date.now();
        const r = await call(s.port, 'GET', '/');
        assert.strictEqual(r.status, 200);
        assert.ok(Date.now() - t0 >= 500, `answered after ${Date.now() - t0} ms: the third connection was not held back`);
        idle.forEach((c) => c.destroy());
      } finally {
        await s.stop();
      }
    });

    it('listens with a backlog of at least 128', async () => {
      const s = await startServer(dirFor(SCORE_PY), {});
      try {
        const ss = spawnSync('ss', ['-ltnH', `sport = :${s.port}`], { encoding: 'utf8' });
        assert.ok(!ss.error && ss.status === 0, `ss (iproute2) reads the listening socket's backlog: ${String(ss.error ?? ss.stderr)}`);
        const cols = ss.stdout.trim().split(/\s+/);
        assert.ok(Number(cols[2]) >= 128, ss.stdout); // LISTEN Recv-Q Send-Q(=backlog)
      } finally {
        await s.stop();
      }
    });
  });

  describe('workers (WORKER_COUNT)', () => {
    const WORKER_PY = `
import json, os, time
def init():
    print("init in %d" % os.getpid(), flush=True)
def run(raw_data):
    time.sleep(0.2)
    return {"pid": os.getpid()}
`;

    it('forks N workers, each calling init() once, and spreads kept-alive connections over them', async () => {
      const s = await startServer(dirFor(WORKER_PY), { WORKER_COUNT: '2' });
      const agent = new http.Agent({ keepAlive: true, maxSockets: 2 });
      try {
        assert.match(s.output(), /2 workers/);
        assert.strictEqual((s.output().match(/init in \d+/g) ?? []).length, 2);
        const pids = new Set<number>();
        for (let round = 0; round < 3; round++) {
          const replies = await Promise.all([0, 1].map(() => call(s.port, 'POST', '/score', { body: '{}', agent })));
          for (const r of replies) pids.add(JSON.parse(r.body).pid);
        }
        assert.strictEqual(pids.size, 2, `requests went to ${[...pids].join(', ')}`);
      } finally {
        agent.destroy();
        await s.stop();
      }
    });

    it('stops with exit code 1 and the error in its log when init() fails in a worker', async () => {
      const dir = dirFor('def init():\n    raise RuntimeError("no model")\ndef run(d):\n    return d\n');
      await assert.rejects(startServer(dir, { WORKER_COUNT: '2' }), /exited with 1[\s\S]*RuntimeError: no model[\s\S]*init\(\) failed/);
      await assert.rejects(startServer(dir, {}), /exited with 1[\s\S]*RuntimeError: no model/);
    });

    it('refuses a bad WORKER_COUNT in one line naming it', async () => {
      await assert.rejects(startServer(dirFor(SCORE_PY), { WORKER_COUNT: 'many' }), /exited with 1: The scoring server does not start: WORKER_COUNT='many' is not a whole number from 1 to 64\n$/);
    });
  });

  describe('Azure ML scoring-script contract', () => {
    it('@rawhttp: run() gets the request (azureml.contrib.services) and may answer an AMLResponse', async () => {
      const s = await startServer(dirFor(`
from azureml.contrib.services.aml_request import AMLRequest, rawhttp
from azureml.contrib.services.aml_response import AMLResponse
def init():
    pass
@rawhttp
def run(request):
    if request.method == "GET":
        return AMLResponse({"q": request.args.get("q"), "all": request.args.getlist("q")}, 200, json_str=True)
    body = request.get_json()
    return AMLResponse({"echo": body, "ct": request.headers.get("content-type"), "path": request.path}, 201, {"X-Custom": "a, b"}, json_str=True)
`), {});
      try {
        const r = await call(s.port, 'POST', '/score?x=1', { body: '{"n": 1}' });
        assert.strictEqual(r.status, 201, r.body);
        assert.deepStrictEqual(JSON.parse(r.body), { echo: { n: 1 }, ct: 'application/json', path: '/score' });
        assert.strictEqual(r.headers['x-custom'], 'a, b');
        const g = await call(s.port, 'GET', '/score?q=1&q=2');
        assert.deepStrictEqual(JSON.parse(g.body), { q: '1', all: ['1', '2'] });
      } finally {
        await s.stop();
      }
    });

    it('passes request_headers to run() when it asks for them', async () => {
      const s = await startServer(dirFor('def init():\n    pass\ndef run(data, request_headers):\n    return {"data": data, "h": request_headers.get("X-Tenant")}\n'), {});
      try {
        const r = await call(s.port, 'POST', '/score', { body: '"x"', headers: { 'x-tenant': 't1' } });
        assert.deepStrictEqual(JSON.parse(r.body), { data: '"x"', h: 't1' });
      } finally {
        await s.stop();
      }
    });

    it('refuses a run() with *args, or without an input argument, at start', async () => {
      await assert.rejects(startServer(dirFor('def init():\n    pass\ndef run(*args):\n    return 1\n'), {}), /exited with 1[\s\S]*run\(\) cannot accept positional-only arguments, \*args, or \*\*kwargs/);
      await assert.rejects(startServer(dirFor('def init():\n    pass\n'), {}), /exited with 1[\s\S]*does not define a run\(\) function/);
    });

    it('stops a run() that outlives SCORING_TIMEOUT_MS with 500 "Scoring timeout after N ms"', async () => {
      const s = await startServer(dirFor('import time\ndef init():\n    pass\ndef run(d):\n    if d == "slow":\n        time.sleep(5)\n    return d\n'), { SCORING_TIMEOUT_MS: '300' });
      try {
        const t0 = Date.now();
        const r = await call(s.port, 'POST', '/score', { body: 'slow' });
        assert.strictEqual(r.status, 500);
        assert.deepStrictEqual(JSON.parse(r.body), { message: 'Scoring timeout after 300 ms' });
        assert.ok(Date.now() - t0 < 3000);
        assert.strictEqual((await call(s.port, 'POST', '/score', { body: 'fast' })).body, '"fast"', 'the worker still serves');
      } finally {
        await s.stop();
      }
    });

    it('serialises results with json.dumps as Azure ML does: numpy scalars pass, an ndarray is a generic 500 with a hint in the log', async () => {
      const s = await startServer(dirFor('import numpy as np\ndef init():\n    pass\ndef run(d):\n    return np.float64(1.5) if d == "scalar" else np.arange(3)\n'), {});
      try {
        assert.strictEqual((await call(s.port, 'POST', '/score', { body: 'scalar' })).body, '1.5');
        const r = await call(s.port, 'POST', '/score', { body: 'array' });
        assert.strictEqual(r.status, 500);
        assert.deepStrictEqual(JSON.parse(r.body), { message: 'An unexpected internal error occurred. Check the logs for more info.' });
        assert.match(s.output(), /run\(\) returned a value JSON cannot hold \(ndarray: .*\).*array\.tolist\(\)/);
      } finally {
        await s.stop();
      }
    });

    it('serialises pandas results as Azure ML does: a DataFrame is a generic 500 with a hint, to_dict(orient="records") passes', async function () {
      // pandas is Debian's python3-pandas (.ci/run installs it) for Debian's /usr/bin/python3; a developer's own
      // python3 may have it too. Without either, say so in one line: the rest of the contract still runs.
      const python = pythonWith('pandas');
      if (!python) {
        console.log('      pandas is in neither python3 nor /usr/bin/python3 (apt-get install python3-pandas): the pandas serialisation check did not run');
        this.skip();
      }
      const s = await startServer(dirFor('import pandas as pd\ndef init():\n    pass\ndef run(d):\n    frame = pd.DataFrame({"a": [1, 2], "b": [0.5, 1.5]})\n    return frame if d == "frame" else frame.to_dict(orient="records")\n'), {}, python);
      try {
        const ok = await call(s.port, 'POST', '/score', { body: 'records' });
        assert.strictEqual(ok.status, 200, ok.body + s.output());
        assert.deepStrictEqual(JSON.parse(ok.body), [{ a: 1, b: 0.5 }, { a: 2, b: 1.5 }]);
        const r = await call(s.port, 'POST', '/score', { body: 'frame' });
        assert.strictEqual(r.status, 500);
        assert.deepStrictEqual(JSON.parse(r.body), { message: 'An unexpected internal error occurred. Check the logs for more info.' });
        assert.match(s.output(), /run\(\) returned a value JSON cannot hold \(DataFrame: .*\).*frame\.to_dict\(orient='records'\)/);
        assert.doesNotMatch(r.body, /DataFrame/, 'the reply says nothing of the value (str() of a frame is not JSON)');
      } finally {
        await s.stop();
      }
    });

    const SCHEMA_PY = `
import numpy as np
from inference_schema.schema_decorators import input_schema, output_schema
from inference_schema.parameter_types.numpy_parameter_type import NumpyParameterType
from inference_schema.parameter_types.standard_py_parameter_type import StandardPythonParameterType
def init():
    pass
@input_schema("data", NumpyParameterType(np.array([[1.0, 2.0]])))
@input_schema("scale", StandardPythonParameterType(2))
@output_schema(StandardPythonParameterType([3.0]))
def run(data, scale=10):
    return {"type": type(data).__name__, "sum": float((data * scale).sum())}
`;

    it('@input_schema/@output_schema: run() gets the named JSON fields converted by inference-schema; /swagger.json carries the schemas', async () => {
      const s = await startServer(dirFor(SCHEMA_PY), { PYTHONPATH: INFERENCE_SCHEMA_STANDIN });
      try {
        const r = await call(s.port, 'POST', '/score', { body: '{"data": [[1, 2], [3, 4]], "scale": 2}' });
        assert.strictEqual(r.status, 200, r.body + s.output());
        assert.deepStrictEqual(JSON.parse(r.body), { type: 'ndarray', sum: 20 });
        assert.deepStrictEqual(JSON.parse((await call(s.port, 'POST', '/score', { body: '{"data": [[1]]}' })).body), { type: 'ndarray', sum: 10 }, 'the default applies');
        const missing = await call(s.port, 'POST', '/score', { body: '{"scale": 1}' });
        assert.strictEqual(missing.status, 400);
        assert.match(JSON.parse(missing.body).message, /A value is not provided for the 'data' parameter/);
        assert.strictEqual((await call(s.port, 'POST', '/score', { body: '[1]' })).status, 400);
        assert.strictEqual((await call(s.port, 'POST', '/score', { body: '{"data": [[1]]}', headers: { 'content-type': 'text/plain' } })).status, 415);
        const doc = JSON.parse((await call(s.port, 'GET', '/swagger.json')).body);
        assert.deepStrictEqual(doc.definitions.ServiceInput.properties.data.example, [[1, 2]]);
        assert.deepStrictEqual(doc.definitions.ServiceOutput, { type: 'array', example: [3] });
      } finally {
        await s.stop();
      }
    });

    it('stops with a clear message when score.py uses inference-schema and it is not installed', async () => {
      await assert.rejects(startServer(dirFor(SCHEMA_PY), {}), /exited with 1[\s\S]*score\.py imports inference_schema \(the inference-schema package, for @input_schema\/@output_schema\), which is not installed in the image: add inference-schema to the requirementsFile or condaFile\./);
    });

    it('serves a swagger.json shipped beside score.py as it is', async () => {
      const s = await startServer(dirFor(SCORE_PY, { 'scoring/swagger.json': '{"swagger": "2.0", "info": {"title": "mine"}}' }), {});
      try {
        assert.deepStrictEqual(JSON.parse((await call(s.port, 'GET', '/swagger.json')).body), { swagger: '2.0', info: { title: 'mine' } });
      } finally {
        await s.stop();
      }
    });
  });

  it('uses a constant-time comparison (python unittest with a spy on hmac.compare_digest)', () => {
    const r = spawnSync('python3', ['-m', 'unittest', '-v', 'test_server'], {
      cwd: PYTHON_TESTS,
      env: { ...process.env, SERVER_DIR: path.dirname(findAsset('server.py') as string) },
      encoding: 'utf8',
    });
    assert.strictEqual(r.status, 0, r.stderr);
    assert.match(r.stderr, /test_comparison_is_hmac_compare_digest .*\.\.\. ok/);
    assert.match(r.stderr, /Ran 4 tests/);
  });
});
