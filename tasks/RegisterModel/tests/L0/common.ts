// Shared set-up of the RegisterModel L0 scenarios (not a scenario itself): inputs through TaskMockRunner,
// the service connection through ENDPOINT_* variables. A scenario runs tests/L0/entry.js, which calls the
// task's main with its dependencies injected (no module is mocked by path):
//   createAzureContext: the real one (connection, credential, the ML client; nothing is signed in or sent).
//   azure: recording fakes for each call to Azure (src/azureCalls.ts): openWorkspace, datastoreContainer,
//     resolveJobSource, uploadPlanned, listVersions, jobMetrics (MLflow), registerVersion, promotionTarget,
//     promote.
// The rest runs for real: input validation, planLocalSource's hashing, findProduction, nextVersion,
// parseMetricsJson, versionContent, the gate and its table, lineage tags, outputs and the summary.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { AzureClients, AzureSession, ContextWith } from '../../../shared/src/azure';
import type { WorkspaceInfo, WorkspaceScope } from '../../../shared/src/workspace';
import { L0_SUBSCRIPTION, l0TaskRunner, l0Workspace, recordCall } from '../../../shared/tests/l0';
import type { RegisterDeps } from '../../src/main';
import type { Tag } from '../../src/inputs';
import type { Metrics } from '../../src/metrics';
import type { PromoteOutcome, PromotionRecord } from '../../src/promote';
import type { RegisterOutcome, VersionContent } from '../../src/register';
import type { ModelVersionInfo } from '../../src/modelVersions';
import type { LocalFile, ResolvedSource } from '../../src/source';

/** The connection's client secret: the tests check it never reaches the log unmasked. */
export const SP_KEY = 'L0-planted-sp-Secret-register-3b8d51';
export const SUBSCRIPTION = L0_SUBSCRIPTION;
export const WS_ID = `/subscriptions/${SUBSCRIPTION}/resourceGroups/rg-ml/providers/Microsoft.MachineLearningServices/workspaces/ws-prod`;
export const JOB = 'train-42-0123456789ab';
/** accuracy of the production version (v1, tagged stage=production). */
export const PRODUCTION_ACCURACY = 0.9;

export interface RegisterScenarioOptions {
  /** The candidate's accuracy as the job's MLflow run reports it (default 0.93). */
  jobAccuracy?: number;
  /** A metrics file with this content is written and passed as metricsFile. */
  metricsFile?: string;
}

const SCENARIO_ENV = 'L0_REGISTER_SCENARIO';

function version(v: string, o: { tags?: Record<string, string>; properties?: Record<string, string>; jobName?: string } = {}): ModelVersionInfo {
  const id = `${WS_ID}/models/churn/versions/${v}`;
  const modelUri = `azureml://jobs/train-old-${v}/outputs/model`;
  const tags = o.tags ?? {};
  const properties = o.properties ?? {};
  return { name: 'churn', version: v, id, modelUri, tags, properties, ...(o.jobName ? { jobName: o.jobName } : {}), isArchived: false, raw: { id, name: v, properties: { modelUri, tags, properties } } };
}

/** v1 is production with its accuracy stored as a property; v2 was registered but never promoted. */
const VERSIONS: ModelVersionInfo[] = [
  version('1', { tags: { stage: 'production' }, properties: { 'metric.accuracy': String(PRODUCTION_ACCURACY) } }),
  version('2', { properties: { 'metric.accuracy': '0.88' } }),
];

/** Runs RegisterModel with the default valid inputs, overridden by `inputs` (undefined removes one; '<modelDir>' / '<metricsFile>' stand for the generated ones). */
export function runRegisterScenario(inputs: Record<string, string | undefined> = {}, o: RegisterScenarioOptions = {}): void {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'l0-register-'));
  process.on('exit', () => fs.rmSync(dir, { recursive: true, force: true }));
  const modelDir = path.join(dir, 'model');
  fs.mkdirSync(modelDir);
  fs.writeFileSync(path.join(modelDir, 'model.pkl'), 'not really a pickle');
  fs.writeFileSync(path.join(modelDir, 'conda.yaml'), 'dependencies: [python=3.10]\n');
  const metricsFile = path.join(dir, 'metrics.json');
  if (o.metricsFile !== undefined) fs.writeFileSync(metricsFile, o.metricsFile);

  const all: Record<string, string | undefined> = {
    azureSubscription: 'conn-arm',
    resourceGroup: 'rg-ml',
    workspaceName: 'ws-prod',
    modelName: 'churn',
    modelSourceType: 'job',
    jobName: JOB,
    gateMetric: 'accuracy',
    gateDirection: 'higherIsBetter',
    tags: 'team=churn',
    description: 'churn classifier',
    ...inputs,
  };
  const placeholders: Record<string, string> = { '<modelDir>': modelDir, '<metricsFile>': metricsFile };
  const inputsWithPaths = Object.fromEntries(Object.entries(all).map(([k, v]) => [k, v === undefined ? v : placeholders[v] ?? v]));
  const tmr = l0TaskRunner(__dirname, { spKey: SP_KEY, variables: {
    BUILD_BUILDID: '42',
    BUILD_BUILDNUMBER: '20240501.3',
    BUILD_DEFINITIONNAME: 'churn-ci',
    BUILD_REQUESTEDFOR: 'Ada Lovelace',
    BUILD_SOURCESDIRECTORY: dir,
    SYSTEM_COLLECTIONURI: 'https://dev.azure.com/contoso/',
    SYSTEM_TEAMPROJECT: 'ml',
  }, inputs: inputsWithPaths, entry: path.join(__dirname, 'entry.js') });
  process.env[SCENARIO_ENV] = JSON.stringify(o);
  tmr.run();
}

/** The dependencies entry.js hands to main: the real context and recording fakes of the Azure calls (options from runRegisterScenario). */
export function l0Deps(): RegisterDeps {
  const o = JSON.parse(process.env[SCENARIO_ENV] ?? '{}') as RegisterScenarioOptions;
  const ctxOf = (ctx: AzureSession): { subscriptionId: string; scheme: string } => ({ subscriptionId: ctx.subscriptionId, scheme: ctx.connection.scheme });
  const scopeOf = (s: WorkspaceScope, modelName: string): { resourceGroup: string; workspaceName: string; modelName: string } => ({ resourceGroup: s.resourceGroup, workspaceName: s.workspaceName, modelName });
  const ws = l0Workspace();

  return {
    createAzureContext: (): ContextWith<'ml'> => {
      // loaded here, not at the top: task-lib reads the inputs when it is first loaded, after the scenario set them
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const { createAzureContext, machineLearning } = require('../../../shared/src/azure') as typeof import('../../../shared/src/azure');
      return createAzureContext({ ml: machineLearning });
    },
    azure: {
      openWorkspace: async <K extends keyof AzureClients>(ctx: ContextWith<K | 'ml'>, resourceGroup: string, workspaceName: string): Promise<WorkspaceScope<K | 'ml'>> => {
        recordCall('openWorkspace', { ...ctxOf(ctx), resourceGroup, workspaceName });
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        const { workspaceScope } = require('../../../shared/src/workspace') as typeof import('../../../shared/src/workspace');
        return workspaceScope(ctx, ws, workspaceName);
      },
      // stands in for the blob container: uploadPlanned (a fake too) is the only user
      datastoreContainer: async (_ctx: AzureSession, w: WorkspaceInfo) => {
        recordCall('datastoreContainer', { workspace: w.name });
        return { containerName: w.defaultDatastore.containerName } as unknown as Awaited<ReturnType<typeof import('../../../shared/src/workspace').datastoreContainer>>;
      },
      resolveJobSource: async (_ctx: unknown, w: WorkspaceInfo, src: { jobName: string; outputName: string; path: string }): Promise<ResolvedSource> => {
        const { jobName, outputName, path: inside } = src;
        recordCall('resolveJobSource', { workspace: w.name, jobName, outputName, ...(inside ? { path: inside } : {}) });
        // a model the job logged with MLflow (output artifacts) has its MLmodel file
        const mlflow = outputName === 'artifacts';
        return { modelUri: `azureml://jobs/${jobName}/outputs/${outputName}${inside ? `/paths/${inside}` : ''}`, jobName, mlflow, description: `output '${outputName}' of job '${jobName}' (Completed)` };
      },
      uploadPlanned: async (_container: unknown, plan: { files: LocalFile[]; prefix: string }, datastoreName: string): Promise<string> => {
        recordCall('uploadPlanned', { prefix: plan.prefix, files: plan.files.map((f) => f.relative), datastoreName });
        return `Uploaded ${plan.files.length} file(s) to datastore '${datastoreName}' at ${plan.prefix}.`;
      },
      listVersions: async (scope: WorkspaceScope, modelName: string, lo: { includeArchived?: boolean; tagFilter?: Tag } = {}): Promise<ModelVersionInfo[]> => {
        recordCall('listVersions', { ...scopeOf(scope, modelName), ...lo });
        return VERSIONS;
      },
      jobMetrics: async (s: WorkspaceScope<never>, jobName: string): Promise<Metrics> => {
        recordCall('jobMetrics', { ...ctxOf(s.ctx), workspace: s.ws.name, jobName });
        return { accuracy: o.jobAccuracy ?? 0.93, loss: 0.21 };
      },
      registerVersion: async (scope: WorkspaceScope, modelName: string, v: string, content: VersionContent, ro: { explicit: boolean }): Promise<RegisterOutcome> => {
        recordCall('registerVersion', { ...scopeOf(scope, modelName), version: v, content, explicit: ro.explicit });
        const id = `${WS_ID}/models/churn/versions/${v}`;
        return { kind: 'created', version: { name: modelName, version: v, id, modelUri: content.modelUri, tags: content.tags, properties: content.properties, isArchived: false, raw: { id, name: v, properties: {} } } };
      },
      promotionTarget: async (scope: WorkspaceScope, modelName: string, requested: string | undefined, runId: string | undefined): Promise<ModelVersionInfo> => {
        recordCall('promotionTarget', { ...scopeOf(scope, modelName), requested, runId });
        return version(requested ?? '2', { tags: { 'ado.runId': runId ?? '' } });
      },
      promote: async (scope: WorkspaceScope, modelName: string, target: ModelVersionInfo, tag: Tag, record: PromotionRecord): Promise<PromoteOutcome> => {
        recordCall('promote', { ...scopeOf(scope, modelName), target: target.version, tag, by: record.by, runId: record.runId, runUrl: record.runUrl, at: record.at });
        return { version: { ...target, tags: { ...target.tags, [tag.key]: tag.value } }, changed: true, demoted: ['1'] };
      },
    },
  };
}
