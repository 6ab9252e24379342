// TrainModel's main: readInputs (pure) and the code snapshot → createAzureContext → reads (workspace, compute,
// environment, data inputs, the job plan: every name is checked before the first write) → writes (code version,
// environment, the job) → wait → metrics, outputs and summary → the outcome (tasks/TrainModel/README.md).
// Its Azure calls come in through `deps`, so the L0 tests hand it recording fakes instead of mocking modules by path.
import * as tl from 'azure-pipelines-task-lib/task';
import { type ContextWith, createAzureContext, machineLearning, rawArm } from '../../shared/src/azure';
import { cancellationSignal, failed, InputError, lineageTags, onCancel, type Outcome, succeeded, TimeoutError } from '../../shared/src/task';
import { azureCalls, type TrainAzureCalls } from './azureCalls';
import { readInputs } from './inputs';
import { jobFileIsSet } from './jobFileInputs';
import { commandJobBody, defaultJobBaseName } from './job';
import { printFailure, printMetrics, summaryMarkdown, type SummaryData } from './report';
import { formatBytes, snapshotCode } from './snapshot';
import { publishOutputs } from './outputs';

export interface TrainDeps {
  createAzureContext(): ContextWith<'ml' | 'arm'>;
  azure: TrainAzureCalls;
}

export const azureDeps: TrainDeps = {
  createAzureContext: () => createAzureContext({ ml: machineLearning, arm: rawArm }),
  azure: azureCalls,
};

export async function main(deps: TrainDeps = azureDeps): Promise<Outcome> {
  // a job file: its own path, loaded only then (the YAML parser is not part of a plain run's start-up)
  if (jobFileIsSet()) return (await import('./jobFileRun')).runJobFile(deps);
  const az = deps.azure;
  const p = readInputs();
  const snapshot = snapshotCode(p.codePath);
  if (snapshot.files.length === 0) throw new InputError('codePath', `'${p.codePath}' has no files left after .amlignore/.gitignore`, 'a folder with the training code');
  console.log(`Code snapshot: ${snapshot.files.length} files, ${formatBytes(snapshot.totalBytes)} (${snapshot.ignoredCount} ignored), sha256 ${snapshot.hash}`);

  // reads only: every name is checked before the first write
  const ctx = deps.createAzureContext();
  const ws = await az.resolveWorkspace(ctx, p.resourceGroup, p.workspaceName);
  const client = ctx.clients.ml;
  const compute = await az.checkCompute(client, ws, p.compute);
  const assetTags = lineageTags();
  let env = await az.resolveEnvironment(client, ws, p.environment, assetTags);
  const jobInputs = await az.resolveDataInputs(client, ws, p.jobInputs);
  const attempt = Number(tl.getVariable('System.JobAttempt') ?? '1') || 1;
  const plan = await az.findPlan(client, ws, { base: p.jobName ?? defaultJobBaseName(p.experimentName), attempt, explicit: p.jobName !== undefined });

  // writes
  const jobName = plan.name;
  const studioUrl = ws.studioJobUrl(jobName);
  let status: string;
  let code: SummaryData['code'] = { name: snapshot.hash, version: '1', reused: true, files: snapshot.files.length, bytes: formatBytes(snapshot.totalBytes) };
  if (plan.action === 'attach') {
    status = plan.status;
    console.log(tl.loc('JobReattached', jobName, status));
  } else {
    if (plan.previous) console.log(`The job of an earlier attempt, '${plan.previous.name}', ended ${plan.previous.status}: submitting '${jobName}' for attempt ${attempt}.`);
    const cv = await az.ensureCodeVersion({ client, ws, snapshot, container: () => az.datastoreContainer(ctx, ws), tags: assetTags });
    console.log(cv.reused
      ? tl.loc('CodeReused', snapshot.hash, snapshot.files.length, `${cv.name}:${cv.version}`)
      : tl.loc('CodeUploaded', cv.uploadedFiles, formatBytes(cv.uploadedBytes), cv.codeUri, `${cv.name}:${cv.version}`));
    code = { ...code, reused: cv.reused };
    env = await az.registerEnvironment(client, ws, env);
    console.log(tl.loc('EnvironmentResolved', `${env.reference}${env.reused ? '' : ' (registered now)'}`));
    const tags = { ...Object.fromEntries(p.tags), ...lineageTags({ 'aml.code': `${cv.name}:${cv.version}`, 'aml.environment': env.reference }) };
    const displayName = p.displayName ?? defaultDisplayName();
    status = await az.submitJob(ctx, ws, jobName, commandJobBody({ ...p, displayName, codeId: cv.id, environmentId: env.id, computeId: compute.id, inputs: jobInputs, tags }));
    console.log(tl.loc('JobSubmitted', jobName, compute.name));
  }
  console.log(tl.loc('StudioLink', studioUrl));
  const modelOutputUri = `azureml://jobs/${jobName}/outputs/${p.modelOutputName}`;
  const outputs = { jobName, studioUrl, modelOutputUri };
  if (!p.waitForCompletion) {
    console.log(tl.loc('NotWaiting', jobName, status));
    publishOutputs({ ...outputs, jobStatus: status, metrics: {} });
    return succeeded();
  }

  const unregister = onCancel(async () => {
    if (p.cancelJobOnPipelineCancel) await az.cancelJob(client, ws, jobName);
    else console.log(`cancelJobOnPipelineCancel is false: job '${jobName}' keeps running. ${studioUrl}`);
  }, `cancel Azure ML job '${jobName}'`);
  try {
    status = await az.waitForJob({ client, ws, jobName, studioUrl, timeoutMs: p.timeoutMinutes * 60_000, pollIntervalMs: p.pollIntervalSeconds * 1000, abortSignal: cancellationSignal() });
  } catch (err) {
    if (err instanceof TimeoutError) {
      unregister();
      publishOutputs({ ...outputs, jobStatus: err.lastState ?? status, metrics: {} });
      if (p.cancelJobOnPipelineCancel) {
        console.log(`Cancelling job '${jobName}' at the timeout.`);
        await az.cancelJob(client, ws, jobName).catch((e: unknown) => console.log(e instanceof Error ? e.message : String(e)));
      }
    }
    throw err;
  }
  unregister();

  const { metrics, problem } = await az.fetchMetrics(ctx, ws, jobName);
  if (Object.keys(metrics).length > 0) printMetrics(metrics);
  else console.log(tl.loc('NoMetrics', jobName, problem ?? 'none'));
  const summary: SummaryData = { jobName, status, studioUrl, experimentName: p.experimentName, compute: compute.name, environment: env.reference, code, reattached: plan.action === 'attach', metrics, modelOutputUri };
  publishOutputs({ ...outputs, jobStatus: status, metrics });
  if (status !== 'Completed') {
    const details = await az.fetchRunDetails(ctx, ws, jobName);
    await printFailure(details);
    const why = details?.error ? `Error: ${details.error}.` : 'Azure ML reported no error details.';
    summaryMarkdown({ ...summary, error: details?.error ?? status }).write(`Azure ML job ${jobName}`);
    return failed(tl.loc('JobFailed', jobName, status, why, studioUrl));
  }
  summaryMarkdown(summary).write(`Azure ML job ${jobName}`);
  return succeeded();
}

function defaultDisplayName(): string | undefined {
  const pipeline = tl.getVariable('Build.DefinitionName');
  const run = tl.getVariable('Build.BuildNumber');
  return pipeline ? `${pipeline}${run ? ` #${run}` : ''}` : undefined;
}
