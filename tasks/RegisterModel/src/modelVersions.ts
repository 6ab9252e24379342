// Reading the model registry: every version of a model (all pages), the production version, the next
// version number, and a version an earlier attempt of this pipeline run registered. The selection
// functions are pure; only listVersions talks to Azure.
import type { ModelVersion } from '@azure/arm-machinelearning';
import { azureCall, AzureCallError, toAzureCallError } from '../../shared/src/errors';
import type { WorkspaceScope } from '../../shared/src/workspace';
import type { Tag } from './inputs';

/** A model version in the user's terms. */
export interface ModelVersionInfo {
  name: string;
  version: string;
  id: string;
  modelUri?: string;
  tags: Record<string, string>;
  properties: Record<string, string>;
  jobName?: string;
  isArchived: boolean;
  createdAt?: Date;
  raw: ModelVersion;
}

export const RUN_ID_TAG = 'ado.runId';
export const METRIC_PROPERTY_PREFIX = 'metric.';

function stringsOnly(d: { [k: string]: string | null } | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(d ?? {})) if (typeof v === 'string') out[k] = v;
  return out;
}

export function toInfo(modelName: string, v: ModelVersion): ModelVersionInfo {
  const p = v.properties ?? {};
  return {
    name: modelName,
    version: v.name ?? '',
    id: v.id ?? '',
    ...(p.modelUri ? { modelUri: p.modelUri } : {}),
    tags: stringsOnly(p.tags),
    properties: stringsOnly(p.properties),
    ...(p.jobName ? { jobName: p.jobName } : {}),
    isArchived: p.isArchived === true,
    ...(v.systemData?.createdAt ? { createdAt: new Date(v.systemData.createdAt) } : {}),
    raw: v,
  };
}

/**
 * Every version of the model, page by page (the SDK follows the `$skip` nextLinks). `tagFilter` is passed
 * to the service (`tags=k=v`) but callers still check the tag themselves. A missing model = no versions.
 */
export async function listVersions(scope: WorkspaceScope, modelName: string, o: { includeArchived?: boolean; tagFilter?: Tag } = {}): Promise<ModelVersionInfo[]> {
  const out: ModelVersionInfo[] = [];
  try {
    const iter = scope.clients.ml.modelVersions.list(scope.resourceGroup, scope.workspaceName, modelName, {
      listViewType: o.includeArchived ? 'All' : 'ActiveOnly',
      ...(o.tagFilter ? { tags: `${o.tagFilter.key}=${o.tagFilter.value}` } : {}),
    });
    for await (const v of iter) out.push(toInfo(modelName, v));
  } catch (err) {
    const e = toAzureCallError(err, 'Listing the versions of', `model '${modelName}' in workspace '${scope.workspaceName}'`);
    if (e instanceof AzureCallError && e.statusCode === 404) return out;
    throw e;
  }
  return out;
}

export async function getVersion(scope: WorkspaceScope, modelName: string, version: string): Promise<ModelVersionInfo | undefined> {
  const v = await azureCall('Reading', `model version ${modelName}:${version}`, () => scope.clients.ml.modelVersions.get(scope.resourceGroup, scope.workspaceName, modelName, version), {
    notFound: 'undefined',
  });
  return v ? toInfo(modelName, v) : undefined;
}

function numeric(version: string): number | undefined {
  return /^\d+$/.test(version) ? Number(version) : undefined;
}

/** Newest first: higher numeric version; for non-numeric versions the later creation time. */
export function compareNewestFirst(a: ModelVersionInfo, b: ModelVersionInfo): number {
  const na = numeric(a.version);
  const nb = numeric(b.version);
  if (na !== undefined && nb !== undefined && na !== nb) return nb - na;
  const ta = a.createdAt?.getTime() ?? 0;
  const tb = b.createdAt?.getTime() ?? 0;
  if (ta !== tb) return tb - ta;
  return b.version.localeCompare(a.version);
}

export function hasTag(v: ModelVersionInfo, tag: Tag): boolean {
  return v.tags[tag.key] === tag.value;
}

/** All active versions that carry the production tag, newest first. */
export function productionHolders(versions: ModelVersionInfo[], tag: Tag): ModelVersionInfo[] {
  return versions.filter((v) => !v.isArchived && hasTag(v, tag)).sort(compareNewestFirst);
}

/** The production version: the newest active version carrying the tag. */
export function findProduction(versions: ModelVersionInfo[], tag: Tag): ModelVersionInfo | undefined {
  return productionHolders(versions, tag)[0];
}

/** Highest numeric version + 1 (archived versions count: their numbers stay taken). */
export function nextVersion(versions: ModelVersionInfo[]): string {
  let max = 0;
  for (const v of versions) {
    const n = numeric(v.version);
    if (n !== undefined && n > max) max = n;
  }
  return String(max + 1);
}

/** A version registered by this pipeline run from the same source (a retried stage), newest first. */
export function findRunVersion(versions: ModelVersionInfo[], runId: string | undefined, modelUri?: string): ModelVersionInfo | undefined {
  if (!runId) return undefined;
  return versions
    .filter((v) => !v.isArchived && v.tags[RUN_ID_TAG] === runId && (modelUri === undefined || sameUri(v.modelUri, modelUri)))
    .sort(compareNewestFirst)[0];
}

/** Model URIs compare without a trailing slash and case-insensitively in the scheme/host part. */
export function sameUri(a: string | undefined, b: string | undefined): boolean {
  if (a === undefined || b === undefined) return false;
  const n = (s: string): string => s.replace(/\/+$/, '');
  return n(a) === n(b);
}

/** The metric values a version carries as properties (written by this task when it registered it). */
export function metricsFromProperties(v: ModelVersionInfo): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [k, value] of Object.entries(v.properties)) {
    if (!k.startsWith(METRIC_PROPERTY_PREFIX)) continue;
    const n = Number(value);
    if (value.trim() !== '' && Number.isFinite(n)) out[k.slice(METRIC_PROPERTY_PREFIX.length)] = n;
  }
  return out;
}
