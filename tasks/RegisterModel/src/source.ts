// Where the model comes from: a completed job's output, or local files uploaded to the workspace's
// default datastore under a content-hash path (the same content is uploaded once and gets the same URI,
// which is what lets a retried run find the version it registered before).
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { ContainerClient } from '@azure/storage-blob';
import type { ContextWith } from '../../shared/src/azure';
import { azureCall, TaskError } from '../../shared/src/errors';
import { holdsMlflowModel, isArtifactStoreOutput, jobOutputContainer, jobOutputLocation, jobOutputUri } from '../../shared/src/jobOutputs';
import type { WorkspaceInfo } from '../../shared/src/workspace';

export interface ResolvedSource {
  /** modelUri for the model version. */
  modelUri: string;
  /** The upstream job, when there is one (lineage and metrics). */
  jobName?: string;
  /** For the log: what was found / uploaded. */
  description: string;
  /**
   * An MLflow model: an `MLmodel` file at the model's root (registered as mlflow_model unless modelType says
   * otherwise); undefined when the files could not be read (`mlflowUnknown` says why).
   */
  mlflow?: boolean;
  mlflowUnknown?: string;
}

export interface LocalFile {
  /** path relative to the model root, with '/' separators ('' for a single file) */
  relative: string;
  absolute: string;
  size: number;
}

/** Every file under a folder (sorted, so the hash does not depend on the file system's order), or the file itself. */
export function localFiles(root: string): LocalFile[] {
  const st = fs.statSync(root);
  if (st.isFile()) return [{ relative: '', absolute: root, size: st.size }];
  const out: LocalFile[] = [];
  const walk = (dir: string, rel: string): void => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
      const abs = path.join(dir, entry.name);
      const r = rel ? `${rel}/${entry.name}` : entry.name;
      if (entry.isDirectory()) walk(abs, r);
      else if (entry.isFile()) out.push({ relative: r, absolute: abs, size: fs.statSync(abs).size });
    }
  };
  walk(root, '');
  return out;
}

/** SHA-256 over (relative path, size, bytes) of every file: names and contents both count. 32 hex characters. */
export function contentHash(files: LocalFile[]): string {
  const h = createHash('sha256');
  for (const f of files) {
    h.update(`${f.relative}\0${f.size}\0`);
    h.update(fs.readFileSync(f.absolute));
    h.update('\0');
  }
  return h.digest('hex').slice(0, 32);
}

/** The datastore path azure-ai-ml uses for local uploads: LocalUpload/<hash>/<file or folder name>. */
export function uploadPrefix(hash: string, root: string): string {
  return `LocalUpload/${hash}/${path.basename(path.resolve(root))}`;
}

/** Long-form datastore URI (what azure-ai-ml registers for uploaded models). */
export function datastoreUri(subscriptionId: string, ws: WorkspaceInfo, datastorePath: string): string {
  return `azureml://subscriptions/${subscriptionId}/resourcegroups/${ws.resourceGroup}/workspaces/${ws.name}/datastores/${ws.defaultDatastore.name}/paths/${datastorePath}`;
}

/**
 * Checks that the job exists, has Completed, and (when it declares outputs) has the model output; the reserved
 * outputs `artifacts`/`default` (its artifact store folder, where MLflow-logged models are) need no declaration.
 * A model URI the user gave (`runs:/<job>/<path>`, `azureml://jobs/…`) is registered as given, as azure-ai-ml
 * sends it (Model.path, _artifacts/_artifact_utilities.py _check_and_upload_path passes URIs through); else the
 * azureml://jobs/<job>/outputs/<output>[/paths/<p>] form. Both name the same files (shared/jobOutputs.ts).
 */
export async function resolveJobSource(ctx: ContextWith<'ml'>, ws: WorkspaceInfo, src: { jobName: string; outputName: string; path: string; modelUri?: string }): Promise<ResolvedSource> {
  const { jobName, outputName } = src;
  const job = await azureCall('Reading', `job '${jobName}'`, () => ctx.clients.ml.jobs.get(ws.resourceGroup, ws.name, jobName), { notFound: 'undefined' });
  if (!job) throw new TaskError(`Job '${jobName}' was not found in workspace '${ws.name}'. Expected the name of a completed training job (input 'jobName').`);
  const status = job.properties.status ?? 'Unknown';
  if (status !== 'Completed') {
    throw new TaskError(`Job '${jobName}' is ${status}, not Completed: only a completed job's output can be registered. Studio: ${ws.studioJobUrl(jobName)}`);
  }
  const outputs = Object.keys((job.properties as { outputs?: Record<string, unknown> }).outputs ?? {}).filter((o) => !isArtifactStoreOutput(o));
  if (!isArtifactStoreOutput(outputName) && outputs.length > 0 && !outputs.includes(outputName)) {
    throw new TaskError(`Job '${jobName}' has no output '${outputName}' (input 'jobOutputName'). Expected one of: ${outputs.join(', ')}, or 'artifacts/<path>' for a model the job logged with MLflow.`);
  }
  const ref = { job: jobName, output: outputName, path: src.path };
  const at = await jobOutputLocation(ctx, ws, ref);
  // whether it is an MLflow model only matters for the model type: a storage that cannot be read is decided by the caller
  const mlflow = await jobOutputContainer(ctx, ws, at).then((c) => holdsMlflowModel(c, at.path)).then(
    (yes): Pick<ResolvedSource, 'mlflow' | 'mlflowUnknown'> => ({ mlflow: yes }),
    (err: unknown): Pick<ResolvedSource, 'mlflow' | 'mlflowUnknown'> => ({ mlflowUnknown: `${at.where} could not be read: ${(err as Error).message}` }),
  );
  const inside = src.path ? ` path '${src.path}'` : '';
  return { modelUri: src.modelUri ?? jobOutputUri(ref), jobName, ...mlflow, description: `output '${outputName}'${inside} of job '${jobName}' (${status})${mlflow.mlflow ? ', an MLflow model (MLmodel)' : ''}` };
}

/** Uploads what is not there yet (a blob at a content-hash path always holds that content). */
export async function uploadLocalModel(container: ContainerClient, files: LocalFile[], prefix: string): Promise<{ uploaded: number; skipped: number }> {
  const existing = new Set<string>();
  for await (const b of container.listBlobsFlat({ prefix: `${prefix.split('/').slice(0, 2).join('/')}/` })) existing.add(b.name);
  let uploaded = 0;
  let skipped = 0;
  for (const f of files) {
    const name = f.relative ? `${prefix}/${f.relative}` : prefix;
    if (existing.has(name)) {
      skipped++;
      continue;
    }
    await container.getBlockBlobClient(name).uploadFile(f.absolute);
    uploaded++;
  }
  return { uploaded, skipped };
}

/** Hashes the local model and returns its URI; the upload itself happens only after the gate passed. */
export function planLocalSource(subscriptionId: string, ws: WorkspaceInfo, root: string, jobName?: string): ResolvedSource & { files: LocalFile[]; prefix: string } {
  const files = localFiles(root);
  if (files.length === 0) throw new TaskError(`Model folder '${root}' (input 'modelPath') holds no files. Expected a model file or a folder with the model files.`);
  const hash = contentHash(files);
  const prefix = uploadPrefix(hash, root);
  const isFolder = files.length > 1 || files[0].relative !== '';
  const modelUri = datastoreUri(subscriptionId, ws, isFolder ? `${prefix}/` : prefix);
  const bytes = files.reduce((s, f) => s + f.size, 0);
  return {
    modelUri,
    files,
    prefix,
    mlflow: files.some((f) => f.relative === 'MLmodel'),
    ...(jobName ? { jobName } : {}),
    description: `${files.length} local file(s), ${bytes} bytes, content hash ${hash}`,
  };
}

export async function uploadPlanned(container: ContainerClient, plan: { files: LocalFile[]; prefix: string }, datastoreName: string): Promise<string> {
  const r = await azureCall('Uploading the model to', `datastore '${datastoreName}' (${plan.prefix})`, () => uploadLocalModel(container, plan.files, plan.prefix));
  return r.uploaded === 0
    ? `All ${r.skipped} file(s) are already in datastore '${datastoreName}' at ${plan.prefix}: nothing uploaded.`
    : `Uploaded ${r.uploaded} file(s) to datastore '${datastoreName}' at ${plan.prefix}${r.skipped ? ` (${r.skipped} already there)` : ''}.`;
}
