// Everything TrainModel reads before it writes: the compute, the environment, the data inputs and the jobs of
// earlier attempts. Nothing here changes Azure, so a bad name stops the task with nothing uploaded or submitted.
// The plan is a plain object: a job file (tasks/TrainModel/README.md, `jobFile`) gets a plan of its own beside it.
import * as tl from 'azure-pipelines-task-lib/task';
import { lineageTags } from '../../shared/src/lineage';
import type { WorkspaceScope } from '../../shared/src/workspace';
import type { TrainAzureCalls } from './azureCalls';
import type { ComputeInfo } from './compute';
import type { ResolvedJobInput } from './dataInputs';
import type { ResolvedEnvironment } from './environment';
import type { TrainInputs } from './inputs';
import { defaultJobBaseName, type JobPlan } from './job';
import { CODE_VERSION, codeVersionArmId, type CodeSnapshot } from '../../shared/src/assets';

/** A command job from the task's inputs. */
export interface CommandJobPlan {
  kind: 'command';
  inputs: TrainInputs;
  snapshot: CodeSnapshot;
  compute: ComputeInfo;
  /** Resolved; `toCreate` set when a conda environment version is still to be registered. */
  environment: ResolvedEnvironment;
  jobInputs: Map<string, ResolvedJobInput>;
  /** Lineage tags of the assets the run creates (code version, environment). */
  assetTags: Record<string, string>;
  /** System.JobAttempt. */
  attempt: number;
  /** Submit a new job or re-attach to one an earlier attempt left. */
  job: JobPlan;
}

export type TrainPlan = CommandJobPlan;

export async function prepare(scope: WorkspaceScope, local: { inputs: TrainInputs; snapshot: CodeSnapshot }, az: TrainAzureCalls): Promise<TrainPlan> {
  const p = local.inputs;
  const compute = await az.checkCompute(scope, p.compute);
  const assetTags = lineageTags();
  const environment = await az.resolveEnvironment(scope, p.environment, assetTags);
  const jobInputs = await az.resolveDataInputs(scope, p.jobInputs);
  const attempt = Number(tl.getVariable('System.JobAttempt') ?? '1') || 1;
  // re-attach only to a job that runs what this run would submit: the snapshot's code version and this environment
  const expect = { codeId: codeVersionArmId(scope.ws, local.snapshot.hash, CODE_VERSION), environmentId: environment.id };
  const job = await az.findPlan(scope, { base: p.jobName ?? defaultJobBaseName(p.experimentName), attempt, explicit: p.jobName !== undefined, expect });
  return { kind: 'command', inputs: p, snapshot: local.snapshot, compute, environment, jobInputs, assetTags, attempt, job };
}
