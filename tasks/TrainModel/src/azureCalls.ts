// The task's calls to Azure, one function each (the workspace and its datastore, the compute, the environment,
// the data inputs, the code version, the job: plan, submit, wait, cancel; MLflow metrics and run details).
// main gets them through its deps, so the L0 tests hand it recording fakes instead of mocking modules by path;
// everything around them (inputs, the code snapshot, the job body, lineage tags, outputs, the report) runs for real.
import { datastoreContainer, openWorkspace } from '../../shared/src/workspace';
import { ensureCodeVersion } from './code';
import { checkCompute } from './compute';
import { fetchMetrics, fetchRunDetails } from './dataplane';
import { resolveDataInputs } from './dataInputs';
import { registerEnvironment, resolveEnvironment } from './environment';
import { cancelJob, findPlan, submitJob } from './job';
import { waitForJob } from './monitor';

export interface TrainAzureCalls {
  openWorkspace: typeof openWorkspace;
  datastoreContainer: typeof datastoreContainer;
  checkCompute: typeof checkCompute;
  resolveEnvironment: typeof resolveEnvironment;
  registerEnvironment: typeof registerEnvironment;
  resolveDataInputs: typeof resolveDataInputs;
  findPlan: typeof findPlan;
  ensureCodeVersion: typeof ensureCodeVersion;
  submitJob: typeof submitJob;
  waitForJob: typeof waitForJob;
  cancelJob: typeof cancelJob;
  fetchMetrics: typeof fetchMetrics;
  fetchRunDetails: typeof fetchRunDetails;
}

export const azureCalls: TrainAzureCalls = {
  openWorkspace,
  datastoreContainer,
  checkCompute,
  resolveEnvironment,
  registerEnvironment,
  resolveDataInputs,
  findPlan,
  ensureCodeVersion,
  submitJob,
  waitForJob,
  cancelJob,
  fetchMetrics,
  fetchRunDetails,
};
