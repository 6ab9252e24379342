// Makes sure the registry holds the image for this build context: reuse an image built from the same
// context on the same base images (tag `ctx-<hash12>`), adding the requested tag when needed, or build it with ACR Tasks.
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as tl from 'azure-pipelines-task-lib/task';
import { type ContextWith, toAzureCallError, type WorkspaceScope } from '../../shared/src/azure';
import { lineageTags } from '../../shared/src/lineage';
import { untrusted } from '../../shared/src/untrusted';
import { buildInRegistry } from './acrBuild';
import { type BaseImage, baseImageKey, resolveBaseImages } from './baseImages';
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

/**
 * The tag of an image built from this context on these base images: `ctx-` and 12 hex digits of the sha256 over the
 * context hash and each FROM with the digest it stands for (baseImages.ts). The same files on a moved base tag make
 * another tag, so a new image is built instead of the old one being reused.
 */
export function contextTag(ctx: BuildContext, bases: readonly BaseImage[] = []): string {
  const key = bases.length === 0 ? ctx.hash : crypto.createHash('sha256').update(`${ctx.hash}\n${baseImageKey(bases)}`).digest('hex');
  return `ctx-${key.slice(0, 12)}`;
}

/** One line per base image: what it was resolved to, or why it is hashed as written. */
function describeBase(base: BaseImage, registry: RegistryInfo): string {
  // the Dockerfile may come from a pull request: its text goes through the shared neutraliser
  const b = { ...base, reference: untrusted(base.reference) };
  if (b.kind === 'pinned') return `Base image ${b.reference}: pinned by digest.`;
  if (b.kind === 'resolved') return b.digest ? `Base image ${b.reference}: ${b.digest} (part of the reuse key).` : `Base image ${b.reference}: not found in registry '${registry.name}' (the build will say why).`;
  return `Base image ${b.reference}: outside registry '${registry.name}', hashed as written (a moved tag there does not trigger a rebuild; pin it with @sha256:… to rebuild when it changes).`;
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
  const plane = new RegistryDataPlane(ctx, registry.loginServer);
  const dockerfile = fs.readFileSync(path.join(context.dir, ...context.dockerfilePath.split('/')), 'utf8');
  const bases = await resolveBaseImages(dockerfile, registry.loginServer, (repo, ref) => plane.manifestDigest(repo, ref));
  for (const b of bases) console.log(describeBase(b, registry));
  const ctxTag = contextTag(context, bases);
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
