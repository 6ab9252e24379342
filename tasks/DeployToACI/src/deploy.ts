// Writes the container group (create or update in place), follows the long-running operation, and
// waits until the container runs. When it does not (image pull failure, crash loop, timeout), the
// container's events and log tail are printed before the task fails.
import type { Container, ContainerGroup, ContainerInstanceManagementClient } from '@azure/arm-containerinstance';
import { AzureContext, azureCall, beginOperation, describeAzureError, followOperation } from '../../shared/src/azure';
import { CancelledError, DeploymentFailedError, TaskError, TimeoutError } from '../../shared/src/errors';
import { formatTable, group, printUntrusted } from '../../shared/src/log';
import { type Clock, lastPollGraceMs } from '../../shared/src/waiter';

export const LOG_TAIL_LINES = 50;
/** The events and log read after a failure or timeout get this long in all. */
export const DIAGNOSTICS_TIMEOUT_MS = 30_000;

/** The existing group of that name, or undefined (404). */
export async function existingContainerGroup(ctx: AzureContext, resourceGroup: string, name: string): Promise<ContainerGroup | undefined> {
  return azureCall('Reading', `container group '${name}' in resource group '${resourceGroup}'`, () => ctx.clients.aci.containerGroups.get(resourceGroup, name), { notFound: 'undefined' });
}

export async function resourceGroupLocation(ctx: AzureContext, resourceGroup: string): Promise<string> {
  const rg = await azureCall('Reading', `resource group '${resourceGroup}'`, () => ctx.clients.resources.resourceGroups.get(resourceGroup));
  if (!rg.location) throw new TaskError(`Resource group '${resourceGroup}' has no location; set the input 'location'.`);
  return rg.location.replace(/\s+/g, '').toLowerCase();
}

/** What the waiter needs to know after each poll. */
export interface Observation {
  state: string;
  done: boolean;
  /** Set when the deployment cannot succeed any more. */
  failure?: string;
  restarts: number;
}

/** Classifies one GET of the group (plus the LRO status) into waiting / running / failed. Pure. */
export function observe(groupView: ContainerGroup | undefined, lroStatus: string, lroError?: string): Observation {
  const provisioning = groupView?.provisioningState ?? (lroStatus === 'succeeded' ? 'Succeeded' : 'Pending');
  const c: Container | undefined = groupView?.containers?.[0];
  const view = c?.instanceView;
  const cs = view?.currentState?.state;
  const detail = view?.currentState?.detailStatus;
  const restarts = view?.restartCount ?? 0;
  const o = { restarts };
  const state = `provisioning ${provisioning}${cs ? `, container ${cs}${detail ? ` (${detail})` : ''}` : ''}${restarts > 0 ? `, ${restarts} restart(s)` : ''}`;
  if (lroStatus === 'failed' || /^failed$/i.test(provisioning)) {
    return { ...o, state, done: false, failure: `provisioning failed${lroError ? `: ${lroError}` : ''}` };
  }
  if (lroStatus === 'canceled' || /^canceled$/i.test(provisioning)) return { ...o, state, done: false, failure: 'the deployment was canceled in Azure' };
  if (cs === 'Terminated') return { ...o, state, done: false, failure: `the container terminated${view?.currentState?.exitCode !== undefined ? ` with exit code ${view.currentState.exitCode}` : ''}` };
  if (restarts > 0 && cs !== 'Running') return { ...o, state, done: false, failure: `the container keeps crashing (${restarts} restart(s), ${detail ?? cs ?? 'not running'})` };
  if (lroStatus === 'succeeded' && /^succeeded$/i.test(provisioning) && cs === 'Running') return { ...o, state, done: true };
  return { ...o, state, done: false };
}

export interface DeployOptions {
  resourceGroup: string;
  name: string;
  body: ContainerGroup;
  timeoutMs: number;
  isUpdate: boolean;
  clock?: Clock;
  abortSignal?: AbortSignal;
  /** Waiter back-off start (default 2 s; tests use less). */
  initialDelayMs?: number;
  /** Runs once Azure accepted the PUT, before the wait (DeployToACI stores a new scoring key there). */
  onAccepted?: () => Promise<void>;
}

/** PUT, then wait until provisioned and running; returns the group as Azure reports it. */
export async function deployAndWait(ctx: AzureContext, o: DeployOptions): Promise<ContainerGroup> {
  const what = `container group '${o.name}'`;
  // The SDK sends the PUT, its first status poll (inside begin…) and every later poll with the abort signal
  // given to begin… (a poll's own signal does not reach the request): so the operation gets a signal of its
  // own, aborted on cancel and when the readiness time is up, and a hung request cannot keep the task alive.
  const operationAbort = new AbortController();
  const onCancel = (): void => operationAbort.abort();
  o.abortSignal?.addEventListener('abort', onCancel, { once: true });
  let timedOut = false;
  const deadline = setTimeout(() => {
    timedOut = true;
    operationAbort.abort();
  }, o.timeoutMs + lastPollGraceMs(o.timeoutMs));
  try {
    return await deployWithin(ctx, o, what, operationAbort.signal, () => timedOut);
  } catch (err) {
    operationAbort.abort();
    throw err;
  } finally {
    clearTimeout(deadline);
    o.abortSignal?.removeEventListener('abort', onCancel);
  }
}

async function deployWithin(ctx: AzureContext, o: DeployOptions, what: string, operationSignal: AbortSignal, timedOut: () => boolean): Promise<ContainerGroup> {
  const client = ctx.clients.aci;
  // updateIntervalInMs only matters for pollUntilDone, which is not used: the waiter drives the polls
  const operation = await beginOperation(() => client.containerGroups.beginCreateOrUpdate(o.resourceGroup, o.name, o.body, { updateIntervalInMs: 1000, abortSignal: operationSignal }), {
    action: o.isUpdate ? 'Updating' : 'Creating',
    resource: `${what} in resource group '${o.resourceGroup}'`,
    pollAction: 'Polling the deployment of',
    pollResource: what,
  });
  if (o.abortSignal?.aborted) throw new CancelledError(what);
  await o.onAccepted?.();
  if (timedOut()) {
    await printDiagnostics(client, o.resourceGroup, o.name);
    throw new TimeoutError(what, o.timeoutMs, 'no answer to the request', 'readinessTimeoutMinutes');
  }

  // Running once is not enough: a container that crashes right after start is Running for a moment.
  // Done = Running on two consecutive polls with the same restart count.
  let runningWithRestarts: number | undefined;
  try {
    await followOperation<ContainerGroup | undefined>(operation, {
      what,
      timeoutMs: o.timeoutMs,
      timeoutInput: 'readinessTimeoutMinutes',
      initialDelayMs: o.initialDelayMs ?? 2000,
      maxDelayMs: 15000,
      ...(o.clock ? { clock: o.clock } : {}),
      ...(o.abortSignal ? { abortSignal: o.abortSignal } : {}),
      check: async (progress, signal) => {
        const view = await getGroup(client, o.resourceGroup, o.name, signal);
        const last = observe(view, progress.status, progress.error);
        if (last.failure) {
          // the waiter prints states it sees; this one ends the wait, so print it here before the events
          console.log(`${what}: ${last.state}`);
          throw new DeploymentFailedError(last.failure);
        }
        const confirmed = last.done && runningWithRestarts === last.restarts;
        runningWithRestarts = last.done ? last.restarts : undefined;
        return { done: confirmed, state: last.state, value: view };
      },
    });
  } catch (err) {
    if (err instanceof DeploymentFailedError || err instanceof TimeoutError) {
      await printDiagnostics(client, o.resourceGroup, o.name);
      if (err instanceof DeploymentFailedError) throw new TaskError(`Container group '${o.name}' did not start: ${err.message}. See the container's events and log above.`);
    }
    throw err;
  }
  const final = await getGroup(client, o.resourceGroup, o.name);
  if (!final) throw new TaskError(`Container group '${o.name}' disappeared right after it started.`);
  return final;
}

async function getGroup(client: ContainerInstanceManagementClient, rg: string, name: string, abortSignal?: AbortSignal): Promise<ContainerGroup | undefined> {
  return azureCall('Reading', `container group '${name}'`, () => client.containerGroups.get(rg, name, abortSignal ? { abortSignal } : {}), { notFound: 'undefined' });
}

function iso(d: Date | string | undefined): string {
  if (!d) return '';
  const date = d instanceof Date ? d : new Date(d);
  return Number.isNaN(date.getTime()) ? String(d) : date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** The events of the group and its container as a table (remote text: printed through printUntrusted). */
export function eventsTable(g: ContainerGroup): string | undefined {
  const rows: string[][] = [];
  for (const e of g.instanceView?.events ?? []) rows.push([iso(e.lastTimestamp ?? e.firstTimestamp), 'group', e.type ?? '', e.name ?? '', String(e.count ?? ''), e.message ?? '']);
  for (const c of g.containers ?? []) {
    for (const e of c.instanceView?.events ?? []) rows.push([iso(e.lastTimestamp ?? e.firstTimestamp), c.name, e.type ?? '', e.name ?? '', String(e.count ?? ''), e.message ?? '']);
  }
  if (rows.length === 0) return undefined;
  rows.sort((a, b) => a[0].localeCompare(b[0]));
  return formatTable(['time', 'source', 'type', 'event', 'count', 'message'], rows);
}

/** Prints the container's events and the tail of its log; never throws (diagnostics must not hide the failure). */
export async function printDiagnostics(client: ContainerInstanceManagementClient, rg: string, name: string): Promise<void> {
  // after a timeout the same hung service may not answer these either: they get a bounded time of their own
  const signal = AbortSignal.timeout(DIAGNOSTICS_TIMEOUT_MS);
  let g: ContainerGroup | undefined;
  try {
    g = await getGroup(client, rg, name, signal);
  } catch (err) {
    console.log(`Could not read container group '${name}' for its events: ${err instanceof Error ? err.message : String(err)}`);
  }
  if (g) {
    const table = eventsTable(g);
    console.log(`Events of container group '${name}':`);
    printUntrusted(table ?? '(no events reported)');
  }
  const containerName = g?.containers?.[0]?.name ?? name;
  await group(`Log of container '${containerName}' (last ${LOG_TAIL_LINES} lines)`, async () => {
    try {
      const logs = await client.containers.listLogs(rg, name, containerName, { tail: LOG_TAIL_LINES, abortSignal: signal });
      printUntrusted(logs.content && logs.content.length > 0 ? logs.content : '(the container wrote no log)');
    } catch (err) {
      console.log(`No log available: ${describeAzureError(err, { action: 'Reading the log of', resource: `container '${containerName}'` })}`);
    }
  });
}
