// Azure DevOps Pipelines on dev.azure.localhost (what MonitorModel's onDrift=retrain calls), api-version 7.1:
//   GET  /{org}/{project}/_apis/pipelines/{pipelineId}          → the pipeline (404 when the project has no such id)
//   POST /{org}/{project}/_apis/pipelines/{pipelineId}/runs     → queues a run: { id, name, state: inProgress, _links.web.href }
// Bearer = the planted System.AccessToken (anything else: 401, as Azure DevOps answers a bad bearer token).
// The body is checked as Azure DevOps does: JSON, `templateParameters` a map of strings whose names the
// pipeline declares ("Unexpected parameter"), `resources.repositories.self.refName` a branch the repository has.
// Shapes: Pipelines - Get / Run Pipeline (Azure DevOps REST 7.1, learn.microsoft.com/rest/api/azure/devops/pipelines).
import * as crypto from 'crypto';
import type { EmulatorApi, RouteContext, ServiceModule } from '../types';

export interface PipelineRecord {
  id: number;
  name: string;
  project: string;
  folder: string;
  /** template parameters the YAML declares (name → default; undefined = required) */
  parameters: Record<string, string | undefined>;
  branches: string[];
  defaultBranch: string;
}

export interface QueuedRunRecord {
  id: number;
  pipelineId: number;
  project: string;
  refName: string;
  templateParameters: Record<string, string>;
  at: string;
}

const key = (project: string, id: number | string): string => `${project}/${id}`.toLowerCase();

export function devopsPipelines(emulator: { state: { bucket<T>(name: string): Map<string, T> } }): Map<string, PipelineRecord> {
  return emulator.state.bucket<PipelineRecord>('devops.pipelines');
}

/** Runs queued through the route, oldest first. */
export function queuedRuns(emulator: { state: { bucket<T>(name: string): Map<string, T> } }): QueuedRunRecord[] {
  const b = emulator.state.bucket<QueuedRunRecord[]>('devops.runs');
  if (!b.has('all')) b.set('all', []);
  return b.get('all') as QueuedRunRecord[];
}

/** Seeds a pipeline (tests, demo): `addPipeline(emu, { id: 12, name: 'aml-build', project: 'ml-project', parameters: { retrainReason: '' } })`. */
export function addPipeline(emulator: { state: { bucket<T>(name: string): Map<string, T> } }, p: Partial<PipelineRecord> & { id: number; name: string; project: string }): PipelineRecord {
  const rec: PipelineRecord = { folder: '\\', parameters: {}, branches: ['refs/heads/main'], defaultBranch: 'refs/heads/main', ...p };
  devopsPipelines(emulator).set(key(p.project, p.id), rec);
  return rec;
}

function adoError(ctx: RouteContext, status: number, typeKey: string, message: string): void {
  ctx.json(status, {
    $id: '1', innerException: null, message, typeName: `Microsoft.Azure.Pipelines.WebApi.${typeKey}, Microsoft.Azure.Pipelines.WebApi`,
    typeKey, errorCode: 0, eventId: 3000,
  }, { activityid: crypto.randomUUID() });
}

/** Token, api-version and pipeline checks shared by both routes; the pipeline, or undefined when answered. */
function pipelineOf(emu: EmulatorApi, ctx: RouteContext): PipelineRecord | undefined {
  if ((ctx.req.headers.authorization ?? '') !== `Bearer ${emu.identities.wif.systemAccessToken}`) {
    ctx.send(401, { 'www-authenticate': 'Bearer authorization_uri=https://login.localhost/', 'x-tfs-processid': crypto.randomUUID() });
    return undefined;
  }
  const v = ctx.query['api-version'];
  if (!v) { adoError(ctx, 400, 'VssVersionNotSpecifiedException', `No api-version was supplied for the ${ctx.method} request.`); return undefined; }
  if (!/^7\.1(-preview(\.\d+)?)?$/.test(v) && !/^7\.[2-9]/.test(v)) { adoError(ctx, 400, 'VssVersionOutOfRangeException', `The requested REST API version of ${v} is out of range for this server.`); return undefined; }
  const id = Number(ctx.params.pipelineId);
  const p = Number.isSafeInteger(id) ? devopsPipelines(emu).get(key(decodeURIComponent(ctx.params.project), id)) : undefined;
  if (!p) { adoError(ctx, 404, 'PipelineNotFoundException', `Pipeline with id ${ctx.params.pipelineId} not found.`); return undefined; }
  return p;
}

function pipelineBody(ctx: RouteContext, p: PipelineRecord): Record<string, unknown> {
  const url = `${ctx.baseUrl}/${ctx.params.org}/${encodeURIComponent(p.project)}/_apis/pipelines/${p.id}?revision=1`;
  return { _links: { self: { href: url }, web: { href: `${ctx.baseUrl}/${ctx.params.org}/${encodeURIComponent(p.project)}/_build/definition?definitionId=${p.id}` } }, url, id: p.id, revision: 1, name: p.name, folder: p.folder };
}

const service: ServiceModule = {
  name: 'devops-pipelines',
  // before oidc.ts, whose POST route takes every other Azure DevOps path
  order: 18,
  register(emu) {
    emu.addRoute('devops', 'GET', '/{org}/{project}/_apis/pipelines/{pipelineId}', (ctx) => {
      const p = pipelineOf(emu, ctx);
      if (p) ctx.json(200, { ...pipelineBody(ctx, p), configuration: { type: 'yaml', path: '/azure-pipelines.yml' } });
    }, { auth: 'none' });
    emu.addRoute('devops', 'POST', '/{org}/{project}/_apis/pipelines/{pipelineId}/runs', (ctx) => {
      const p = pipelineOf(emu, ctx);
      if (!p) return;
      let body: { templateParameters?: unknown; resources?: { repositories?: { self?: { refName?: unknown } } } };
      try { body = JSON.parse(ctx.body || 'null') as typeof body; } catch { adoError(ctx, 400, 'InvalidRequestException', 'The request body is not valid JSON.'); return; }
      if (!body || typeof body !== 'object') { adoError(ctx, 400, 'ArgumentNullException', 'Value cannot be null.\r\nParameter name: runParameters'); return; }
      const params = body.templateParameters ?? {};
      if (typeof params !== 'object' || Array.isArray(params) || Object.values(params).some((v) => typeof v !== 'string')) {
        adoError(ctx, 400, 'InvalidRequestException', 'templateParameters must map parameter names to strings.');
        return;
      }
      const given = params as Record<string, string>;
      const unexpected = Object.keys(given).filter((k) => !(k in p.parameters));
      if (unexpected.length) { adoError(ctx, 400, 'PipelineValidationException', `/azure-pipelines.yml: Unexpected parameter '${unexpected[0]}'`); return; }
      const missing = Object.entries(p.parameters).filter(([k, d]) => d === undefined && !(k in given)).map(([k]) => k);
      if (missing.length) { adoError(ctx, 400, 'PipelineValidationException', `/azure-pipelines.yml: A value for the '${missing[0]}' parameter must be provided.`); return; }
      const ref = body.resources?.repositories?.self?.refName;
      if (ref !== undefined && (typeof ref !== 'string' || !p.branches.includes(ref))) {
        adoError(ctx, 400, 'PipelineValidationException', `Could not find ${String(ref)} in the repository of pipeline ${p.name}.`);
        return;
      }
      const runs = queuedRuns(emu);
      const run: QueuedRunRecord = { id: 9000 + runs.length + 1, pipelineId: p.id, project: p.project, refName: (ref as string | undefined) ?? p.defaultBranch, templateParameters: given, at: new Date().toISOString() };
      runs.push(run);
      const base = `${ctx.baseUrl}/${ctx.params.org}/${encodeURIComponent(p.project)}`;
      ctx.json(200, {
        _links: { self: { href: `${base}/_apis/pipelines/${p.id}/runs/${run.id}` }, web: { href: `${base}/_build/results?buildId=${run.id}` }, 'pipeline.web': { href: `${base}/_build/definition?definitionId=${p.id}` } },
        pipeline: pipelineBody(ctx, p),
        state: 'inProgress', createdDate: run.at, url: `${base}/_apis/pipelines/${p.id}/runs/${run.id}`,
        resources: { repositories: { self: { refName: run.refName, version: crypto.randomBytes(20).toString('hex') } } },
        templateParameters: given, id: run.id, name: `${new Date().toISOString().slice(0, 10).replace(/-/g, '')}.${runs.length}`,
      });
    }, { auth: 'none' });
  },
};
export default service;
