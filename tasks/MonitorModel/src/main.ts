// MonitorModel's steps: readInputs (pure) → createAzureContext → prepare (reads only: the model, its lineage,
// the data locations, the training pipeline) → judge the window (streamed) → execute (the trend blob, the
// report, the outputs, the action) → outcome. Its Azure and Azure DevOps calls come in through `deps`, so the
// L0 tests hand it fakes (tests/L0/common.ts).
import * as tl from 'azure-pipelines-task-lib/task';
import { createAzureContext, machineLearning, type ContextWith } from '../../shared/src/azure';
import type { Outcome } from '../../shared/src/task';
import { azureCalls, type MonitorAzureCalls } from './azureCalls';
import { execute } from './execute';
import { readInputs } from './inputs';
import { judgeWindow } from './judgeWindow';
import { prepare } from './prepare';
import { describeSource } from './report/report';

export interface MonitorDeps {
  createAzureContext(): ContextWith<'ml'>;
  azure: MonitorAzureCalls;
  /** the clock ("now" ends the default window) */
  now?(): Date;
}

export const azureDeps: MonitorDeps = {
  createAzureContext: () => createAzureContext({ ml: machineLearning }),
  azure: azureCalls,
};

export async function main(deps: MonitorDeps = azureDeps): Promise<Outcome> {
  const now = deps.now?.() ?? new Date();
  const p = readInputs(now);
  const ctx = deps.createAzureContext();
  const plan = await prepare(ctx, p, deps.azure);
  const hours = (p.window.to.getTime() - p.window.from.getTime()) / 3600_000;
  console.log(tl.loc('Window', p.window.from.toISOString(), p.window.to.toISOString(), `${Number(hours.toFixed(2))} h`));
  console.log(`Model: ${p.modelName}:${plan.version.version}${p.modelVersion ? '' : ` (carries ${p.productionTag.key}=${p.productionTag.value})`}.`);
  console.log(tl.loc('Reference', plan.reference.how));
  const judged = await judgeWindow(p, plan);
  console.log(tl.loc('Production', `${plan.production.description}: ${describeSource(judged.production)}`));
  console.log(`Reference rows: ${judged.result.drift.referenceRows} (${describeSource(judged.reference)}).`);
  if (judged.predictions) console.log(`Predictions: ${plan.predictions?.description}: ${describeSource(judged.predictions)}.`);
  return execute(p, plan, judged, now);
}
