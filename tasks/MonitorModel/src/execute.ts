// The writes, after every read and the judging: the PSI trend blob, the outputs, the report (log table,
// summary, JUnit), and the action onDrift names — warn, fail, or queue the training pipeline.
import * as tl from 'azure-pipelines-task-lib/task';
import { failed, pipelineRunUrl, setOutput, succeeded, succeededWithIssues, type Outcome } from '../../shared/src/task';
import type { QueuedRun } from './devops/pipelines';
import type { MonitorInputs } from './inputs';
import type { JudgedWindow } from './judgeWindow';
import type { MonitorPlan } from './prepare';
import { describeSource, junitCases, printFeatureTable, writeSummary } from './report/report';
import { junitXml, publishJUnit } from './report/junit';
import { appendRun, oldTrendBlobName, parseTrend, trendBlobName, trendStream, type Trend } from './report/trend';
import type { MonitorResult } from './monitor';

/** Why the monitor acts: the drift and/or the metric drop, in one line; undefined when it does not. */
export function actionReason(r: MonitorResult): string | undefined {
  const parts = [r.drift.verdict === 'drift' ? r.drift.summary : '', r.quality?.verdict === 'degraded' ? `metric ${r.quality.reason}` : ''].filter(Boolean);
  return parts.length ? parts.join('; ') : undefined;
}

/**
 * The stream's trend as stored: its own blob, else (the first run after the per-stream layout) the trend
 * of the old per-model blob carried on, saying so; else a new one.
 */
async function readTrend(p: MonitorInputs, plan: MonitorPlan, name: string, stream: string): Promise<Trend> {
  let text = await plan.trend.read(name);
  if (text === undefined) {
    const old = oldTrendBlobName(p.modelName);
    text = await plan.trend.read(old);
    if (text !== undefined) console.log(`PSI trend: carrying on the trend kept per model in ${plan.trend.where(old)} (it may hold runs of other endpoints or deployments of ${p.modelName}); from now on it is kept per stream.`);
  }
  if (text === undefined) return { schema: 1, model: p.modelName, stream, runs: [] };
  const { trend, note } = parseTrend(text, p.modelName, stream);
  if (note) tl.warning(`${plan.trend.where(name)}: ${note}.`);
  return trend;
}

async function updateTrend(p: MonitorInputs, plan: MonitorPlan, r: MonitorResult, now: Date, name: string): Promise<Trend> {
  const trend = await readTrend(p, plan, name, trendStream(p.productionData));
  const psi: Record<string, number> = {};
  for (const f of [...r.drift.features, ...(r.drift.prediction ? [r.drift.prediction] : [])]) if (f.psi !== undefined) psi[f.name] = Number(f.psi.toFixed(6));
  const runId = tl.getVariable('Build.BuildId');
  const runUrl = pipelineRunUrl();
  const next = appendRun(trend, {
    at: now.toISOString(), ...(runId ? { runId } : {}), ...(runUrl ? { runUrl } : {}), modelVersion: plan.version.version,
    window: { from: p.window.from.toISOString(), to: p.window.to.toISOString() }, verdict: r.drift.verdict, psi,
  }, p.trendRuns);
  await plan.trend.write(name, `${JSON.stringify(next, null, 1)}\n`);
  return next;
}

function setOutputs(r: MonitorResult, retrain?: QueuedRun): void {
  setOutput('driftDetected', String(r.drift.verdict === 'drift'));
  setOutput('driftedFeatures', r.drift.driftedFeatures.join(','));
  setOutput('worstPsi', r.drift.worstPsi === undefined ? '' : r.drift.worstPsi.toFixed(4));
  setOutput('metricOnWindow', r.quality?.window === undefined ? '' : String(r.quality.window));
  setOutput('verdict', r.drift.verdict);
  setOutput('retrainRunUrl', retrain?.webUrl ?? '');
}

export async function execute(p: MonitorInputs, plan: MonitorPlan, judged: JudgedWindow, now: Date): Promise<Outcome> {
  const r = judged.result;
  printFeatureTable(r);
  if (r.quality) console.log(`Metric on the window: ${r.quality.verdict}: ${r.quality.reason}.`);
  const extra = r.drift.schema.extra;
  if (extra.length) tl.warning(`The production data has column(s) the reference lacks (not judged): ${extra.join(', ')}.`);
  console.log(tl.loc('Verdict', r.drift.summary));

  const trendName = trendBlobName(p.modelName, trendStream(p.productionData));
  const trend = await updateTrend(p, plan, r, now, trendName);
  console.log(`PSI trend: ${trend.runs.length} run(s) in ${plan.trend.where(trendName)}.`);

  const reason = actionReason(r);
  let queued: QueuedRun | undefined;
  if (reason && p.retrain && plan.retrain) {
    const window = `${p.window.from.toISOString()}/${p.window.to.toISOString()}`;
    queued = await plan.retrain.client.queue(p.retrain.pipelineId, {
      ...(p.retrain.branch ? { branch: p.retrain.branch } : {}),
      templateParameters: { ...Object.fromEntries(p.retrain.parameters), retrainReason: `${p.modelName}:${plan.version.version}: ${reason}`.slice(0, 1000), driftWindow: window },
    });
    console.log(tl.loc('Queued', String(queued.id), plan.retrain.pipeline.name, queued.webUrl));
  }
  setOutputs(r, queued);
  writeSummary(r, {
    model: `${p.modelName}:${plan.version.version}`, window: p.window, verdictLine: r.drift.summary, referenceHow: plan.reference.how,
    production: `${plan.production.description}: ${describeSource(judged.production)}`, trend, trendWhere: plan.trend.where(trendName),
    psiThreshold: p.settings.psiThreshold, ...(queued && plan.retrain ? { retrainRun: { id: queued.id, webUrl: queued.webUrl, pipeline: plan.retrain.pipeline.name } } : {}),
  });
  if (p.publishTestResults) publishJUnit(junitXml(`MonitorModel ${p.modelName}:${plan.version.version}`, junitCases(r), now), `Model monitoring ${p.modelName}`);

  if (reason) {
    if (p.onDrift === 'fail') return failed(`Drift: ${reason}.`);
    return succeededWithIssues(`Drift: ${reason}.${queued ? ` Queued training run ${queued.id}: ${queued.webUrl}` : ''}`);
  }
  if (r.drift.verdict === 'insufficientData') {
    const msg = `${r.drift.summary[0].toUpperCase()}${r.drift.summary.slice(1)}.`;
    return p.onDrift === 'fail' ? failed(msg) : succeededWithIssues(msg);
  }
  return succeeded();
}
