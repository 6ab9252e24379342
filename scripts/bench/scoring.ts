// The scoring server (tasks/CreateImage/assets/server.py) against its floor, measured in the same run with
// autocannon: a bare Python http.server (ThreadingHTTPServer, HTTP/1.1 keep-alive, TCP_NODELAY) that answers
// the same JSON without any scoring logic. Latency rows use one connection (closed loop: the overhead per
// request, no queueing); the CPU-bound rows use 4 connections and compare WORKER_COUNT=2 with 1.
// Each pair runs side by side in alternating rounds and reports medians (the machine is shared).
// Percentiles are nearest-rank over each response's own timing (autocannon's 'response' event).
import { ChildProcess, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import type { EventEmitter } from 'node:events';
import * as os from 'node:os';
import * as path from 'node:path';
import { latencyStats, LatencyStats } from '../../tasks/shared/src/scoring';

type Autocannon = (
  opts: { url: string; method: string; body: string; headers: Record<string, string>; connections: number; duration: number },
  cb: (err: Error | null, result: { errors: number; timeouts: number; non2xx: number }) => void,
) => EventEmitter;

const BODY = JSON.stringify({ data: [[0.1, 0.2, 0.3, 0.4]] });
const REPLY = '{"result": [1]}';
const WARMUP_S = 1;
const ROUNDS = 5;
const ROUND_S = 2;

const FLOOR_PY = `
import sys, time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
SLEEP = float(sys.argv[1])
REPLY = sys.argv[2].encode()
class Floor(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True
    def do_POST(self):
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        if SLEEP:
            time.sleep(SLEEP)
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(REPLY)))
        self.end_headers()
        self.wfile.write(REPLY)
    def log_message(self, *args):
        pass
server = ThreadingHTTPServer(("127.0.0.1", 0), Floor)
print("listening on 127.0.0.1:%d" % server.server_address[1], flush=True)
server.serve_forever()
`;

const MODELS: Record<string, string> = {
  trivial: `def init():\n    pass\ndef run(raw_data):\n    return {"result": [1]}\n`,
  sleep5: `import time\ndef init():\n    pass\ndef run(raw_data):\n    time.sleep(0.005)\n    return {"result": [1]}\n`,
  cpu: `def init():\n    pass\ndef run(raw_data):\n    s = 0\n    for i in range(60000):\n        s += i * i\n    return {"result": [s % 7]}\n`,
};

interface Server { url: string; proc: ChildProcess; stop: () => Promise<void> }

async function startPython(args: string[], env: Record<string, string>): Promise<Server> {
  const proc = spawn('python3', args, { env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env }, stdio: ['ignore', 'pipe', 'ignore'] });
  let out = '';
  const port = await new Promise<number>((resolve, reject) => {
    proc.stdout!.on('data', (c: Buffer) => {
      out += c.toString();
      const m = /listening on 127\.0\.0\.1:(\d+)/.exec(out);
      if (m) resolve(Number(m[1]));
    });
    proc.once('exit', (code) => reject(new Error(`${args.join(' ')} exited with ${code}: ${out}`)));
  });
  proc.stdout!.resume();
  const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
  return { url: `http://127.0.0.1:${port}/score`, proc, stop: async () => { proc.kill('SIGTERM'); await exited; } };
}

function ours(dir: string, model: string, workers: number): Promise<Server> {
  const scoring = path.join(dir, `ours-${model}`, 'scoring');
  fs.mkdirSync(scoring, { recursive: true });
  fs.copyFileSync(path.join(__dirname, '..', '..', '..', 'tasks', 'CreateImage', 'assets', 'server.py'), path.join(scoring, 'server.py'));
  fs.writeFileSync(path.join(scoring, 'score.py'), MODELS[model]);
  return startPython([path.join(scoring, 'server.py')], { PORT: '0', HOST: '127.0.0.1', WORKER_COUNT: String(workers) });
}

function floor(dir: string, sleepS: number): Promise<Server> {
  const file = path.join(dir, 'floor.py');
  fs.writeFileSync(file, FLOOR_PY);
  return startPython([file, String(sleepS), REPLY], {});
}

interface Run { rps: number; stats: LatencyStats; errors: number }

async function load(autocannon: Autocannon, url: string, connections: number, seconds: number): Promise<Run> {
  const samples: number[] = [];
  const start = process.hrtime.bigint();
  const result = await new Promise<{ errors: number; timeouts: number; non2xx: number }>((resolve, reject) => {
    const instance = autocannon({ url, method: 'POST', body: BODY, headers: { 'content-type': 'application/json' }, connections, duration: seconds }, (err, r) => (err ? reject(err) : resolve(r)));
    instance.on('response', (_c: unknown, _s: number, _b: number, responseTime: number) => samples.push(responseTime));
  });
  const wallMs = Number(process.hrtime.bigint() - start) / 1e6;
  return { rps: samples.length / (wallMs / 1000), stats: latencyStats(samples), errors: result.errors + result.timeouts + result.non2xx };
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** Both servers up at once, warmed, then measured in alternating rounds (the machine is shared: a burst of
 * load elsewhere hits one round of each side, not all of one side); each figure is the median over rounds. */
async function compare(autocannon: Autocannon, a: Promise<Server>, b: Promise<Server>, connections: number): Promise<[Run, Run]> {
  const servers = [await a, await b];
  try {
    for (const s of servers) await load(autocannon, s.url, connections, WARMUP_S);
    const runs: Run[][] = [[], []];
    for (let round = 0; round < ROUNDS; round++) {
      for (const i of round % 2 === 0 ? [0, 1] : [1, 0]) runs[i].push(await load(autocannon, servers[i].url, connections, ROUND_S));
    }
    const summary = (rs: Run[]): Run => ({
      rps: median(rs.map((r) => r.rps)),
      stats: { ...rs[0].stats, p50: median(rs.map((r) => r.stats.p50)), p99: median(rs.map((r) => r.stats.p99)) },
      errors: rs.reduce((n, r) => n + r.errors, 0),
    });
    return [summary(runs[0]), summary(runs[1])];
  } finally {
    for (const s of servers) await s.stop();
  }
}

export async function benchScoring(): Promise<string[]> {
  const autocannon = createRequire(__filename)('autocannon') as Autocannon;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-scoring-'));
  try {
    const ms = (v: number): string => v.toFixed(3).padStart(9);
    const row = (name: string, r: Run): string => `${name.padEnd(34)} ${r.rps.toFixed(0).padStart(8)} ${ms(r.stats.p50)} ${ms(r.stats.p99)} ${String(r.errors).padStart(7)}`;
    const lines = [
      `Latency: 1 connection; ours with WORKER_COUNT=1; floor = bare http.server + TCP_NODELAY answering the same JSON.`,
      `Medians over ${ROUNDS} alternating rounds of ${ROUND_S} s (after ${WARMUP_S} s warm-up each); load average at start: ${os.loadavg()[0].toFixed(1)} on ${os.cpus().length} CPUs.`,
      `${'server / model'.padEnd(34)} ${'req/s'.padStart(8)} ${'p50 ms'.padStart(9)} ${'p99 ms'.padStart(9)} ${'errors'.padStart(7)}`,
    ];
    for (const [model, sleepS] of [['trivial', 0], ['sleep5', 0.005]] as const) {
      const [f, o] = await compare(autocannon, floor(dir, sleepS), ours(dir, model, 1), 1);
      lines.push(row(`floor (${model})`, f), row(`ours (${model})`, o),
        `${`overhead ours - floor (${model})`.padEnd(34)} ${''.padStart(8)} ${ms(o.stats.p50 - f.stats.p50)} ${ms(o.stats.p99 - f.stats.p99)}`);
    }
    const [one, two] = await compare(autocannon, ours(dir, 'cpu', 1), ours(dir, 'cpu', 2), 4);
    lines.push(
      `CPU-bound run() (a Python loop), 4 connections:`,
      row('ours WORKER_COUNT=1 (cpu)', one),
      row('ours WORKER_COUNT=2 (cpu)', two),
      `requests/s, 2 workers / 1 worker: ${(two.rps / one.rps).toFixed(2)}x (load average now ${os.loadavg()[0].toFixed(1)}: other processes share these CPUs)`,
    );
    return lines;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
