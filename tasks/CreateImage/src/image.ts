// Makes sure the registry holds the image for this build context: reuse an image built from the same
// context (tag `ctx-<hash12>`), adding the requested tag when needed, or build it with ACR Tasks.
import * as tl from 'azure-pipelines-task-lib/task';
import { type ContextWith, toAzureCallError, type WorkspaceScope } from '../../shared/src/azure';
import { lineageTags } from '../../shared/src/lineage';
import { buildInRegistry } from './acrBuild';
import { BuildContext, LINEAGE_BUILD_ARGS, packContext } from './buildContext';
import type { RegistryInfo } from './targetRegistry';
import { RegistryDataPlane } from './registryDataPlane';

export interface ImageTarget {
  repository: string;
  tag: string;
}

export interface ImageResult {
  digest: string;
  /** true: an image built from the same context was reused, nothing was built. */
  reused: boolean;
  runId?: string;
  contextTag: string;
}

export function contextTag(ctx: BuildContext): string {
  return `ctx-${ctx.hash.slice(0, 12)}`;
}

/** Lineage as build arguments (the generated Dockerfile turns them into labels; not part of the context hash). */
export function lineageBuildArgs(upstream: Record<string, string>): Record<string, string> {
  const tags = lineageTags(upstream);
  const map: Record<(typeof LINEAGE_BUILD_ARGS)[number], string | undefined> = {
    ADO_PIPELINE: tags['ado.pipeline'], ADO_RUN_ID: tags['ado.runId'], ADO_RUN_URL: tags['ado.runUrl'],
    ADO_REPOSITORY: tags['ado.repository'], ADO_COMMIT: tags['ado.commit'],
  };
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(map)) if (v) out[k] = v;
  return out;
}

/** The newest runs looked at for the reuse check (ACR lists newest first). */
export const RUNS_CHECKED = 1000;

/** Whether one of the registry's own ACR runs pushed this digest (the reuse check). */
export async function builtByRegistry(ctx: ContextWith<'acr'>, registry: RegistryInfo, digest: string): Promise<boolean> {
  let seen = 0;
  try {
    for await (const run of ctx.clients.acr.runs.list(registry.resourceGroup, registry.name)) {
      if (run.status === 'Succeeded' && run.outputImages?.some((i) => i.digest === digest)) return true;
      if (++seen >= RUNS_CHECKED) break;
    }
  } catch (err) {
    throw toAzureCallError(err, 'Listing the runs of', `registry '${registry.name}'`);
  }
  return false;
}

export async function ensureImage(
  scope: WorkspaceScope<'acr'>,
  registry: RegistryInfo,
  context: BuildContext,
  target: ImageTarget,
  o: { reuse: boolean; timeoutMs: number; upstream: Record<string, string> },
): Promise<ImageResult> {
  const { ctx } = scope;
  const ctxTag = contextTag(context);
  const plane = new RegistryDataPlane(ctx, registry.loginServer);
  const repo = target.repository;
  const current = await plane.manifestDigest(repo, target.tag);
  if (o.reuse) {
    const found = await plane.manifestDigest(repo, ctxTag);
    // anyone with push rights can put any image under a ctx- tag: reuse only what a build of this registry made
    const existing = found && (await builtByRegistry(ctx, registry, found)) ? found : undefined;
    if (found && !existing) {
      tl.warning(`Tag '${repo}:${ctxTag}' points at ${found}, which no ACR run of registry '${registry.name}' produced (pushed from elsewhere?): building the image instead of reusing it.`);
    }
    if (existing) {
      console.log(tl.loc('ImageReused', `${registry.loginServer}/${repo}@${existing}`, ctxTag));
      if (current !== existing) {
        if (current) tl.warning(`Tag '${repo}:${target.tag}' pointed at ${current}; it now points at ${existing}.`);
        await plane.tag(repo, existing, target.tag);
        console.log(`Tagged ${repo}@${existing} as '${target.tag}'.`);
      } else {
        console.log(`Tag '${repo}:${target.tag}' already points at it: nothing to do.`);
      }
      return { digest: existing, reused: true, contextTag: ctxTag };
    }
  }
  const built = await buildInRegistry(ctx, registry, {
    archive: await packContext(context),
    dockerfilePath: context.dockerfilePath,
    imageNames: [`${repo}:${target.tag}`, `${repo}:${ctxTag}`],
    buildArgs: lineageBuildArgs(o.upstream),
    timeoutMs: o.timeoutMs,
  });
  if (current && current !== built.digest) tl.warning(`Tag '${repo}:${target.tag}' pointed at ${current}; it now points at ${built.digest}.`);
  return { digest: built.digest, reused: false, runId: built.runId, contextTag: ctxTag };
}
