// The production model and where its training data is: the model version (named, or the newest holder of the
// production tag), its registered metrics (RegisterModel writes them as `metric.<name>` properties), its job,
// and that job's data inputs (uri_file / uri_folder). Reads only.
import { azureCall, type ContextWith, type WorkspaceInfo } from '../../../shared/src/azure';
import { workspaceScope } from '../../../shared/src/workspace';
import { TaskError } from '../../../shared/src/task';
import { findProduction, getVersion, listVersions, METRIC_PROPERTY_PREFIX, type ModelVersionInfo } from '../../../RegisterModel/src/modelVersions';
import { parseDataRef, type DataRef } from '../dataRef';

export interface ModelChoice {
  resourceGroup: string;
  workspaceName: string;
  modelName: string;
  modelVersion?: string;
  productionTag: { key: string; value: string };
}

export async function productionModel(ctx: ContextWith<'ml'>, ws: WorkspaceInfo, p: ModelChoice): Promise<ModelVersionInfo> {
  const scope = workspaceScope(ctx, ws, p.workspaceName);
  if (p.modelVersion) {
    const v = await getVersion(scope, p.modelName, p.modelVersion);
    if (!v) throw new TaskError(`Input 'modelVersion': model version ${p.modelName}:${p.modelVersion} does not exist in workspace '${p.workspaceName}'. Expected an existing version.`);
    return v;
  }
  const v = findProduction(await listVersions(scope, p.modelName, { tagFilter: p.productionTag }), p.productionTag);
  if (!v) {
    throw new TaskError(`Input 'modelName': no active version of model '${p.modelName}' in workspace '${p.workspaceName}' carries tag ${p.productionTag.key}=${p.productionTag.value}. Expected a production version (RegisterModel action=promote), or set modelVersion.`);
  }
  return v;
}

/** The version's registered metrics (properties `metric.<name>` holding numbers). */
export function registeredMetrics(v: ModelVersionInfo): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [k, text] of Object.entries(v.properties)) {
    if (!k.startsWith(METRIC_PROPERTY_PREFIX)) continue;
    const n = Number(text);
    if (text.trim() !== '' && Number.isFinite(n)) out[k.slice(METRIC_PROPERTY_PREFIX.length)] = n;
  }
  return out;
}

export interface JobDataInput {
  name: string;
  type: string;
  uri: string;
}

/** The data inputs (uri_file, uri_folder, mltable) of a job; undefined when the job does not exist. */
export async function jobDataInputs(ctx: ContextWith<'ml'>, p: { resourceGroup: string; workspaceName: string }, jobName: string): Promise<JobDataInput[] | undefined> {
  const job = await azureCall('Reading', `job '${jobName}' in workspace '${p.workspaceName}'`, () => ctx.clients.ml.jobs.get(p.resourceGroup, p.workspaceName, jobName), { notFound: 'undefined' });
  if (!job) return undefined;
  const inputs = (job.properties as { inputs?: Record<string, { jobInputType?: string; uri?: string } | null> }).inputs ?? {};
  const out: JobDataInput[] = [];
  for (const [name, i] of Object.entries(inputs)) {
    if (i && typeof i.uri === 'string' && ['uri_file', 'uri_folder', 'mltable'].includes(i.jobInputType ?? '')) out.push({ name, type: i.jobInputType as string, uri: i.uri });
  }
  return out;
}

const TRAINING_NAME = /train/i;

/**
 * The reference through lineage: the version's job's one data input (or its one input whose name says
 * "train"). Anything else is a one-line failure that names what was found and asks for referenceData.
 */
export function pickTrainingInput(v: ModelVersionInfo, inputs: JobDataInput[] | undefined): { ref: DataRef; how: string } {
  const model = `model version ${v.name}:${v.version}`;
  const ask = 'Expected the model\'s training data as a job input, or set referenceData.';
  if (!v.jobName) throw new TaskError(`Input 'referenceData': is empty and ${model} has no job (it was not registered from a job's output), so its training data is unknown. ${ask}`);
  if (inputs === undefined) throw new TaskError(`Input 'referenceData': is empty and the job '${v.jobName}' of ${model} no longer exists. ${ask}`);
  const readable = inputs.filter((i) => i.type !== 'mltable');
  const candidates = readable.length > 1 ? readable.filter((i) => TRAINING_NAME.test(i.name)) : readable;
  if (candidates.length !== 1) {
    const names = inputs.map((i) => `${i.name} (${i.type})`).join(', ');
    throw new TaskError(`Input 'referenceData': is empty and the job '${v.jobName}' of ${model} has ${inputs.length ? `data inputs ${names}` : 'no data input'}, so its training data is ${inputs.length ? 'ambiguous' : 'unknown'}. ${ask}`);
  }
  const input = candidates[0];
  const ref = parseDataRef(input.uri, { allowUrl: true });
  if (typeof ref === 'string') throw new TaskError(`Input 'referenceData': is empty and the training input '${input.name}' of job '${v.jobName}' is ${ref}. Set referenceData.`);
  return { ref, how: `${model} → job ${v.jobName} → input '${input.name}' (${input.uri})` };
}
