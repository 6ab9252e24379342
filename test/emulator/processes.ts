// Real processes behind emulated compute (ACI container groups, Azure ML online deployments): the
// python3 interpreter, loopback addresses with DNS names for them, log capture, and stopping every
// process when the emulator stops. Shared by the service modules that run containers (aci.ts, aml-online.ts).
import { ChildProcess, execFileSync, spawn } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import type { EmulatorApi } from './types';

let pythonPath: string | undefined;
/** The real interpreter behind `python3` (shims such as pyenv need a full environment to resolve it). */
export function python(): string {
  if (!pythonPath) {
    try {
      pythonPath = execFileSync('python3', ['-c', 'import sys; print(sys.executable)'], { encoding: 'utf8' }).trim() || 'python3';
    } catch {
      pythonPath = 'python3';
    }
  }
  return pythonPath;
}

function hostsFile(emu: EmulatorApi): string | undefined {
  const dir = (emu as EmulatorApi & { dir?: string }).dir;
  return dir ? path.join(dir, 'hosts.json') : undefined;
}

/** Maps a DNS name to a loopback address in the DNS preload's hosts file (undefined removes it). */
export function setHost(emu: EmulatorApi, name: string, address: string | undefined): void {
  const file = hostsFile(emu);
  if (!file) return;
  let map: Record<string, string> = {};
  try {
    map = JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, string>;
  } catch {
    // a missing or half-written file starts empty
  }
  if (address) map[name] = address;
  else delete map[name];
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, JSON.stringify(map));
  fs.renameSync(tmp, file);
}

// Each emulator draws a random 127.a.b.0/24 per pool so test beds running at the same time on one
// machine (CI, a demo, a developer's tests) never hand out the same address for the same port.
function addressBase(emu: EmulatorApi, pool: string): string {
  const b = emu.state.bucket<string>(`${pool}.ipBase`);
  let base = b.get('base');
  if (!base) {
    base = `127.${1 + Math.floor(Math.random() * 254)}.${Math.floor(Math.random() * 256)}`;
    b.set('base', base);
  }
  return base;
}

/** A free loopback address of the pool (`inUse` says which ones the caller still holds), or undefined. */
export function allocateAddress(emu: EmulatorApi, pool: string, inUse: (ip: string) => boolean): string | undefined {
  const b = emu.state.bucket<number>(`${pool}.ip`);
  const base = addressBase(emu, pool);
  for (let i = 0; i < 254; i++) {
    const n = ((b.get('next') ?? 0) % 254) + 1;
    b.set('next', n);
    const ip = `${base}.${n}`;
    if (!inUse(ip)) return ip;
  }
  return undefined;
}

/** Appends to a log kept to its last `limit` characters. */
export function appendCapped(log: string, text: string, limit = 1024 * 1024): string {
  const all = log + text;
  return all.length > limit ? all.slice(all.length - limit) : all;
}

/** Starts `python3 <script>` with exactly `env` (plus PATH), stdout and stderr to `onOutput`. */
export function startPython(script: string, o: { cwd: string; env: Record<string, string>; onOutput: (text: string) => void }): ChildProcess {
  const env = { PATH: process.env.PATH ?? '/usr/bin:/bin', PYTHONUNBUFFERED: '1', PYTHONDONTWRITEBYTECODE: '1', ...o.env };
  const child = spawn(python(), [script], { cwd: o.cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout?.on('data', (d: Buffer) => o.onOutput(d.toString('utf8')));
  child.stderr?.on('data', (d: Buffer) => o.onOutput(d.toString('utf8')));
  child.on('error', (err) => o.onOutput(`failed to start the container process: ${err.message}\n`));
  return child;
}

/** Kills a process that is still running. */
export function killProcess(p: ChildProcess | undefined): void {
  if (p && p.exitCode === null && p.signalCode === null) {
    try {
      p.kill('SIGKILL');
    } catch {
      // already gone
    }
  }
}

// Child processes must not outlive the emulator: the core has no stop hook, so stop() is wrapped once
// per emulator, and the process 'exit' handler is a last resort (e.g. a test runner killed).
const stopHooks = new Map<EmulatorApi, (() => void)[]>();
let exitHandlerInstalled = false;

/** Runs `hook` when the emulator stops (before its servers close) and when this Node process exits. */
export function onEmulatorStop(emu: EmulatorApi, hook: () => void): void {
  if (!exitHandlerInstalled) {
    exitHandlerInstalled = true;
    process.once('exit', () => {
      for (const hooks of stopHooks.values()) for (const h of hooks) h();
    });
  }
  let hooks = stopHooks.get(emu);
  if (!hooks) {
    hooks = [];
    stopHooks.set(emu, hooks);
    const stoppable = emu as EmulatorApi & { stop?: () => Promise<void> };
    if (typeof stoppable.stop === 'function') {
      const original = stoppable.stop.bind(emu);
      const list = hooks;
      stoppable.stop = async () => {
        stopHooks.delete(emu);
        for (const h of list) h();
        await original();
      };
    }
  }
  hooks.push(hook);
}
