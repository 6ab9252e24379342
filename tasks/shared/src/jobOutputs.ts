// Where the files of an Azure ML job output are. A model can name them as `azureml://jobs/<job>/outputs/<output>`
// (`/paths/<p>` for a path inside it) or, when the job logged it with MLflow, as `runs:/<job>/<p>` — the MLflow
// name of `azureml://jobs/<job>/outputs/artifacts/paths/<p>`. The reserved outputs `artifacts` and `default` are
// the job's folder in the artifact store (datastore workspaceartifactstore, `ExperimentRun/dcid.<job>/`), not a
// folder of the default datastore. Resolved as azure-ai-ml does in operations/_job_operations.py
// JobOperations._get_named_output_uri: the uri the job reports for the output, else for `default` the artifact
// store folder, else `azureml/<job>/<output>/` on the default datastore (constants/_common.py
// MLFLOW_URI_REGEX_FORMAT, JOB_URI_REGEX_FORMAT, DEFAULT_ARTIFACT_STORE_OUTPUT_NAME).
import type { ContainerClient } from '@azure/storage-blob';
import type { ContextWith } from './azureSession';
import { azureCall, toAzureCallError } from './errors';
import { namedDatastoreContainer, parseDatastoreUri, type WorkspaceInfo } from './workspace';

export interface JobOutputRef {
  job: string;
  output: string;
  /** A path inside the output ('' for all of it), no slashes at the ends. */
  path: string;
}

/** Outputs that name the job's artifact store folder: `artifacts` (MLflow-logged models) and `default` (logs, artifacts). */
export const ARTIFACT_STORE_OUTPUTS: readonly string[] = ['artifacts', 'default'];
const ARTIFACT_DATASTORE = 'workspaceartifactstore';

export function isArtifactStoreOutput(output: string): boolean {
  return ARTIFACT_STORE_OUTPUTS.includes(output.toLowerCase());
}

function cleanPath(p: string): string | undefined {
  let d: string;
  try {
    d = decodeURIComponent(p);
  } catch {
    return undefined;
  }
  const parts = d.split('/').filter((s) => s.length > 0);
  return parts.some((s) => s === '.' || s === '..') ? undefined : parts.join('/');
}

/** `azureml://jobs/<job>/outputs/<output>[/paths/<p>]` or `runs:/<job>/<p>`; undefined for anything else. */
export function parseJobOutputUri(uri: string): JobOutputRef | undefined {
  const u = uri.trim();
  const job = /^azureml:\/\/jobs\/([^/]+)\/outputs\/([^/]+)(?:\/paths\/(.*))?\/?$/i.exec(u);
  const runs = /^runs:\/([^/?]+)\/(.+)$/.exec(u);
  const m = job ? { job: job[1], output: job[2], path: job[3] ?? '' } : runs ? { job: runs[1], output: 'artifacts', path: runs[2] } : undefined;
  if (!m) return undefined;
  const p = cleanPath(m.path);
  return p === undefined ? undefined : { ...m, path: p };
}

/** The azureml:// form of a job output reference (what a model version registered from it points to). */
export function jobOutputUri(ref: JobOutputRef): string {
  return `azureml://jobs/${ref.job}/outputs/${ref.output}${ref.path ? `/paths/${ref.path}` : ''}`;
}

export interface JobOutputLocation {
  datastore: string;
  /** Blob path of the output (or of the path inside it), no slashes at the ends. */
  path: string;
  /** azureml://datastores/<ds>/paths/<p>, for messages. */
  where: string;
}

function join(a: string, b: string): string {
  return [a, b].filter((s) => s.length > 0).join('/');
}

/** Where the reference's files are. Reads the job for the uri it reports (a deleted job leaves its files: the defaults then). */
export async function jobOutputLocation(ctx: ContextWith<'ml'>, ws: WorkspaceInfo, ref: JobOutputRef): Promise<JobOutputLocation> {
  const job = await azureCall('Reading', `job '${ref.job}'`, () => ctx.clients.ml.jobs.get(ws.resourceGroup, ws.name, ref.job), { notFound: 'undefined' });
  const outputs = job ? (job.properties as { outputs?: Record<string, { uri?: string | null } | null> }).outputs : undefined;
  // `artifacts` is no output the service lists: it is the same folder as `default`
  const reported = outputs?.[isArtifactStoreOutput(ref.output) ? 'default' : ref.output]?.uri ?? undefined;
  const at = reported ? parseDatastoreUri(reported) : undefined;
  const base = at
    ?? (isArtifactStoreOutput(ref.output)
      ? { datastore: ARTIFACT_DATASTORE, path: `ExperimentRun/dcid.${ref.job}` }
      : { datastore: ws.defaultDatastore.name, path: `azureml/${ref.job}/${ref.output}` });
  const path = join(base.path, ref.path);
  return { datastore: base.datastore, path, where: `azureml://datastores/${base.datastore}/paths/${path}` };
}

/** The container of the location's datastore (its own credentials, or the task's identity). */
export function jobOutputContainer(ctx: ContextWith<'ml'>, ws: WorkspaceInfo, at: JobOutputLocation): Promise<ContainerClient> {
  return namedDatastoreContainer(ctx, ws, at.datastore);
}

/** Whether the folder holds an MLflow model (an `MLmodel` file at its root). */
export async function holdsMlflowModel(container: ContainerClient, folder: string): Promise<boolean> {
  try {
    return await container.getBlobClient(join(folder, 'MLmodel')).exists();
  } catch (err) {
    throw toAzureCallError(err, 'Reading', `blob '${join(folder, 'MLmodel')}'`);
  }
}
