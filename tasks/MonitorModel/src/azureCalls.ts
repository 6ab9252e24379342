// The task's calls to Azure and Azure DevOps, one function each. main gets them through its deps, so the L0
// tests hand it fakes (local folders for the datastores, an in-memory trend, a recording pipelines client)
// while the readers, the statistics, the verdicts, the report and the outcome run for real.
import type { ContextWith, WorkspaceInfo } from '../../shared/src/azure';
import type { AgentHttp } from '../../shared/src/http';
import { datastoreContainer, resolveWorkspace } from '../../shared/src/workspace';
import type { ModelVersionInfo } from '../../RegisterModel/src/modelVersions';
import { jobDataInputs, productionModel, type JobDataInput, type ModelChoice } from './azure/lineage';
import { locate } from './azure/locate';
import { blobTrendStore, type TrendStore } from './azure/trendStore';
import type { DataRef } from './dataRef';
import type { DataLocation } from './data/location';
import { pipelinesClient, pipelinesSettings, type PipelinesClient } from './devops/pipelines';

export interface MonitorAzureCalls {
  resolveWorkspace(ctx: ContextWith<'ml'>, resourceGroup: string, workspaceName: string): Promise<WorkspaceInfo>;
  productionModel(ctx: ContextWith<'ml'>, ws: WorkspaceInfo, p: ModelChoice): Promise<ModelVersionInfo>;
  jobDataInputs(ctx: ContextWith<'ml'>, p: { resourceGroup: string; workspaceName: string }, jobName: string): Promise<JobDataInput[] | undefined>;
  locate(ctx: ContextWith<'ml'>, ws: WorkspaceInfo, ref: DataRef, input: string): Promise<DataLocation>;
  trendStore(ctx: ContextWith<'ml'>, ws: WorkspaceInfo): Promise<TrendStore>;
  /** Azure DevOps: the job's collection, project and System.AccessToken */
  pipelines(http: AgentHttp): PipelinesClient;
}

export const azureCalls: MonitorAzureCalls = {
  resolveWorkspace,
  productionModel,
  jobDataInputs,
  locate,
  trendStore: async (ctx, ws) => blobTrendStore(await datastoreContainer(ctx, ws), ws.defaultDatastore.name),
  pipelines: (http) => pipelinesClient(http, pipelinesSettings()),
};
