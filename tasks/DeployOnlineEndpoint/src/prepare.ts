// Everything DeployOnlineEndpoint reads before it writes: the workspace, the model version (a missing one is
// a bad modelId, before any write), the endpoint and its traffic (which deployment is blue), green if it
// exists (a re-run resumes with it), the environment and the code version. Nothing here changes Azure.
import type { EnvironmentVersion } from '@azure/arm-machinelearning';
import { condaEnvironmentVersion, environmentArmId, findCodeVersion, newestVersion, snapshotCode, type CodeSnapshot } from '../../shared/src/assets';
import { azureCall, openWorkspace, toAzureCallError, type ContextWith, type WorkspaceInfo, type WorkspaceScope } from '../../shared/src/azure';
import { InputError, quote } from '../../shared/src/inputs';
import { lineageTags, TaskError } from '../../shared/src/task';
import type { OnlineInputs } from './inputs';
import { deploymentNameFor } from './names';
import { getDeployment, getEndpoint, trafficOf, type EndpointScope, type OnlineDeployment, type OnlineEndpoint } from './onlineApi';
import { nextAction } from './rollout';
import { TrafficStateError } from './traffic';

export type OnlineContext = ContextWith<'ml' | 'arm'>;

export interface EnvironmentPlan {
  /** ARM id the deployment gets (undefined: no-code MLflow deployment). */
  id?: string;
  reference: string;
  /** A conda/pip environment version still to register (execute). */
  toCreate?: { name: string; version: string; body: EnvironmentVersion };
}

export interface CodePlan {
  snapshot: CodeSnapshot;
  scoringScript: string;
  /** ARM id when the code version exists already. */
  existingId?: string;
}

export interface OnlinePlan {
  /** The workspace of the run (its context, clients and the workspace as Azure reports it). */
  workspace: WorkspaceScope<'ml' | 'arm'>;
  ws: WorkspaceInfo;
  scope: EndpointScope;
  modelArmId: string;
  /** The version deployed (the latest one when modelId named only the model). */
  modelVersion: string;
  modelType: string;
  green: string;
  endpoint?: OnlineEndpoint;
  greenDeployment?: OnlineDeployment;
  environment: EnvironmentPlan;
  code?: CodePlan;
  tags: Record<string, string>;
}

const MLFLOW = /^mlflow(_model)?$/i;

async function modelVersion(ctx: OnlineContext, ws: WorkspaceInfo, p: OnlineInputs): Promise<{ id: string; version: string; modelType: string }> {
  const name = p.model.name;
  let version = p.model.version;
  if (version === undefined) {
    // a model name alone: its latest version, as the model container reports it
    const c = await azureCall('Reading', `model '${name}' in workspace '${ws.name}'`, () => ctx.clients.ml.modelContainers.get(ws.resourceGroup, ws.name, name), { notFound: 'undefined' });
    if (!c?.properties.latestVersion) throw new InputError('modelId', `model '${name}' in workspace '${ws.name}' ${c ? 'has no versions' : 'does not exist'}`, 'a registered model version (the modelId output of RegisterModel)');
    version = c.properties.latestVersion;
  }
  const what = `model '${name}' version '${version}' in workspace '${ws.name}'`;
  const v = await azureCall('Reading', what, () => ctx.clients.ml.modelVersions.get(ws.resourceGroup, ws.name, name, version), { notFound: 'undefined' });
  if (!v) throw new InputError('modelId', `${what} does not exist`, 'a registered model version (the modelId output of RegisterModel)');
  return { id: v.id ?? `${ws.id}/models/${name}/versions/${version}`, version, modelType: v.properties.modelType ?? 'custom_model' };
}

async function environmentPlan(ctx: OnlineContext, ws: WorkspaceInfo, p: OnlineInputs, tags: Record<string, string>): Promise<EnvironmentPlan> {
  const env = p.environment;
  const client = ctx.clients.ml;
  const what = (name: string, version?: string): string => `environment '${name}${version ? `:${version}` : ''}' of workspace '${ws.name}'`;
  if (env.kind === 'none') return { reference: 'none (MLflow model deployed without code)' };
  if (env.kind === 'existing') {
    if (env.version) {
      const version = env.version;
      const v = await azureCall('Reading', what(env.name, version), () => client.environmentVersions.get(ws.resourceGroup, ws.name, env.name, version), { notFound: 'undefined' });
      if (!v) throw new InputError('environment', `${what(env.name, version)} does not exist`, "an existing environment version ('azureml:<name>:<version>')");
      return { id: v.id ?? environmentArmId(ws, env.name, version), reference: `azureml:${env.name}:${version}` };
    }
    const all: EnvironmentVersion[] = [];
    try {
      for await (const v of client.environmentVersions.list(ws.resourceGroup, ws.name, env.name)) all.push(v);
    } catch (err) {
      const e = toAzureCallError(err, 'Listing the versions of', what(env.name));
      if ((e as { statusCode?: number }).statusCode !== 404) throw e;
    }
    const newest = newestVersion(all);
    if (!newest?.name) throw new InputError('environment', `${what(env.name)} has no versions`, 'an existing environment name');
    return { id: newest.id ?? environmentArmId(ws, env.name, newest.name), reference: `azureml:${env.name}:${newest.name}` };
  }
  // conda or pip requirements: one environment per endpoint, one version per content
  const name = `${p.endpointName}-env`;
  const version = condaEnvironmentVersion(env.condaYaml, env.baseImage);
  const id = environmentArmId(ws, name, version);
  const reference = `azureml:${name}:${version}`;
  const existing = await azureCall('Reading', what(name, version), () => client.environmentVersions.get(ws.resourceGroup, ws.name, name, version), { notFound: 'undefined' });
  if (existing) return { id: existing.id ?? id, reference };
  const source = env.kind === 'conda' ? `Conda file ${env.file}` : `Pip requirements ${env.file}`;
  return {
    id, reference,
    toCreate: { name, version, body: { properties: {
      image: env.baseImage, condaFile: env.condaYaml, osType: 'Linux', isAnonymous: false,
      description: `${source} on ${env.baseImage} (content hash ${version}).`, tags: { ...tags, 'aml.contentHash': version },
    } } },
  };
}

export async function prepare(ctx: OnlineContext, p: OnlineInputs): Promise<OnlinePlan> {
  const workspace = await openWorkspace(ctx, p.resourceGroup, p.workspaceName);
  const ws = workspace.ws;
  const model = await modelVersion(ctx, ws, p);
  if (!p.scoring && !MLFLOW.test(model.modelType)) {
    throw new InputError('scoringScript', `is empty but model '${p.model.name}:${model.version}' is a ${model.modelType}, and only MLflow models deploy without a scoring script`, 'the path of the scoring script (init() and run())');
  }
  const green = deploymentNameFor(model.version);
  const scope: EndpointScope = { workspaceId: ws.id, workspaceName: ws.name, endpoint: p.endpointName };
  const endpoint = await getEndpoint(ctx, scope);
  if (endpoint) {
    try {
      // a split this task did not make is refused now, before anything is written
      nextAction(trafficOf(endpoint), { green, steps: p.steps });
    } catch (err) {
      if (err instanceof TrafficStateError) throw new TaskError(`Online endpoint '${p.endpointName}': ${err.message}`);
      throw err;
    }
  }
  const greenDeployment = endpoint ? await getDeployment(ctx, scope, green) : undefined;
  const tags = lineageTags({ 'aml.model': `${p.model.name}:${model.version}`, 'aml.workspace': ws.name });
  const environment = await environmentPlan(ctx, ws, p, tags);
  let code: CodePlan | undefined;
  if (p.scoring) {
    const snapshot = snapshotCode(p.scoring.codeDir);
    if (!snapshot.files.some((f) => f.relativePath === p.scoring?.relativeScript)) {
      throw new InputError('scoringScript', `${quote(p.scoring.script)} is left out of the code by an ignore file (.amlignore/.gitignore)`, 'a scoring script that is uploaded with the code');
    }
    const existing = await findCodeVersion(workspace, snapshot.hash);
    code = { snapshot, scoringScript: p.scoring.relativeScript, ...(existing ? { existingId: existing.id } : {}) };
  }
  return {
    workspace, ws, scope, modelArmId: model.id, modelVersion: model.version, modelType: model.modelType, green,
    ...(endpoint ? { endpoint } : {}), ...(greenDeployment ? { greenDeployment } : {}),
    environment, ...(code ? { code } : {}), tags,
  };
}
