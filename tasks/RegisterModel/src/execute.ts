// RegisterModel's writes, after every read succeeded: register (upload a local model, then the version) or promote
// (move the production tag), each with its log lines and run summary. A plan the reads already decided writes nothing.
import * as tl from 'azure-pipelines-task-lib/task';
import { lineageTags } from '../../shared/src/lineage';
import type { WorkspaceScope } from '../../shared/src/workspace';
import type { RegisterAzureCalls } from './azureCalls';
import { nextVersion } from './modelVersions';
import type { RegisterPlan, TaskOutcome } from './prepare';
import { versionContent } from './register';
import { writeSummary } from './report';

/** The writes of the plan: none when the reads decided (reuse, failed gate), else register or promote. */
export async function execute(scope: WorkspaceScope, plan: RegisterPlan, az: RegisterAzureCalls): Promise<TaskOutcome> {
  if (plan.kind === 'done') return plan.outcome;
  return plan.kind === 'promote' ? executePromote(scope, plan, az) : executeRegister(scope, plan, az);
}

/** Upload a local model, then register the version (or reuse one that already holds it). */
async function executeRegister(scope: WorkspaceScope, plan: Extract<RegisterPlan, { kind: 'register' }>, az: RegisterAzureCalls): Promise<TaskOutcome> {
  const { inputs: p, source, local, versions, metrics, from, gateResult, evaluation, rows } = plan;
  const { ws } = scope;
  if (local) console.log(await az.uploadPlanned(await az.datastoreContainer(scope.ctx, ws), local, ws.defaultDatastore.name));

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
  const outcome = await az.registerVersion(scope, p.modelName, p.modelVersion ?? nextVersion(versions), content, { explicit: p.modelVersion !== undefined });
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

/** Move the production tag to the version (no write when it already holds it alone). */
async function executePromote(scope: WorkspaceScope, plan: Extract<RegisterPlan, { kind: 'promote' }>, az: RegisterAzureCalls): Promise<TaskOutcome> {
  const { inputs: p, target, record } = plan;
  const tagText = `${p.productionTag.key}=${p.productionTag.value}`;
  const outcome = await az.promote(scope, p.modelName, target, p.productionTag, record);
  let text: string;
  if (!outcome.changed) {
    text = tl.loc('AlreadyProduction', p.modelName, target.version, tagText);
  } else {
    text = tl.loc('Promoted', p.modelName, target.version, tagText);
    for (const d of outcome.demoted) console.log(tl.loc('Demoted', tagText, p.modelName, d));
  }
  console.log(text);
  const studioUrl = scope.ws.studioModelUrl(p.modelName, target.version);
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
