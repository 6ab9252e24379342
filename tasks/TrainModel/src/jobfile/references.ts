// References in a job file turned into what the service takes, as the official client does before its
// PUT (azure-ai-ml `_operation_orchestrator.OperationOrchestrator.get_asset_arm_id`,
// `_job_operations.JobOperations._resolve_compute_id` / `_resolve_job_input`): names become ARM ids
// of the workspace, `name@latest` is looked up here (the service knows no `@latest`), registry ids
// (`azureml://registries/…`) and URIs pass through, `${{…}}` expressions are left for the service.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { JobFileReader } from './azure';

export class ReferenceError extends Error {}

export const isExpression = (s: string): boolean => /^\$\{\{.*\}\}$/.test(s.trim());
export const stripAzureml = (s: string): string => (s.startsWith('azureml:') && !s.startsWith('azureml://') ? s.slice('azureml:'.length) : s);
const isArmId = (s: string): boolean => /^\/subscriptions\//i.test(s);

export function versionedArmId(workspaceId: string, kind: string, name: string, version: string): string {
  return `${workspaceId}/${kind}/${name}/versions/${version}`;
}

/** `compute:` with or without `azureml:`; `local` stays (JobOperations._resolve_compute_id). */
export function computeId(workspaceId: string, value: string): string {
  const v = stripAzureml(value.trim());
  if (v.toLowerCase() === 'local') return 'local';
  if (isArmId(v)) return v;
  return `${workspaceId}/computes/${v}`;
}

/** `name:version`, `name@latest` (looked up), an ARM id, a registry id. */
export async function versionedAssetId(reader: JobFileReader, kind: 'environments' | 'data' | 'models' | 'components', value: string, what: string): Promise<string> {
  const v = stripAzureml(value.trim());
  if (isArmId(v) || v.startsWith('azureml://registries/')) return v;
  const at = /^([^:@/]+)@([^:@/]+)$/.exec(v);
  if (at) {
    if (at[2] !== 'latest') throw new ReferenceError(`${what} '${value}' names a label other than 'latest'`);
    // online, azure-ai-ml resolves a component's @latest to its newest version too (`components/<name>/versions?
    // $orderBy=createdtime desc&$top=1` before the PUT: the corpus comparison, tests/jobfile/submitted.test.ts)
    const version = await reader.latestVersion(kind, at[1]);
    if (!version) throw new ReferenceError(`${what} '${value}': the workspace has no version of ${kind === 'data' ? 'data asset' : kind.replace(/s$/, '')} '${at[1]}'`);
    return versionedArmId(reader.workspaceId, kind, at[1], version);
  }
  const nv = /^([^:@/]+):([^:@/]+)$/.exec(v);
  if (nv) return versionedArmId(reader.workspaceId, kind, nv[1], nv[2]);
  throw new ReferenceError(`${what} '${value}' is not 'azureml:<name>:<version>', 'azureml:<name>@latest' or a registry id`);
}

/** An environment reference (not an inline one). Curated `AzureML-…` names stay as the service expands them. */
export async function environmentId(reader: JobFileReader, value: string, what: string): Promise<string> {
  const v = stripAzureml(value.trim());
  // get_asset_arm_id: "Short form of curated env will be expanded on the backend side"
  if (v.startsWith('AzureML-')) return `azureml:${v}`;
  return versionedAssetId(reader, 'environments', value, what);
}

/**
 * A local path in the file, relative to the file that names it; refused when it leaves the
 * repository (as `codePath` is) or does not exist.
 */
export function localPath(o: { baseDir: string; repositoryRoot: string; value: string; what: string; kind: 'directory' | 'file' | 'any' }): string {
  const abs = path.resolve(o.baseDir, o.value);
  let real: string;
  try {
    real = fs.realpathSync(abs);
  } catch {
    throw new ReferenceError(`${o.what} '${o.value}' does not exist (looked for ${abs})`);
  }
  const root = fs.realpathSync(o.repositoryRoot);
  const rel = path.relative(root, real);
  if (rel.startsWith('..') || path.isAbsolute(rel)) throw new ReferenceError(`${o.what} '${o.value}' is outside the repository (${root}): only files of the checkout are uploaded`);
  const st = fs.statSync(real);
  if (o.kind === 'directory' && !st.isDirectory()) throw new ReferenceError(`${o.what} '${o.value}' is not a folder`);
  if (o.kind === 'file' && !st.isFile()) throw new ReferenceError(`${o.what} '${o.value}' is not a file`);
  return real;
}

/** Where a data input's or model input's path points. */
export async function inputUri(reader: JobFileReader, type: string, value: string, what: string): Promise<string> {
  const v = value.trim();
  if (isExpression(v) || /^(https?|wasbs?|abfss?|adl):\/\//i.test(v) || v.startsWith('azureml://')) return v;
  if (v.startsWith('azureml:') || isArmId(v)) {
    const kind = ['custom_model', 'mlflow_model', 'triton_model'].includes(type) ? 'models' : 'data';
    return versionedAssetId(reader, kind, v, what);
  }
  throw new ReferenceError(`${what} '${value}' is a local path: TrainModel uploads only code; register the data ('azureml:<name>:<version>') or give a datastore URI ('azureml://datastores/<store>/paths/<path>')`);
}

/** YAML modes → the REST enum (InputOutputModes → InputDeliveryMode / OutputDeliveryMode). */
export const MODES: Record<string, string> = {
  ro_mount: 'ReadOnlyMount', rw_mount: 'ReadWriteMount', download: 'Download', upload: 'Upload', direct: 'Direct',
  eval_mount: 'EvalMount', eval_download: 'EvalDownload', mount: 'ReadWriteMount',
};

/** Seconds → ISO 8601 duration as isodate.duration_isoformat(timedelta(seconds)) writes it ("PT1H", "PT1M30S", "P1DT2H"). */
export function isoDuration(seconds: number): string {
  let s = seconds;
  const days = Math.floor(s / 86400);
  s -= days * 86400;
  const h = Math.floor(s / 3600);
  s -= h * 3600;
  const m = Math.floor(s / 60);
  s -= m * 60;
  let out = 'P';
  if (days) out += `${days}D`;
  if (h || m || s) {
    out += 'T';
    if (h) out += `${h}H`;
    if (m) out += `${m}M`;
    if (s) out += `${s}S`;
  }
  return out === 'P' ? 'P0D' : out;
}
