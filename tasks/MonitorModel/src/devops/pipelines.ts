// Queueing the training pipeline through the Azure DevOps REST API (Pipelines - Run Pipeline, api-version 7.1:
// POST {collectionUri}{project}/_apis/pipelines/{pipelineId}/runs with `resources.repositories.self.refName`
// and `templateParameters`; Pipelines - Get for the existence check) with the job's System.AccessToken.
// The token goes only to the agent's own System.CollectionUri.
import * as tl from 'azure-pipelines-task-lib/task';
import { httpRequest, type AgentHttp } from '../../../shared/src/http';
import { TaskError } from '../../../shared/src/task';

export interface PipelineInfo {
  id: number;
  name: string;
}

export interface QueuedRun {
  id: number;
  name: string;
  state: string;
  webUrl: string;
}

export interface RunRequest {
  branch?: string;
  templateParameters: Record<string, string>;
}

export interface PipelinesClient {
  /** where runs are queued, for messages: "<collection> project '<project>'" */
  readonly where: string;
  get(id: number): Promise<PipelineInfo | undefined>;
  queue(id: number, run: RunRequest): Promise<QueuedRun>;
}

/** Text from Azure DevOps in a message: one line, no logging command, bounded. */
export function neutral(text: string, max = 300): string {
  const one = text.replace(/\s+/g, ' ').replace(/##(vso)?\[/gi, '#\u200b#$1[').trim();
  return one.length > max ? `${one.slice(0, max - 1)}…` : one;
}

function adoMessage(body: Buffer): string {
  const text = body.toString('utf8');
  try {
    const o = JSON.parse(text) as { message?: unknown };
    if (typeof o.message === 'string') return neutral(o.message);
  } catch { /* not JSON: an HTML sign-in page or a proxy's reply */ }
  return text.trim().startsWith('<') ? 'an HTML page instead of JSON (a sign-in page: the token was not accepted)' : neutral(text || '(no body)');
}

export interface PipelinesSettings {
  collectionUri: string;
  project: string;
  token: string;
}

/** The agent's collection, project and System.AccessToken; a one-line failure when the job has no token. */
export function pipelinesSettings(): PipelinesSettings {
  const token = tl.getEndpointAuthorizationParameter('SYSTEMVSSCONNECTION', 'ACCESSTOKEN', true) || tl.getVariable('System.AccessToken');
  const collectionUri = tl.getVariable('System.CollectionUri') || tl.getVariable('System.TeamFoundationCollectionUri');
  const project = tl.getVariable('System.TeamProject') || tl.getVariable('System.TeamProjectId');
  if (!token) {
    throw new TaskError("Input 'onDrift': is 'retrain' but the job has no System.AccessToken. Expected the task to run in an Azure DevOps pipeline job (the agent hands every task the job's token).");
  }
  if (!collectionUri || !/^https?:\/\//i.test(collectionUri) || !project) {
    throw new TaskError("Input 'onDrift': is 'retrain' but System.CollectionUri or System.TeamProject is not set. Expected the task to run in an Azure DevOps pipeline.");
  }
  tl.setSecret(token);
  return { collectionUri: collectionUri.endsWith('/') ? collectionUri : `${collectionUri}/`, project, token };
}

export function pipelinesClient(http: AgentHttp, s: PipelinesSettings): PipelinesClient {
  const base = `${s.collectionUri}${encodeURIComponent(s.project)}/_apis/pipelines`;
  const headers = { authorization: `Bearer ${s.token}`, accept: 'application/json', 'content-type': 'application/json' };
  const where = `${s.collectionUri} project '${s.project}'`;
  const refused = (status: number, body: Buffer, action: string): TaskError =>
    new TaskError(`${action} in ${where} failed: ${status}: ${adoMessage(body)}. Hint: the job's System.AccessToken needs "Queue builds" on the training pipeline (project settings → pipelines → security).`);
  return {
    where,
    async get(id) {
      const r = await httpRequest(http, { method: 'GET', url: `${base}/${id}?api-version=7.1`, headers });
      if (r.status === 404) return undefined;
      if (r.status !== 200) throw refused(r.status, r.body, `Reading pipeline ${id}`);
      const o = JSON.parse(r.body.toString('utf8')) as { id?: number; name?: string };
      return { id: o.id ?? id, name: neutral(o.name ?? String(id), 120) };
    },
    async queue(id, run) {
      const body = {
        ...(run.branch ? { resources: { repositories: { self: { refName: run.branch } } } } : {}),
        templateParameters: run.templateParameters,
      };
      const r = await httpRequest(http, { method: 'POST', url: `${base}/${id}/runs?api-version=7.1`, headers, body: JSON.stringify(body) });
      if (r.status === 404) throw pipelineMissing(id, where);
      if (r.status !== 200 && r.status !== 201) throw refused(r.status, r.body, `Queueing a run of pipeline ${id}`);
      const o = JSON.parse(r.body.toString('utf8')) as { id?: number; name?: string; state?: string; _links?: { web?: { href?: string } } };
      const webUrl = o._links?.web?.href ?? `${s.collectionUri}${encodeURIComponent(s.project)}/_build/results?buildId=${o.id}`;
      return { id: o.id ?? 0, name: neutral(o.name ?? '', 120), state: o.state ?? 'unknown', webUrl: neutral(webUrl, 500) };
    },
  };
}

/** The one-line failure for a pipeline id the project does not have. */
export function pipelineMissing(id: number, where: string): TaskError {
  return new TaskError(`Input 'retrainPipelineId': pipeline ${id} does not exist in ${where} (or the job's build service identity cannot see it). Expected the id of the training pipeline (the definitionId in its URL).`);
}
