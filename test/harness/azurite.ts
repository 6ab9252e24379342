// Starts the real Azure Storage emulator (Azurite, blob service) over HTTPS with the emulator's certificate.
import { spawn, type ChildProcess } from 'child_process';
import * as net from 'net';
import * as path from 'path';
import { AZURITE_ACCOUNT, AZURITE_KEY } from '../emulator/state';

export interface Azurite {
  port: number;
  accountName: string;
  accountKey: string;
  /** Production-style URL: https://<account>.blob.localhost:<port> (needs the DNS preload). */
  blobUrl(account?: string): string;
  /** Path-style URL on 127.0.0.1 (works without the DNS preload). */
  ipBlobUrl(account?: string): string;
  stop(): Promise<void>;
}

export interface AzuriteOptions {
  certFile: string;
  keyFile: string;
  /** Extra command-line flags (e.g. ['--oauth', 'basic']). */
  args?: string[];
  startTimeoutMs?: number;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.unref();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect(port, '127.0.0.1');
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}

export async function startAzurite(o: AzuriteOptions): Promise<Azurite> {
  const main = path.join(path.dirname(require.resolve('azurite/package.json')), 'dist', 'src', 'blob', 'main.js');
  // Azurite is a Node program that loads a few hundred modules: on a loaded 2-core machine with several test beds
  // starting at once (the reliability suites start one per task in parallel) that has taken over 20 s. Killing it
  // and starting again throws that work away, so one generous deadline; a retry only when it exited (port taken).
  const timeout = o.startTimeoutMs ?? 90_000;
  for (let attempt = 0; ; attempt++) {
    const port = await freePort();
    const args = [main, '--inMemoryPersistence', '--blobHost', '127.0.0.1', '--blobPort', String(port), '--disableTelemetry',
      '--skipApiVersionCheck', '--silent', '--cert', o.certFile, '--key', o.keyFile, ...(o.args ?? [])];
    const child: ChildProcess = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
    let exited = false;
    const exitedP = new Promise<void>((r) => child.once('exit', () => {
      exited = true;
      r();
    }));
    const deadline = Date.now() + timeout;
    while (!exited && Date.now() < deadline && !(await canConnect(port))) await new Promise((r) => setTimeout(r, 50));
    if (!exited && Date.now() < deadline) {
      return {
        port, accountName: AZURITE_ACCOUNT, accountKey: AZURITE_KEY,
        blobUrl: (account = AZURITE_ACCOUNT) => `https://${account}.blob.localhost:${port}`,
        ipBlobUrl: (account = AZURITE_ACCOUNT) => `https://127.0.0.1:${port}/${account}`,
        stop: async () => {
          if (!exited) {
            child.kill('SIGTERM');
            const t = setTimeout(() => child.kill('SIGKILL'), 3000);
            await exitedP;
            clearTimeout(t);
          }
        },
      };
    }
    child.kill('SIGKILL');
    if (attempt >= 2 || !exited) throw new Error(`Azurite did not start on port ${port} within ${timeout} ms: ${output.slice(-2000)}`);
  }
}
