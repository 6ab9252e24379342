// action=register: prepareRegister reads (source → reuse on retry → metrics → gate), executeRegister writes
// (upload → register) when the gate let it.
import * as tl from 'azure-pipelines-task-lib/task';
import type { ContextWith } from '../../shared/src/azure';
import { TaskError } from '../../shared/src/errors';
import { lineageTags } from '../../shared/src/lineage';
import type { WorkspaceInfo } from '../../shared/src/workspace';
import type { RegisterAzureCalls } from './azureCalls';
import { evaluateGate, failureText, GateEvaluation, GateInputError, GateResult } from './gate';
import type { RegisterParams } from './inputs';
import type { Metrics } from './metrics';
import { versionContent } from './register';
import { findProduction, findRunVersion, metricsFromProperties, ModelVersionInfo, nextVersion, RegistryScope } from './modelVersions';
import { comparisonRows, printComparison, writeSummary } from './report';
import { planLocalSource, ResolvedSource } from './source';

export interface TaskOutcome {
  modelName: string;
  version?: ModelVersionInfo;
  gateResult: GateResult;
  registered: boolean;
  /** Set when the task must fail after its outputs are set (gate failed with onGateFailure=fail). */
  failure?: string;
  /** Set when the task succeeds with issues (gate failed with onGateFailure=skip). */
  issues?: string;
}

const GATE_RESULTS: GateResult[] = ['passed', 'failed', 'noBaseline', 'skipped'];

async function candidateMetrics(az: RegisterAzureCalls, ctx: ContextWith<'ml'>, ws: WorkspaceInfo, p: RegisterParams, jobName: string | undefined): Promise<{ metrics: Metrics; from?: string }> {
  if (p.fileMetrics) return { metrics: p.fileMetrics, from: `file ${p.metricsFile}` };
  if (!jobName) return { metrics: {} };
  try {
    return { metrics: await az.jobMetrics(ctx, ws, jobName), from: `job ${jobName}` };
  } catch (err) {
    if (p.gate) throw err;
    // without a gate the metrics are only informative properties: a failure to read them is not fatal
    tl.warning(`Could not read the metrics of job '${jobName}' (registering without metric properties): ${(err as Error).message}`);
    return { metrics: {} };
  }
}

async function productionMetrics(az: RegisterAzureCalls, ctx: ContextWith<'ml'>, ws: WorkspaceInfo, prod: ModelVersionInfo): Promise<Metrics> {
  const stored = metricsFromProperties(prod);
  if (Object.keys(stored).length > 0 || !prod.jobName) return stored;
  // a version registered by other means has no metric properties; its training job may still have them
  try {
    return await az.jobMetrics(ctx, ws, prod.jobName);
  } catch (err) {
    tl.warning(`Production version ${prod.name}:${prod.version} has no metric properties and the metrics of its job '${prod.jobName}' could not be read: ${(err as Error).message}`);
    return {};
  }
}

function describeSource(s: ResolvedSource): string {
  return `${s.description} → ${s.modelUri}`;
}

/** What the reads decided: nothing to write (an earlier attempt's version is reused, or the gate failed), or what to register. */
export type RegisterPlan =
  | { kind: 'done'; outcome: TaskOutcome }
  | {
      kind: 'register';
      source: ResolvedSource;
      local?: ReturnType<typeof planLocalSource>;
      versions: ModelVersionInfo[];
      metrics: Metrics;
      from?: string;
      gateResult: GateResult;
      evaluation?: GateEvaluation;
      rows?: string[][];
    };

export async function runRegister(az: RegisterAzureCalls, ctx: ContextWith<'ml'>, ws: WorkspaceInfo, p: RegisterParams): Promise<TaskOutcome> {
  const plan = await prepareRegister(az, ctx, ws, p);
  return plan.kind === 'done' ? plan.outcome : executeRegister(az, ctx, ws, p, plan);
}

/** Reads only: the source, the versions, the metrics and the gate's verdict. */
export async function prepareRegister(az: RegisterAzureCalls, ctx: ContextWith<'ml'>, ws: WorkspaceInfo, p: RegisterParams): Promise<RegisterPlan> {
  const client = ctx.clients.ml;
  const scope: RegistryScope = { client, resourceGroup: p.resourceGroup, workspaceName: p.workspaceName, modelName: p.modelName };

  // a local model is only hashed here; it is uploaded after the gate passed
  const local = p.source.type === 'local' ? planLocalSource(ctx.subscriptionId, ws, p.source.path, p.source.jobName) : undefined;
  const source: ResolvedSource = p.source.type === 'job' ? await az.resolveJobSource(ctx, ws, p.source) : (local as ResolvedSource);
  console.log(`Model source: ${describeSource(source)}`);
  if (source.mlflow === undefined && !p.modelType) {
    throw new TaskError(`Cannot tell whether the model is an MLflow model (an MLmodel file at its root): ${source.mlflowUnknown ?? 'its files could not be read'}. Set the input 'modelType', or give the task's identity read access to that storage.`);
  }
  if (source.mlflow === undefined) tl.debug(`MLmodel check skipped: ${source.mlflowUnknown ?? ''}`);

  const versions = await az.listVersions(scope, { includeArchived: true });
  console.log(`Model '${p.modelName}' has ${versions.length} version(s).`);

  // a retried stage of the same pipeline run finds what the earlier attempt registered
  const runId = tl.getVariable('Build.BuildId');
  const mine = findRunVersion(versions, runId, source.modelUri);
  if (mine && (p.modelVersion === undefined || p.modelVersion === mine.version)) {
    console.log(tl.loc('Reused', p.modelName, mine.version, source.modelUri));
    const tagged = mine.tags['gate.result'] as GateResult | undefined;
    const gateResult = tagged && GATE_RESULTS.includes(tagged) ? tagged : 'skipped';
    writeSummary({ action: 'register', modelName: p.modelName, modelVersion: mine.version, gateResult, registered: true, outcome: `Reused version ${mine.version}, registered by an earlier attempt of this pipeline run.`, studioUrl: ws.studioModelUrl(p.modelName, mine.version), source: source.modelUri });
    return { kind: 'done', outcome: { modelName: p.modelName, version: mine, gateResult, registered: true } };
  }

  const { metrics, from } = await candidateMetrics(az, ctx, ws, p, source.jobName);
  if (from) console.log(`Candidate metrics from ${from}: ${Object.keys(metrics).length ? Object.entries(metrics).map(([k, v]) => `${k}=${v}`).join(', ') : 'none'}`);

  let gateResult: GateResult = 'skipped';
  let evaluation: GateEvaluation | undefined;
  let rows: string[][] | undefined;
  if (p.gate) {
    const prod = p.gate.compareWithProduction ? findProduction(versions, p.productionTag) : undefined;
    const prodMetrics = prod ? await productionMetrics(az, ctx, ws, prod) : undefined;
    try {
      evaluation = evaluateGate(p.gate, metrics, prod ? { version: prod.version, ...(prodMetrics?.[p.gate.metric] !== undefined ? { value: prodMetrics[p.gate.metric] } : {}) } : undefined);
    } catch (err) {
      if (err instanceof GateInputError) throw new TaskError(`${err.message.replace(/\.$/, '')} (metrics from ${from ?? 'nowhere'}).`);
      throw err;
    }
    gateResult = evaluation.result;
    rows = comparisonRows(evaluation, metrics, prodMetrics);
    console.log(tl.loc('GateTable', p.gate.metric, p.gate.direction));
    printComparison(rows);
    for (const r of evaluation.reasons) console.log(`  ${r}`);
    if (evaluation.noBaselineReason === 'noProduction') console.log(tl.loc('NoBaseline', p.modelName, `${p.productionTag.key}=${p.productionTag.value}`));
    if (evaluation.noBaselineReason === 'productionLacksMetric') tl.warning(tl.loc('BaselineLacksMetric', evaluation.productionVersion ?? '', p.modelName, p.gate.metric));

    if (evaluation.result === 'failed') {
      const why = failureText(evaluation);
      writeSummary({ action: 'register', modelName: p.modelName, gateResult, registered: false, outcome: `The quality gate failed: ${why}. Nothing was registered.`, evaluation, rows, source: source.modelUri });
      if (p.onGateFailure === 'skip') {
        return { kind: 'done', outcome: { modelName: p.modelName, gateResult, registered: false, issues: tl.loc('GateFailedSkip', why) } };
      }
      return { kind: 'done', outcome: { modelName: p.modelName, gateResult, registered: false, failure: tl.loc('GateFailed', why) } };
    }
    console.log(tl.loc('GatePassed', gateResult, p.modelName));
  }
  return {
    kind: 'register',
    source,
    ...(local ? { local } : {}),
    versions,
    metrics,
    ...(from ? { from } : {}),
    gateResult,
    ...(evaluation ? { evaluation } : {}),
    ...(rows ? { rows } : {}),
  };
}

/** The writes: upload a local model, then register the version (or reuse one that already holds it). */
export async function executeRegister(az: RegisterAzureCalls, ctx: ContextWith<'ml'>, ws: WorkspaceInfo, p: RegisterParams, plan: Extract<RegisterPlan, { kind: 'register' }>): Promise<TaskOutcome> {
  const { source, local, versions, metrics, from, gateResult, evaluation, rows } = plan;
  const scope: RegistryScope = { client: ctx.clients.ml, resourceGroup: p.resourceGroup, workspaceName: p.workspaceName, modelName: p.modelName };
  if (local) console.log(await az.uploadPlanned(await az.datastoreContainer(ctx, ws), local, ws.defaultDatastore.name));

  // an MLflow model (MLmodel at its root) is an mlflow_model unless the modelType input says otherwise
  const modelType = p.modelType ?? (source.mlflow ? 'mlflow_model' : 'custom_model');
  if (!p.modelType) console.log(`Model type: ${modelType} (${source.mlflow ? 'an MLmodel file is at the model root' : 'no MLmodel file at the model root'}).`);
  else if (p.modelType === 'mlflow_model' && !source.mlflow) tl.warning(`modelType is mlflow_model, but there is no MLmodel file at the root of ${source.modelUri}: Azure ML cannot deploy it as an MLflow model.`);
  const content = versionContent({
    modelUri: source.modelUri,
    modelType,
    ...(p.description ? { description: p.description } : {}),
    ...(source.jobName ? { jobName: source.jobName } : {}),
    userTags: p.tags,
    lineage: lineageTags(source.jobName ? { 'upstream.job': source.jobName } : {}),
    gateResult,
    ...(evaluation ? { evaluation } : {}),
    metrics,
    ...(from ? { metricsSource: from } : {}),
  });
  const outcome = await az.registerVersion(scope, p.modelVersion ?? nextVersion(versions), content, { explicit: p.modelVersion !== undefined });
  const v = outcome.version;
  console.log(outcome.kind === 'created' ? tl.loc('Registered', p.modelName, v.version, v.id) : `Model version ${p.modelName}:${v.version} already holds this model: reusing it.`);
  const studioUrl = ws.studioModelUrl(p.modelName, v.version);
  console.log(`Studio: ${studioUrl}`);
  writeSummary({
    action: 'register',
    modelName: p.modelName,
    modelVersion: v.version,
    gateResult,
    registered: true,
    outcome: outcome.kind === 'created' ? `Registered version ${v.version}.` : `Version ${v.version} already held this model: reused.`,
    ...(evaluation ? { evaluation } : {}),
    ...(rows ? { rows } : {}),
    studioUrl,
    source: source.modelUri,
  });
  return { modelName: p.modelName, version: v, gateResult, registered: true };
}

