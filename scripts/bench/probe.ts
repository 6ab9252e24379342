// ProbeEndpoint's load engine against autocannon on the same local scoring server, with the same
// connections and request count: requests per second and p50/p95/p99 (ratio ours/autocannon).
// The server runs in a worker thread so it does not share the event loop with either load generator.
// Both sides' percentiles are nearest-rank over every request's own timing (autocannon reports each
// response's duration in its 'response' event; its own summary has no p95).
import { createRequire } from 'node:module';
import type { EventEmitter } from 'node:events';
import { Worker } from 'node:worker_threads';
import { ScoringClient } from '../../tasks/shared/src/scoring';
import { runLoad } from '../../tasks/shared/src/scoring';
import { LatencyStats, latencyStats } from '../../tasks/shared/src/scoring';

interface AutocannonResult {
  errors: number;
  timeouts: number;
  non2xx: number;
  latency: { p50: number; p99: number };
}
type Autocannon = (
  opts: { url: string; method: string; body: string; headers: Record<string, string>; connections: number; amount: number },
  cb: (err: Error | null, result: AutocannonResult) => void,
) => EventEmitter;

const CONNECTIONS = 10;
const REQUESTS = 5000;
const WARMUP = 500;
const BODY = JSON.stringify({ data: [[0.1, 0.2, 0.3, 0.4]] });

// a fast scoring server: answers POST /score with a small JSON body, GET / with Healthy
const SERVER = `
const http = require('node:http');
const { parentPort } = require('node:worker_threads');
const server = http.createServer((req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    const body = req.method === 'POST' ? JSON.stringify({ result: [Buffer.concat(chunks).length] }) : 'Healthy';
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
    res.end(body);
  });
});
server.keepAliveTimeout = 60000;
server.listen(0, '127.0.0.1', () => parentPort.postMessage(server.address().port));
parentPort.on('message', (m) => { if (m === 'stop') { server.closeAllConnections(); server.close(() => process.exit(0)); } });
`;

async function startServer(): Promise<{ url: string; stop: () => Promise<void> }> {
  const worker = new Worker(SERVER, { eval: true });
  const port = await new Promise<number>((resolve, reject) => {
    worker.once('message', resolve);
    worker.once('error', reject);
  });
  return {
    url: `http://127.0.0.1:${port}/score`,
    stop: async () => {
      const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
      worker.postMessage('stop');
      await exited;
    },
  };
}

interface Side {
  rps: number;
  stats: LatencyStats;
  errors: number;
}

async function ours(url: string, requests: number): Promise<Side> {
  const client = new ScoringClient({ url: new URL(url), headers: {}, timeoutMs: 30000, maxSockets: CONNECTIONS });
  try {
    const run = await runLoad(client, { requests, concurrency: CONNECTIONS, payloads: [Buffer.from(BODY)] });
    return {
      rps: run.results.length / (run.wallMs / 1000),
      stats: latencyStats(run.results.map((r) => r.latencyMs)),
      errors: run.results.filter((r) => r.error !== undefined || r.status !== 200).length,
    };
  } finally {
    client.close();
  }
}

async function theirs(autocannon: Autocannon, url: string, requests: number): Promise<Side & { own: AutocannonResult['latency'] }> {
  const samples: number[] = [];
  const start = process.hrtime.bigint();
  const result = await new Promise<AutocannonResult>((resolve, reject) => {
    const instance = autocannon(
      { url, method: 'POST', body: BODY, headers: { 'content-type': 'application/json' }, connections: CONNECTIONS, amount: requests },
      (err, r) => (err ? reject(err) : resolve(r)),
    );
    instance.on('response', (_client: unknown, _status: number, _bytes: number, responseTime: number) => samples.push(responseTime));
  });
  const wallMs = Number(process.hrtime.bigint() - start) / 1e6;
  return { rps: samples.length / (wallMs / 1000), stats: latencyStats(samples), errors: result.errors + result.timeouts + result.non2xx, own: result.latency };
}

export async function benchProbe(): Promise<{ lines: string[] }> {
  const autocannon = createRequire(__filename)('autocannon') as Autocannon;
  const server = await startServer();
  try {
    // warm both (connections, JIT) before measuring
    await ours(server.url, WARMUP);
    await theirs(autocannon, server.url, WARMUP);
    const a = await ours(server.url, REQUESTS);
    const b = await theirs(autocannon, server.url, REQUESTS);
    const ms = (v: number): string => v.toFixed(2).padStart(8);
    const ratio = (x: number, y: number): string => (y > 0 ? (x / y).toFixed(2) : '-').padStart(8);
    const row = (name: string, s: Side): string => `${name.padEnd(22)} ${s.rps.toFixed(0).padStart(8)} ${ms(s.stats.p50)} ${ms(s.stats.p95)} ${ms(s.stats.p99)} ${String(s.errors).padStart(7)}`;
    return {
      lines: [
        `ProbeEndpoint load engine vs autocannon: local scoring server (worker thread), ${CONNECTIONS} connections, ${REQUESTS} POSTs each after ${WARMUP} warm-up`,
        `${'tool'.padEnd(22)} ${'req/s'.padStart(8)} ${'p50 ms'.padStart(8)} ${'p95 ms'.padStart(8)} ${'p99 ms'.padStart(8)} ${'errors'.padStart(7)}`,
        row('ours', a),
        row('autocannon', b),
        `${'ratio ours/autocannon'.padEnd(22)} ${ratio(a.rps, b.rps)} ${ratio(a.stats.p50, b.stats.p50)} ${ratio(a.stats.p95, b.stats.p95)} ${ratio(a.stats.p99, b.stats.p99)}`,
        `(percentiles: nearest-rank over each request's timing on both sides; autocannon's own HDR summary: p50 ${b.own.p50} ms, p99 ${b.own.p99} ms)`,
      ],
    };
  } finally {
    await server.stop();
  }
}
