// TrainModel's writes, after every read succeeded: the code version (upload + register unless it exists), the
// conda environment version, the job. A plan that re-attaches to an earlier attempt's job writes nothing.
import * as tl from 'azure-pipelines-task-lib/task';
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
  const status = await az.submitJob(scope, name, commandJobBody({ ...p, displayName, codeId: cv.id, environmentId: environment.id, computeId: plan.compute.id, inputs: plan.jobInputs, tags }));
  console.log(tl.loc('JobSubmitted', name, plan.compute.name));
  return { name, status, studioUrl, code, environment };
}

function defaultDisplayName(): string | undefined {
  const pipeline = tl.getVariable('Build.DefinitionName');
  const run = tl.getVariable('Build.BuildNumber');
  return pipeline ? `${pipeline}${run ? ` #${run}` : ''}` : undefined;
}
