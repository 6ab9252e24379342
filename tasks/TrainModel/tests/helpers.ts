// Test bed helpers for TrainModel's integration tests: one emulator + Azurite per file, a code folder
// per test, and a runner for the bundled task with the inputs a pipeline would give.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { amlJobs, codeAssets, environmentAssets, jobScripts } from '../../../test/emulator/services/aml-jobs';
import { addDataVersion, dataAssets } from '../../../test/emulator/services/aml-data';
import { startTestBed, type TestBed } from '../../../test/harness/testbed';
import { runTask, serviceConnectionEnv, type RunTaskOptions, type ServiceConnectionEnv, type TaskRun } from '../../../test/harness/run-task';

export const REPO = path.resolve(__dirname, '..', '..', '..', '..');
export const BUNDLE_DIR = path.join(REPO, 'dist', 'tasks', 'TrainModel');
export const CONNECTION_ID = 'conn-train';

export interface Bed {
  bed: TestBed;
  connection: ServiceConnectionEnv;
  /** A private copy of the bundle folder (a parallel `npm run build` rewrites dist/ under running tests). */
  bundle: string;
}

async function copyBundle(): Promise<string> {
  const index = path.join(BUNDLE_DIR, 'index.js');
  for (let i = 0; i < 120 && !(fs.existsSync(index) && fs.existsSync(path.join(BUNDLE_DIR, 'task.json'))); i++) await new Promise((r) => setTimeout(r, 500));
  if (!fs.existsSync(index)) throw new Error(`${index} is missing: run 'npm run build' first`);
  const dir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'train-bundle-')), 'TrainModel');
  fs.cpSync(BUNDLE_DIR, dir, { recursive: true });
  return path.join(dir, 'index.js');
}

export async function startBed(): Promise<Bed> {
  const bundle = await copyBundle();
  const bed = await startTestBed();
  seedData(bed);
  const connection = serviceConnectionEnv(bed.emulator, 'spnKey', { id: CONNECTION_ID });
  return { bed, connection, bundle };
}

/** Forgets every job, asset, script, fault and recorded request (blobs stay in Azurite). */
export function resetAml(b: Bed): void {
  const e = b.bed.emulator;
  amlJobs(e).clear();
  codeAssets(e).clear();
  environmentAssets(e).clear();
  jobScripts(e).clear();
  e.faults.clear();
  e.requests.length = 0;
  e.state.mlflowRuns.clear();
  dataAssets(e).clear();
  seedData(b.bed);
}

/** The data asset baseInputs uses (`azureml:energy-data:3`). */
function seedData(bed: TestBed): void {
  addDataVersion(bed.emulator, 'energy-data', '3', { dataType: 'uri_folder', dataUri: 'azureml://datastores/workspaceblobstore/paths/energy/' });
}

/** A code folder with a training script, an ignored data folder and a conda file next to it. */
export function makeProject(o: { extra?: Record<string, string> } = {}): { dir: string; codePath: string; condaFile: string } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'train-proj-'));
  const codePath = path.join(dir, 'src');
  const files: Record<string, string> = {
    'train.py': 'print("training")\n',
    'lib/features.py': 'def f(x):\n    return x\n',
    '.amlignore': 'data/\n*.tmp\n',
    'data/big.csv': 'a,b\n1,2\n',
    'scratch.tmp': 'ignored\n',
    ...o.extra,
  };
  for (const [rel, content] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(codePath, rel)), { recursive: true });
    fs.writeFileSync(path.join(codePath, rel), content);
  }
  const condaFile = path.join(dir, 'conda.yml');
  fs.writeFileSync(condaFile, 'name: energy-env\nchannels:\n  - conda-forge\ndependencies:\n  - python=3.11\n  - pip\n');
  return { dir, codePath, condaFile };
}

export function baseInputs(codePath: string, condaFile: string): Record<string, string> {
  return {
    azureSubscription: CONNECTION_ID,
    resourceGroup: 'rg-ml',
    workspaceName: 'mlw',
    experimentName: 'energy',
    codePath,
    command: 'python train.py --lr ${{inputs.learning_rate}} --data ${{inputs.training_data}} --output ${{outputs.model}}',
    environment: condaFile,
    baseImage: 'mcr.microsoft.com/azureml/openmpi4.1.0-ubuntu22.04:latest',
    compute: 'cpu-cluster',
    jobInputs: 'learning_rate=0.1\ntraining_data=azureml:energy-data:3',
    environmentVariables: 'LOG_LEVEL=debug',
    tags: 'team=energy',
    pollIntervalSeconds: '0.05',
    timeoutMinutes: '5',
  };
}

export const PIPELINE_VARIABLES: Record<string, string> = {
  'Build.BuildId': '4711',
  'Build.BuildNumber': '20240101.3',
  'Build.DefinitionName': 'energy-build',
  'System.TeamProject': 'ml-project',
  'System.JobAttempt': '1',
};

export async function train(b: Bed, inputs: Record<string, string>, o: Partial<RunTaskOptions> = {}): Promise<TaskRun> {
  return runTask(b.bundle, {
    connection: b.connection,
    timeoutMs: 90_000,
    ...o,
    inputs,
    variables: { ...PIPELINE_VARIABLES, ...o.variables },
  });
}

/** Requests to the emulator's ARM host that match method and a path pattern. */
export function armCalls(b: Bed, method: string, pathPattern: RegExp): { path: string; body: string; status: number }[] {
  return b.bed.emulator.requests.filter((r) => r.host === 'management.localhost' && r.method === method && pathPattern.test(r.path));
}
