// Registering the model version: the body (lineage tags, gate verdict, metric properties) and the PUT,
// with a clear message when the version already exists with other content.
import type { ModelVersion } from '@azure/arm-machinelearning';
import { assetVersionCollision } from '../../shared/src/assetCollision';
import { describeAzureError, TaskError, toAzureCallError } from '../../shared/src/errors';
import { formatNumber, GateEvaluation, GateResult } from './gate';
import type { Metrics } from './metrics';
import type { WorkspaceScope } from '../../shared/src/workspace';
import { getVersion, METRIC_PROPERTY_PREFIX, ModelVersionInfo, sameUri, toInfo } from './modelVersions';

export interface VersionContent {
  modelUri: string;
  modelType: string;
  description?: string;
  jobName?: string;
  tags: Record<string, string>;
  properties: Record<string, string>;
}

/** Tags and properties for a new version: user tags, lineage, the gate verdict; metrics as properties. */
export function versionContent(o: {
  modelUri: string;
  modelType: string;
  description?: string;
  jobName?: string;
  userTags: Record<string, string>;
  lineage: Record<string, string>;
  gateResult: GateResult;
  evaluation?: GateEvaluation;
  metrics: Metrics;
  metricsSource?: string;
}): VersionContent {
  const tags: Record<string, string> = { ...o.userTags, ...o.lineage, 'gate.result': o.gateResult };
  const ev = o.evaluation;
  if (ev) {
    tags['gate.metric'] = ev.metric;
    tags['gate.candidate'] = formatNumber(ev.candidate);
    if (ev.productionVersion) tags['gate.baselineVersion'] = ev.productionVersion;
    if (ev.production !== undefined) tags['gate.baseline'] = formatNumber(ev.production);
  }
  const properties: Record<string, string> = {};
  for (const [k, v] of Object.entries(o.metrics)) properties[`${METRIC_PROPERTY_PREFIX}${k}`] = String(v);
  if (o.metricsSource) properties['metrics.source'] = o.metricsSource;
  return {
    modelUri: o.modelUri,
    modelType: o.modelType,
    ...(o.description ? { description: o.description } : {}),
    ...(o.jobName ? { jobName: o.jobName } : {}),
    tags,
    properties,
  };
}

export type RegisterOutcome = { kind: 'created'; version: ModelVersionInfo } | { kind: 'reused'; version: ModelVersionInfo };

function conflictMessage(modelName: string, version: string, existingUri: string | undefined, wanted: string): string {
  return (
    `Model version ${modelName}:${version} already exists with other content: it points to ` +
    `${existingUri ?? 'no model URI'}, this run would register ${wanted}. A version's files cannot change. ` +
    `Expected an unused modelVersion, or leave modelVersion empty for the next version.`
  );
}

/** Reads, PUTs and re-reads at most this many times (collisions with other writers included). */
const MAX_ATTEMPTS = 5;

/**
 * PUTs the version. An explicitly requested version that already exists is reused when it holds the
 * same model URI and is a conflict otherwise. When the version number was computed, an existing version
 * moves on to the next number. A PUT that collides with another writer (400 "Asset paths cannot be
 * updated." when it registered the version first, 409 while its create is in flight; see
 * shared/assetCollision.ts) reads the version again and decides the same way.
 */
export async function registerVersion(scope: WorkspaceScope, modelName: string, version: string, content: VersionContent, o: { explicit: boolean }): Promise<RegisterOutcome> {
  let candidate = version;
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    const existing = await getVersion(scope, modelName, candidate);
    if (existing) {
      if (sameUri(existing.modelUri, content.modelUri) && o.explicit) return { kind: 'reused', version: existing };
      if (o.explicit) throw new TaskError(conflictMessage(modelName, candidate, existing.modelUri, content.modelUri));
      candidate = String(Number(candidate) + 1);
      continue;
    }
    const body: ModelVersion = {
      properties: {
        modelUri: content.modelUri,
        modelType: content.modelType,
        ...(content.description ? { description: content.description } : {}),
        ...(content.jobName ? { jobName: content.jobName } : {}),
        tags: content.tags,
        properties: content.properties,
        isAnonymous: false,
      },
    };
    try {
      const created = await scope.clients.ml.modelVersions.createOrUpdate(scope.resourceGroup, scope.workspaceName, modelName, candidate, body);
      return { kind: 'created', version: toInfo(modelName, created) };
    } catch (err) {
      const collision = assetVersionCollision(err);
      if (!collision) throw toAzureCallError(err, 'Registering', `model version ${modelName}:${candidate}`);
      console.log(`Model version ${modelName}:${candidate} collided with another writer (${describeAzureError(err)}): reading it again.`);
    }
  }
  throw new TaskError(`Model ${modelName}: versions ${version} to ${candidate} were taken while registering (other pipelines registering at the same time). Run again.`);
}
