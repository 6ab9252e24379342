// The scoring wrapper (assets/server.py) started with python3 on 127.0.0.1, called over HTTP.
import * as assert from 'assert';
import { ChildProcess, spawn, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as http from 'http';
import * as os from 'os';
import * as path from 'path';
import { findAsset } from '../src/assets';

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

interface Reply { status: number; headers: http.IncomingHttpHeaders; body: string }

function call(port: number, method: string, p: string, o: { body?: string; headers?: Record<string, string> } = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, method, path: p, headers: { ...(o.body !== undefined ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(o.body) } : {}), ...o.headers }, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', reject);
    req.end(o.body);
  });
}

async function start(dir: string, env: Record<string, string>): Promise<{ proc: ChildProcess; port: number; output: () => string }> {
  const proc = spawn('python3', [path.join(dir, 'scoring', 'server.py')], {
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', PORT: '0', HOST: '127.0.0.1', AZUREML_MODEL_DIR: path.join(dir, 'model'), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  proc.stdout!.on('data', (c: Buffer) => (out += c.toString()));
  proc.stderr!.on('data', (c: Buffer) => (out += c.toString()));
  const port = await new Promise<number>((resolve, reject) => {
    const onData = (): void => {
      const m = /listening on 127\.0\.0\.1:(\d+)/.exec(out);
      if (m) resolve(Number(m[1]));
    };
    proc.stdout!.on('data', onData);
    proc.on('exit', (code) => reject(new Error(`server.py exited with ${code}: ${out}`)));
  });
  return { proc, port, output: () => out };
}

describe('CreateImage scoring server (server.py)', function () {
  let dir: string;
  before(function () {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'scoring-server-'));
    fs.mkdirSync(path.join(dir, 'scoring'));
    fs.mkdirSync(path.join(dir, 'model', 'model'), { recursive: true });
    fs.copyFileSync(findAsset('server.py') as string, path.join(dir, 'scoring', 'server.py'));
    fs.writeFileSync(path.join(dir, 'scoring', 'score.py'), SCORE_PY);
    fs.writeFileSync(path.join(dir, 'model', 'model', 'weights.json'), '{"w": 2}');
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  describe('without SCORING_KEY', () => {
    let s: Awaited<ReturnType<typeof start>>;
    before(async () => (s = await start(dir, {})));
    after(() => s.proc.kill('SIGTERM'));

    it('answers liveness with 200 Healthy', async () => {
      const r = await call(s.port, 'GET', '/');
      assert.strictEqual(r.status, 200);
      assert.strictEqual(r.body, 'Healthy');
    });

    it('scores with run() after one init(), reading the model from AZUREML_MODEL_DIR', async () => {
      const r1 = await call(s.port, 'POST', '/score', { body: '{"data": [1, 2.5]}' });
      assert.strictEqual(r1.status, 200, r1.body);
      assert.match(String(r1.headers['content-type']), /application\/json/);
      assert.deepStrictEqual(JSON.parse(r1.body), { result: [2, 5], inits: 1 });
      const r2 = await call(s.port, 'POST', '/score', { body: '{"data": [3]}' });
      assert.deepStrictEqual(JSON.parse(r2.body), { result: [6], inits: 1 });
    });

    it('turns a run() exception into 500 with a JSON error', async () => {
      const r = await call(s.port, 'POST', '/score', { body: '{"fail": true}' });
      assert.strictEqual(r.status, 500);
      assert.deepStrictEqual(JSON.parse(r.body), { error: 'ValueError: bad payload' });
      assert.match(s.output(), /Traceback/);
    });

    it('answers 405 for GET /score and 404 elsewhere', async () => {
      assert.strictEqual((await call(s.port, 'GET', '/score')).status, 405);
      assert.strictEqual((await call(s.port, 'POST', '/nope', { body: '{}' })).status, 404);
    });
  });

  describe('with SCORING_KEY', () => {
    const key = 'k-' + 'Zq9'.repeat(10);
    let s: Awaited<ReturnType<typeof start>>;
    before(async () => (s = await start(dir, { SCORING_KEY: key })));
    after(() => s.proc.kill('SIGTERM'));

    it('refuses /score without a key, with a wrong key and with a non-Bearer scheme (401)', async () => {
      for (const headers of [{} as Record<string, string>, { authorization: 'Bearer wrong' }, { authorization: `Bearer ${key}x` }, { authorization: `Basic ${key}` }]) {
        const r = await call(s.port, 'POST', '/score', { body: '{"data": [1]}', headers });
        assert.strictEqual(r.status, 401, JSON.stringify(headers));
        assert.match(String(r.headers['www-authenticate']), /^Bearer/);
        assert.ok(JSON.parse(r.body).error);
      }
    });

    it('accepts the right key and keeps liveness open', async () => {
      const r = await call(s.port, 'POST', '/score', { body: '{"data": [4]}', headers: { authorization: `Bearer ${key}` } });
      assert.strictEqual(r.status, 200, r.body);
      assert.deepStrictEqual(JSON.parse(r.body).result, [8]);
      assert.strictEqual((await call(s.port, 'GET', '/')).status, 200);
    });

    it('never prints the key', () => {
      assert.ok(!s.output().includes(key));
    });
  });

  it('exits with an error when init() fails', async () => {
    const bad = fs.mkdtempSync(path.join(os.tmpdir(), 'scoring-bad-'));
    fs.mkdirSync(path.join(bad, 'scoring'));
    fs.copyFileSync(findAsset('server.py') as string, path.join(bad, 'scoring', 'server.py'));
    fs.writeFileSync(path.join(bad, 'scoring', 'score.py'), 'def init():\n    raise RuntimeError("no model")\ndef run(d):\n    return d\n');
    await assert.rejects(start(bad, {}), /exited with 1[\s\S]*RuntimeError: no model/);
    fs.rmSync(bad, { recursive: true, force: true });
  });

  it('uses a constant-time comparison (python unittest with a spy on hmac.compare_digest)', () => {
    const r = spawnSync('python3', ['-m', 'unittest', '-v', 'test_server'], {
      cwd: path.join(__dirname, '..', '..', '..', '..', 'tasks', 'CreateImage', 'tests', 'python'),
      env: { ...process.env, SERVER_DIR: path.dirname(findAsset('server.py') as string) },
      encoding: 'utf8',
    });
    assert.strictEqual(r.status, 0, r.stderr);
    assert.match(r.stderr, /test_comparison_is_hmac_compare_digest .*\.\.\. ok/);
    assert.match(r.stderr, /Ran 4 tests/);
  });
});
