// Starts the scoring server (assets/server.py) with python3 in a folder laid out as in the image, and calls it.
import { ChildProcess, spawn } from 'child_process';
import * as fs from 'fs';
import * as http from 'http';
import * as os from 'os';
import * as path from 'path';
import { findAsset } from '../../src/assets';

export interface Reply { status: number; headers: http.IncomingHttpHeaders; body: string }

export function call(port: number, method: string, p: string, o: { body?: string; headers?: Record<string, string>; agent?: http.Agent } = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, method, path: p, headers: { ...(o.body !== undefined ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(o.body) } : {}), ...o.headers }, agent: o.agent ?? false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', reject);
    req.end(o.body);
  });
}

export interface Started { proc: ChildProcess; port: number; output: () => string; stop: () => Promise<void> }

export async function startServer(dir: string, env: Record<string, string>, python = 'python3'): Promise<Started> {
  const proc = spawn(python, [path.join(dir, 'scoring', 'server.py')], {
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', PORT: '0', HOST: '127.0.0.1', AZUREML_MODEL_DIR: path.join(dir, 'model'), WORKER_COUNT: '1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  proc.stdout!.on('data', (c: Buffer) => (out += c.toString()));
  proc.stderr!.on('data', (c: Buffer) => (out += c.toString()));
  const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
  const port = await new Promise<number>((resolve, reject) => {
    const onData = (): void => {
      const m = /listening on 127\.0\.0\.1:(\d+)/.exec(out);
      if (m) resolve(Number(m[1]));
    };
    proc.stdout!.on('data', onData);
    proc.on('exit', (code) => reject(new Error(`server.py exited with ${code}: ${out}`)));
  });
  return {
    proc, port, output: () => out,
    stop: async () => {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGTERM');
      await exited;
    },
  };
}

/** A folder laid out as in the image: scoring/server.py, scoring/score.py, model/. */
export function scoringDir(scorePy: string, files: Record<string, string> = {}): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'scoring-server-'));
  fs.mkdirSync(path.join(dir, 'scoring'));
  fs.mkdirSync(path.join(dir, 'model', 'model'), { recursive: true });
  fs.copyFileSync(findAsset('server.py') as string, path.join(dir, 'scoring', 'server.py'));
  fs.writeFileSync(path.join(dir, 'scoring', 'score.py'), scorePy);
  fs.writeFileSync(path.join(dir, 'model', 'model', 'weights.json'), '{"w": 2}');
  for (const [rel, text] of Object.entries(files)) fs.writeFileSync(path.join(dir, rel), text);
  return dir;
}
