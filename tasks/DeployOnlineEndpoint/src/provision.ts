// The writes before the rollout: the endpoint when it is missing (otherwise left alone), the environment and
// code versions, and green. Green is reused when it is serving already or this pipeline run made it (a re-run
// resumes instead of deploying again); otherwise it is PUT and followed at one status read per poll interval
// (30 s by default: a deployment provisions for minutes, and each read is an ARM request). A quota or VM size
// Azure refuses names the input; a deployment that fails to provision shows its two containers' logs.
import { ensureCodeVersion } from '../../shared/src/assets';
import { azureCall, AzureCallError, azureErrorInfo, datastoreContainer, followOperation } from '../../shared/src/azure';
import { InputError } from '../../shared/src/inputs';
import { TaskError, type Clock } from '../../shared/src/task';
import { deploymentBody, newEndpointBody } from './deploymentBody';
import { printGreenLogs } from './greenLogs';
import type { OnlineInputs } from './inputs';
import { getEndpoint, putDeployment, putEndpoint, trafficOf, type OnlineDeployment, type OnlineEndpoint } from './onlineApi';
import type { OnlineContext, OnlinePlan } from './prepare';
import { liveShare, mirrorShare } from './traffic';

export interface WaitSettings {
  pollIntervalMs: number;
  timeoutMs: number;
  abortSignal?: AbortSignal;
  clock?: Clock;
}

/** Creates the endpoint when it is missing; returns it as Azure shows it. */
export async function ensureEndpoint(ctx: OnlineContext, p: OnlineInputs, plan: OnlinePlan, w: WaitSettings): Promise<OnlineEndpoint> {
  if (plan.endpoint) return plan.endpoint;
  console.log(`Creating online endpoint '${p.endpointName}' (auth mode ${p.authMode}) in ${plan.ws.location}.`);
  const body = newEndpointBody({ location: plan.ws.location, authMode: p.authMode, ...(p.endpointDescription ? { description: p.endpointDescription } : {}), tags: plan.tags });
  const op = await putEndpoint(ctx, plan.scope, body);
  await followOperation(op, {
    what: `online endpoint '${p.endpointName}'`, timeoutMs: w.timeoutMs, timeoutInput: 'provisioningTimeoutMinutes',
    initialDelayMs: Math.min(w.pollIntervalMs, 5000), maxDelayMs: w.pollIntervalMs,
    ...(w.abortSignal ? { abortSignal: w.abortSignal } : {}), ...(w.clock ? { clock: w.clock } : {}),
  });
  const created = await getEndpoint(ctx, plan.scope);
  if (!created) throw new TaskError(`Online endpoint '${p.endpointName}' was created but cannot be read back.`);
  return created;
}

/** Why green need not be deployed again, or undefined when it must. */
export function reuseReason(green: OnlineDeployment | undefined, endpoint: OnlineEndpoint | undefined, runId: string | undefined): string | undefined {
  if (!green || green.properties.provisioningState !== 'Succeeded') return undefined;
  const name = green.name ?? '';
  const t = endpoint ? trafficOf(endpoint) : undefined;
  if (t && (liveShare(t, name) > 0 || mirrorShare(t, name) > 0)) return 'it already receives traffic (a rollout in progress resumes)';
  if (runId && green.tags?.['ado.runId'] === runId) return `this pipeline run (${runId}) made it`;
  return undefined;
}

/** An Azure refusal of the instance type or count, as the bad input it is. */
function computeInputError(err: AzureCallError, p: OnlineInputs): InputError | undefined {
  const info = azureErrorInfo(err.cause);
  const text = `${info.code ?? ''} ${info.message ?? ''}`;
  const azure = (info.message ?? '').replace(/##/g, '#').slice(0, 300);
  if (/quota/i.test(text)) {
    return new InputError('instanceType', `Azure has not enough quota for ${p.instanceCount} x ${p.instanceType} (${info.code ?? 'OutOfQuota'}: ${azure})`, 'a VM size and instanceCount within the subscription\'s quota (request more quota for the size, or choose another instanceType)');
  }
  if (/instance ?type|sku|vm size/i.test(text) && (err.statusCode === 400 || err.statusCode === 409)) {
    return new InputError('instanceType', `Azure refused ${p.instanceType} (${info.code ?? 'BadArgument'}: ${azure})`, 'a VM size offered for managed online deployments in the workspace\'s region');
  }
  if (/instance ?count|capacity/i.test(text) && err.statusCode === 400) {
    return new InputError('instanceCount', `Azure refused ${p.instanceCount} instance(s) (${info.code ?? 'BadArgument'}: ${azure})`, 'an instance count Azure accepts for the size');
  }
  return undefined;
}

/** Registers what is missing, PUTs green and waits until it provisioned; returns whether it was created. */
export async function ensureGreen(ctx: OnlineContext, p: OnlineInputs, plan: OnlinePlan, endpoint: OnlineEndpoint, w: WaitSettings & { runId?: string }): Promise<'created' | 'reused'> {
  const reason = reuseReason(plan.greenDeployment, endpoint, w.runId);
  if (reason) {
    console.log(`Deployment '${plan.green}' exists and provisioned; reusing it: ${reason}.`);
    return 'reused';
  }
  let environmentId = plan.environment.id;
  if (plan.environment.toCreate) {
    const { name, version, body } = plan.environment.toCreate;
    const created = await azureCall('Registering', `environment '${name}:${version}' in workspace '${plan.ws.name}'`, () => ctx.clients.ml.environmentVersions.createOrUpdate(plan.ws.resourceGroup, plan.ws.name, name, version, body));
    environmentId = created.id ?? environmentId;
    console.log(`Registered environment ${plan.environment.reference}.`);
  }
  let codeId: string | undefined;
  if (plan.code) {
    const code = await ensureCodeVersion({ scope: plan.workspace, snapshot: plan.code.snapshot, container: () => datastoreContainer(ctx, plan.ws), tags: plan.tags });
    codeId = code.id;
    console.log(code.reused ? `Code: version ${code.name}:${code.version} (same content, reused).` : `Code: uploaded ${code.uploadedFiles} file(s) as version ${code.name}:${code.version}.`);
  }
  const body = deploymentBody(p, {
    location: endpoint.location, modelId: plan.modelArmId, tags: plan.tags,
    ...(codeId && plan.code ? { codeId, scoringScript: plan.code.scoringScript } : {}),
    ...(environmentId ? { environmentId } : {}),
  });
  console.log(`${plan.greenDeployment ? 'Updating' : 'Creating'} deployment '${plan.green}': model ${p.model.name}:${plan.modelVersion}, ${p.instanceCount} x ${p.instanceType}, environment ${plan.environment.reference}${p.collectData ? ', data collection on' : ''}.`);
  let op;
  try {
    op = await putDeployment(ctx, plan.scope, plan.green, body);
  } catch (err) {
    const input = err instanceof AzureCallError ? computeInputError(err, p) : undefined;
    throw input ?? err;
  }
  try {
    await followOperation(op, {
      what: `deployment '${plan.green}'`, timeoutMs: w.timeoutMs, timeoutInput: 'provisioningTimeoutMinutes',
      // one status read per interval from the start: provisioning takes minutes, not seconds
      initialDelayMs: w.pollIntervalMs, maxDelayMs: w.pollIntervalMs,
      ...(w.abortSignal ? { abortSignal: w.abortSignal } : {}), ...(w.clock ? { clock: w.clock } : {}),
    });
  } catch (err) {
    if (err instanceof TaskError && !w.abortSignal?.aborted) {
      await printGreenLogs(ctx, plan.scope, plan.green);
      const quota = /quota/i.test(err.message) ? ` Input 'instanceType' / 'instanceCount' set the size.` : '';
      throw new TaskError(`${err.message.replace(/##/g, '#')}${quota} Nothing serves from '${plan.green}'; the endpoint's traffic is unchanged. Its logs are above.`);
    }
    throw err;
  }
  console.log(`Deployment '${plan.green}' provisioned.`);
  return 'created';
}
