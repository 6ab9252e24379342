// Scheduling the ACR build without ever starting it twice. `scheduleRun` is not idempotent: when its reply is lost
// after the registry created the run (a cut connection, a gateway 5xx, a per-try timeout), sending it again starts a
// second build of the same context. So the request goes through a client without automatic retries, the task
// notes the registry's newest runs before sending it, and after an unclear failure it looks for a run that
// appeared since then and follows that one; it sends the request again only when none appeared. A 429 means the
// request was not processed: it is sent again after Retry-After. Any other 4xx is the registry's answer.
//
// ACR Tasks has no client request id, and a quick run shows neither its arguments nor its image names before it
// finishes, so "a run that appeared since the snapshot" is the best evidence available while it runs. When exactly
// one appeared it is followed; the caller checks at the end that it pushed this build's context tag (which names
// the content) and builds again if it did not. When several appeared (other builds at the same moment), none is
// adopted: the request is sent again (a duplicate build costs time, following another pipeline's build could
// deliver the wrong image).
/* eslint-disable @typescript-eslint/no-require-imports */
import type { ContainerRegistryManagementClient, DockerBuildRequest, Run } from '@azure/arm-containerregistry';
import * as tl from 'azure-pipelines-task-lib/task';
import { AzureCallError, azureErrorInfo, type ContextWith, beginOperation, followOperation, toAzureCallError } from '../../shared/src/azure';
import { armClientOptions } from '../../shared/src/azureClients';
import { cancellationSignal, isCancelling } from '../../shared/src/cancellation';
import { CancelledError } from '../../shared/src/errors';
import type { RegistryInfo } from './targetRegistry';

/** How many of the newest runs the snapshot keeps (runs started by others meanwhile are far fewer). */
export const RECENT_RUNS = 50;
/** Sends of scheduleRun at most (the first and three more after throttling or an unclear failure). */
export const SCHEDULE_ATTEMPTS = 4;

export interface Scheduled {
  run: Run;
  /** true: the reply was lost and this run, started since the snapshot, is followed instead of a new one. */
  adopted: boolean;
}

export interface ScheduleDeps {
  /** The client that sends scheduleRun (no automatic retries). */
  client: ContainerRegistryManagementClient;
  sleep(ms: number): Promise<void>;
}

/** A registry client without automatic retries, for the one request that must not be resent blindly. */
export function schedulingClient(ctx: ContextWith<'acr'>): ContainerRegistryManagementClient {
  const { ContainerRegistryManagementClient: Client } = require('../../shared/src/sdk/containerRegistry') as typeof import('../../shared/src/sdk/containerRegistry');
  return new Client(ctx.credential, ctx.subscriptionId, { ...armClientOptions(ctx), retryOptions: { maxRetries: 0 } });
}

/** Ids of the registry's newest runs (ACR lists them newest first). */
export async function recentRunIds(ctx: ContextWith<'acr'>, registry: RegistryInfo): Promise<Set<string>> {
  const ids = new Set<string>();
  try {
    for await (const run of ctx.clients.acr.runs.list(registry.resourceGroup, registry.name, { top: RECENT_RUNS })) {
      const id = run.runId ?? run.name;
      if (id) ids.add(id);
      if (ids.size >= RECENT_RUNS) break;
    }
  } catch (err) {
    throw toAzureCallError(err, 'Listing the runs of', `registry '${registry.name}'`);
  }
  return ids;
}

/** Runs of the registry that are not in `known`: started since the snapshot. */
async function runsSince(ctx: ContextWith<'acr'>, registry: RegistryInfo, known: ReadonlySet<string>): Promise<Run[]> {
  const out: Run[] = [];
  let seen = 0;
  try {
    for await (const run of ctx.clients.acr.runs.list(registry.resourceGroup, registry.name, { top: RECENT_RUNS })) {
      const id = run.runId ?? run.name;
      if (id && !known.has(id)) out.push(run);
      if (++seen >= RECENT_RUNS) break;
    }
  } catch (err) {
    throw toAzureCallError(err, 'Listing the runs of', `registry '${registry.name}'`);
  }
  return out;
}

/** 'resend': the request was not processed; 'look': it may have been; 'fail': the registry refused it. */
export function classifyFailure(err: unknown): 'resend' | 'look' | 'fail' {
  if (!(err instanceof AzureCallError)) return 'fail';
  const s = err.statusCode;
  if (s === 429) return 'resend';
  if (s === undefined || s === 408 || s >= 500) return 'look';
  return 'fail';
}

function retryAfterMs(err: unknown, attempt: number): number {
  const cause = (err as { cause?: { response?: { headers?: { get(n: string): string | undefined } } } }).cause;
  const header = Number(cause?.response?.headers?.get('retry-after'));
  return Number.isFinite(header) && header >= 0 ? Math.min(header, 60) * 1000 : Math.min(1000 * 2 ** attempt, 16_000);
}

/** Sends scheduleRun once, following its long-running operation to the Run. */
async function sendOnce(deps: ScheduleDeps, registry: RegistryInfo, request: DockerBuildRequest, timeoutMs: number): Promise<Run> {
  // Not aborted by a pipeline cancel: the registry may already have created the run, and only the reply names it;
  // the cancel hook (schedulingCancelHook.ts) waits for it, within the clean-up budget, and cancels that run.
  const scheduling = await beginOperation(() => deps.client.registries.beginScheduleRun(registry.resourceGroup, registry.name, request), {
    action: 'Scheduling a build in',
    resource: `registry '${registry.name}'`,
    pollAction: 'Polling the scheduling of a build in',
    pollResource: `registry '${registry.name}'`,
  });
  // its state lines in the debug log only (the user's log shows the run's own states)
  return followOperation<Run>(scheduling, {
    what: `Scheduling a build in registry '${registry.name}'`,
    timeoutMs,
    timeoutInput: 'timeoutMinutes',
    initialDelayMs: 1000,
    maxDelayMs: 10000,
    log: (line) => tl.debug(line),
  });
}

/**
 * Schedules the build, or — after a reply lost on the way back — finds the run the request started. `known` is the
 * snapshot of run ids taken before the first send; `adopt: false` never follows a found run.
 */
export async function scheduleBuild(
  ctx: ContextWith<'acr'>,
  registry: RegistryInfo,
  request: DockerBuildRequest,
  o: { known: ReadonlySet<string>; timeoutMs: number; adopt?: boolean; deps?: ScheduleDeps },
): Promise<Scheduled> {
  const deps = o.deps ?? { client: schedulingClient(ctx), sleep: cancellableSleep };
  for (let attempt = 0; ; attempt++) {
    // nothing is sent once the pipeline is cancelled (the cancel hook then has no run to cancel)
    if (isCancelling()) throw new CancelledError(`scheduling a build in registry '${registry.name}'`);
    if (attempt === 0) console.log(`Scheduling the build in registry '${registry.name}'...`);
    try {
      return { run: await sendOnce(deps, registry, request, o.timeoutMs), adopted: false };
    } catch (err) {
      const kind = classifyFailure(err);
      if (kind === 'fail') throw err;
      const last = attempt + 1 >= SCHEDULE_ATTEMPTS;
      if (kind === 'look') {
        const info = azureErrorInfo((err as AzureCallError).cause);
        const why = `no clear answer (${info.statusCode ? `HTTP ${info.statusCode}` : (info.code ?? 'no reply')})`;
        const started = await runsSince(ctx, registry, o.known);
        if (started.length === 1 && o.adopt !== false) {
          const id = started[0].runId ?? started[0].name;
          console.log(`Scheduling the build got ${why}; run ${id} started in registry '${registry.name}' since then: following it instead of starting another build.`);
          return { run: started[0], adopted: true };
        }
        if (last) throw err;
        console.log(started.length === 0
          ? `Scheduling the build got ${why} and no run started in registry '${registry.name}': scheduling again.`
          : `Scheduling the build got ${why}; ${started.length} run(s) started in registry '${registry.name}' since then, none taken as this one (other builds): scheduling again.`);
      }
      if (last) throw err;
      if (cancellationSignal().aborted) throw new CancelledError(`scheduling a build in registry '${registry.name}'`);
      await deps.sleep(retryAfterMs(err, attempt));
      if (cancellationSignal().aborted) throw new CancelledError(`scheduling a build in registry '${registry.name}'`);
    }
  }
}

/** A wait that ends early when the pipeline is cancelled (the agent kills the task 10 s after SIGINT). */
function cancellableSleep(ms: number): Promise<void> {
  const signal = cancellationSignal();
  return new Promise((resolve) => {
    const t = setTimeout(done, ms);
    function done(): void {
      clearTimeout(t);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}

/** Whether a finished run pushed `repo:tag` (the check that an adopted run was this build). */
export function pushedImage(run: Run, repository: string, tag: string): boolean {
  return (run.outputImages ?? []).some((i) => i.repository === repository && i.tag === tag);
}
