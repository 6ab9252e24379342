// Shared set-up of the TrainModel L0 scenarios (not a scenario itself): inputs through TaskMockRunner,
// the service connection through ENDPOINT_* variables. A scenario runs tests/L0/entry.js, which calls the
// task's main with its dependencies injected (no module is mocked by path):
//   createAzureContext: the real one (connection, credential, clients; no request is made before a client
//     asks for a token, and no fake asks).
//   azure: recording fakes for each call to Azure (src/azureCalls.ts): openWorkspace, datastoreContainer,
//     checkCompute, resolveEnvironment, registerEnvironment, findPlan, submitJob, cancelJob,
//     resolveDataInputs, ensureCodeVersion (upload + code version), waitForJob, fetchMetrics and
//     fetchRunDetails (MLflow / run history).
// The rest runs for real: input validation, the code snapshot (.amlignore), commandJobBody,
// defaultJobBaseName, lineage tags, outputs, the failure report and the summary.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { JobBase } from '@azure/arm-machinelearning';
import type { AzureClients, AzureSession, ContextWith } from '../../../shared/src/azure';
import type { WorkspaceScope } from '../../../shared/src/workspace';
import { L0_SUBSCRIPTION, l0TaskRunner, l0Workspace, recordCall } from '../../../shared/tests/l0';
import type { TrainDeps } from '../../src/main';
import type { CodeVersionResult } from '../../src/code';
import type { ComputeInfo } from '../../src/compute';
import type { Metrics, RunDetails } from '../../src/dataplane';
import type { ResolvedEnvironment } from '../../src/environment';
import type { ResolvedJobInput } from '../../src/dataInputs';
import type { EnvironmentSpec, JobInputSpec } from '../../src/inputs';
import type { JobPlan } from '../../src/job';
import type { CodeSnapshot } from '../../src/snapshot';
import type { WaitForJobOptions } from '../../src/monitor';

/** The connection's client secret: the tests check it never reaches the log unmasked. */
export const SP_KEY = 'L0-planted-sp-Secret-train-9c27e1';
export const SUBSCRIPTION = L0_SUBSCRIPTION;
export const WS_ID = `/subscriptions/${SUBSCRIPTION}/resourceGroups/rg-ml/providers/Microsoft.MachineLearningServices/workspaces/ws-prod`;
export const CODE_ID = `${WS_ID}/codes/hash/versions/1`;
export const ENV_ID = `${WS_ID}/environments/sklearn-env/versions/3`;
export const COMPUTE_ID = `${WS_ID}/computes/cpu-cluster`;
export const DATA_ID = `${WS_ID}/data/churn-data/versions/5`;
export const METRICS: Metrics = { accuracy: 0.93, loss: 0.125 };
export const JOB_ERROR = 'UserError: ModuleNotFoundError: No module named sklearn';
/** A line of the failed job's log that tries to end the task as Succeeded: it must be neutralised. */
export const INJECTION = '##vso[task.complete result=Succeeded;]injected by the job log';

export interface TrainScenarioOptions {
  /** What findPlan answers: submit a new job (default) or re-attach to a running one. */
  plan?: 'submit' | 'attach';
  /** What waitForJob returns (default Completed). */
  finalStatus?: string;
}

const SCENARIO_ENV = 'L0_TRAIN_SCENARIO';

/** A code folder: two files taken, one excluded by .amlignore. */
function codeDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'l0-train-'));
  fs.mkdirSync(path.join(dir, 'src'));
  fs.writeFileSync(path.join(dir, 'src', 'train.py'), 'print("training")\n');
  fs.writeFileSync(path.join(dir, 'requirements.txt'), 'scikit-learn\n');
  fs.writeFileSync(path.join(dir, 'debug.log'), 'not uploaded\n');
  fs.writeFileSync(path.join(dir, '.amlignore'), '*.log\n');
  process.on('exit', () => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** Runs TrainModel with the default valid inputs, overridden by `inputs` (undefined removes one). */
export function runTrainScenario(inputs: Record<string, string | undefined> = {}, o: TrainScenarioOptions = {}): void {
  const dir = codeDir();
  const all: Record<string, string | undefined> = {
    azureSubscription: 'conn-arm',
    resourceGroup: 'rg-ml',
    workspaceName: 'ws-prod',
    experimentName: 'churn',
    codePath: dir,
    command: 'python src/train.py --lr ${{inputs.learning_rate}} --data ${{inputs.training_data}} --out ${{outputs.model}}',
    compute: 'cpu-cluster',
    environment: 'azureml:sklearn-env:3',
    jobInputs: 'learning_rate=0.1\ntraining_data=azureml:churn-data@latest',
    environmentVariables: 'MODE=ci',
    tags: 'team=churn',
    timeoutMinutes: '60',
    pollIntervalSeconds: '5',
    ...inputs,
  };
  const tmr = l0TaskRunner(__dirname, { spKey: SP_KEY, variables: {
    BUILD_BUILDID: '42',
    BUILD_BUILDNUMBER: '20240501.3',
    BUILD_DEFINITIONNAME: 'churn-ci',
    BUILD_SOURCESDIRECTORY: dir,
    SYSTEM_COLLECTIONURI: 'https://dev.azure.com/contoso/',
    SYSTEM_TEAMPROJECT: 'ml',
    SYSTEM_JOBATTEMPT: '1',
  }, inputs: all, entry: path.join(__dirname, 'entry.js') });
  process.env[SCENARIO_ENV] = JSON.stringify(o);
  tmr.run();
}

/** The dependencies entry.js hands to main: the real context and recording fakes of the Azure calls (options from runTrainScenario). */
export function l0Deps(): TrainDeps {
  const o = JSON.parse(process.env[SCENARIO_ENV] ?? '{}') as TrainScenarioOptions;
  const ctxOf = (ctx: AzureSession): { subscriptionId: string; scheme: string } => ({ subscriptionId: ctx.subscriptionId, scheme: ctx.connection.scheme });
  const ws = l0Workspace({ discoveryUrl: 'https://westeurope.api.azureml.ms/discovery' });

  return {
    createAzureContext: (): ContextWith<'ml' | 'arm'> => {
      // loaded here, not at the top: task-lib reads the inputs when it is first loaded, after the scenario set them
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const { createAzureContext, machineLearning, rawArm } = require('../../../shared/src/azure') as typeof import('../../../shared/src/azure');
      return createAzureContext({ ml: machineLearning, arm: rawArm });
    },
    azure: {
      openWorkspace: async <K extends keyof AzureClients>(ctx: ContextWith<K | 'ml'>, resourceGroup: string, workspaceName: string): Promise<WorkspaceScope<K | 'ml'>> => {
        recordCall('openWorkspace', { ...ctxOf(ctx), resourceGroup, workspaceName });
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        const { workspaceScope } = require('../../../shared/src/workspace') as typeof import('../../../shared/src/workspace');
        return workspaceScope(ctx, ws);
      },
      datastoreContainer: async () => {
        recordCall('datastoreContainer', {});
        throw new Error('the L0 mocks never upload');
      },
      checkCompute: async (s: WorkspaceScope, name: string): Promise<ComputeInfo> => {
        recordCall('checkCompute', { workspace: s.ws.name, name });
        return { id: COMPUTE_ID, name, computeType: 'AmlCompute' };
      },
      resolveEnvironment: async (s: WorkspaceScope, spec: EnvironmentSpec, tags: Record<string, string>): Promise<ResolvedEnvironment> => {
        recordCall('resolveEnvironment', { workspace: s.ws.name, spec, runId: tags['ado.runId'] });
        return { id: ENV_ID, reference: 'azureml:sklearn-env:3', reused: true };
      },
      registerEnvironment: async (_s: WorkspaceScope, env: ResolvedEnvironment): Promise<ResolvedEnvironment> => {
        recordCall('registerEnvironment', { reference: env.reference, toCreate: env.toCreate !== undefined });
        return env;
      },
      findPlan: async (s: WorkspaceScope, p: { base: string; attempt: number; explicit: boolean }): Promise<JobPlan> => {
        recordCall('findPlan', { workspace: s.ws.name, ...p });
        return o.plan === 'attach' ? { action: 'attach', name: p.base, status: 'Running' } : { action: 'submit', name: p.base };
      },
      submitJob: async (s: WorkspaceScope<'arm'>, name: string, body: JobBase): Promise<string> => {
        recordCall('submitJob', { ...ctxOf(s.ctx), workspace: s.ws.name, name, body });
        return 'NotStarted';
      },
      cancelJob: async (_s: WorkspaceScope, name: string): Promise<void> => {
        recordCall('cancelJob', { name });
      },
      // a data asset input resolved to its version's ARM id (the real resolver is tested against the emulator)
      resolveDataInputs: async (s: WorkspaceScope, inputs: Map<string, JobInputSpec>): Promise<Map<string, ResolvedJobInput>> => {
        recordCall('resolveDataInputs', { workspace: s.ws.name, inputs: Object.fromEntries(inputs) });
        return new Map([...inputs].map(([k, v]) => [k, v.value === 'azureml:churn-data@latest' ? { type: 'uri_folder' as const, value: DATA_ID } : (v as ResolvedJobInput)]));
      },
      ensureCodeVersion: async (c: { scope: WorkspaceScope; snapshot: CodeSnapshot; tags: Record<string, string> }): Promise<CodeVersionResult> => {
        recordCall('ensureCodeVersion', { workspace: c.scope.ws.name, hash: c.snapshot.hash, files: c.snapshot.files.map((f) => f.relativePath).sort(), runId: c.tags['ado.runId'] });
        const bytes = c.snapshot.files.reduce((n, f) => n + f.size, 0);
        return { name: c.snapshot.hash, version: '1', id: CODE_ID, codeUri: `https://acct.blob.core.windows.net/c/LocalUpload/${c.snapshot.hash}`, reused: false, uploadedFiles: c.snapshot.files.length, uploadedBytes: bytes };
      },
      waitForJob: async (w: WaitForJobOptions): Promise<string> => {
        recordCall('waitForJob', { workspace: w.scope.ws.name, jobName: w.jobName, studioUrl: w.studioUrl, timeoutMs: w.timeoutMs, pollIntervalMs: w.pollIntervalMs });
        return o.finalStatus ?? 'Completed';
      },
      fetchMetrics: async (s: WorkspaceScope<never>, jobName: string): Promise<{ metrics: Metrics; problem?: string }> => {
        recordCall('fetchMetrics', { ...ctxOf(s.ctx), workspace: s.ws.name, jobName });
        return (o.finalStatus ?? 'Completed') === 'Completed' ? { metrics: METRICS } : { metrics: {}, problem: 'the job logged no metrics' };
      },
      fetchRunDetails: async (s: WorkspaceScope<never>, jobName: string): Promise<RunDetails | undefined> => {
        recordCall('fetchRunDetails', { workspace: s.ws.name, jobName });
        return { error: JOB_ERROR, warnings: [], logTail: { name: 'user_logs/std_log.txt', lines: ['Traceback (most recent call last):', INJECTION, 'ModuleNotFoundError: No module named sklearn'] } };
      },
    },
  };
}
