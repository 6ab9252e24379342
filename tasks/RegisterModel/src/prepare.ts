// Everything RegisterModel reads before it writes. register: the model source (a job's output, or a local folder only
// hashed here), the versions (an earlier attempt's version is reused on retry), the candidate's and production's
// metrics, the gate's verdict; promote: the version to promote. Nothing here changes Azure: a failed gate or a
// missing version stops the task with nothing uploaded or tagged.
import * as tl from 'azure-pipelines-task-lib/task';
import { TaskError } from '../../shared/src/errors';
import { pipelineRunUrl } from '../../shared/src/lineage';
import { displayUri, untrusted } from '../../shared/src/untrusted';
import type { WorkspaceScope } from '../../shared/src/workspace';
import type { RegisterAzureCalls } from './azureCalls';
import { evaluateGate, failureText, GateEvaluation, GateInputError, GateResult } from './gate';
import type { Params, PromoteParams, RegisterParams } from './inputs';
import type { Metrics } from './metrics';
import { findProduction, findRunVersion, metricsFromProperties, ModelVersionInfo } from './modelVersions';
import type { PromotionRecord } from './promote';
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

async function candidateMetrics(az: RegisterAzureCalls, scope: WorkspaceScope, p: RegisterParams, jobName: string | undefined): Promise<{ metrics: Metrics; from?: string }> {
  if (p.fileMetrics) return { metrics: p.fileMetrics, from: `file ${p.metricsFile}` };
  if (!jobName) return { metrics: {} };
  try {
    return { metrics: await az.jobMetrics(scope, jobName), from: `job ${jobName}` };
  } catch (err) {
    if (p.gate) throw err;
    // without a gate the metrics are only informative properties: a failure to read them is not fatal
    tl.warning(`Could not read the metrics of job '${jobName}' (registering without metric properties): ${(err as Error).message}`);
    return { metrics: {} };
  }
}

async function productionMetrics(az: RegisterAzureCalls, scope: WorkspaceScope, prod: ModelVersionInfo): Promise<Metrics> {
  const stored = metricsFromProperties(prod);
  if (Object.keys(stored).length > 0 || !prod.jobName) return stored;
  // a version registered by other means has no metric properties; its training job may still have them
  try {
    return await az.jobMetrics(scope, prod.jobName);
  } catch (err) {
    tl.warning(`Production version ${prod.name}:${prod.version} has no metric properties and the metrics of its job '${prod.jobName}' could not be read: ${(err as Error).message}`);
    return {};
  }
}

function describeSource(s: ResolvedSource): string {
  return `${untrusted(s.description)} → ${displayUri(s.modelUri)}`;
}

/** What the reads decided: nothing to write (an earlier attempt's version is reused, or the gate failed), or what to register. */
export type RegisterPlan =
  | { kind: 'done'; outcome: TaskOutcome }
  | {
      kind: 'register';
      inputs: RegisterParams;
      source: ResolvedSource;
      local?: ReturnType<typeof planLocalSource>;
      versions: ModelVersionInfo[];
      metrics: Metrics;
      from?: string;
      gateResult: GateResult;
      evaluation?: GateEvaluation;
      rows?: string[][];
    }
  | { kind: 'promote'; inputs: PromoteParams; target: ModelVersionInfo; record: PromotionRecord };

/** Reads only. register: the source, the versions, the metrics and the gate's verdict; promote: the version to promote. */
export async function prepare(scope: WorkspaceScope, p: Params, az: RegisterAzureCalls): Promise<RegisterPlan> {
  return p.action === 'promote' ? preparePromote(scope, p, az) : prepareRegister(scope, p, az);
}

async function prepareRegister(scope: WorkspaceScope, p: RegisterParams, az: RegisterAzureCalls): Promise<RegisterPlan> {
  const { ws } = scope;

  // a local model is only hashed here; it is uploaded after the gate passed
  const local = p.source.type === 'local' ? planLocalSource(scope.subscriptionId, ws, p.source.path, p.source.jobName) : undefined;
  const source: ResolvedSource = p.source.type === 'job' ? await az.resolveJobSource(scope.ctx, ws, p.source) : (local as ResolvedSource);
  console.log(`Model source: ${describeSource(source)}`);
  if (source.mlflow === undefined && !p.modelType) {
    throw new TaskError(`Cannot tell whether the model is an MLflow model (an MLmodel file at its root): ${source.mlflowUnknown ?? 'its files could not be read'}. Set the input 'modelType', or give the task's identity read access to that storage.`);
  }
  if (source.mlflow === undefined) tl.debug(`MLmodel check skipped: ${source.mlflowUnknown ?? ''}`);

  const versions = await az.listVersions(scope, p.modelName, { includeArchived: true });
  console.log(`Model '${p.modelName}' has ${versions.length} version(s).`);

  // a retried stage of the same pipeline run finds what the earlier attempt registered
  const runId = tl.getVariable('Build.BuildId');
  const mine = findRunVersion(versions, runId, source.modelUri);
  if (mine && (p.modelVersion === undefined || p.modelVersion === mine.version)) {
    console.log(tl.loc('Reused', p.modelName, mine.version, displayUri(source.modelUri)));
    const tagged = mine.tags['gate.result'] as GateResult | undefined;
    const gateResult = tagged && GATE_RESULTS.includes(tagged) ? tagged : 'skipped';
    writeSummary({ action: 'register', modelName: p.modelName, modelVersion: mine.version, gateResult, registered: true, outcome: `Reused version ${mine.version}, registered by an earlier attempt of this pipeline run.`, studioUrl: ws.studioModelUrl(p.modelName, mine.version), source: source.modelUri });
    return { kind: 'done', outcome: { modelName: p.modelName, version: mine, gateResult, registered: true } };
  }

  const { metrics, from } = await candidateMetrics(az, scope, p, source.jobName);
  if (from) console.log(`Candidate metrics from ${from}: ${Object.keys(metrics).length ? Object.entries(metrics).map(([k, v]) => `${untrusted(k)}=${v}`).join(', ') : 'none'}`);

  let gateResult: GateResult = 'skipped';
  let evaluation: GateEvaluation | undefined;
  let rows: string[][] | undefined;
  if (p.gate) {
    const prod = p.gate.compareWithProduction ? findProduction(versions, p.productionTag) : undefined;
    const prodMetrics = prod ? await productionMetrics(az, scope, prod) : undefined;
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
    for (const r of evaluation.reasons) console.log(`  ${untrusted(r)}`);
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
    inputs: p,
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


/** Who promoted: the person who queued the run (the release's requester in classic releases). */
function promotedBy(): string {
  return tl.getVariable('Build.RequestedFor') || tl.getVariable('Release.RequestedFor') || tl.getVariable('Build.QueuedBy') || 'unknown';
}

async function preparePromote(scope: WorkspaceScope, p: PromoteParams, az: RegisterAzureCalls): Promise<RegisterPlan> {
  const runId = tl.getVariable('Build.BuildId');
  const target = await az.promotionTarget(scope, p.modelName, p.modelVersion, runId);
  const runUrl = pipelineRunUrl();
  const record: PromotionRecord = { by: promotedBy(), at: new Date().toISOString(), ...(runId ? { runId } : {}), ...(runUrl ? { runUrl } : {}) };
  return { kind: 'promote', inputs: p, target, record };
}
