// Tags that lead from anything a task creates in Azure back to the pipeline run that made it.
import { createHash } from 'node:crypto';
import * as tl from 'azure-pipelines-task-lib/task';

export const MAX_TAG_VALUE = 256;

function v(name: string): string | undefined {
  const x = tl.getVariable(name);
  return x && x.trim().length > 0 ? x.trim() : undefined;
}

function cut(s: string): string {
  return s.length > MAX_TAG_VALUE ? s.slice(0, MAX_TAG_VALUE - 3) + '...' : s;
}

/** The run's web URL: <collection><project>/_build/results?buildId=<id>. */
export function pipelineRunUrl(): string | undefined {
  const collection = v('System.CollectionUri') ?? v('System.TeamFoundationCollectionUri');
  const project = v('System.TeamProject');
  const id = v('Build.BuildId');
  if (!collection || !project || !id) return undefined;
  const base = collection.endsWith('/') ? collection : collection + '/';
  return `${base}${encodeURIComponent(project)}/_build/results?buildId=${encodeURIComponent(id)}`;
}

/** ado.* tags from the pipeline variables plus `upstream` (job name, model id, image digest…); values ≤ 256 chars. */
export function lineageTags(upstream: Record<string, string> = {}): Record<string, string> {
  const tags: Record<string, string> = {};
  const put = (k: string, value: string | undefined): void => {
    if (value !== undefined && value !== '') tags[k] = cut(value);
  };
  put('ado.organization', v('System.CollectionUri') ?? v('System.TeamFoundationCollectionUri'));
  put('ado.project', v('System.TeamProject'));
  put('ado.pipeline', v('Build.DefinitionName'));
  put('ado.runId', v('Build.BuildId'));
  put('ado.runNumber', v('Build.BuildNumber'));
  put('ado.runUrl', pipelineRunUrl());
  put('ado.repository', v('Build.Repository.Name'));
  put('ado.branch', v('Build.SourceBranch'));
  put('ado.commit', v('Build.SourceVersion'));
  put('ado.stage', v('System.StageName'));
  put('ado.job', v('System.JobDisplayName') ?? v('System.JobName'));
  put('ado.release', v('Release.ReleaseName'));
  put('ado.releaseId', v('Release.ReleaseId'));
  put('ado.releaseUrl', v('Release.ReleaseWebUrl'));
  put('ado.environment', v('Release.EnvironmentName'));
  for (const [k, value] of Object.entries(upstream)) put(k, value);
  return tags;
}

/**
 * A key that is the same every time this job of this pipeline run executes (a retried stage re-runs
 * the job with the same key), so tasks can find what an earlier attempt created. With includeAttempt
 * each attempt gets its own key. `scope` separates several uses within one job (e.g. the task's inputs).
 * Format: "<buildId>-<12 hex>" — valid in Azure ML names and tags.
 */
export function pipelineRunKey(o: { includeAttempt?: boolean; scope?: string } = {}): string {
  const buildId = v('Build.BuildId') ?? v('Release.ReleaseId') ?? 'local';
  const parts = [
    v('System.CollectionId') ?? v('System.CollectionUri') ?? '',
    v('System.TeamProjectId') ?? v('System.TeamProject') ?? '',
    v('System.DefinitionId') ?? v('Build.DefinitionName') ?? '',
    buildId,
    v('Release.EnvironmentId') ?? '',
    v('System.StageName') ?? '',
    v('System.PhaseName') ?? v('System.JobName') ?? '',
    o.scope ?? '',
  ];
  if (o.includeAttempt) parts.push(`attempt=${v('System.JobAttempt') ?? '1'}`);
  const hash = createHash('sha256').update(parts.join('\n')).digest('hex').slice(0, 12);
  return `${buildId.replace(/[^a-zA-Z0-9_-]/g, '')}-${hash}`;
}
