// action=promote: the production tag moves to one version and leaves every other holder. Safe to re-run:
// when the target already holds the tag alone, nothing is written.
import { azureCall, TaskError } from '../../shared/src/errors';
import type { WorkspaceScope } from '../../shared/src/workspace';
import type { Tag } from './inputs';
import { findRunVersion, getVersion, hasTag, listVersions, ModelVersionInfo, productionHolders, toInfo } from './modelVersions';

export interface PromotionRecord {
  by: string;
  at: string;
  runId?: string;
  runUrl?: string;
}

export interface PromoteOutcome {
  version: ModelVersionInfo;
  /** false: the target already was the only holder (no writes). */
  changed: boolean;
  demoted: string[];
}

/** Which version to promote: the given one, or the one this pipeline run registered. */
export async function promotionTarget(scope: WorkspaceScope, modelName: string, requested: string | undefined, runId: string | undefined): Promise<ModelVersionInfo> {
  if (requested !== undefined) {
    const v = await getVersion(scope, modelName, requested);
    if (!v) throw new TaskError(`Model version ${modelName}:${requested} was not found in workspace '${scope.workspaceName}' (input 'modelVersion'). Expected an existing version.`);
    return v;
  }
  const mine = findRunVersion(await listVersions(scope, modelName), runId);
  if (!mine) {
    throw new TaskError(
      `Input 'modelVersion': is empty and no version of model '${modelName}' was registered by this pipeline run (tag ado.runId=${runId ?? '<none>'}). ` +
        'Expected the version to promote, e.g. $(RegisterModel.modelVersion).',
    );
  }
  return mine;
}

async function putTags(scope: WorkspaceScope, modelName: string, v: ModelVersionInfo, tags: Record<string, string>): Promise<ModelVersionInfo> {
  // PUT replaces the version: send back what it has (same modelUri, so the service accepts it) with new tags
  const props = { ...v.raw.properties, tags };
  const updated = await azureCall('Updating the tags of', `model version ${modelName}:${v.version}`, () =>
    scope.clients.ml.modelVersions.createOrUpdate(scope.resourceGroup, scope.workspaceName, modelName, v.version, { properties: props }),
  );
  return toInfo(modelName, updated);
}

export async function promote(scope: WorkspaceScope, modelName: string, target: ModelVersionInfo, tag: Tag, record: PromotionRecord): Promise<PromoteOutcome> {
  if (target.isArchived) throw new TaskError(`Model version ${modelName}:${target.version} is archived: an archived version cannot become production. Expected an active version.`);
  // the service filters by tag; the check is repeated here because a filter that is ignored would list everything
  const holders = productionHolders(await listVersions(scope, modelName, { tagFilter: tag }), tag);
  const others = holders.filter((h) => h.version !== target.version);
  if (hasTag(target, tag) && others.length === 0) return { version: target, changed: false, demoted: [] };

  let version = target;
  if (!hasTag(target, tag)) {
    const tags: Record<string, string> = { ...target.tags, [tag.key]: tag.value, 'promotion.by': record.by, 'promotion.at': record.at };
    if (record.runId) tags['promotion.runId'] = record.runId;
    if (record.runUrl) tags['promotion.runUrl'] = record.runUrl;
    if (others.length) tags['promotion.previous'] = others.map((o) => o.version).join(',');
    version = await putTags(scope, modelName, target, tags);
  }
  // the new holder is tagged first: a failure in between leaves two holders (the next promote fixes it), never none
  const demoted: string[] = [];
  for (const o of others) {
    const tags: Record<string, string> = { ...o.tags, 'promotion.demotedAt': record.at, ...(record.runId ? { 'promotion.demotedByRun': record.runId } : {}) };
    delete tags[tag.key];
    await putTags(scope, modelName, o, tags);
    demoted.push(o.version);
  }
  return { version, changed: true, demoted };
}
