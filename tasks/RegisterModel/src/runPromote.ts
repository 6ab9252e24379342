// action=promote: find the version (given, or registered by this run) and move the production tag to it.
import * as tl from 'azure-pipelines-task-lib/task';
import type { ContextWith } from '../../shared/src/azure';
import { pipelineRunUrl } from '../../shared/src/lineage';
import type { WorkspaceInfo } from '../../shared/src/workspace';
import type { PromoteParams } from './inputs';
import type { RegisterAzureCalls } from './azureCalls';
import type { PromotionRecord } from './promote';
import type { RegistryScope } from './modelVersions';
import { writeSummary } from './report';
import type { TaskOutcome } from './runRegister';

/** Who promoted: the person who queued the run (the release's requester in classic releases). */
function promotedBy(): string {
  return tl.getVariable('Build.RequestedFor') || tl.getVariable('Release.RequestedFor') || tl.getVariable('Build.QueuedBy') || 'unknown';
}

export async function runPromote(az: RegisterAzureCalls, ctx: ContextWith<'ml'>, ws: WorkspaceInfo, p: PromoteParams): Promise<TaskOutcome> {
  const scope: RegistryScope = { client: ctx.clients.ml, resourceGroup: p.resourceGroup, workspaceName: p.workspaceName, modelName: p.modelName };
  const runId = tl.getVariable('Build.BuildId');
  const target = await az.promotionTarget(scope, p.modelVersion, runId);
  const tagText = `${p.productionTag.key}=${p.productionTag.value}`;
  const runUrl = pipelineRunUrl();
  const record: PromotionRecord = { by: promotedBy(), at: new Date().toISOString(), ...(runId ? { runId } : {}), ...(runUrl ? { runUrl } : {}) };
  const outcome = await az.promote(scope, target, p.productionTag, record);
  let text: string;
  if (!outcome.changed) {
    text = tl.loc('AlreadyProduction', p.modelName, target.version, tagText);
  } else {
    text = tl.loc('Promoted', p.modelName, target.version, tagText);
    for (const d of outcome.demoted) console.log(tl.loc('Demoted', tagText, p.modelName, d));
  }
  console.log(text);
  const studioUrl = ws.studioModelUrl(p.modelName, target.version);
  console.log(`Studio: ${studioUrl}`);
  writeSummary({
    action: 'promote',
    modelName: p.modelName,
    modelVersion: target.version,
    gateResult: 'skipped',
    registered: false,
    outcome: text + (outcome.demoted.length ? ` Previous holder(s): ${outcome.demoted.join(', ')}.` : ''),
    studioUrl,
  });
  return { modelName: p.modelName, version: outcome.version, gateResult: 'skipped', registered: false };
}
