// Everything the task reads before it judges and writes: the workspace, the production model version and
// its registered metrics, the reference (named, or through lineage), where the window's data is, and, for
// onDrift=retrain, that the training pipeline exists. Nothing here changes Azure or Azure DevOps.
import type { ContextWith, WorkspaceInfo } from '../../shared/src/azure';
import { TaskError } from '../../shared/src/task';
import type { ModelVersionInfo } from '../../RegisterModel/src/modelVersions';
import { pickTrainingInput, registeredMetrics } from './azure/lineage';
import type { TrendStore } from './azure/trendStore';
import type { MonitorAzureCalls } from './azureCalls';
import { siblingOutputs } from './dataRef';
import type { DataLocation } from './data/location';
import { pipelineMissing, type PipelineInfo, type PipelinesClient } from './devops/pipelines';
import type { MonitorInputs } from './inputs';

export interface MonitorPlan {
  ws: WorkspaceInfo;
  version: ModelVersionInfo;
  registered: Record<string, number>;
  reference: { location: DataLocation; how: string };
  production: DataLocation;
  predictions?: DataLocation;
  labels?: DataLocation;
  trend: TrendStore;
  retrain?: { client: PipelinesClient; pipeline: PipelineInfo };
}

export async function prepare(ctx: ContextWith<'ml'>, p: MonitorInputs, az: MonitorAzureCalls): Promise<MonitorPlan> {
  const ws = await az.resolveWorkspace(ctx, p.resourceGroup, p.workspaceName);
  const version = await az.productionModel(ctx, ws, p);
  const lineage = p.referenceData
    ? { ref: p.referenceData, how: `referenceData ${p.referenceData.text}` }
    : pickTrainingInput(version, version.jobName ? await az.jobDataInputs(ctx, p, version.jobName) : undefined);
  const reference = { location: await az.locate(ctx, ws, lineage.ref, 'referenceData'), how: lineage.how };
  const production = await az.locate(ctx, ws, p.productionData, 'productionData');
  let predictions: DataLocation | undefined;
  if (p.predictionsData) predictions = await az.locate(ctx, ws, p.predictionsData, 'predictionsData');
  else {
    // the collector's model_outputs next to its model_inputs, when they were collected
    const sibling = siblingOutputs(p.productionData);
    if (sibling) {
      try {
        const loc = await az.locate(ctx, ws, sibling, 'predictionsData');
        if ((await loc.files()).length > 0) predictions = loc;
      } catch (e) {
        if (!(e instanceof TaskError)) throw e;
      }
    }
  }
  const labels = p.labelsData ? await az.locate(ctx, ws, p.labelsData, 'labelsData') : undefined;
  let retrain: MonitorPlan['retrain'];
  if (p.retrain) {
    const client = az.pipelines(ctx.http);
    const pipeline = await client.get(p.retrain.pipelineId);
    if (!pipeline) throw pipelineMissing(p.retrain.pipelineId, client.where);
    retrain = { client, pipeline };
  }
  const trend = await az.trendStore(ctx, ws);
  return {
    ws, version, registered: registeredMetrics(version), reference, production,
    ...(predictions ? { predictions } : {}), ...(labels ? { labels } : {}), trend, ...(retrain ? { retrain } : {}),
  };
}
