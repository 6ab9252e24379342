// Shared set-up of the reliability suite (issue 9): one fixture per task that seeds the emulator for
// the task's happy path, makes fresh inputs per run (fresh job/model/image/group names, so runs never
// re-attach to each other) and runs a private copy of the BUNDLED task through the harness.
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import type { Emulator, RecordedRequest } from '../emulator';
import { acrControl, addRegistry, images, loginServerOf, registries } from '../emulator/services/acr';
import { aciControl, appInsightsComponent } from '../emulator/services/aci';
import { amlJobs, jobScripts, TERMINAL } from '../emulator/services/aml-jobs';
import { seedModelVersions } from '../emulator/services/aml-models';
import { runTask, serviceConnectionEnv, type ConnectionScheme, type RunTaskOptions, type ServiceConnectionEnv, type TaskRun } from '../harness/run-task';
import { BlobServiceClient, StorageSharedKeyCredential } from '@azure/storage-blob';
import { startTestBed, withCa, type TestBed } from '../harness/testbed';
import { startScoringServer, type ScoringServer } from '../../tasks/ProbeEndpoint/tests/helpers/scoringServer';

export type TaskName = 'TrainModel' | 'RegisterModel' | 'CreateImage' | 'DeployToACI' | 'ProbeEndpoint';
export const TASKS: TaskName[] = ['TrainModel', 'RegisterModel', 'CreateImage', 'DeployToACI', 'ProbeEndpoint'];

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

const bundles = new Map<TaskName, string>();
/**
 * A private copy of dist/tasks/<task> (as the agent extracts a task; a parallel `npm run build`
 * rewriting dist/ cannot pull the bundle away from under a running test).
 */
export function bundle(task: TaskName): string {
  const cached = bundles.get(task);
  if (cached) return cached;
  const src = path.join(ROOT, 'dist', 'tasks', task);
  const ready = (): boolean => fs.existsSync(path.join(src, 'index.js')) && fs.existsSync(path.join(src, 'task.json'));
  // a parallel `npm run build` may be rewriting dist/: wait for it (up to 60 s)
  for (let i = 0; i < 120 && !ready(); i++) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 500);
  if (!ready()) throw new Error(`${src}/index.js is missing: run 'npm run build' first`);
  const dir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'rel-bundle-')), task);
  fs.cpSync(src, dir, { recursive: true });
  const index = path.join(dir, 'index.js');
  bundles.set(task, index);
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

const PIPELINE = { 'Build.BuildNumber': '20250101.7', 'Build.DefinitionName': 'reliability', 'System.TeamProject': 'ml-project' };

function connectionsOf(emu: Emulator): Fixture['connections'] {
  return {
    spnKey: serviceConnectionEnv(emu, 'spnKey', { id: 'rel-spnkey' }),
    spnCertificate: serviceConnectionEnv(emu, 'spnCertificate', { id: 'rel-cert' }),
    wif: serviceConnectionEnv(emu, 'wif', { id: 'rel-wif' }),
  };
}

function makeRunner(task: TaskName, fx: () => Fixture): Fixture['run'] {
  return (inputs, o = {}) => {
    const f = fx();
    const connection = o.connection ?? f.connection;
    return runTask(bundle(task), {
      timeoutMs: 60_000,
      ...o,
      connection,
      inputs,
      variables: { ...PIPELINE, 'Build.BuildId': String(5000 + nextId()), ...o.variables },
      secretVariables: { ...f.secretVariables, ...o.secretVariables },
    });
  };
}

/** The base secrets every bed carries (datastore account key, registry admin passwords). */
function bedSecrets(emu: Emulator): string[] {
  return [emu.state.storage.accountKey, ...[...registries(emu).values()].flatMap((r) => r.passwords), ...[...emu.state.bucket<unknown>('acr.tokens').keys()]];
}

// ---------- TrainModel ----------
export async function trainFixture(bed?: TestBed): Promise<Fixture> {
  const b = bed ?? (await startTestBed());
  const emu = b.emulator;
  const connections = connectionsOf(emu);
  const work = tempDir('train');
  const codePath = path.join(work, 'src');
  writeFile(codePath, 'train.py', 'print("training")\n');
  writeFile(codePath, 'lib/features.py', 'def f(x):\n    return x\n');
  const condaFile = writeFile(work, 'conda.yml', 'name: rel-env\nchannels:\n  - conda-forge\ndependencies:\n  - python=3.11\n');
  const f: Fixture = {
    task: 'TrainModel', bed: b, emulator: emu, connection: connections.spnKey, connections, secretVariables: {},
    inputs: (o = {}) => ({
      azureSubscription: (o.connection ?? connections.spnKey).id, resourceGroup: 'rg-ml', workspaceName: 'mlw', experimentName: 'reliability',
      codePath, command: 'python train.py --out ${{outputs.model}}', environment: condaFile,
      baseImage: 'mcr.microsoft.com/azureml/openmpi4.1.0-ubuntu22.04:latest', compute: 'cpu-cluster',
      jobInputs: 'learning_rate=0.1', pollIntervalSeconds: '0.05', timeoutMinutes: '1',
    }),
    run: makeRunner('TrainModel', () => f),
    plantedSecrets: () => bedSecrets(emu),
    reset: () => {
      emu.faults.clear();
      jobScripts(emu).clear();
      jobScripts(emu).set('*', { metrics: { rmse: 4.2 }, outputFiles: { 'model.json': '{"w":1}' } });
    },
    stop: () => (bed ? Promise.resolve() : b.stop()),
  };
  f.reset();
  return f;
}

// ---------- RegisterModel ----------
/** A finished command job, as TrainModel would have left it. */
export function seedJob(emu: Emulator, name: string, o: { status: string; outputs: string[] }): void {
  const base = `/subscriptions/${emu.identities.subscriptionId}/resourceGroups/rg-ml/providers/Microsoft.MachineLearningServices/workspaces/mlw`;
  const terminal = TERMINAL.includes(o.status);
  if (!terminal) jobScripts(emu).set(name, { states: [o.status], neverFinish: true });
  amlJobs(emu).set(`rg-ml/mlw/${name.toLowerCase()}`, {
    name, workspaceKey: 'rg-ml/mlw', resourceGroup: 'rg-ml', workspaceName: 'mlw',
    properties: {
      jobType: 'Command', experimentName: 'exp', command: 'python train.py', environmentId: `${base}/environments/env/versions/1`,
      computeId: `${base}/computes/cpu-cluster`, outputs: Object.fromEntries(o.outputs.map((out) => [out, { jobOutputType: 'uri_folder', mode: 'ReadWriteMount' }])),
      tags: {}, properties: {},
    },
    status: o.status, created: new Date().toISOString(), gets: 0, cancelRequests: 0, finished: terminal,
  });
}

export async function registerFixture(bed?: TestBed): Promise<Fixture> {
  const b = bed ?? (await startTestBed());
  const emu = b.emulator;
  const connections = connectionsOf(emu);
  const work = tempDir('register');
  const modelPath = writeFile(work, 'model/weights.json', '{"w":[1,2,3]}');
  const metricsFile = writeFile(work, 'metrics.json', '{"accuracy": 0.93}');
  const f: Fixture = {
    task: 'RegisterModel', bed: b, emulator: emu, connection: connections.spnKey, connections, secretVariables: {},
    inputs: (o = {}) => {
      const n = nextId();
      const job = `rel-job-${n}`;
      seedJob(emu, job, { status: 'Completed', outputs: ['model'] });
      emu.state.setRunMetrics(job, { accuracy: [0.8, 0.93], loss: 0.2 });
      // a production version to compare with, so the gate reads the registry and the job's metrics
      seedModelVersions(emu, { name: `rel-model-${n}`, count: 2, tags: (i) => (i === 1 ? { stage: 'production' } : {}), properties: () => ({ 'metric.accuracy': '0.9' }) });
      return {
        azureSubscription: (o.connection ?? connections.spnKey).id, resourceGroup: 'rg-ml', workspaceName: 'mlw',
        modelName: `rel-model-${n}`, modelSourceType: 'job', jobName: job, gateMetric: 'accuracy', gateThreshold: '0.5',
      };
    },
    run: makeRunner('RegisterModel', () => f),
    plantedSecrets: () => bedSecrets(emu),
    reset: () => emu.faults.clear(),
    stop: () => (bed ? Promise.resolve() : b.stop()),
  };
  // a local model source: uploads through the datastore's account key
  (f as Fixture & { localInputs: () => Record<string, string> }).localInputs = () => ({
    ...f.inputs(), modelSourceType: 'local', jobName: '', modelPath: path.dirname(modelPath), metricsFile,
  });
  return f;
}
export function registerLocalInputs(f: Fixture): Record<string, string> {
  return (f as Fixture & { localInputs: () => Record<string, string> }).localInputs();
}

// ---------- CreateImage ----------
const SCORE = 'import json, os\n\ndef init():\n    global w\n    w = json.load(open(os.path.join(os.environ["AZUREML_MODEL_DIR"], "model", "weights.json")))["w"]\n\ndef run(raw):\n    return [x * w for x in json.loads(raw)["data"]]\n';

export async function createImageFixture(bed?: TestBed): Promise<Fixture> {
  const b = bed ?? (await startTestBed());
  const emu = b.emulator;
  const connections = connectionsOf(emu);
  const work = tempDir('image');
  const ws = emu.state.getWorkspace('rg-ml', 'mlw')!;
  const container = b.container(ws.datastores.get('workspaceblobstore')!.containerName);
  await container.getBlockBlobClient('models/relmodel/1/model/weights.json').uploadData(Buffer.from('{"w": 2}'));
  seedModelVersions(emu, { name: 'relmodel', count: 1, uri: () => 'azureml://datastores/workspaceblobstore/paths/models/relmodel/1/model' });
  const score = writeFile(work, 'proj/score.py', SCORE);
  const requirements = writeFile(work, 'proj/requirements.txt', 'numpy==1.26.4\n');
  const f: Fixture = {
    task: 'CreateImage', bed: b, emulator: emu, connection: connections.spnKey, connections, secretVariables: {},
    inputs: (o = {}) => ({
      azureSubscription: (o.connection ?? connections.spnKey).id, resourceGroup: 'rg-ml', workspaceName: 'mlw', modelId: 'azureml:relmodel:1',
      scoringScript: score, requirementsFile: requirements, imageTag: `rel-${nextId()}`, reuseExistingImage: 'false', timeoutMinutes: '2',
    }),
    run: makeRunner('CreateImage', () => f),
    plantedSecrets: () => bedSecrets(emu),
    reset: () => {
      emu.faults.clear();
      // one Running poll before the run ends: the wait is real but short
      Object.assign(acrControl(emu), { holdRuns: false, failBuildsWith: undefined, runningPolls: 1 });
    },
    stop: () => (bed ? Promise.resolve() : b.stop()),
  };
  f.reset();
  return f;
}

// ---------- DeployToACI ----------
const SERVER_PY = path.join(ROOT, 'tasks', 'CreateImage', 'assets', 'server.py');
const ACI_FIXTURES = path.join(ROOT, 'tasks', 'DeployToACI', 'tests', 'fixtures');

export type DeployFixture = Fixture & { image: { uri: string; digest: string }; registryPassword: string; appInsights: string; apiKey: string; dbPassword: string };
export async function deployFixture(bed?: TestBed): Promise<DeployFixture> {
  const b = bed ?? (await startTestBed());
  const emu = b.emulator;
  const connections = connectionsOf(emu);
  const ws = emu.state.getWorkspace('rg-ml', 'mlw')!;
  const acr = registries(emu).get(ws.containerRegistryName!.toLowerCase()) ?? addRegistry(emu, { name: ws.containerRegistryName!, resourceGroup: 'rg-ml' });
  const loginServer = loginServerOf(emu, acr.name);
  const dir = tempDir('aci-ctx');
  fs.mkdirSync(path.join(dir, 'scoring'));
  fs.mkdirSync(path.join(dir, 'model'));
  fs.copyFileSync(SERVER_PY, path.join(dir, 'scoring', 'server.py'));
  fs.copyFileSync(path.join(ACI_FIXTURES, 'score.py'), path.join(dir, 'scoring', 'score.py'));
  fs.copyFileSync(path.join(ACI_FIXTURES, 'model.txt'), path.join(dir, 'model', 'model.txt'));
  const digest = `sha256:${crypto.createHash('sha256').update(dir).digest('hex')}`;
  const uri = `${loginServer}/churn:rel`;
  images(emu).set(uri, { digest, contextDir: dir, labels: {} });
  images(emu).set(`${loginServer}/churn@${digest}`, { digest, contextDir: dir, labels: {} });
  const apiKey = `kvval-${crypto.randomBytes(12).toString('hex')}`;
  const dbPassword = `dbpw-${crypto.randomBytes(12).toString('hex')}`;
  emu.state.setSecret('kv-test', 'rel-api-key', apiKey);
  const appInsights = appInsightsComponent(emu, 'rg-ml', ws.applicationInsightsName ?? '')?.connectionString ?? '';
  const fixture: DeployFixture = {
    task: 'DeployToACI', bed: b, emulator: emu, connection: connections.spnKey, connections,
    secretVariables: { dbPassword },
    image: { uri, digest }, registryPassword: acr.passwords[0], appInsights, apiKey, dbPassword,
    inputs: (o: { connection?: ServiceConnectionEnv } = {}) => ({
      azureSubscription: (o.connection ?? connections.spnKey).id, resourceGroup: 'rg-ml', containerGroupName: `rel-aci-${nextId()}`,
      imageUri: uri, imageDigest: digest, workspaceName: 'mlw', keyVault: 'kv-test', secretEnvironmentVariables: 'API_KEY=rel-api-key',
      secureEnvironmentVariables: `DB_PASSWORD=${dbPassword}`, environmentVariables: 'MODE=reliability', readinessTimeoutMinutes: '1',
    }),
    run: makeRunner('DeployToACI', () => fixture),
    plantedSecrets: () => [...bedSecrets(emu), apiKey, dbPassword, ...(appInsights ? [appInsights] : [])],
    reset: () => {
      emu.faults.clear();
      Object.assign(aciControl(emu), { holdPulling: false, provisioningPolls: 1 });
    },
    stop: () => (bed ? Promise.resolve() : b.stop()),
  };
  return fixture;
}

// ---------- ProbeEndpoint ----------
export type ProbeFixture = Fixture & { server: ScoringServer; key: string; payloadFile: string };
export async function probeFixture(bed?: TestBed): Promise<ProbeFixture> {
  const b = bed ?? (await startTestBed());
  const emu = b.emulator;
  const connections = connectionsOf(emu);
  const key = `probekey-${crypto.randomBytes(12).toString('hex')}`;
  emu.state.setSecret('kv-test', 'rel-probe-key', key);
  const server = await startScoringServer({ key });
  const work = tempDir('probe');
  const payloadFile = writeFile(work, 'payloads.jsonl', '{"x": 1}\n{"x": 2}\n');
  const fixture: ProbeFixture = {
    task: 'ProbeEndpoint', bed: b, emulator: emu, connection: connections.spnKey, connections, secretVariables: {},
    server, key, payloadFile,
    inputs: (o: { connection?: ServiceConnectionEnv } = {}) => ({
      azureSubscription: (o.connection ?? connections.spnKey).id, keyVault: 'kv-test', authKeySecret: 'rel-probe-key',
      scoringUri: server.url, payloadFile, readinessTimeoutSeconds: '10', warmupRequests: '1', requestCount: '10', concurrency: '2',
    }),
    run: makeRunner('ProbeEndpoint', () => fixture),
    plantedSecrets: () => [key],
    reset: () => emu.faults.clear(),
    stop: async () => {
      await server.close();
      if (!bed) await b.stop();
    },
  };
  return fixture;
}

export const FIXTURES: Record<TaskName, (bed?: TestBed) => Promise<Fixture>> = {
  TrainModel: trainFixture,
  RegisterModel: registerFixture,
  CreateImage: createImageFixture,
  DeployToACI: deployFixture,
  ProbeEndpoint: probeFixture,
};

// ---------- request-log helpers ----------
export function since(emu: Emulator, mark: number): RecordedRequest[] {
  return emu.requests.slice(mark);
}
export const isArm = (r: RecordedRequest): boolean => r.host === 'management.localhost';
export const isVault = (r: RecordedRequest): boolean => r.host.endsWith('.vault.localhost');
export const isToken = (r: RecordedRequest): boolean => r.host === 'login.localhost' && /\/oauth2\/v2\.0\/token$/.test(r.path);
export const describeRequest = (r: RecordedRequest): string => `${r.method} ${r.host}${r.path} ${r.status}${r.fault ? ` (${r.fault})` : ''}`;

/** The first line of a failure message and whether it is the only one. */
export function oneLine(message: string | undefined): boolean {
  return !!message && !/[\r\n]/.test(message) && message.trim().length > 0;
}

/** The connection schemes that carry a secret (msi has none). */
export const SCHEMES = ['spnKey', 'spnCertificate', 'wif'] as const satisfies readonly ConnectionScheme[];

/**
 * Calls `then` synchronously when the emulator records the first request matching `when` (from now on):
 * deterministic "mid-run" fault injection (the task's next request cannot arrive before the trigger's
 * response went out). Returns an undo function.
 */
export function onRequest(emu: Emulator, when: (r: RecordedRequest) => boolean, then: () => void): () => void {
  const arr = emu.requests;
  const original = arr.push;
  let fired = false;
  arr.push = function (this: RecordedRequest[], ...items: RecordedRequest[]): number {
    const n = original.apply(this, items);
    if (!fired && items.some(when)) {
      fired = true;
      then();
    }
    return n;
  };
  return () => {
    arr.push = original;
  };
}

/** Runs fn over items with at most `limit` at a time, results in item order. */
export async function mapLimit<T, R>(items: T[], limit: number, fn: (item: T, i: number) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i], i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

/** A stack-trace line outside task-lib's debug output. */
export function stackTraceLines(run: TaskRun): string[] {
  return (run.stdout + '\n' + run.stderr).split(/\r?\n/).filter((l) => !l.startsWith('##vso[task.debug]') && /^\s+at .+\(.*:\d+:\d+\)$/.test(l));
}

/** Every container and blob (name → etag) in the bed's Azurite: compare two to prove nothing was written. */
export async function blobSnapshot(bed: TestBed): Promise<Record<string, string>> {
  const svc = withCa(new BlobServiceClient(bed.azurite.ipBlobUrl(), new StorageSharedKeyCredential(bed.azurite.accountName, bed.azurite.accountKey)), bed.emulator.caPem);
  const out: Record<string, string> = {};
  for await (const c of svc.listContainers()) {
    out[`${c.name}/`] = String(c.properties.etag);
    for await (const b of bed.container(c.name).listBlobsFlat()) out[`${c.name}/${b.name}`] = String(b.properties.etag);
  }
  return out;
}
