// What a task folder declares for the reliability suite (tasks/<Task>/tests/harness.ts exports `harness`), and the
// pieces a declaration is built from: a private copy of the bundle, fresh names, temp files, the three service
// connections and the runner. The suite finds the tasks itself (test/reliability/tasks.ts): a new task adds its
// declaration in its own folder and nothing here changes.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import type { Emulator, FaultSpec, RecordedRequest } from '../emulator';
import { registries } from '../emulator/services/acr';
import { runTask, serviceConnectionEnv, type RunTaskOptions, type ServiceConnectionEnv, type TaskRun } from '../harness/run-task';
import { startTestBed, type TestBed } from '../harness/testbed';

/** A task folder's name (tasks/<TaskName>). */
export type TaskName = string;

function repoRoot(): string {
  let dir = __dirname;
  while (!(fs.existsSync(path.join(dir, 'package.json')) && fs.existsSync(path.join(dir, 'tasks')))) {
    const up = path.dirname(dir);
    if (up === dir) throw new Error('reliability: repository root not found');
    dir = up;
  }
  return dir;
}
export const ROOT = repoRoot();

/** Every temp dir this process made (removed by cleanupTemp). */
const temps: string[] = [];
export function tempDir(prefix: string): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), `rel-${prefix}-`));
  temps.push(d);
  return d;
}
export function cleanupTemp(): void {
  for (const d of temps.splice(0)) fs.rmSync(d, { recursive: true, force: true });
}

const bundles = new Map<string, string>();
/**
 * A private copy of <dist>/<task> (default dist/tasks/<task>; as the agent extracts a task, a parallel `npm run
 * build` rewriting dist/ cannot pull the bundle away from under a running test).
 */
export function bundle(task: TaskName, dist = path.join(ROOT, 'dist', 'tasks')): string {
  const src = path.join(dist, task);
  const cached = bundles.get(src);
  if (cached) return cached;
  const ready = (): boolean => fs.existsSync(path.join(src, 'index.js')) && fs.existsSync(path.join(src, 'task.json'));
  // a parallel `npm run build` may be rewriting dist/: wait for it (up to 60 s)
  for (let i = 0; i < 120 && !ready(); i++) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 500);
  if (!ready()) throw new Error(`${src}/index.js is missing: run 'npm run build' first`);
  const dir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'rel-bundle-')), task);
  fs.cpSync(src, dir, { recursive: true });
  const index = path.join(dir, 'index.js');
  bundles.set(src, index);
  return index;
}

let counter = 0;
/** A fresh number per run in this process: unique names, unique build ids. */
export function nextId(): number {
  counter++;
  return counter;
}

export function writeFile(dir: string, rel: string, content: string): string {
  const p = path.join(dir, ...rel.split('/'));
  fs.mkdirSync(path.dirname(p), { recursive: true });
  fs.writeFileSync(p, content);
  return p;
}

export interface RunOptions extends Partial<Omit<RunTaskOptions, 'inputs'>> {
  /** Run with this connection instead of the fixture's spnKey connection. */
  connection?: ServiceConnectionEnv;
}

/** One task on one test bed: its happy path, its planted secrets, its runner. */
export interface Fixture {
  task: TaskName;
  bed: TestBed;
  emulator: Emulator;
  /** spnKey connection (id 'rel-spnkey'); also made: 'rel-cert' (spnCertificate), 'rel-wif' (wif). */
  connection: ServiceConnectionEnv;
  connections: Record<'spnKey' | 'spnCertificate' | 'wif', ServiceConnectionEnv>;
  /** Fresh happy-path inputs (a new job/model/image/group name each call). */
  inputs(o?: { connection?: ServiceConnectionEnv }): Record<string, string>;
  /** Secret pipeline variables the happy path passes (the agent masks them itself). */
  secretVariables: Record<string, string>;
  /** Runs the bundle with the fixture's connection, fresh Build.BuildId, the given inputs. */
  run(inputs: Record<string, string>, o?: RunOptions): Promise<TaskRun>;
  /** Every secret value the emulator and the fixture planted that this task could see (not the connection's). */
  plantedSecrets(): string[];
  /** Undo per-case knobs (faults, holds) between cases. */
  reset(): void;
  stop(): Promise<void>;
}

/** Where a fixture runs: the task (its folder name), the bed to share (else its own), the built tasks. */
export interface FixtureOptions {
  task: TaskName;
  bed?: TestBed;
  /** The folder holding <task>/index.js (default dist/tasks of the repository). */
  dist?: string;
}

/** A bad-input case: the happy-path inputs with one input broken; the failure must name `input` first. */
export interface BadInputCase {
  title: string;
  /** Overrides of the happy-path inputs ('' clears an input). */
  inputs: (f: Fixture) => Record<string, string>;
  input: string;
}

/** Files for bad-input cases, made in the suite's temp folder. */
export interface CaseFiles {
  file(rel: string, content: string): string;
  /** A path under a folder that does not exist. */
  missing(name: string): string;
}

/** Where the fault matrix hits the task: after `after` was recorded, on `target` (and the next token request for an expired token). */
export interface FaultTarget {
  what: string;
  target: FaultSpec & { path: RegExp };
  after: (r: RecordedRequest) => boolean;
  /**
   * Trigger for the expired token: the next token request after this one is a mid-run token. Leave it out when the
   * task takes one token only, first thing: the matrix then hands out that token already expired (and fails the
   * case if its clean run took more than one token).
   */
  tokenAfter?: (r: RecordedRequest) => boolean;
}

/** A secret-scan case beyond the happy path under each connection (a path that touches a secret of its own). */
export interface SecretCase {
  title: string;
  scheme: 'spnKey' | 'spnCertificate' | 'wif';
  inputs: (f: Fixture, c: ServiceConnectionEnv) => Record<string, string>;
  setup?: (f: Fixture) => void;
}

/** What tasks/<Task>/tests/harness.ts declares: everything the cross-task suites need to know about the task. */
export interface TaskHarness {
  /** Seeds the emulator for the happy path and gives the fixture. */
  fixture(o: FixtureOptions): Promise<Fixture>;
  /** At least eight bad-input cases (test/reliability/bad-inputs.test.ts). */
  badInputs(files: CaseFiles): BadInputCase[];
  /** A request the task makes mid-run, for the fault matrix (test/reliability/faults.test.ts). */
  faults: FaultTarget;
  /** One failure on the agent's Node runtimes (test/integration/runtimes.test.ts): one line matching `names`. */
  failure: { title: string; inputs: Record<string, string>; names: RegExp };
  /** Secret-scan cases beyond the happy path (test/reliability/secrets.test.ts). */
  secretCases?: SecretCase[];
}

const PIPELINE = { 'Build.BuildNumber': '20250101.7', 'Build.DefinitionName': 'reliability', 'System.TeamProject': 'ml-project' };

/** The three secret-bearing connections of a bed. */
export function connectionsOf(emu: Emulator): Fixture['connections'] {
  return {
    spnKey: serviceConnectionEnv(emu, 'spnKey', { id: 'rel-spnkey' }),
    spnCertificate: serviceConnectionEnv(emu, 'spnCertificate', { id: 'rel-cert' }),
    wif: serviceConnectionEnv(emu, 'wif', { id: 'rel-wif' }),
  };
}

/** The runner of a fixture: the bundle with the fixture's connection, a fresh Build.BuildId, the given inputs. */
export function makeRunner(o: FixtureOptions, fx: () => Fixture): Fixture['run'] {
  return (inputs, ro = {}) => {
    const f = fx();
    const connection = ro.connection ?? f.connection;
    return runTask(bundle(o.task, o.dist), {
      timeoutMs: 60_000,
      ...ro,
      connection,
      inputs,
      variables: { ...PIPELINE, 'Build.BuildId': String(5000 + nextId()), ...ro.variables },
      secretVariables: { ...f.secretVariables, ...ro.secretVariables },
    });
  };
}

/** The base secrets every bed carries (datastore account key, registry admin passwords). */
export function bedSecrets(emu: Emulator): string[] {
  return [emu.state.storage.accountKey, ...[...registries(emu).values()].flatMap((r) => r.passwords), ...[...emu.state.bucket<unknown>('acr.tokens').keys()]];
}

/** What a task's fixture adds to the common part (fixtureOn): its happy path, its secrets, its own knobs. */
export interface FixtureSpec {
  /** Fresh happy-path inputs but the connection (fixtureOn adds azureSubscription): a new job/model/image name each call. */
  inputs: () => Record<string, string>;
  /** Secrets the task's seeding planted, beyond the bed's own (bedSecrets), read when the scan runs. */
  plantedSecrets?: () => string[];
  /** Secret pipeline variables the happy path passes. */
  secretVariables?: Record<string, string>;
  /** Per-case knobs to undo besides the emulator's faults (run once when the fixture is made, too). */
  reset?: () => void;
  /** What to close besides the bed (a server the seeding started). */
  stop?: () => Promise<void>;
}

/** The bed a fixture runs on: the shared one it was given, else one of its own (which its stop() stops). */
export async function bedFor(where: FixtureOptions): Promise<TestBed> {
  return where.bed ?? startTestBed();
}

/**
 * One task's fixture on `bed` (from bedFor(where)): the three connections, the runner, the bed's planted secrets,
 * faults cleared on reset, the bed stopped with the fixture when it is its own. `extra` joins the fixture as it is
 * (what a task's own tests read back: an image, a key).
 */
export function fixtureOn<X extends object = object>(where: FixtureOptions, bed: TestBed, spec: FixtureSpec, extra?: X): Fixture & X {
  const emu = bed.emulator;
  const connections = connectionsOf(emu);
  const f: Fixture & X = {
    ...(extra as X),
    task: where.task, bed, emulator: emu, connection: connections.spnKey, connections, secretVariables: spec.secretVariables ?? {},
    inputs: (o = {}) => ({ azureSubscription: (o.connection ?? connections.spnKey).id, ...spec.inputs() }),
    run: makeRunner(where, () => f),
    plantedSecrets: () => [...bedSecrets(emu), ...(spec.plantedSecrets?.() ?? [])],
    reset: () => {
      emu.faults.clear();
      spec.reset?.();
    },
    stop: async () => {
      await spec.stop?.();
      if (!where.bed) await bed.stop();
    },
  };
  f.reset();
  return f;
}

/** The workspace every bed has (test/emulator): resource group 'rg-ml', workspace 'mlw'. */
export const WORKSPACE = { resourceGroup: 'rg-ml', workspaceName: 'mlw' } as const;

export const isArm = (r: RecordedRequest): boolean => r.host === 'management.localhost';
/** The emulator's ARM host, for fault targets. */
export const ARM_HOST = /^management\.localhost$/;
