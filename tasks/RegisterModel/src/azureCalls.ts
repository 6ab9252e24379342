// The task's calls to Azure, one function each (the workspace, the job's output, the model versions, MLflow
// metrics, the upload, register and promote). main gets them through its deps, so the L0 tests hand it
// recording fakes instead of mocking modules by path; everything around them (the gate, version numbering,
// content hashing, tags, the summary) runs for real.
import { datastoreContainer, openWorkspace } from '../../shared/src/workspace';
import { jobMetrics } from './metrics';
import { listVersions } from './modelVersions';
import { promote, promotionTarget } from './promote';
import { registerVersion } from './register';
import { resolveJobSource, uploadPlanned } from './source';

export interface RegisterAzureCalls {
  openWorkspace: typeof openWorkspace;
  datastoreContainer: typeof datastoreContainer;
  resolveJobSource: typeof resolveJobSource;
  uploadPlanned: typeof uploadPlanned;
  listVersions: typeof listVersions;
  jobMetrics: typeof jobMetrics;
  registerVersion: typeof registerVersion;
  promotionTarget: typeof promotionTarget;
  promote: typeof promote;
}

export const azureCalls: RegisterAzureCalls = {
  openWorkspace,
  datastoreContainer,
  resolveJobSource,
  uploadPlanned,
  listVersions,
  jobMetrics,
  registerVersion,
  promotionTarget,
  promote,
};
