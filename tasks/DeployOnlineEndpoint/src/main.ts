// DeployOnlineEndpoint's main: readInputs (pure) → createAzureContext → prepare (reads only) → execute: the
// endpoint when missing, green, the rollout in steps (rolled back on a failed step or a cancel), then deleteOld,
// outputs and the summary → the outcome. Its Azure dependencies come in through `deps`, so the L0 tests hand
// it fake clients and a fake scoring client instead of mocking modules by path.
import * as tl from 'azure-pipelines-task-lib/task';
import { createAzureContext, followOperation, machineLearning, rawArm } from '../../shared/src/azure';
import { agentHttp } from '../../shared/src/http';
import { onlineEndpointToken, type ScoringClient, type ScoringClientOptions } from '../../shared/src/scoring';
import { cancellationSignal, failed, succeeded, TaskError, type Clock, type Outcome } from '../../shared/src/task';
import { readInputs, type OnlineInputs } from './inputs';
import { deleteDeployment, getEndpoint, primaryKey, type OnlineEndpoint } from './onlineApi';
import { prepare, type OnlineContext, type OnlinePlan } from './prepare';
import { ensureEndpoint, ensureGreen } from './provision';
import { writeSummary, setOutputs } from './report';
import { runRollout } from './rolloutRun';
import { deploymentProber } from './stepProbe';

export interface OnlineDeps {
  createAzureContext(): OnlineContext;
  /** Makes the client that probes a deployment (default: the real ScoringClient). */
  scoringClient?: (o: ScoringClientOptions) => ScoringClient;
  /** The waits' clock (the L0 tests use a virtual one). */
  clock?: Clock;
}

export const azureDeps: OnlineDeps = {
  // the ML SDK for workspace, model, environment and code reads; raw ARM at 2024-04-01 for endpoints and deployments
  createAzureContext: () => createAzureContext({ ml: machineLearning, arm: rawArm }),
};

/** The credential the probe sends: the endpoint's key, or an Entra token of the service connection. */
async function scoringCredential(ctx: OnlineContext, plan: OnlinePlan, endpoint: OnlineEndpoint): Promise<string> {
  if (endpoint.properties.authMode === 'AADToken') return onlineEndpointToken(ctx.credential, ctx.cloud, cancellationSignal());
  if (endpoint.properties.authMode !== 'Key') throw new TaskError(`Online endpoint '${plan.scope.endpoint}' uses auth mode ${endpoint.properties.authMode}; this task probes endpoints with Key or AADToken.`);
  const key = await primaryKey(ctx, plan.scope);
  if (!key) throw new TaskError(`Online endpoint '${plan.scope.endpoint}' returned no primary key.`);
  tl.setSecret(key);
  return key;
}

async function deleteOld(ctx: OnlineContext, p: OnlineInputs, plan: OnlinePlan, blue: string, deps: OnlineDeps): Promise<void> {
  console.log(`Deleting the previous deployment '${blue}' (deleteOld).`);
  const op = await deleteDeployment(ctx, plan.scope, blue);
  await followOperation(op, {
    what: `deletion of deployment '${blue}'`, timeoutMs: p.provisioningTimeoutMs, timeoutInput: 'provisioningTimeoutMinutes',
    initialDelayMs: Math.min(5000, p.pollIntervalMs), maxDelayMs: p.pollIntervalMs, abortSignal: cancellationSignal(), ...(deps.clock ? { clock: deps.clock } : {}),
  });
}

export async function main(deps: OnlineDeps = azureDeps): Promise<Outcome> {
  const p = readInputs();
  const ctx = deps.createAzureContext();
  const plan = await prepare(ctx, p);
  const blueBefore = plan.endpoint ? Object.entries(plan.endpoint.properties.traffic ?? {}).find(([k, v]) => v > 0 && k.toLowerCase() !== plan.green.toLowerCase())?.[0] : undefined;
  console.log(tl.loc('Plan', `${p.model.name}:${plan.modelVersion}`, plan.green, p.endpointName, plan.endpoint ? `exists; serving: ${blueBefore ?? 'nothing else'}` : 'to be created'));

  const wait = { pollIntervalMs: p.pollIntervalMs, timeoutMs: p.provisioningTimeoutMs, abortSignal: cancellationSignal(), ...(deps.clock ? { clock: deps.clock } : {}) };
  const endpoint = await ensureEndpoint(ctx, p, plan, wait);
  const runId = tl.getVariable('Build.BuildId');
  const greenAction = await ensureGreen(ctx, p, plan, endpoint, { ...wait, ...(runId ? { runId } : {}) });

  const credential = await scoringCredential(ctx, plan, endpoint);
  const scoringUri = endpoint.properties.scoringUri ?? '';
  if (!scoringUri) throw new TaskError(`Online endpoint '${p.endpointName}' reports no scoringUri.`);
  const prober = deploymentProber({ scoringUri, credential, settings: p.check, agentHttp: agentHttp(), signal: cancellationSignal(), ...(deps.scoringClient ? { scoringClient: deps.scoringClient } : {}) });
  const result = await runRollout({
    ctx, scope: plan.scope, endpoint, plan: { green: plan.green, steps: p.steps }, check: p.check, prober,
    stepWaitMs: p.stepWaitMs, pollIntervalMs: p.pollIntervalMs, timeoutMs: p.provisioningTimeoutMs, abortSignal: cancellationSignal(),
    ...(deps.clock ? { clock: deps.clock } : {}),
  });

  let deletedOld: string | undefined;
  if (!result.failure && p.deleteOld && result.blue) {
    await deleteOld(ctx, p, plan, result.blue, deps);
    deletedOld = result.blue;
  }
  const final = (await getEndpoint(ctx, plan.scope)) ?? endpoint;
  const report = {
    endpoint: p.endpointName, green: plan.green, ...(result.blue ? { blue: result.blue } : {}), scoringUri,
    swaggerUri: final.properties.swaggerUri ?? '', model: `${p.model.name}:${plan.modelVersion}`, green_action: greenAction, rows: result.rows,
    outcome: result.failure ? `rolled back to ${result.blue ?? 'the previous deployment'}` : `${plan.green} serves 100 %`,
    ...(deletedOld ? { deletedOld } : {}),
  };
  setOutputs(report);
  writeSummary(report);
  if (result.failure) return failed(result.failure);
  console.log(tl.loc('Done', plan.green, p.endpointName, result.blue ? `; '${result.blue}' ${deletedOld ? 'was deleted' : 'stays for a one-step rollback (deleteOld is false)'}` : ''));
  return succeeded();
}
