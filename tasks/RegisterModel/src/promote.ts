// action=promote: the production tag moves to one version and leaves every other holder. Safe to re-run:
// when the target already holds the tag alone, nothing is written.
//
// Two promotions at the same time (issue 15, low): Azure ML's model version PUT has no optimistic concurrency — the
// REST spec's ModelVersions_CreateOrUpdate takes no If-Match header and a model version carries no etag (so
// @azure/arm-machinelearning sends none) — so an If-Match would be ignored, not honoured. The closest honest guard:
// every write starts from a fresh read of that version (no lost update of tags written meanwhile), and after tagging
// the target the holders are read again. Versions that gained the tag since our first read are concurrent promotions:
// all of them agree on one winner (the earliest `promotion.at`, then the lowest version id), the others take their
// own tag back and fail naming the winner. So two promotions cannot both end as production; a promotion that finished
// before the other began is simply followed by it.
import { azureCall, TaskError } from '../../shared/src/errors';
import { untrusted } from '../../shared/src/untrusted';
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

/** The version as it is now (a write starts from this, not from a read made earlier). */
async function fresh(scope: WorkspaceScope, modelName: string, v: ModelVersionInfo): Promise<ModelVersionInfo> {
  const now = await getVersion(scope, modelName, v.version);
  if (!now) throw new TaskError(`Model version ${modelName}:${v.version} disappeared while it was being promoted. Expected it to exist; re-run the promotion.`);
  return now;
}

/** The promotion all concurrent promoters agree on: the earliest promotion.at, then the lowest version. */
export function concurrentWinner(contenders: ModelVersionInfo[]): ModelVersionInfo {
  const key = (v: ModelVersionInfo): [number, string] => [Date.parse(v.tags['promotion.at'] ?? '') || Number.MAX_SAFE_INTEGER, v.version];
  return [...contenders].sort((a, b) => {
    const [ta, va] = key(a);
    const [tb, vb] = key(b);
    return ta - tb || (va.length - vb.length) || (va < vb ? -1 : va > vb ? 1 : 0);
  })[0];
}

const PROMOTION_TAGS = ['promotion.by', 'promotion.at', 'promotion.runId', 'promotion.runUrl', 'promotion.previous'];

export async function promote(scope: WorkspaceScope, modelName: string, target: ModelVersionInfo, tag: Tag, record: PromotionRecord): Promise<PromoteOutcome> {
  if (target.isArchived) throw new TaskError(`Model version ${modelName}:${target.version} is archived: an archived version cannot become production. Expected an active version.`);
  // the service filters by tag; the check is repeated here because a filter that is ignored would list everything
  const holders = productionHolders(await listVersions(scope, modelName, { tagFilter: tag }), tag);
  let others = holders.filter((h) => h.version !== target.version);
  if (hasTag(target, tag) && others.length === 0) return { version: target, changed: false, demoted: [] };

  let version = target;
  if (!hasTag(target, tag)) {
    const before = await fresh(scope, modelName, target);
    const tags: Record<string, string> = { ...before.tags, [tag.key]: tag.value, 'promotion.by': record.by, 'promotion.at': record.at };
    if (record.runId) tags['promotion.runId'] = record.runId;
    if (record.runUrl) tags['promotion.runUrl'] = record.runUrl;
    if (others.length) tags['promotion.previous'] = others.map((o) => o.version).join(',');
    version = await putTags(scope, modelName, before, tags);
    // who else holds the tag now: a version that gained it since our first read is a concurrent promotion
    const now = productionHolders(await listVersions(scope, modelName, { tagFilter: tag }), tag);
    const known = new Set(others.map((o) => o.version));
    const contenders = now.filter((h) => h.version === target.version || !known.has(h.version));
    const winner = concurrentWinner(contenders.map((c) => (c.version === target.version ? version : c)));
    if (winner.version !== target.version) {
      // give the tag back: the version keeps what it had before this promotion
      const mine = await fresh(scope, modelName, target);
      const restored = { ...mine.tags };
      delete restored[tag.key];
      for (const k of PROMOTION_TAGS) {
        if (before.tags[k] !== undefined) restored[k] = before.tags[k];
        else delete restored[k];
      }
      await putTags(scope, modelName, mine, restored);
      const by = winner.tags['promotion.runId'] ? ` (pipeline run ${untrusted(winner.tags['promotion.runId'])})` : '';
      throw new TaskError(`Another promotion moved ${tag.key}=${tag.value} to model version ${modelName}:${untrusted(winner.version)}${by} at the same time: version ${target.version} was not promoted (its tag was taken back). Re-run to promote it after that one.`);
    }
    others = now.filter((h) => h.version !== target.version);
  }
  // the new holder is tagged first: a failure in between leaves two holders (the next promote fixes it), never none
  const demoted: string[] = [];
  for (const o of others) {
    const current = await fresh(scope, modelName, o);
    if (!hasTag(current, tag)) continue; // demoted meanwhile (by a concurrent promotion)
    const tags: Record<string, string> = { ...current.tags, 'promotion.demotedAt': record.at, ...(record.runId ? { 'promotion.demotedByRun': record.runId } : {}) };
    delete tags[tag.key];
    await putTags(scope, modelName, current, tags);
    demoted.push(o.version);
  }
  return { version, changed: true, demoted };
}
