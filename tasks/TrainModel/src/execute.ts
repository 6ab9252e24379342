// TrainModel's writes, after every read succeeded: the code version (upload + register unless it exists), the
// conda environment version, the job. A plan that re-attaches to an earlier attempt's job writes nothing.
import * as tl from 'azure-pipelines-task-lib/task';
import { onCancel } from '../../shared/src/cancellation';
import { lineageTags } from '../../shared/src/lineage';
import type { WorkspaceScope } from '../../shared/src/workspace';
import type { TrainAzureCalls } from './azureCalls';
import type { ResolvedEnvironment } from './environment';
import { commandJobBody, notReusedLine } from './job';
import type { TrainPlan } from './prepare';
import type { SummaryData } from './report';
import { formatBytes } from '../../shared/src/assets';

/** The job the run follows, submitted now or re-attached. */
export interface StartedJob {
  name: string;
  status: string;
  studioUrl: string;
  code: SummaryData['code'];
  environment: ResolvedEnvironment;
  /** Unregisters the cancel hook registered before the submission (followJob takes over with its own). */
  releaseCancelHook?: () => void;
}

/**
 * The pipeline's cancel hook, registered before the job is submitted: a cancel that arrives while the PUT is in
 * flight waits for it and cancels the job it created (the agent allows about 5 s); before the PUT nothing exists to
 * cancel. Only while the task would follow the job (waitForCompletion), as followJob's own hook.
 */
export function cancelHookDuringSubmission(scope: WorkspaceScope<'ml' | 'arm'>, name: string, p: Pick<TrainPlan['inputs'], 'waitForCompletion' | 'cancelJobOnPipelineCancel'>, az: Pick<TrainAzureCalls, 'cancelJob'>): { submitting(put: Promise<unknown>): void; release(): void } {
  let put: Promise<unknown> | undefined;
  const release = p.waitForCompletion
    ? onCancel(async () => {
      if (!put || !(await put.then(() => true, () => false))) return; // nothing was created
      if (p.cancelJobOnPipelineCancel) await az.cancelJob(scope, name);
      else console.log(`cancelJobOnPipelineCancel is false: job '${name}' keeps running. ${scope.ws.studioJobUrl(name)}`);
    }, `cancel Azure ML job '${name}'`)
    : () => undefined;
  return { submitting: (x) => void (put = x), release };
}

export async function execute(scope: WorkspaceScope<'ml' | 'arm'>, plan: TrainPlan, az: TrainAzureCalls): Promise<StartedJob> {
  const { inputs: p, snapshot } = plan;
  const name = plan.job.name;
  const studioUrl = scope.ws.studioJobUrl(name);
  let code: SummaryData['code'] = { name: snapshot.hash, version: '1', reused: true, files: snapshot.files.length, bytes: formatBytes(snapshot.totalBytes) };
  if (plan.job.action === 'attach') {
    console.log(tl.loc('JobReattached', name, plan.job.status));
    return { name, status: plan.job.status, studioUrl, code, environment: plan.environment };
  }
  const passedOver = notReusedLine(plan.job);
  if (passedOver) console.log(passedOver);
  if (plan.job.previous) console.log(`The job of an earlier attempt, '${plan.job.previous.name}', ended ${plan.job.previous.status}: submitting '${name}' for attempt ${plan.attempt}.`);
  const cv = await az.ensureCodeVersion({ scope, snapshot, container: () => az.datastoreContainer(scope.ctx, scope.ws), tags: plan.assetTags });
  console.log(cv.reused
    ? tl.loc('CodeReused', snapshot.hash, snapshot.files.length, `${cv.name}:${cv.version}`)
    : tl.loc('CodeUploaded', cv.uploadedFiles, formatBytes(cv.uploadedBytes), cv.codeUri, `${cv.name}:${cv.version}`));
  code = { ...code, reused: cv.reused };
  const environment = await az.registerEnvironment(scope, plan.environment);
  console.log(tl.loc('EnvironmentResolved', `${environment.reference}${environment.reused ? '' : ' (registered now)'}`));
  const tags = { ...Object.fromEntries(p.tags), ...lineageTags({ 'aml.code': `${cv.name}:${cv.version}`, 'aml.environment': environment.reference }) };
  const displayName = p.displayName ?? defaultDisplayName();
  const hook = cancelHookDuringSubmission(scope, name, p, az);
  let status: string;
  try {
    const put = az.submitJob(scope, name, commandJobBody({ ...p, displayName, codeId: cv.id, environmentId: environment.id, computeId: plan.compute.id, inputs: plan.jobInputs, tags }));
    hook.submitting(put);
    status = await put;
  } catch (err) {
    hook.release();
    throw err;
  }
  console.log(tl.loc('JobSubmitted', name, plan.compute.name));
  return { name, status, studioUrl, code, environment, releaseCancelHook: hook.release };
}

function defaultDisplayName(): string | undefined {
  const pipeline = tl.getVariable('Build.DefinitionName');
  const run = tl.getVariable('Build.BuildNumber');
  return pipeline ? `${pipeline}${run ? ` #${run}` : ''}` : undefined;
}
